"""The pub/sub channel layer (driftwood/core/channel_layer.py) keeps the Redis outage behaviour of
the list-based one: sockets are refused, and open ones closed, with the `unavailable` hint and 4503,
and work again once Redis is back."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from chat.services import dm_open
from driftwood.asgi import application
from driftwood.core.websocket import CLOSE_UNAVAILABLE
from driftwood.redis_settings import redis_channel_layers
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.core.test_redis_outage import SAME_ORIGIN, after_retry_interval, point_app_at, refused_socket
from tests.factories import UserFactory
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis


@pytest.fixture
def pubsub_redis(settings):
    server = RedisServer()
    server.start()
    point_app_at(settings, server.url)
    settings.CHANNEL_LAYERS = redis_channel_layers(server.url, timeout=1.0, prefix="driftwood", kind="pubsub")
    yield server
    server.close()


def test_the_pubsub_layer_is_channels_redis_own():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    from driftwood.core.channel_layer import PubSubChannelLayer

    assert issubclass(PubSubChannelLayer, RedisPubSubChannelLayer)


@pytest.mark.usefixtures("socket_db")
def test_sockets_are_refused_with_the_hint_while_redis_is_down(pubsub_redis):
    a, b = UserFactory(), UserFactory(allow_messages_from_anyone=True)
    room, _ = dm_open(user=a, other_id=b.pk)
    token = AccessToken.for_user(a)
    pubsub_redis.stop()

    for path in ("/ws/health", f"/ws/chat/{room.room_id}?token={token}"):
        frame, closed = refused_socket(path)

        assert (frame["type"], frame["code"]) == ("error", "unavailable")
        assert frame["retry_after"] >= 1
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}


@pytest.mark.usefixtures("socket_db")
def test_an_open_socket_is_closed_with_the_hint_when_redis_goes_and_works_after(pubsub_redis):
    @async_to_sync
    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/health", headers=[SAME_ORIGIN])
        assert (await socket.connect(timeout=5))[0]
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"

        # when Redis stops under the open socket
        pubsub_redis.stop()
        frame = await socket.receive_json_from(timeout=10)
        closed = await socket.receive_output(timeout=5)
        await socket.wait()
        return frame, closed

    frame, closed = scenario()
    assert frame["code"] == "unavailable"
    assert closed["code"] == CLOSE_UNAVAILABLE

    # when Redis is back, a new socket works end to end
    pubsub_redis.start()
    after_retry_interval()

    @async_to_sync
    async def reconnect():
        socket = WebsocketCommunicator(application, "/ws/health", headers=[SAME_ORIGIN])
        assert (await socket.connect(timeout=5))[0]
        hello = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return hello, pong

    assert reconnect() == ({"type": "hello", "user_id": None}, {"type": "pong"})
