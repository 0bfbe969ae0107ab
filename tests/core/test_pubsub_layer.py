"""The pub/sub channel layer (driftwood/core/channel_layer.py) against a real Redis: a socket joins a
group at a point in its stream, and a socket that far behind sheds messages past the capacity."""

import asyncio
import contextlib

import pytest
import redis
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from driftwood.core import channel_layer as channel_layer_module
from driftwood.core.channel_layer import CAPACITY, JOIN_MARKER, PubSubChannelLayer, _ShardConnection
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


def test_sync_code_publishes_to_the_group_on_one_shared_connection():
    import redis

    channel_layer = layer()
    server = redis.Redis.from_url(settings.REDIS_URL)
    name = f"{channel_layer._naming.prefix}-publish"

    def send_and_note_the_connection(n: int) -> set[int]:
        channel_layer.group_send_sync("room", {"type": "event.update", "n": n})
        return {client["id"] for client in server.client_list() if client["name"] == name}

    async def scenario():
        channel = await channel_layer.new_channel()
        await channel_layer.group_add("room", channel)
        # when sync code (a service after commit, in a worker thread) sends to the group 20 times
        connections = await asyncio.to_thread(lambda: set().union(*map(send_and_note_the_connection, range(20))))
        got = [(await channel_layer.receive(channel))["n"] for _ in range(20)]
        await channel_layer.flush()
        return got, connections

    got, connections = asyncio.run(scenario())
    # then the socket got all of them, in order, all sent through one connection (was one per send)
    assert got == list(range(20))
    assert len(connections) == 1


def test_sync_code_publishes_to_several_groups_in_one_batch():
    channel_layer = layer()

    async def scenario():
        first, second = await channel_layer.new_channel(), await channel_layer.new_channel()
        await channel_layer.group_add("player_1", first)
        await channel_layer.group_add("player_2", second)
        # when sync code sends one message to each player's group, and a second to the first, at once
        sends = [("player_1", {"type": "notification.new", "n": 1}), ("player_2", {"type": "notification.new", "n": 2})]
        await asyncio.to_thread(channel_layer.group_send_many_sync, [*sends, ("player_1", {"type": "x", "n": 3})])
        got = [(await channel_layer.receive(first))["n"], (await channel_layer.receive(first))["n"]]
        got_second = (await channel_layer.receive(second))["n"], waiting(channel_layer, second)
        await channel_layer.flush()
        return got, got_second

    # then each group got its own, in order, and nothing else
    assert asyncio.run(scenario()) == ([1, 3], (2, 0))


def test_a_join_whose_marker_is_lost_is_marked_again_and_completes(monkeypatch):
    # given a Redis that drops the first join marker (as when it reaches Redis before the new
    # subscription is in effect)
    publish = _ShardConnection.publish
    dropped = []

    async def losing_the_first_marker(shard, channel, message):
        if message.startswith(JOIN_MARKER) and not dropped:
            dropped.append(message)
            return
        await publish(shard, channel, message)

    monkeypatch.setattr(_ShardConnection, "publish", losing_the_first_marker)

    async def scenario():
        channel_layer = layer()
        channel = await channel_layer.new_channel()
        # when a channel joins, then a message is published to the group
        await channel_layer.group_add("room", channel)
        await channel_layer.group_send("room", {"type": "chat.message", "n": 1})
        got = (await channel_layer.receive(channel))["n"]
        await channel_layer.flush()
        return got

    # then the join completed on a later marker and the channel has the message
    assert asyncio.run(scenario()) == 1
    assert len(dropped) == 1


# Event-loop turns between a channel starting to join and the group's last member leaving: the
# leave lands before the join has subscribed, while its marker is on its way, or after it joined.
@pytest.mark.parametrize("turns", [0, 1, 2, 4, 8, 50])
def test_a_channel_joining_as_the_last_member_leaves_joins_and_hears_the_group(turns):
    async def scenario():
        channel_layer = layer()
        leaving, joining = await channel_layer.new_channel(), await channel_layer.new_channel()
        await channel_layer.group_add("room", leaving)
        # when a second channel starts joining and the only member leaves meanwhile (a player's
        # new page opening its sockets while the page before closes the same groups' sockets)
        join = asyncio.create_task(channel_layer.group_add("room", joining))
        for _ in range(turns):
            await asyncio.sleep(0)
        await channel_layer.group_discard("room", leaving)
        await join
        await channel_layer.group_send("room", {"type": "chat.message", "n": 1})
        got = (await asyncio.wait_for(channel_layer.receive(joining), 2))["n"]
        await channel_layer.flush()
        return got

    # then the join completed (the process still listens to the group) and the channel hears it
    assert asyncio.run(scenario()) == 1


def subscribers(group_channel: str) -> int:
    """How many connections Redis has subscribed to the group (processes listening to it)."""
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        [(_name, count)] = client.pubsub_numsub(group_channel)
    return count


async def unsubscribed(group_channel: str) -> bool:
    """Whether Redis has no subscriber left for the group within a second (the unsubscribe runs in a task)."""
    for _ in range(100):
        if not subscribers(group_channel):
            return True
        await asyncio.sleep(0.01)
    return False


def losing_every_marker(monkeypatch) -> list[bytes]:
    """A Redis that never brings a join's marker back: the join can only be cancelled or time out.
    Returns the markers dropped so far (one each time the join sends one)."""
    publish = _ShardConnection.publish
    dropped = []

    async def dropping_markers(shard, channel, message):
        if message.startswith(JOIN_MARKER):
            dropped.append(message)
        else:
            await publish(shard, channel, message)

    monkeypatch.setattr(_ShardConnection, "publish", dropping_markers)
    return dropped


@pytest.mark.parametrize("member", [False, True], ids=["alone", "beside a member"])
def test_a_join_cancelled_midway_leaves_the_group_unless_another_channel_is_in_it(monkeypatch, member):
    async def scenario():
        channel_layer = layer()
        group_channel = channel_layer._get_layer()._get_group_channel_name("room")
        listener = await channel_layer.new_channel()
        if member:
            await channel_layer.group_add("room", listener)
        dropped = losing_every_marker(monkeypatch)
        joining = await channel_layer.new_channel()
        # when a channel starts joining (subscribed, its marker sent) and its socket closes before
        # the join completes
        join = asyncio.create_task(channel_layer.group_add("room", joining))
        while not dropped:
            await asyncio.sleep(0.01)
        join.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await join
        left = await unsubscribed(group_channel)
        heard = None
        if member:
            await channel_layer.group_send("room", {"type": "chat.message", "n": 1})
            heard = (await asyncio.wait_for(channel_layer.receive(listener), 2))["n"]
        await channel_layer.flush()
        return left, heard

    # then alone, the process no longer listens to the group; beside a member, it still does and
    # the member hears the group
    assert asyncio.run(scenario()) == ((False, 1) if member else (True, None))


def test_a_join_that_times_out_leaves_the_group(monkeypatch):
    monkeypatch.setattr(channel_layer_module, "JOIN_TIMEOUT_SECONDS", 0.3)
    losing_every_marker(monkeypatch)

    async def scenario():
        channel_layer = layer()
        group_channel = channel_layer._get_layer()._get_group_channel_name("room")
        channel = await channel_layer.new_channel()
        # when a join's marker never comes back
        with pytest.raises(RedisConnectionError, match="joining room timed out"):
            await channel_layer.group_add("room", channel)
        left = await unsubscribed(group_channel)
        await channel_layer.flush()
        return left

    # then the join failed as Redis unreachable would, and the process no longer listens to the group
    assert asyncio.run(scenario()) is True
