"""Reads of chat: a player's rooms with unread counts, and history pages with a stable cursor."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from chat.cache import UNREAD_CAP as UNREAD_CAP  # re-exported for the views
from chat.cache import unread_counts
from chat.exceptions import InvalidCursor
from chat.models import ArchivedChatMessage, ChatMessage, ChatRoom, RoomMember
from chat.presence import online
from driftwood.core.compiled import CompiledQuery
from social import selectors as social_selectors
from tournaments import selectors as tournament_selectors

HISTORY_MAX = 100
NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # the activity of a room without messages


def rooms_of(*, user_id: int) -> QuerySet[ChatRoom]:
    """The player's rooms, newest activity first (one query; `with_unread` adds the counts).

    DM rooms by membership; event and team rooms by the player's confirmed entries,
    organized events and teams (rooms that exist: they are created on first use).
    """
    events = tournament_selectors.events_with_member(user_id).values("pk")
    teams = tournament_selectors.teams_with_member(user_id).values("pk")
    # A UNION of three indexed lookups: OR-ing them would read every room.
    dms = RoomMember.objects.filter(user_id=user_id, room__kind=ChatRoom.Kind.DM).values("room_id")
    by_event = ChatRoom.objects.filter(event_id__in=events).values("pk")
    by_team = ChatRoom.objects.filter(team_id__in=teams).values("pk")
    # Rooms without a message yet sort last: a named, non-null key for the keyset cursor.
    return (
        ChatRoom.objects.filter(pk__in=dms.union(by_event, by_team))
        .annotate(activity=Coalesce("last_message_at", Value(NEVER)))
        .order_by("-activity", "-pk")
    )


def with_unread(rooms: list[ChatRoom], *, user_id: int) -> list[ChatRoom]:
    """Set `unread_count` on each room, from the exact cache (chat/cache.py)."""
    counts = unread_counts(user_id=user_id, room_pks=[room.pk for room in rooms])
    for room in rooms:
        room.unread_count = counts[room.pk]
    return rooms


def unread_count(*, room: ChatRoom, user_id: int) -> int:
    return unread_counts(user_id=user_id, room_pks=[room.pk])[room.pk]


@dataclass(frozen=True)
class Cursor:
    """A position in a room's history: (created_at, id) of the oldest message already shown."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.created_at.isoformat()}|{self.id}".encode()).decode()

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            stamp, _, ident = base64.urlsafe_b64decode(text.encode()).decode().partition("|")
            return cls(created_at=datetime.fromisoformat(stamp), id=int(ident))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidCursor() from exc


def _older(queryset, cursor: Cursor | None):
    if cursor is None:
        return queryset
    # Strictly before the cursor in (created_at, id) order: equal timestamps never repeat or skip.
    return queryset.filter(Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id))


def history(*, room: ChatRoom, limit: int = 50, before: str | None = None) -> tuple[list, bool, str | None]:
    """Newest first: (messages, has_more, next_before). Reads the live table, then the archive."""
    limit = max(1, min(limit, HISTORY_MAX))
    cursor = Cursor.decode(before) if before else None
    order = ("-created_at", "-id")
    live = list(
        _older(ChatMessage.objects.filter(room=room), cursor).select_related("sender").order_by(*order)[: limit + 1]
    )
    if len(live) <= limit:
        # Older messages may have moved to the archive: continue there (same order, same cursor rule).
        archive_cursor = Cursor(live[-1].created_at, live[-1].pk) if live else cursor
        archived = _older(ArchivedChatMessage.objects.filter(room=room), archive_cursor)
        live += list(archived.select_related("sender").order_by(*order)[: limit + 1 - len(live)])
    has_more = len(live) > limit
    page = live[:limit]
    next_before = Cursor(page[-1].created_at, page[-1].pk).encode() if has_more else None
    return page, has_more, next_before


