"""Chat frames carrying what the text rule refuses (issue 13): an `error` frame, nothing saved,
nothing broadcast, and the socket keeps working (it used to close with 1011 on a NUL or a lone
surrogate, when PostgreSQL or the UTF-8 encoder refused the text)."""

import pytest
from asgiref.sync import async_to_sync

from chat.models import ChatMessage
from tests.chat.sockets import (
    close_all,
    dm_pair,
    fakes,  # noqa: F401 - fixture
    nothing,
    open_socket,
    receive,
)
from tests.core.sockets import socket_db  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("socket_db", "fakes")

# Frames as a client's JSON encoder writes them: the bad character travels as an escape.
HOSTILE = {
    "nul": r'{"type": "message", "message": "a\u0000b"}',
    "lone_high_surrogate": r'{"type": "message", "message": "a\ud800b"}',
    "lone_low_surrogate": r'{"type": "message", "message": "\udc00"}',
    "right_to_left_override": r'{"type": "message", "message": "see invoice\u202egnp.exe"}',
    "zero_width_space": r'{"type": "message", "message": "ad\u200bmin says hi"}',
    "escape_sequence": r'{"type": "message", "message": "\u001b[2J"}',
    "deeply_nested": '{"type": "message", "message": ' + "[" * 5000 + "]" * 5000 + "}",
}


@pytest.mark.parametrize("frame", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_message_gets_an_error_frame_and_the_socket_still_works(frame):
    a, b, room_id = dm_pair()

    @async_to_sync
    async def exchange():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # a came online
        await a_socket.send_to(text_data=frame)
        error = await receive(a_socket)
        b_heard_nothing = await nothing(b_socket)
        await a_socket.send_json_to({"type": "message", "message": "line one\nline two"})
        to_sender, to_other = await receive(a_socket), await receive(b_socket)
        await close_all(a_socket, b_socket)
        return error, b_heard_nothing, to_sender, to_other

    # when a sends the hostile frame, then a valid message
    error, b_heard_nothing, to_sender, to_other = exchange()

    # then the first is refused with an error frame, and only the second is saved and heard
    assert (error["type"], error["code"]) == ("error", "invalid")
    assert error["message"]
    assert b_heard_nothing
    assert to_sender["message"] == to_other["message"] == "line one\nline two"
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["line one\nline two"]
