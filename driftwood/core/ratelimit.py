"""Atomic rate-limit counters in the shared cache (Redis in production).

A window opens at the first hit and lasts the rate's period; hits are counted with the
cache's atomic add/incr, so concurrent requests on any number of processes cannot slip
past the limit the way a read-modify-write history (DRF's SimpleRateThrottle) can.

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


def _keys(scope: str, ident: str) -> tuple[str, str]:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"rl:{scope}:{digest}"
    return key, f"{key}:reset"


def _shared():
    """The cache's raising API (Redis behind the fail-soft backend), else the cache itself."""
    return getattr(cache, "strict", cache)


def _retry_after(shared, reset_key: str, period: int) -> int:
    reset_at = shared.get(reset_key)
    if reset_at is None:
        return period
    return max(1, math.ceil(reset_at - time.time()))


def _shared_hit(key: str, reset_key: str, rate: Rate) -> Usage:
    shared = _shared()
    if shared.add(key, 1, timeout=rate.period):
        shared.set(reset_key, time.time() + rate.period, timeout=rate.period)
        count = 1
    else:
        try:
            count = shared.incr(key)
        except ValueError:  # the window expired between add() and incr()
            shared.add(key, 1, timeout=rate.period)
            shared.set(reset_key, time.time() + rate.period, timeout=rate.period)
            count = 1
    return Usage(count=count, limit=rate.limit, retry_after=_retry_after(shared, reset_key, rate.period))


def _shared_peek(key: str, reset_key: str, rate: Rate) -> Usage:
    shared = _shared()
    count = shared.get(key, 0)
    return Usage(
        count=count, limit=rate.limit, retry_after=_retry_after(shared, reset_key, rate.period) if count else 0
    )


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
    key, reset_key = _keys(scope, ident)
    return _counted(lambda: _shared_hit(key, reset_key, rate), lambda: local_windows.hit(key, rate))


def peek(scope: str, ident: str, rate: Rate) -> Usage:
    """The window's usage without counting a hit."""
    key, reset_key = _keys(scope, ident)
    return _counted(lambda: _shared_peek(key, reset_key, rate), lambda: local_windows.peek(key, rate))
