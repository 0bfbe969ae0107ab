"""The cache backend: django-redis, except that an unreachable Redis is a cache miss, never a 500.

While Redis is down (driftwood.core.redis_outage) every call of Django's cache API answers as an
empty cache that keeps nothing: `get` returns the default, `get_many` {}, `has_key`/`add`/`touch`
False, writes and deletes do nothing, `incr`/`decr` raise ValueError as for a missing key. Callers
therefore read from PostgreSQL, which is what they do on any miss. Nothing else is hidden: a bug
(a bad key, a value that does not pickle) still raises.

Reads are counted (hits and misses, `driftwood_cache_gets_total` on /metrics).

Counters cannot be faked that way, so code that needs Redis' answer (rate limits, the versioned
wallet cache, presence) uses `cache.strict` (the same calls, raising) or the raw client and falls
back itself. Locks (`cache.lock`) and the other django-redis extras are not softened.

When Redis answers again after an outage in which writes were dropped, the entries listed in
OPTIONS["PURGE_AFTER_OUTAGE"] (key patterns) are deleted: they were derived from rows that may have
changed meanwhile without the cache hearing of it (a stale session after a log-out, an old wallet
summary, an old generation number), and Redis may have come back with its data.
"""

from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache

from driftwood.core import redis_outage
from driftwood.observability import metrics

_MISSING = object()


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, {**params, "OPTIONS": {**params.get("OPTIONS", {}), "IGNORE_EXCEPTIONS": False}})
        self._purge_patterns = tuple(params.get("OPTIONS", {}).get("PURGE_AFTER_OUTAGE", ()))

    @property
    def strict(self) -> RedisCache:
        """The plain django-redis API on the same connections: raises when Redis is unreachable."""
        return super()

    def purge_after_outage(self) -> None:
        for pattern in self._purge_patterns:
            super().delete_pattern(pattern)

    def _soft(self, name: str, fallback, *args, write: bool = False, **kwargs):
        method = getattr(super(), name)
        return redis_outage.call(f"cache.{name}", fallback, lambda: method(*args, **kwargs), write=write)

    def get(self, key, default=None, version=None, client=None):
        value = self._soft("get", _MISSING, key, default=_MISSING, version=version, client=client)
        metrics.count_cache_get(value is not _MISSING)
        return default if value is _MISSING else value

    def get_many(self, keys, *args, **kwargs):
        keys = list(keys)
        found = self._soft("get_many", {}, keys, *args, **kwargs)
        metrics.count_cache_get(True, len(found))
        metrics.count_cache_get(False, len(keys) - len(found))
        return found

    def has_key(self, *args, **kwargs):
        return self._soft("has_key", False, *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._soft("set", False, *args, write=True, **kwargs)

    def add(self, *args, **kwargs):
        return self._soft("add", False, *args, write=True, **kwargs)

    def set_many(self, data, *args, **kwargs):
        # Django's contract: the keys that could not be stored.
        result = self._soft("set_many", _MISSING, data, *args, write=True, **kwargs)
        return list(data) if result is _MISSING else result

    def touch(self, *args, **kwargs):
        return self._soft("touch", False, *args, write=True, **kwargs)

    def delete(self, *args, **kwargs):
        return self._soft("delete", False, *args, write=True, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._soft("delete_many", 0, *args, write=True, **kwargs)

    def delete_pattern(self, *args, **kwargs):
        return self._soft("delete_pattern", 0, *args, write=True, **kwargs)

    def clear(self):
        return self._soft("clear", None, write=True)

    def incr(self, key, *args, **kwargs):
        result = self._soft("incr", _MISSING, key, *args, write=True, **kwargs)
        if result is _MISSING:
            raise ValueError(f"Key {key!r} not found (Redis is unreachable)")
        return result

    def decr(self, key, *args, **kwargs):
        result = self._soft("decr", _MISSING, key, *args, write=True, **kwargs)
        if result is _MISSING:
            raise ValueError(f"Key {key!r} not found (Redis is unreachable)")
        return result


def _purge_after_outage() -> None:
    for alias in settings.CACHES:
        backend = caches[alias]
        if isinstance(backend, FailSoftRedisCache):
            backend.purge_after_outage()


redis_outage.on_recovery("caches", _purge_after_outage)
