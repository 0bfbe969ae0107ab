"""ws/chat/<room_id> through the real ASGI application: who may join, messages, typing, reads, bad frames."""

import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from chat import presence
from chat.models import MESSAGE_MAX_LENGTH, ChatMessage, RoomMember
from chat.services import message_post
from tests.chat.sockets import (
    SAME_ORIGIN,
    close_all,
    close_code,
    communicator,
    db,
    dm_pair,
    fakes,  # noqa: F401 - fixture
    nothing,
    open_socket,
    receive,
)
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import UserFactory, team_with_members
from tournaments.services.teams import team_member_remove

pytestmark = pytest.mark.usefixtures("socket_db", "fakes")


@pytest.mark.parametrize("query", ["", "?token=not-a-token"])
def test_a_missing_or_bad_token_is_closed_with_4401(query):
    _a, _b, room_id = dm_pair()

    assert async_to_sync(close_code)(communicator(f"/ws/chat/{room_id}{query}")) == 4401


def test_an_expired_token_is_closed_with_4401():
    a, _b, room_id = dm_pair()
    token = AccessToken.for_user(a)
    token.set_exp(lifetime=-timedelta(seconds=1))

    assert async_to_sync(close_code)(communicator(f"/ws/chat/{room_id}?token={token}")) == 4401


@pytest.mark.parametrize("room", ["someone_elses_dm", "team_of_others", "unknown_event", "malformed"])
def test_a_player_outside_the_room_is_closed_with_4403(room):
    # given rooms the stranger does not belong to
    _a, _b, dm_room = dm_pair()
    team = team_with_members(UserFactory(), 2)
    room_id = {
        "someone_elses_dm": dm_room,
        "team_of_others": f"team_{team.pk}",
        "unknown_event": "event_987654",
        "malformed": "lobby_1",
    }[room]
    stranger = UserFactory()

    # when they connect, then the socket is closed with 4403 and no member row appears
    assert async_to_sync(close_code)(communicator(f"/ws/chat/{room_id}", stranger)) == 4403
    assert not RoomMember.objects.filter(user=stranger).exists()


def test_a_member_stays_connected_with_or_without_a_trailing_slash_or_by_session():
    a, _b, room_id = dm_pair()
    browser = Client()
    browser.force_login(a)
    cookie = (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())

    assert async_to_sync(close_code)(communicator(f"/ws/chat/{room_id}", a)) is None
    assert async_to_sync(close_code)(communicator(f"/ws/chat/{room_id}/", a)) is None
    assert async_to_sync(close_code)(communicator(f"/ws/chat/{room_id}", headers=[SAME_ORIGIN, cookie])) is None


