"""The pub/sub channel layer (driftwood/core/channel_layer.py) keeps the Redis outage behaviour of
the list-based one: sockets are refused, and open ones closed, with the `unavailable` hint and 4503,
and work again once Redis is back."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from chat.services import dm_open
from driftwood.core.websocket import CLOSE_UNAVAILABLE
from driftwood.redis_settings import redis_channel_layers
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.core.test_redis_outage import (
    assert_an_open_socket_is_closed_when_redis_goes_and_a_new_one_works_after,
    point_app_at,
    refused_socket,
)
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
    assert_an_open_socket_is_closed_when_redis_goes_and_a_new_one_works_after(pubsub_redis)
