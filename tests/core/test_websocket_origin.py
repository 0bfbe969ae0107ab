"""Browsers from other sites are refused; native clients (no Origin header) get in."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from driftwood.asgi import application
from tests.core.sockets import WAIT_SECONDS, socket_db  # noqa: F401 - fixture


async def handshake(headers: list[tuple[bytes, bytes]]) -> bool:
    communicator = WebsocketCommunicator(application, "/ws/health", headers=headers)
    connected, _ = await communicator.connect(timeout=WAIT_SECONDS)
    await communicator.disconnect()
    return connected


@pytest.mark.usefixtures("socket_db")
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], True),
        ([(b"origin", b"http://127.0.0.1:8000")], True),
        ([(b"origin", b"https://evil.example")], False),
    ],
)
def test_origin_policy(headers, expected):
    assert async_to_sync(handshake)(headers) is expected
