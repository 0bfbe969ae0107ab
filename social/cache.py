"""Cached social reads (relationship 5 min, counts 5 min) that are never stale after a write.

Keys carry each player's "social" generation (driftwood.core.generations), which every
write to the graph bumps on commit for the players whose reads it changes.
"""

from collections.abc import Callable

from django.core.cache import cache

from driftwood.core.generations import bump_on_commit, generations

TTL_SECONDS = 300
NAMESPACE = "social"


def social_changed_on_commit(*user_ids: int) -> None:
    """Call from every write to the graph, with every user whose reads it changes."""
    bump_on_commit(NAMESPACE, *user_ids)


def cached(name: str, user_ids: list[int], compute: Callable[[], object]):
    """`compute()` cached under the current generations of `user_ids`."""
    current = generations(NAMESPACE, user_ids)
    key = "social:" + name + ":" + ":".join(f"{user_id}.{current[user_id]}" for user_id in user_ids)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL_SECONDS)
    return value
