"""Atomic rate-limit counters in the shared cache (Redis in production).

A window opens at the first hit and lasts the rate's period; a hit is one Lua script in Redis
(INCR, PEXPIRE on the first hit, PTTL: one round trip), so concurrent requests on any number of
processes cannot slip past the limit the way a read-modify-write history (DRF's
SimpleRateThrottle) can. The embedded mode's local-memory cache is one process: there the
windows are counted in it.

While Redis is unreachable (driftwood.core.redis_outage) the same windows are counted in this
process instead: limits stay on (log-in keeps its failed-attempt lock-out), only each process
counts for itself until Redis answers again, when counting goes back to it.
"""

import hashlib
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from redis.commands.core import Script

from driftwood.core import redis_outage

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "30/m" -> Rate(30, 60). Units: s, m, h, d."""
        count, unit = text.split("/")
        return cls(limit=int(count), period=PERIODS[unit.strip()[0].lower()])


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    retry_after: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def exhausted(self) -> bool:
        """No further hit would be allowed in this window."""
        return self.count >= self.limit


def _key(scope: str, ident: str) -> str:
    return f"rl:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


# One round trip per hit: the count, and the window's remaining milliseconds (the window opens
# with the first hit; PTTL -1 would be a counter left without an expiry, given one here too).
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
_PEEK = """
local count = redis.call('GET', KEYS[1])
if not count then
    return {0, 0}
end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
"""
_scripts: dict[str, Script] = {}


def _redis():
    """The raw Redis client behind django-redis, or None (the embedded mode's local-memory cache)."""
    client = getattr(cache, "client", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None


def _run(redis, source: str, key: str, *args) -> tuple[int, int]:
    # EVALSHA of a script registered once (redis-py loads it again after a Redis restart).
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = redis.register_script(source)
    count, ttl_ms = script(keys=[cache.make_key(key)], args=args, client=redis)
    return int(count), int(ttl_ms)


def _seconds(ttl_ms: int) -> int:
    return max(1, math.ceil(ttl_ms / 1000))


def _shared_hit(redis, key: str, rate: Rate) -> Usage:
    count, ttl_ms = _run(redis, _HIT, key, rate.period * 1000)
    return Usage(count=count, limit=rate.limit, retry_after=_seconds(ttl_ms))


def _shared_peek(redis, key: str, rate: Rate) -> Usage:
    count, ttl_ms = _run(redis, _PEEK, key)
    return Usage(count=count, limit=rate.limit, retry_after=_seconds(ttl_ms) if count else 0)


class LocalWindows:
    """The fallback: the same fixed windows in this process's memory (used only while Redis is down)."""

    PRUNE_AT = 10_000  # entries; past this, expired ones are dropped

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, monotonic end of window)

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        window = self._windows.get(key)
        return window if window is not None and window[1] > now else None

    def hit(self, key: str, rate: Rate) -> Usage:
        with self._lock:
            now = time.monotonic()
            if len(self._windows) > self.PRUNE_AT:
                self._windows = {k: window for k, window in self._windows.items() if window[1] > now}
            count, ends_at = self._live(key, now) or (0, now + rate.period)
            self._windows[key] = (count + 1, ends_at)
        return Usage(count=count + 1, limit=rate.limit, retry_after=max(1, math.ceil(ends_at - now)))

    def peek(self, key: str, rate: Rate) -> Usage:
        with self._lock:
            now = time.monotonic()
            count, ends_at = self._live(key, now) or (0, now)
        return Usage(count=count, limit=rate.limit, retry_after=max(1, math.ceil(ends_at - now)) if count else 0)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


local_windows = LocalWindows()


def _counted(shared, local) -> Usage:
    usage = redis_outage.call("rate limit", None, shared)
    return usage if usage is not None else local()


def hit(scope: str, ident: str, rate: Rate) -> Usage:
    """Count one hit and report the window's usage."""
    key, redis = _key(scope, ident), _redis()
    if redis is None:  # one process (embedded mode): its own windows are the shared ones
        return local_windows.hit(key, rate)
    return _counted(lambda: _shared_hit(redis, key, rate), lambda: local_windows.hit(key, rate))


def peek(scope: str, ident: str, rate: Rate) -> Usage:
    """The window's usage without counting a hit."""
    key, redis = _key(scope, ident), _redis()
    if redis is None:
        return local_windows.peek(key, rate)
    return _counted(lambda: _shared_peek(redis, key, rate), lambda: local_windows.peek(key, rate))