def test_a_message_is_saved_then_reaches_every_member():
    a, b, room_id = dm_pair()

    @async_to_sync
    async def exchange():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # a came online
        await a_socket.send_json_to({"type": "message", "message": "  gg wp  "})
        frames = await receive(a_socket), await receive(b_socket)
        await close_all(a_socket, b_socket)
        return frames

    # when a sends a message
    to_sender, to_other = exchange()

    # then both hear the saved message, with its id, the room's first seq and its timestamp
    saved = ChatMessage.objects.get()
    assert (saved.text, saved.sender_id, saved.room.room_id) == ("gg wp", a.pk, room_id)
    assert to_other == to_sender
    assert to_other == {
        "type": "message",
        "id": saved.pk,
        "seq": 1,
        "room_id": room_id,
        "sender": {"id": a.pk, "username": a.username},
        "message": "gg wp",
        "created_at": saved.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_a_team_room_is_created_on_first_use_and_reaches_its_members():
    captain = UserFactory()
    team = team_with_members(captain, 2)
    other = team.memberships.exclude(user=captain).get().user

    @async_to_sync
    async def exchange():
        other_socket = await open_socket(f"team_{team.pk}", other)
        captain_socket = await open_socket(f"team_{team.pk}", captain)
        await receive(other_socket)  # presence
        await captain_socket.send_json_to({"type": "message", "message": "scrim at 9"})
        frame = await receive(other_socket)
        await close_all(captain_socket, other_socket)
        return frame

    assert exchange()["message"] == "scrim at 9"


BAD_FRAMES = [
    "not json",
    "[1, 2]",
    '{"no": "type"}',
    '{"type": "shout"}',
    '{"type": "message"}',
    '{"type": "message", "message": "   "}',
    '{"type": "message", "message": 42}',
    '{"type": "message", "message": "' + "x" * (MESSAGE_MAX_LENGTH + 1) + '"}',
    '{"type": "typing", "is_typing": "yes"}',
    '{"type": "read", "up_to": "last"}',
]


def test_bad_frames_get_an_error_and_the_socket_stays_open():
    a, _b, room_id = dm_pair()

    @async_to_sync
    async def send_bad_then_good():
        socket = await open_socket(room_id, a)
        errors = []
        for frame in BAD_FRAMES:
            await socket.send_to(text_data=frame)
            errors.append(await receive(socket))
        await socket.send_to(bytes_data=b"\x00\x01")
        errors.append(await receive(socket))
        await socket.send_json_to({"type": "message", "message": "still here"})
        last = await receive(socket)
        await close_all(socket)
        return errors, last

    errors, last = send_bad_then_good()

    assert [(error["type"], error["code"]) for error in errors] == [("error", "invalid")] * (len(BAD_FRAMES) + 1)
    assert all(error["message"] for error in errors)
    assert last["message"] == "still here"
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["still here"]


def test_the_eleventh_message_in_five_seconds_is_dropped():
    a, b, room_id = dm_pair()

    @async_to_sync
    async def flood():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # presence
        for number in range(11):
            await a_socket.send_json_to({"type": "message", "message": f"spam {number}"})
        to_sender = [await receive(a_socket) for _ in range(11)]
        to_other = [await receive(b_socket) for _ in range(10)]
        quiet = await nothing(b_socket)
        await close_all(a_socket, b_socket)
        return to_sender, to_other, quiet

    to_sender, to_other, quiet = flood()

    # then ten were saved and delivered, and the sender alone hears that the eleventh was refused
    first_ten = [f"spam {number}" for number in range(10)]
    assert [frame.get("message") for frame in to_other] == first_ten
    assert quiet
    # (the error is sent straight back, so it may overtake the tenth message's broadcast)
    errors = [frame for frame in to_sender if frame["type"] == "error"]
    assert [error["code"] for error in errors] == ["rate_limited"]
    assert [frame["message"] for frame in to_sender if frame not in errors] == first_ten
    assert ChatMessage.objects.count() == 10
    assert not ChatMessage.objects.filter(text="spam 10").exists()


def test_typing_reaches_the_others_and_is_never_saved(settings):
    a, b, room_id = dm_pair()

    @async_to_sync
    async def type_then_stop():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # presence
        await a_socket.send_json_to({"type": "typing", "is_typing": True})
        started = await receive(b_socket)
        while_typing = await db(presence.is_typing)(room_id=room_id, user_id=a.pk)
        await a_socket.send_json_to({"type": "typing", "is_typing": True})  # still typing: no new frame
        repeat_quiet = await nothing(b_socket)
        await a_socket.send_json_to({"type": "typing", "is_typing": False})
        stopped = await receive(b_socket)
        after = await db(presence.is_typing)(room_id=room_id, user_id=a.pk)
        sender_quiet = await nothing(a_socket)
        await close_all(a_socket, b_socket)
        return started, while_typing, repeat_quiet, stopped, after, sender_quiet

    started, while_typing, repeat_quiet, stopped, after, sender_quiet = type_then_stop()

    assert started == {"type": "user_typing", "user_id": a.pk, "is_typing": True}
    assert while_typing and repeat_quiet
    assert stopped == {"type": "user_typing", "user_id": a.pk, "is_typing": False}
    assert not after
    assert sender_quiet  # a player is not told about their own typing
    assert not ChatMessage.objects.exists()


def test_typing_expires_after_the_typing_ttl(settings):
    # given the contract's 3 s typing TTL, shortened here (the same timer, scaled) to keep the test quick
    assert settings.CHAT_TYPING_SECONDS == 3.0
    settings.CHAT_TYPING_SECONDS = ttl = 0.5
    a, b, room_id = dm_pair()

    @async_to_sync
    async def type_once():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # presence
        await a_socket.send_json_to({"type": "typing", "is_typing": True})
        await receive(b_socket)
        started = time.monotonic()
        expired = await receive(b_socket, timeout=ttl + 2)
        elapsed = time.monotonic() - started
        key_left = await db(presence.is_typing)(room_id=room_id, user_id=a.pk)
        await close_all(a_socket, b_socket)
        return expired, elapsed, key_left

    # when a types once and then nothing more
    expired, elapsed, key_left = type_once()

    # then b is told they stopped once the TTL has passed, and the key is gone
    assert expired == {"type": "user_typing", "user_id": a.pk, "is_typing": False}
    assert ttl - 0.1 <= elapsed < ttl + 0.6
    assert not key_left


def test_closing_while_typing_tells_the_others_it_stopped():
    a, b, room_id = dm_pair()

    @async_to_sync
    async def type_then_leave():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # presence
        await a_socket.send_json_to({"type": "typing", "is_typing": True})
        await receive(b_socket)
        await a_socket.disconnect()
        frames = [await receive(b_socket), await receive(b_socket)]
        await close_all(b_socket)
        return frames

    assert type_then_leave() == [
        {"type": "user_typing", "user_id": a.pk, "is_typing": False},
        {"type": "presence", "user_id": a.pk, "online": False},
    ]


def test_a_read_frame_moves_the_marker_and_is_broadcast():
    a, b, room_id = dm_pair()
    room = RoomMember.objects.filter(user=a).get().room
    first = message_post(room=room, sender=a, text="one")
    second = message_post(room=room, sender=a, text="two")

    @async_to_sync
    async def read():
        a_socket = await open_socket(room_id, a)
        b_socket = await open_socket(room_id, b)
        await receive(a_socket)  # presence
        await b_socket.send_json_to({"type": "read", "up_to": first.pk})
        partly = await receive(a_socket), await receive(b_socket)
        await b_socket.send_json_to({"type": "read"})
        fully = await receive(a_socket)
        await close_all(a_socket, b_socket)
        return partly, fully

    partly, fully = read()

    assert partly[0] == partly[1] == {"type": "read", "user_id": b.pk, "up_to": first.pk}
    assert fully == {"type": "read", "user_id": b.pk, "up_to": second.pk}
    assert RoomMember.objects.get(room=room, user=b).last_read_message_id == second.pk


def test_a_player_removed_from_the_team_is_closed_at_the_next_heartbeat(settings):
    settings.CHAT_HEARTBEAT_SECONDS = 0.2
    captain = UserFactory()
    team = team_with_members(captain, 2)
    member = team.memberships.exclude(user=captain).get().user

    @async_to_sync
    async def removed():
        socket = await open_socket(f"team_{team.pk}", member)
        await db(team_member_remove)(team_id=team.pk, actor=captain, user_id=member.pk)
        output = await socket.receive_output(timeout=2)
        await socket.disconnect()
        return output

    assert removed() == {"type": "websocket.close", "code": 4403}
