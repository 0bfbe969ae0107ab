"""channels-redis' pub/sub layer, made to tell its sockets when Redis is lost.

`RedisPubSubChannelLayer` keeps one Redis connection per process for every subscription and fans a
group's message out to its local sockets in memory: one PUBLISH per group message and one read per
process, where the list-based `RedisChannelLayer` pushes one copy per member socket (and drops
copies past its capacity). Its receive task, though, only logs a lost connection and tries again:
sockets would stay open, deaf, while Redis is away. Here each of the process's channels is then
handed a `layer.unavailable` message, which `UserSocketMixin` turns into the same `unavailable`
frame and 4503 close as a failing receive of the list-based layer (driftwood/core/redis_outage.py):
clients reconnect once Redis is back, and chat clients fetch what they missed by seq.

It also joins a group at a point in the group's stream, as the list-based layer does: a socket
added to a group gets only what is published after it joined. channels-redis adds it to the
process's member set at once, so a message published just before (still on its way from Redis)
would reach it too. Here `group_add` publishes a marker to the group and adds the socket when the
marker comes back through the process's subscription: whatever was published before is then
already delivered. And like the list-based layer it sheds past a capacity: a socket with
CAPACITY messages waiting is not given more, so a busy CPU cannot grow a backlog without bound.
"""

import asyncio
import contextlib
import functools
import logging
import threading
import uuid

import redis
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close
from redis.exceptions import ConnectionError as RedisConnectionError

from driftwood.core import redis_outage

logger = logging.getLogger("driftwood.channel_layer")

UNAVAILABLE = {"type": "layer.unavailable"}
# A join marker: never a serialized message (msgpack encodes a dict from 0x80 up).
JOIN_MARKER = b"\x00driftwood-join:"
JOIN_TIMEOUT_SECONDS = 5
JOIN_RESEND_SECONDS = 0.5
CAPACITY = 100  # messages waiting per socket (RedisChannelLayer's default capacity)


class _ShardConnection(RedisSingleShardConnection):
    async def _do_receiving(self):
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as exc:
                if redis_outage.is_outage(exc):
                    redis_outage.failed("channel layer", exc)
                else:
                    logger.exception("the channel layer's receive task failed; trying again")
                self._tell_channels()
                await asyncio.sleep(1)  # redis-py reconnects (and subscribes again) on the next read

    def _receive_message(self, message):
        if message is None:
            return
        name, data = message["channel"], message["data"]
        if data.startswith(JOIN_MARKER):
            self.channel_layer.joined(data[len(JOIN_MARKER) :].decode())
            return
        name = name.decode() if isinstance(name, bytes) else name
        layer = self.channel_layer
        for channel in (name,) if name in layer.channels else layer.groups.get(name, ()):
            queue = layer.channels.get(channel)
            # A socket this far behind sheds the message, as the list-based layer does past its
            # capacity: a backlog would only grow on a busy CPU (chat clients fetch it by seq).
            if queue is not None and queue.qsize() < CAPACITY:
                queue.put_nowait(data)

    def _tell_channels(self) -> None:
        unavailable = self.channel_layer.channel_layer.serialize(UNAVAILABLE)
        for queue in self.channel_layer.channels.values():
            queue.put_nowait(unavailable)

    async def unsubscribe_unless(self, channel: str, wanted) -> None:
        """channels-redis' `unsubscribe`, decided under the lock that `subscribe` takes: when a
        channel has started joining the group by then (`wanted()`), the process keeps listening."""
        async with self._lock:
            if channel in self._subscribed_to and not wanted():
                self._ensure_redis()
                self._ensure_receiver()
                await self._pubsub.unsubscribe(channel)
                self._subscribed_to.remove(channel)


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [_ShardConnection(shard.host, self) for shard in self._shards]
        self._joins: dict[str, tuple[str, str, asyncio.Future]] = {}
        self._unsubscribing: set[asyncio.Task] = set()

    async def group_add(self, group, channel):
        if channel not in self.channels:
            await super().group_add(group, channel)  # raises channels-redis' own error
            return
        group_channel = self._get_group_channel_name(group)
        if channel in self.groups.get(group_channel, ()):
            return
        shard = self._get_shard(group_channel)
        token = uuid.uuid4().hex
        joined = asyncio.get_running_loop().create_future()
        # A joining channel counts as a member from here on (`_wanted`): were the group's last member
        # to leave meanwhile, the process would otherwise stop listening to the group, and this
        # join's markers would never come back (or come back just before, leaving it deaf). Seen
        # in full test runs as a page's first sockets timing out while the page before closed its own.
        self._joins[token] = (group_channel, channel, joined)
        try:
            await shard.subscribe(group_channel)
            async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                # Sent again until one comes back (the first to arrive joins; later ones are ignored):
                # a marker that reached Redis before the new subscription took effect never would.
                # Seen in full test runs: a process's very first join, on a new subscription
                # connection, timed out while every later one took milliseconds.
                while not joined.done():
                    await shard.publish(group_channel, JOIN_MARKER + token.encode())
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(joined), JOIN_RESEND_SECONDS)
        except TimeoutError as exc:
            raise RedisConnectionError(f"joining {group} timed out") from exc
        finally:
            self._joins.pop(token, None)
            if not joined.done():  # cancelled (the socket closed meanwhile) or timed out
                self._unsubscribe_later(group_channel)

    async def group_discard(self, group, channel):
        group_channel = self._get_group_channel_name(group)
        members = self.groups.get(group_channel)
        if not members or channel not in members:
            return
        members.remove(channel)
        if not members:
            del self.groups[group_channel]
            shard = self._get_shard(group_channel)
            await shard.unsubscribe_unless(group_channel, functools.partial(self._wanted, group_channel))

    def _unsubscribe_later(self, group_channel: str) -> None:
        """Stop listening to a group a join subscribed to but never completed, unless a channel is in
        or joining it by then: else the process would read (and drop) the group's messages until it
        ends. In a task of its own, bounded: a cancelled join must not wait, and during an outage
        (a timed-out join) the unsubscribe fails or hangs like everything else."""

        async def unsubscribe() -> None:
            with contextlib.suppress(TimeoutError, redis.RedisError, OSError):
                async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                    await self._get_shard(group_channel).unsubscribe_unless(
                        group_channel, functools.partial(self._wanted, group_channel)
                    )

        task = asyncio.get_running_loop().create_task(unsubscribe())
        self._unsubscribing.add(task)  # (the loop keeps only a weak reference to a task)
        task.add_done_callback(self._unsubscribing.discard)

    def _wanted(self, group_channel: str) -> bool:
        """Whether a channel of this process is in the group or joining it."""
        return group_channel in self.groups or any(joining == group_channel for joining, _, _ in self._joins.values())

    def joined(self, token: str) -> None:
        """Our marker came back: the channel is in the group from here on (others' markers are ignored)."""
        join = self._joins.pop(token, None)
        if join is None:
            return
        group_channel, channel, future = join
        if channel in self.channels:
            self.groups.setdefault(group_channel, set()).add(channel)
        if not future.done():
            future.set_result(None)


