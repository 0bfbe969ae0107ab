"""Unread counts per player and room, cached (1 h) and exact.

A count's key carries the room's generation (bumped when a message is posted or archived)
and the player's (bumped when their read marker moves), so a cached count is never served
after either changes (driftwood.core.generations). Missing counts are computed together in
one query.
"""

from django.core.cache import cache
from django.db.models import Count, Q

from chat.models import ChatMessage, RoomMember
from driftwood.core.generations import bump_on_commit, generations

TTL_SECONDS = 3600


def room_changed_on_commit(*room_pks: int) -> None:
    bump_on_commit("chat-room", *room_pks)


def reader_changed_on_commit(user_id: int) -> None:
    bump_on_commit("chat-reader", user_id)


def _unread_now(user_id: int, room_pks: list[int]) -> dict[int, int]:
    markers = dict(
        RoomMember.objects.filter(user_id=user_id, room_id__in=room_pks).values_list("room_id", "last_read_message_id")
    )
    after_marker = Q()
    for room_pk in room_pks:
        after_marker |= Q(room_id=room_pk, pk__gt=markers.get(room_pk, 0))
    rows = (
        ChatMessage.objects.filter(after_marker)
        .exclude(sender_id=user_id)
        .values("room_id")
        .annotate(count=Count("pk"))
        .values_list("room_id", "count")
    )
    return {room_pk: 0 for room_pk in room_pks} | dict(rows)


def unread_counts(*, user_id: int, room_pks: list[int]) -> dict[int, int]:
    """{room pk: messages from others after the player's read marker}."""
    if not room_pks:
        return {}
    reader = generations("chat-reader", [user_id])[user_id]
    rooms = generations("chat-room", room_pks)
    keys = {room_pk: f"chat:unread:{user_id}.{reader}:{room_pk}.{rooms[room_pk]}" for room_pk in room_pks}
    found = cache.get_many(keys.values())
    counts = {room_pk: found[key] for room_pk, key in keys.items() if key in found}
    missing = [room_pk for room_pk in room_pks if room_pk not in counts]
    if missing:
        fresh = _unread_now(user_id, missing)
        cache.set_many({keys[room_pk]: fresh[room_pk] for room_pk in missing}, TTL_SECONDS)
        counts |= fresh
    return counts
