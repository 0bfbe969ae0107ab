"""Helpers for chat socket tests: sockets on the real ASGI application (origin check, auth, routing)."""

import copy

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from chat.services import dm_open
from driftwood.asgi import application
from driftwood.dev.firebase import FakeMirror, FakePushSender
from tests.factories import UserFactory

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")
TIMEOUT = 5


@pytest.fixture
def fakes(settings):
    """Tasks run in-process; the push and mirror fakes start empty; a fresh channel layer.

    (Each `async_to_sync` block runs its own event loop; a channels-redis layer that served
    several sockets in one loop must not be reused from the next, so changing the setting makes
    Channels build a new one, for this test and again after it.)
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CHANNEL_LAYERS = copy.deepcopy(settings.CHANNEL_LAYERS)
    FakePushSender.reset()
    FakeMirror.reset()
    yield
    FakePushSender.reset()
    FakeMirror.reset()


def dm_pair():
    """Two players with a DM room between them: (a, b, room_id)."""
    a, b = UserFactory(), UserFactory(allow_messages_from_anyone=True)
    room, _ = dm_open(user=a, other_id=b.pk)
    return a, b, room.room_id


def communicator(path: str, user=None, headers=None) -> WebsocketCommunicator:
    if user is not None:
        path += f"{'&' if '?' in path else '?'}token={AccessToken.for_user(user)}"
    return WebsocketCommunicator(application, path, headers=[SAME_ORIGIN] if headers is None else headers)


async def open_socket(room_id: str, user) -> WebsocketCommunicator:
    """A socket that has joined the room. Its greeting (the presence of members already online)
    is kept in `socket.greeting`.

    The server accepts before it checks, so the join finishes after `connect()` returns. Frames
    are handled in order after the join, so the reply to a probe frame marks its end.
    """
    socket = communicator(f"/ws/chat/{room_id}", user)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    await socket.send_json_to({"type": "probe"})
    socket.greeting = []
    while (frame := await socket.receive_json_from(timeout=TIMEOUT))["type"] != "error":
        socket.greeting.append(frame)
    return socket


async def close_code(socket: WebsocketCommunicator) -> int | None:
    """The code the server closed an accepted socket with, or None if it stays open."""
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    if await socket.receive_nothing(timeout=0.5):
        await socket.disconnect()
        return None
    output = await socket.receive_output(timeout=TIMEOUT)
    await socket.disconnect()
    assert output["type"] == "websocket.close"
    return output["code"]


async def receive(socket: WebsocketCommunicator, timeout: float = TIMEOUT) -> dict:
    return await socket.receive_json_from(timeout=timeout)


async def nothing(socket: WebsocketCommunicator, timeout: float = 0.3) -> bool:
    return await socket.receive_nothing(timeout=timeout)


async def close_all(*sockets: WebsocketCommunicator) -> None:
    """Disconnect each socket; each returns once its consumer's disconnect handler has finished."""
    for socket in sockets:
        await socket.disconnect()


db = database_sync_to_async