def history_after(*, room: ChatRoom, after_seq: int, limit: int = 50) -> tuple[list, bool]:
    """Oldest first: the messages with seq > after_seq, at most `limit`, and whether more follow.

    Catch-up for a client that saw up to `after_seq` (a gap in the live frames, or a reconnect):
    one indexed range read of (room, seq); the archive is read too only when the live table does
    not start right after `after_seq` (the oldest messages are archived first).
    """
    limit = max(1, min(limit, HISTORY_MAX))
    live = list(
        ChatMessage.objects.filter(room=room, seq__gt=after_seq).select_related("sender").order_by("seq")[: limit + 1]
    )
    if not live or live[0].seq > after_seq + 1:
        archived = ArchivedChatMessage.objects.filter(room=room, seq__gt=after_seq)
        if live:
            archived = archived.filter(seq__lt=live[0].seq)
        live = list(archived.select_related("sender").order_by("seq")[: limit + 1]) + live
    return live[:limit], len(live) > limit


PINNED_SHOWN = 3


def pinned(*, room: ChatRoom, limit: int = PINNED_SHOWN) -> list[ChatMessage]:
    """The room's newest pinned messages (organizers' announcements), newest first."""
    messages = ChatMessage.objects.filter(room=room, pinned=True, deleted=False).select_related("sender")
    return list(messages.order_by("-created_at", "-id")[:limit])


def inbox(*, user_id: int) -> QuerySet[ChatRoom]:
    """`rooms_of` with `display_title` (a DM is named after the other player) and `other_user_id`.

    Both come from correlated subqueries, so a page of rooms stays one query.
    """
    other = RoomMember.objects.filter(room=OuterRef("pk")).exclude(user_id=user_id).order_by("pk")
    other_name = other.annotate(name=Coalesce(NullIf("user__display_name", Value("")), "user__username"))
    is_dm = Q(kind=ChatRoom.Kind.DM)
    return rooms_of(user_id=user_id).annotate(
        other_user_id=Case(When(is_dm, then=Subquery(other.values("user_id")[:1]))),
        display_title=Coalesce(
            Case(When(is_dm, then=Subquery(other_name.values("name")[:1]))),
            NullIf("title", Value("")),
            "room_id",
        ),
    )


def room_people(*, room: ChatRoom) -> QuerySet:
    """Who belongs to the room, from the same sources as `services.can_access`, by name."""
    if room.kind == ChatRoom.Kind.EVENT:
        people = tournament_selectors.event_member_ids(room.event_id)
    elif room.kind == ChatRoom.Kind.TEAM:
        people = tournament_selectors.team_member_ids(room.team_id)
    else:
        people = RoomMember.objects.filter(room=room).values("user_id")
    return get_user_model().objects.filter(pk__in=people, is_active=True).order_by("username")


def dm_allowed(sender_id: int, recipient_id: int, *, recipient_accepts_anyone: bool | None = None) -> bool:
    """Whether `sender` may start a DM with `recipient`: never with themselves; friends always;
    anyone else only if the recipient (an active player) accepts messages from anyone.

    A caller that already holds the recipient's row passes its `allow_messages_from_anyone`
    to save the query.
    """
    if sender_id == recipient_id:
        return False
    if social_selectors.relationship(viewer_id=sender_id, other_id=recipient_id) == social_selectors.FRIENDS:
        return True
    if recipient_accepts_anyone is not None:
        return recipient_accepts_anyone
    return get_user_model().objects.filter(pk=recipient_id, is_active=True, allow_messages_from_anyone=True).exists()


# The Chat menu badge counts rooms with unread messages among the player's latest this many.
UNREAD_ROOMS_CAP = 100

# The badge's read runs on every page a player opens: compiled once (driftwood/core/compiled.py), it
# costs 0.13 ms of CPU instead of 2.7 (measured for a player with no rooms), 2.4 of which went to
# Django building the UNION's SQL again.
_BADGE_ROOMS = CompiledQuery(lambda user_id: rooms_of(user_id=user_id).only("pk")[:UNREAD_ROOMS_CAP], "user_id")


def unread_rooms_count(*, user_id: int) -> int:
    """How many of the player's rooms (the most recently active UNREAD_ROOMS_CAP) have unread messages."""
    room_pks = [room.pk for room in _BADGE_ROOMS.all(user_id=user_id)]
    return sum(1 for count in unread_counts(user_id=user_id, room_pks=room_pks).values() if count)


def online_among(user_ids) -> set[int]:
    """Which of these players have a chat socket open right now, on any server (one Redis call;
    nobody while Redis is unreachable)."""
    return online(user_ids)
