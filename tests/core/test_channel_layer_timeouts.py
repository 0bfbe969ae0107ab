"""The channel layer's Redis read timeout outlasts its blocking receive.

A socket's receive waits in Redis (BZPOPMIN) for `RedisChannelLayer.brpop_timeout` seconds and gets
an empty reply when nothing came. With a read timeout equal to that wait (redis-py's default, 5 s),
an event loop that stalls across the moment both are due (a busy CPU) sees its timeout first: the
socket was closed with 4503 as if Redis were down, and a bracket page backed off for longer than
its viewers wait (the flaky tests/e2e/test_bracket_flow.py on a busy machine).
"""

import asyncio
import time

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis.exceptions import TimeoutError as RedisTimeoutError

from tests import services

pytestmark = pytest.mark.redis

BLOCK_SECONDS = 1.0  # shorter than the layer's 5 s so that the test is quick; the race is the same
STALL_SECONDS = 0.4  # straddles the moment both are due, with 0.2 s either side for a late start


def configured_host() -> dict:
    return settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]


async def receive_on_an_idle_channel_through_a_stall(socket_timeout: float) -> None:
    """Wait on a channel nobody sends to while the event loop stalls when the blocking read ends."""
    layer = RedisChannelLayer(hosts=[{**configured_host(), "socket_timeout": socket_timeout}], prefix="stall-test")
    layer.brpop_timeout = BLOCK_SECONDS
    channel = await layer.new_channel()
    # Connected (and the layer's clean-up script loaded) first: on a busy machine that took longer
    # than half the stall, the blocking read began late and the stall ended before it was due.
    await layer.send(channel, {"type": "warm.up"})
    assert await layer.receive(channel) == {"type": "warm.up"}
    asyncio.get_running_loop().call_later(BLOCK_SECONDS - STALL_SECONDS / 2, time.sleep, STALL_SECONDS)
    try:
        with pytest.raises(TimeoutError):  # asyncio's: still waiting, nothing failed
            await asyncio.wait_for(layer.receive(channel), timeout=BLOCK_SECONDS + 2 * STALL_SECONDS)
    finally:
        await layer.close_pools()


def test_the_configured_read_timeout_outlasts_the_blocking_receive():
    assert RedisChannelLayer.brpop_timeout == settings.CHANNEL_LAYER_BLOCK_SECONDS
    assert configured_host()["socket_timeout"] == RedisChannelLayer.brpop_timeout + settings.REDIS_SOCKET_TIMEOUT


def test_an_idle_receive_survives_a_stall_with_the_configured_margin():
    services.require_redis()
    asyncio.run(receive_on_an_idle_channel_through_a_stall(BLOCK_SECONDS + settings.REDIS_SOCKET_TIMEOUT))


def test_without_the_margin_the_same_stall_fails_the_receive():
    services.require_redis()
    with pytest.raises(RedisTimeoutError, match="Timeout reading"):
        asyncio.run(receive_on_an_idle_channel_through_a_stall(BLOCK_SECONDS))
