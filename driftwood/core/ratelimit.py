"""Atomic rate-limit counters in the shared cache (Redis in production).

A window opens at the first hit and lasts the rate's period; hits are counted with the
cache's atomic add/incr, so concurrent requests on any number of processes cannot slip
past the limit the way a read-modify-write history (DRF's SimpleRateThrottle) can.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

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


def _retry_after(reset_key: str, period: int) -> int:
    reset_at = cache.get(reset_key)
    if reset_at is None:
        return period
    return max(1, math.ceil(reset_at - time.time()))


def hit(scope: str, ident: str, rate: Rate) -> Usage:
    """Count one hit and report the window's usage."""
    key, reset_key = _keys(scope, ident)
    if cache.add(key, 1, timeout=rate.period):
        cache.set(reset_key, time.time() + rate.period, timeout=rate.period)
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add() and incr()
            cache.add(key, 1, timeout=rate.period)
            cache.set(reset_key, time.time() + rate.period, timeout=rate.period)
            count = 1
    return Usage(count=count, limit=rate.limit, retry_after=_retry_after(reset_key, rate.period))


def peek(scope: str, ident: str, rate: Rate) -> Usage:
    """The window's usage without counting a hit."""
    key, reset_key = _keys(scope, ident)
    count = cache.get(key, 0)
    return Usage(count=count, limit=rate.limit, retry_after=_retry_after(reset_key, rate.period) if count else 0)
