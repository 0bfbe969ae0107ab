"""A read-through cache that can never keep a stale value: entries carry a version and a
write only lands if it is newer than what is cached.

Deleting a key on commit is not enough: a reader that loaded version 4 from the database
just before a writer committed version 5 would put 4 back after the delete and serve it
until the TTL ran out. Here every writer publishes its own committed state, and every
reader's fill is a compare-and-set, so the highest version always wins whatever the order.
Values are JSON-serialisable dicts. On Redis the compare-and-set is one Lua script (atomic
across processes); the local-memory cache of the embedded mode is one process, so a lock
suffices there.

While Redis is unreachable (driftwood.core.redis_outage) a read is a miss and a write is dropped;
the summaries are deleted when it answers again (PURGE_AFTER_OUTAGE), as a dropped write leaves an
older version behind.
"""

import json
import threading

from django.core.cache import cache
from redis.commands.core import Script

from driftwood.core import redis_outage

_SET_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
    local cached_version = tonumber(cjson.decode(current)['version'])
    if cached_version and cached_version >= tonumber(ARGV[2]) then
        return 0
    end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""
_local_lock = threading.Lock()
_scripts: dict[str, Script] = {}


def _redis():
    """The raw Redis connection behind django-redis, or None for other backends."""
    if not hasattr(cache, "client") or not hasattr(cache.client, "get_client"):
        return None
    return cache.client.get_client(write=True)


def _set_if_newer_script(redis) -> Script:
    """The script, sent once and then run by its SHA (redis-py loads it again after a Redis restart)."""
    script = _scripts.get("set_if_newer")
    if script is None:
        script = _scripts["set_if_newer"] = redis.register_script(_SET_IF_NEWER)
    return script


def get(key: str) -> dict | None:
    redis = _redis()
    if redis is None:
        return cache.get(key)
    raw = redis_outage.call("versioned_cache.get", None, lambda: redis.get(cache.make_key(key)))
    return json.loads(raw) if raw is not None else None


def set_if_newer(key: str, value: dict, *, version: int, ttl: int) -> bool:
    """Store `value` (with its `version`) unless the cache already holds that version or newer."""
    value = {**value, "version": version}
    redis = _redis()
    if redis is not None:
        stored = redis_outage.call(
            "versioned_cache.set_if_newer",
            0,
            lambda: _set_if_newer_script(redis)(keys=[cache.make_key(key)], args=[json.dumps(value), version, ttl]),
            write=True,
        )
        return bool(stored)
    with _local_lock:
        current = cache.get(key)
        if current is not None and current["version"] >= version:
            return False
        cache.set(key, value, ttl)
        return True
