"""Cached social reads (relationship 5 min, counts 5 min) that are never stale after a write.

Every cached value's key carries the current "social version" of each user it depends on.
A write bumps those users' versions when it commits, so later reads look under new keys; a
slow reader that computed from old rows can only store under the old, abandoned key. A
version that was evicted restarts from the clock, never from a number already used.
"""

import time
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.db import transaction

TTL_SECONDS = 300


def _version_key(user_id: int) -> str:
    return f"social:v:{user_id}"


def _versions(user_ids: list[int]) -> list[int]:
    keys = [_version_key(user_id) for user_id in user_ids]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def _bump(user_ids: tuple[int, ...]) -> None:
    for user_id in user_ids:
        key = _version_key(user_id)
        try:
            cache.incr(key)
        except ValueError:  # evicted or never read: any fresh clock value is newer
            cache.set(key, time.time_ns(), timeout=None)


def social_changed_on_commit(*user_ids: int) -> None:
    """Call from every write to the graph, with every user whose reads it changes."""
    transaction.on_commit(partial(_bump, tuple(sorted(set(user_ids)))))


def cached(name: str, user_ids: list[int], compute: Callable[[], object]):
    """`compute()` cached under the current versions of `user_ids`."""
    versions = _versions(user_ids)
    key = "social:" + name + ":" + ":".join(f"{u}.{v}" for u, v in zip(user_ids, versions, strict=True))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL_SECONDS)
    return value
