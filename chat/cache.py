"""Unread counts per player and room, cached (1 h) and exact up to UNREAD_CAP.

A count's key carries the room's generation (bumped when a message is posted or archived)
and the player's (bumped when their read marker moves), so a cached count is never served
after either changes (driftwood.core.generations). Missing counts are computed together in
one query.
"""

from django.core.cache import cache
from django.db import connection

from chat.models import ChatMessage, RoomMember
from driftwood.core.generations import bump_on_commit, generations
from tournaments import selectors as tournament_selectors

TTL_SECONDS = 3600
# Counts stop here ("99+" on the pages; the API reports 100 for 100 or more).
UNREAD_CAP = 100


def room_changed_on_commit(*room_pks: int) -> None:
    bump_on_commit("chat-room", *room_pks)


def reader_changed_on_commit(user_id: int) -> None:
    bump_on_commit("chat-reader", user_id)


def _unread_now(user_id: int, room_pks: list[int]) -> dict[int, int]:
    """Each room's count, capped at UNREAD_CAP: at most that many rows are read per room (through the
    (room, id) index from the player's marker), however long the unread backlog.

    One query, a UNION ALL of a capped count per room with the room and marker as plain values:
    planned per value, a room's own statistics pick the index (a correlated form was planned as a
    walk of every message for an empty room).
    """
    markers = dict(
        RoomMember.objects.filter(user_id=user_id, room_id__in=room_pks).values_list("room_id", "last_read_message_id")
    )
    messages = connection.ops.quote_name(ChatMessage._meta.db_table)
    one_room = f"""SELECT %s, (SELECT COUNT(*) FROM (
        SELECT 1 FROM {messages} WHERE room_id = %s AND id > %s AND sender_id IS DISTINCT FROM %s LIMIT %s
    ) AS capped)"""
    params = []
    for room_pk in room_pks:
        params += [room_pk, room_pk, markers.get(room_pk, 0), user_id, UNREAD_CAP]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([one_room] * len(room_pks)), params)
        return dict(cursor.fetchall())


def unread_counts(*, user_id: int, room_pks: list[int]) -> dict[int, int]:
    """{room pk: messages from others after the player's read marker, at most UNREAD_CAP}."""
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


def room_member_ids(*, kind: str, ident: int, compute) -> frozenset[int]:
    """Who belongs to an event or team room, cached under the event's or team's members generation
    (bumped on commit by every tournaments service that changes it), so a list is never served
    after a member left, was removed or had their entry cancelled. `compute()` reads the rows."""
    generation = (
        tournament_selectors.members_generation(event_id=ident)
        if kind == "event"
        else tournament_selectors.members_generation(team_id=ident)
    )
    key = f"chat:members:{kind}_{ident}.{generation}"
    members = cache.get(key)
    if members is None:
        members = frozenset(compute())
        cache.set(key, members, TTL_SECONDS)
    return members
