"""Two real processes of production's WebSocket server (uvicorn, driftwood/core/serve.py) on
channels-redis: messages and presence cross between them, and a killed process's connections stop
counting once their heartbeat TTL has passed."""

import time

import aiohttp
import pytest
from asgiref.sync import async_to_sync
from rest_framework_simplejwt.tokens import AccessToken

from chat import presence
from chat.models import ChatMessage
from tests import services
from tests.chat.sockets import dm_pair
from tests.factories import UserFactory, team_with_members

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TTL, HEARTBEAT = 1.5, 0.3


@pytest.fixture(scope="module")
def servers(django_db_setup):
    """Two servers for the whole module (starting one costs seconds); a test may kill one."""
    services.require_redis()
    timings = {"CHAT_PRESENCE_TTL_SECONDS": str(TTL), "CHAT_HEARTBEAT_SECONDS": str(HEARTBEAT)}
    started = []
    try:
        for _ in range(2):
            started.append(services.start_websocket_server(**timings))
        yield started, timings
    finally:
        for process, _url in started:
            services.stop(process, at_once=True)


@pytest.fixture
def two_servers(servers):
    """The module's two servers, a killed one replaced by a fresh one."""
    started, timings = servers
    for index, (process, _url) in enumerate(started):
        if process.poll() is not None:
            services.stop(process)  # its log
            started[index] = services.start_websocket_server(**timings)
    return list(started)


async def join(session: aiohttp.ClientSession, base_url: str, room_id: str, user):
    """A socket that has joined the room (a probe frame's error reply marks the end of the join)."""
    url = f"{base_url.replace('http', 'ws', 1)}/ws/chat/{room_id}?token={AccessToken.for_user(user)}"
    socket = await session.ws_connect(url)
    await socket.send_json({"type": "probe"})
    while (await socket.receive_json(timeout=5))["type"] != "error":
        pass
    return socket


async def next_frame(socket, timeout: float = 5) -> dict:
    return await socket.receive_json(timeout=timeout)


async def quiet(socket, timeout: float) -> bool:
    try:
        frame = await socket.receive_json(timeout=timeout)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected frame {frame}")


def test_a_message_sent_via_one_process_arrives_via_the_other_within_a_second(two_servers):
    (_first, first_url), (_second, second_url) = two_servers
    a, b, room_id = dm_pair()

    @async_to_sync
    async def exchange():
        async with aiohttp.ClientSession() as session:
            b_socket = await join(session, second_url, room_id, b)
            a_socket = await join(session, first_url, room_id, a)
            came_online = await next_frame(b_socket)
            started = time.monotonic()
            await a_socket.send_json({"type": "message", "message": "across processes"})
            frame = await next_frame(b_socket, timeout=1)
            return came_online, frame, time.monotonic() - started

    came_online, frame, elapsed = exchange()

    assert came_online == {"type": "presence", "user_id": a.pk, "online": True}
    assert frame["message"] == "across processes"
    assert frame["id"] == ChatMessage.objects.get().pk
    assert elapsed < 1


def test_presence_stays_right_when_a_process_is_killed(two_servers):
    # given a team room: b on the second process, a on both, c on the first only
    (first, first_url), (_second, second_url) = two_servers
    b = UserFactory()
    team = team_with_members(b, 3)
    a, c = [membership.user for membership in team.memberships.exclude(user=b).order_by("pk")]
    room_id = f"team_{team.pk}"

    @async_to_sync
    async def kill_the_first():
        seen = {}
        async with aiohttp.ClientSession() as session:
            b_socket = await join(session, second_url, room_id, b)
            on_first = [await join(session, first_url, room_id, a), await join(session, first_url, room_id, c)]
            a_on_second = await join(session, second_url, room_id, a)
            seen["online"] = [await next_frame(b_socket), await next_frame(b_socket)]
            seen["counts_before"] = presence.connection_count(a.pk), presence.connection_count(c.pk)

            # when the first process dies without closing anything
            first.kill()
            first.wait()
            started = time.monotonic()
            seen["c_offline"] = await next_frame(b_socket, timeout=TTL + 2 * HEARTBEAT + 1)
            seen["waited"] = time.monotonic() - started
            seen["nothing_about_a"] = await quiet(b_socket, timeout=2 * HEARTBEAT)
            seen["counts_after"] = presence.connection_count(a.pk), presence.connection_count(c.pk)
            seen["online_after"] = presence.online([a.pk, c.pk])

            # and a closes their last socket
            await a_on_second.close()
            seen["a_offline"] = await next_frame(b_socket)
            for socket in on_first:  # kept referenced until here: aiohttp closes sockets it collects
                await socket.close()
        return seen

    seen = kill_the_first()

    # then c (only on the dead process) goes offline after the TTL; a stays online with one connection
    # until that one closes
    assert sorted(frame["user_id"] for frame in seen["online"]) == sorted([a.pk, c.pk])
    assert seen["counts_before"] == (2, 1)
    assert seen["c_offline"] == {"type": "presence", "user_id": c.pk, "online": False}
    assert TTL - 2 * HEARTBEAT <= seen["waited"] <= TTL + 2 * HEARTBEAT + 1
    assert seen["nothing_about_a"]
    assert seen["counts_after"] == (1, 0)
    assert seen["online_after"] == {a.pk}
    assert seen["a_offline"] == {"type": "presence", "user_id": a.pk, "online": False}
    assert not presence.is_online(a.pk)
