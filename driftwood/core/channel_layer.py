"""channels-redis' pub/sub layer, made to tell its sockets when Redis is lost.

`RedisPubSubChannelLayer` keeps one Redis connection per process for every subscription and fans a
group's message out to its local sockets in memory: one PUBLISH per group message and one read per
process, where the list-based `RedisChannelLayer` pushes one copy per member socket (and drops
copies past its capacity). Its receive task, though, only logs a lost connection and tries again:
sockets would stay open, deaf, while Redis is away. Here each of the process's channels is then
handed a `layer.unavailable` message, which `UserSocketMixin` turns into the same `unavailable`
frame and 4503 close as a failing receive of the list-based layer (driftwood/core/redis_outage.py):
clients reconnect once Redis is back, and chat clients fetch what they missed by seq.
"""

import asyncio
import logging

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close

from driftwood.core import redis_outage

logger = logging.getLogger("driftwood.channel_layer")

UNAVAILABLE = {"type": "layer.unavailable"}


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

    def _tell_channels(self) -> None:
        unavailable = self.channel_layer.channel_layer.serialize(UNAVAILABLE)
        for queue in self.channel_layer.channels.values():
            queue.put_nowait(unavailable)


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [_ShardConnection(shard.host, self) for shard in self._shards]


class PubSubChannelLayer(RedisPubSubChannelLayer):
    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
            return layer