class PubSubChannelLayer(RedisPubSubChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._publishers: dict[str, redis.Redis] = {}
        self._publishers_lock = threading.Lock()

    def group_send_sync(self, group: str, message: dict) -> None:
        """`group_send` from sync code (a service, after commit), on a connection pool the
        process's threads share. Through `async_to_sync` every call ran on a new event loop, and
        the layer keeps its connections per loop: each broadcast connected to Redis afresh."""
        group_channel = self._naming._get_group_channel_name(group)
        host = self._naming._get_shard(group_channel).host
        self._publisher(host).publish(group_channel, self.serialize(message))

    def group_send_many_sync(self, sends: list[tuple[str, dict]]) -> None:
        """Several `group_send_sync`s in one round trip per Redis shard (a pipeline), in order: one
        happening's notifications to each of its players."""
        pipelines: dict[str, redis.client.Pipeline] = {}
        for group, message in sends:
            group_channel = self._naming._get_group_channel_name(group)
            host = self._naming._get_shard(group_channel).host
            pipeline = pipelines.get(host["address"])
            if pipeline is None:
                pipeline = pipelines[host["address"]] = self._publisher(host).pipeline(transaction=False)
            pipeline.publish(group_channel, self.serialize(message))
        for pipeline in pipelines.values():
            pipeline.execute()

    @functools.cached_property
    def _naming(self) -> RedisPubSubLoopLayer:
        """A loop layer that never connects: the group channel names and shards, as the async side has them."""
        return RedisPubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)

    def _publisher(self, host: dict) -> redis.Redis:
        with self._publishers_lock:
            client = self._publishers.get(host["address"])
            if client is None:
                # A publish answers at once: the connect timeout bounds it, not the receive's
                # longer read timeout (which outlasts a blocking wait). redis-py starts a new pool
                # in a forked worker.
                timeout = host.get("socket_connect_timeout")
                client = redis.Redis.from_url(
                    host["address"],
                    socket_connect_timeout=timeout,
                    socket_timeout=timeout,
                    client_name=f"{self._naming.prefix}-publish",  # who is who in CLIENT LIST
                )
                self._publishers[host["address"]] = client
            return client

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
            return layer
