"""Presence and typing on Redis (several processes) and on the local-memory cache (embedded mode)."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.utils import timezone

from chat import presence
from chat.services import dm_open
from tests.chat.sockets import (
    close_all,
    db,
    dm_pair,
    fakes,  # noqa: F401 - fixture
    nothing,
    open_socket,
    receive,
)
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import UserFactory
from tests.services import require_redis

pytestmark = pytest.mark.usefixtures("socket_db")


@pytest.fixture(params=["redis", "local"])
def backend(request, settings, fakes):  # noqa: F811 - fixture
    """Each test runs on Redis (as in production) and on the embedded mode's in-process stores."""
    if request.param == "redis":
        require_redis()
    else:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chat-presence"}
        }
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
        cache.clear()
    return request.param


def presence_frame(user, online: bool) -> dict:
    return {"type": "presence", "user_id": user.pk, "online": online}


def test_a_player_is_offline_only_after_their_last_connection_closes(backend):
    a, b, room_id = dm_pair()

    @async_to_sync
    async def two_tabs():
        seen = {}
        b_socket = await open_socket(room_id, b)
        first = await open_socket(room_id, a)
        seen["first_tab"] = await receive(b_socket)
        second = await open_socket(room_id, a)
        seen["second_tab_quiet"] = await nothing(b_socket)
        seen["count_with_two"] = await db(presence.connection_count)(a.pk)
        await close_all(first)
        seen["one_closed_quiet"] = await nothing(b_socket)
        seen["online_with_one"] = await db(presence.is_online)(a.pk)
        await close_all(second)
        seen["both_closed"] = await receive(b_socket)
        seen["online_after"] = await db(presence.is_online)(a.pk)
        await close_all(b_socket)
        return seen

    before = timezone.now()
    seen = two_tabs()

    assert seen["first_tab"] == presence_frame(a, True)
    assert seen["second_tab_quiet"]
    assert seen["count_with_two"] == 2
    assert seen["one_closed_quiet"] and seen["online_with_one"]
    assert seen["both_closed"] == presence_frame(a, False)
    assert not seen["online_after"]
    assert presence.connection_count(a.pk) == 0
    assert before <= presence.last_seen(a.pk) <= timezone.now()


def test_joining_shows_who_is_already_online(backend):
    a, b, room_id = dm_pair()

    @async_to_sync
    async def join_in_turn():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        greetings = b_socket.greeting, a_socket.greeting
        await close_all(a_socket, b_socket)
        return greetings

    assert join_in_turn() == ([], [presence_frame(b, True)])


def test_presence_reaches_every_room_of_the_player(backend):
    # given a player with two DM rooms, and each other member in their room
    a, b, ab_room = dm_pair()
    c = UserFactory(allow_messages_from_anyone=True)
    ac_room = dm_open(user=a, other_id=c.pk)[0].room_id

    @async_to_sync
    async def a_joins_one_room():
        b_socket, c_socket = await open_socket(ab_room, b), await open_socket(ac_room, c)
        a_socket = await open_socket(ab_room, a)
        frames = await receive(b_socket), await receive(c_socket)
        await close_all(a_socket, b_socket, c_socket)
        return frames

    # when a opens only one of them, then both rooms hear that a is online
    assert a_joins_one_room() == (presence_frame(a, True), presence_frame(a, True))


def test_a_connection_whose_process_died_expires_and_is_announced(backend, settings):
    # given short presence timings, and a connection of `a` whose process then died (no heartbeat, no close)
    settings.CHAT_PRESENCE_TTL_SECONDS = 0.6
    settings.CHAT_HEARTBEAT_SECONDS = 0.1
    a, b, room_id = dm_pair()
    assert presence.connection_opened(user_id=a.pk, connection_id="specific.dead!1")

    @async_to_sync
    async def watch():
        b_socket = await open_socket(room_id, b)
        online_at_first = b_socket.greeting
        started = time.monotonic()
        frame = await receive(b_socket, timeout=3)
        elapsed = time.monotonic() - started
        await close_all(b_socket)
        return online_at_first, frame, elapsed

    online_at_first, frame, elapsed = watch()

    # then b first sees a online, and hears a went offline once the TTL passed
    assert online_at_first == [presence_frame(a, True)]
    assert frame == presence_frame(a, False)
    assert elapsed < 0.6 + 0.5
    assert not presence.is_online(a.pk)
    assert presence.sweep() == []  # announced once


def test_the_heartbeat_keeps_a_live_connection_online_past_the_ttl(backend, settings):
    settings.CHAT_PRESENCE_TTL_SECONDS = 0.4
    settings.CHAT_HEARTBEAT_SECONDS = 0.1
    a, b, room_id = dm_pair()

    @async_to_sync
    async def stay():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # a online
        quiet = await nothing(b_socket, timeout=1.2)
        online = await db(presence.is_online)(a.pk)
        await close_all(a_socket, b_socket)
        return quiet, online

    assert stay() == (True, True)


def test_typing_expires_on_its_own(backend, settings):
    settings.CHAT_TYPING_SECONDS = 0.3
    a, b, room_id = dm_pair()

    @async_to_sync
    async def type_once():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # a online
        await a_socket.send_json_to({"type": "typing", "is_typing": True})
        frames = [await receive(b_socket), await receive(b_socket, timeout=2)]
        await close_all(a_socket, b_socket)
        return frames

    assert type_once() == [
        {"type": "user_typing", "user_id": a.pk, "is_typing": True},
        {"type": "user_typing", "user_id": a.pk, "is_typing": False},
    ]
    assert not presence.is_typing(room_id=room_id, user_id=a.pk)


def test_typing_key_lives_for_the_setting_and_can_be_cleared(backend, settings):
    settings.CHAT_TYPING_SECONDS = 0.3

    assert presence.typing_set(room_id="dm_1_2", user_id=1, is_typing=True) is True
    assert presence.typing_set(room_id="dm_1_2", user_id=1, is_typing=True) is False  # refreshed, not new
    assert presence.is_typing(room_id="dm_1_2", user_id=1)
    time.sleep(0.4)
    assert not presence.is_typing(room_id="dm_1_2", user_id=1)
    assert presence.typing_set(room_id="dm_1_2", user_id=1, is_typing=True) is True
    assert presence.typing_set(room_id="dm_1_2", user_id=1, is_typing=False) is True
    assert presence.typing_set(room_id="dm_1_2", user_id=1, is_typing=False) is False


def test_connection_counts_are_exact_under_concurrent_opens_and_closes(backend):
    # given 40 sockets of one player opened and 30 closed at once from many threads
    def open_then_maybe_close(number: int) -> None:
        presence.connection_opened(user_id=7, connection_id=f"c{number}")
        if number % 4:
            presence.connection_closed(user_id=7, connection_id=f"c{number}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(open_then_maybe_close, range(40)))

    # then exactly the 10 left open are counted
    assert presence.connection_count(7) == 10
    assert presence.is_online(7)


def test_a_stalled_connection_that_beats_again_comes_back_online(backend, settings):
    settings.CHAT_PRESENCE_TTL_SECONDS = 0.2

    assert presence.connection_opened(user_id=8, connection_id="c") is True
    assert presence.connection_alive(user_id=8, connection_id="c") is False  # still live: nothing changed
    time.sleep(0.3)
    assert presence.sweep() == [8]
    assert presence.connection_alive(user_id=8, connection_id="c") is True
    assert presence.connection_closed(user_id=8, connection_id="c") is True
