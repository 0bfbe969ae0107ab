"""Cached reads that are never stale after a write, by generation numbers in the keys.

Every cached value's key carries the current generation of each thing it depends on (a
player, a room). A write bumps those generations when it commits, so later reads look under
new keys; a slow reader that computed from old rows can only store under the old, abandoned
key. A generation that was evicted restarts from the clock, never from a number already used.
"""

import time
from collections.abc import Iterable
from functools import partial

from django.core.cache import cache
from django.db import transaction


def _key(namespace: str, ident: int) -> str:
    return f"gen:{namespace}:{ident}"


def generations(namespace: str, idents: Iterable[int]) -> dict[int, int]:
    """The current generation of each ident (two cache round trips at most)."""
    keys = {ident: _key(namespace, ident) for ident in idents}
    found = cache.get_many(keys.values())
    for key in keys.values():
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return {ident: found[key] for ident, key in keys.items()}


def _bump(namespace: str, idents: tuple[int, ...]) -> None:
    for ident in idents:
        key = _key(namespace, ident)
        try:
            cache.incr(key)
        except ValueError:  # evicted or never read: any fresh clock value is newer
            cache.set(key, time.time_ns(), timeout=None)


def bump_on_commit(namespace: str, *idents: int) -> None:
    """Call from every write that changes what cached reads of these idents return."""
    transaction.on_commit(partial(_bump, namespace, tuple(sorted(set(idents)))))
