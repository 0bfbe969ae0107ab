"""The pub/sub channel layer (driftwood/core/channel_layer.py) against a real Redis: a socket joins a
group at a point in its stream, and a socket that far behind sheds messages past the capacity."""

import asyncio

import pytest
from django.conf import settings

from driftwood.core.channel_layer import CAPACITY, PubSubChannelLayer
from tests import services

pytestmark = pytest.mark.redis


def layer() -> PubSubChannelLayer:
    services.require_redis()
    return PubSubChannelLayer(hosts=[{"address": settings.REDIS_URL}], prefix=f"pubsub-test-{id(object())}")


def waiting(channel_layer, channel: str) -> int:
    """Messages delivered to the channel and not yet received."""
    return channel_layer._get_layer().channels[channel].qsize()


def test_a_channel_gets_only_what_was_published_after_it_joined():
    async def scenario():
        channel_layer = layer()
        first, second = await channel_layer.new_channel(), await channel_layer.new_channel()
        await channel_layer.group_add("room", first)
        # when a message is published and a second channel joins right after
        await channel_layer.group_send("room", {"type": "chat.message", "n": 1})
        await channel_layer.group_add("room", second)
        await channel_layer.group_send("room", {"type": "chat.message", "n": 2})
        got = [(await channel_layer.receive(first))["n"], (await channel_layer.receive(first))["n"]]
        # (its queue is in order: a 1 delivered to it would come before the 2)
        got_second = (await channel_layer.receive(second))["n"], waiting(channel_layer, second)
        await channel_layer.flush()
        return got, got_second

    # then the first channel has both, the second only what followed its join
    assert asyncio.run(scenario()) == ([1, 2], (2, 0))


def test_a_channel_that_far_behind_sheds_past_the_capacity():
    async def scenario():
        channel_layer = layer()
        slow, barrier = await channel_layer.new_channel(), await channel_layer.new_channel()
        await channel_layer.group_add("room", slow)
        for n in range(CAPACITY + 5):
            await channel_layer.group_send("room", {"type": "chat.message", "n": n})
        # joining waits for its marker, which comes after every message above
        await channel_layer.group_add("room", barrier)
        held = waiting(channel_layer, slow)
        got = [(await channel_layer.receive(slow))["n"] for _ in range(held)]
        await channel_layer.flush()
        return held, got

    # then the slow channel holds the first CAPACITY messages, and the rest were shed
    held, got = asyncio.run(scenario())
    assert held == CAPACITY
    assert got == list(range(CAPACITY))
