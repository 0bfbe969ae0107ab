"""Serving through a Redis outage: what this process knows about Redis, shared by every caller.

Redis holds only what can be lost or rebuilt (cache entries, rate-limit windows, presence, the
channel layer's fan-out, Celery's queue); PostgreSQL holds everything that matters. So when Redis
cannot be reached the site keeps serving: the cache answers misses and drops writes
(driftwood.core.cache), rate limits count in this process (driftwood.core.ratelimit), sockets are
closed with a reconnect hint (driftwood.core.websocket), tasks that cannot be queued are logged.

Every caller reports here. A failure opens a short breaker: for REDIS_OUTAGE_RETRY_SECONDS callers
skip Redis and fall back at once instead of each waiting for a connect timeout; then one call tries
Redis again, and its success ends the outage. Each fallback is counted, a warning is logged at most
once a minute, and /healthz shows the state. Cache writes dropped during an outage leave older
values in Redis (it may come back with its data), so the first success runs the recovery hooks,
which delete the derived entries (driftwood.core.cache).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django_redis.exceptions import ConnectionInterrupted
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("driftwood.redis")

# What "Redis is unreachable" looks like from redis-py (sync and asyncio), django-redis and kombu.
ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionInterrupted, BrokerError)
WARNING_INTERVAL_SECONDS = 60.0


@dataclass
class _State:
    down_since: float | None = None  # wall clock, for /healthz
    retry_at: float = 0.0  # monotonic: when the next caller may try Redis
    fallbacks: int = 0  # operations served without Redis since the process started
    lost_writes: bool = False  # a write was dropped during the current outage
    warned_at: float = float("-inf")  # monotonic
    unwarned: int = 0  # fallbacks since the last warning


_state = _State()
_lock = threading.Lock()
_recovery_hooks: dict[str, Callable[[], None]] = {}


def is_outage(exc: BaseException) -> bool:
    """Is this exception (or one it was raised from) Redis being unreachable?"""
    while exc is not None:
        if isinstance(exc, ERRORS):
            return True
        exc = exc.__cause__
    return False


def _retry_seconds() -> float:
    return settings.REDIS_OUTAGE_RETRY_SECONDS


def available() -> bool:
    """Should the caller try Redis now? False while the breaker is open: skip it and fall back.

    When the breaker lapses, one caller is let through to try; the others keep falling back
    until its answer is in.
    """
    if _state.down_since is None:
        return True
    with _lock:
        now = time.monotonic()
        if _state.down_since is None or now >= _state.retry_at:
            _state.retry_at = now + _retry_seconds()
            return True
        return False


def _count(operation: str, *, write: bool, error: BaseException | None) -> None:
    with _lock:
        now = time.monotonic()
        _state.fallbacks += 1
        _state.unwarned += 1
        _state.lost_writes = _state.lost_writes or write
        if error is not None:
            if _state.down_since is None:
                _state.down_since = time.time()
            _state.retry_at = now + _retry_seconds()
        warn = error is not None and now - _state.warned_at >= WARNING_INTERVAL_SECONDS
        if warn:
            _state.warned_at, unwarned, _state.unwarned = now, _state.unwarned, 0
    if warn:
        logger.warning(
            "Redis unreachable (%s: %s: %s); serving without it (cache misses, in-process rate limits). "
            "%d operation(s) fell back since the last warning, %d since start",
            operation,
            type(error).__name__,
            error,
            unwarned,
            _state.fallbacks,
        )


def failed(operation: str, error: BaseException, *, write: bool = False) -> None:
    """Redis did not answer `operation`; the caller falls back. `write`: a cache write was dropped."""
    _count(operation, write=write, error=error)


def skipped(operation: str, *, write: bool = False) -> None:
    """The caller fell back without trying Redis (the breaker is open)."""
    _count(operation, write=write, error=None)


def succeeded() -> None:
    """Redis answered: end the outage (after the recovery hooks, when writes were dropped)."""
    if _state.down_since is None:
        return
    with _lock:
        if _state.down_since is None:
            return
        down_for = time.time() - _state.down_since
        lost_writes = _state.lost_writes
        _state.down_since, _state.retry_at, _state.lost_writes = None, 0.0, False
    if lost_writes:
        try:
            for hook in list(_recovery_hooks.values()):
                hook()
        except ERRORS as exc:
            failed("recovery", exc, write=True)
            return
    logger.warning(
        "Redis reachable again after %.1f s; %d operation(s) fell back meanwhile", down_for, _state.fallbacks
    )


def call(operation: str, fallback, function: Callable[[], object], *, write: bool = False):
    """`function()` (a Redis call), or `fallback` when Redis is down or does not answer."""
    if not available():
        skipped(operation, write=write)
        return fallback
    try:
        result = function()
    except ERRORS as exc:
        failed(operation, exc, write=write)
        return fallback
    succeeded()
    return result


def enqueue(task, *, countdown: float | None = None, **kwargs) -> None:
    """Queue a Celery task, typically from `transaction.on_commit`: the caller's work is committed,
    so a broker that cannot be reached is logged, never raised (the request must not fail now).

    Only for tasks whose loss is acceptable or made good elsewhere (a beat that retries the rows).
    With the broker on the same Redis, the outage breaker applies: no waiting on a known-down broker.
    """
    shares_redis = settings.CELERY_BROKER_URL == settings.REDIS_URL
    if shares_redis and not available():
        skipped(f"queue {task.name}")
        logger.warning("task %s not queued: Redis (the broker) is down", task.name)
        return
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown)
    except ERRORS as exc:
        if shares_redis:
            failed(f"queue {task.name}", exc)
        logger.warning("task %s not queued: the broker is unreachable (%s)", task.name, exc)
        return
    if shares_redis:
        succeeded()


def group_send(group: str, message: dict) -> None:
    """Send to a channel-layer group from sync code (typically on commit). While Redis is down the
    message is lost (counted): every socket is closed then anyway, and the pages catch up when they
    reconnect."""
    layer = get_channel_layer()
    if layer is not None:
        send = getattr(layer, "group_send_sync", None) or async_to_sync(layer.group_send)
        call(f"group_send {group}", None, lambda: send(group, message))


def group_send_many(sends: list[tuple[str, dict]]) -> None:
    """`group_send` of each (group, message), in one round trip where the layer can batch them."""
    layer = get_channel_layer()
    many = getattr(layer, "group_send_many_sync", None)
    if many is None:
        for group, message in sends:
            group_send(group, message)
    elif sends:
        call(f"group_send to {len(sends)} groups", None, lambda: many(sends))


def on_recovery(name: str, hook: Callable[[], None]) -> None:
    """Run `hook` when Redis answers again after an outage in which writes were dropped."""
    _recovery_hooks[name] = hook


def snapshot() -> dict:
    """What /healthz reports about Redis in this process."""
    down_since = _state.down_since
    return {"down": down_since is not None, "down_since": down_since, "fallbacks": _state.fallbacks}


def reset() -> None:
    """Forget everything (tests)."""
    global _state
    with _lock:
        _state = _State()
