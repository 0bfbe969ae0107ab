"""The cache and channel layer settings for a Redis deployment (read by driftwood/settings.py).

Redis down is survived (driftwood/core/redis_outage.py): calls give up after `timeout` seconds,
and the fail-soft cache purges what may have gone stale while Redis was away.
"""

CHANNEL_LAYER_BLOCK_SECONDS = 5  # channels_redis' RedisChannelLayer.brpop_timeout


def redis_caches(url: str, *, timeout: float, key_prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "driftwood.core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                # Derived from rows that may change while Redis is down: deleted when it returns.
                "PURGE_AFTER_OUTAGE": ["gen:*", "wallet:*", "django.contrib.sessions.cached_db*"],
            },
        }
    }


# CHANNEL_LAYER: channels-redis' pub/sub layer (`pubsub`, the default) or its list-based layer
# (`core`); bench/chat.py measures both in one run (figures and the choice in the README).
CHANNEL_LAYER_BACKENDS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "driftwood.core.channel_layer.PubSubChannelLayer",  # channels-redis' pub/sub layer
}


def redis_channel_layers(url: str, *, timeout: float, prefix: str, kind: str = "pubsub") -> dict:
    host = {
        "address": url,
        "socket_connect_timeout": timeout,
        # A socket's receive blocks in Redis for CHANNEL_LAYER_BLOCK_SECONDS; a read timeout no
        # longer than that loses the race with Redis's empty reply when the event loop stalls (a
        # busy CPU), and the socket closes as if Redis were down.
        "socket_timeout": CHANNEL_LAYER_BLOCK_SECONDS + timeout,
    }
    return {"default": {"BACKEND": CHANNEL_LAYER_BACKENDS[kind], "CONFIG": {"hosts": [host], "prefix": prefix}}}


def channel_layers_from_env(url: str, *, timeout: float, env) -> dict:
    """The channel layer CHANNEL_LAYER names (`pubsub` or `core`), its keys under CHANNEL_LAYER_PREFIX."""
    return redis_channel_layers(
        url,
        timeout=timeout,
        prefix=env.str("CHANNEL_LAYER_PREFIX", default="driftwood"),
        kind=env.str("CHANNEL_LAYER", default="pubsub"),
    )
