"""Every write to chat: opening rooms, posting messages, reading them, archiving old ones.

Membership of event and team rooms is not copied: it is decided from the registrations and
team rosters each time (`room_access`), so it follows them without any syncing. A member
row is created on first use to carry the player's read marker.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.cache import reader_changed_on_commit, room_changed_on_commit
from chat.cache import room_member_ids as room_member_ids_cached
from chat.exceptions import CannotMessage, InvalidMessage, RoomNotFound
from chat.frames import message_document
from chat.models import MESSAGE_MAX_LENGTH, ArchivedChatMessage, ChatMessage, ChatRoom, RoomMember
from chat.presence import chat_group
from chat.selectors import dm_allowed
from driftwood.core import redis_outage
from driftwood.core.text import text_problem
from tournaments import selectors as tournament_selectors

User = get_user_model()
Kind = ChatRoom.Kind
PREVIEW_LENGTH = 140


def dm_room_id(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"dm_{low}_{high}"


@dataclass(frozen=True)
class RoomRef:
    kind: str
    ids: tuple[int, ...]


def parse_room_id(room_id: str) -> RoomRef | None:
    """`dm_3_9`, `event_12`, `team_4` -> their parts; anything else -> None."""
    kind, _, rest = room_id.partition("_")
    parts = rest.split("_")
    if kind not in Kind.values or not all(part.isdigit() and len(part) <= 18 for part in parts):
        return None
    ids = tuple(int(part) for part in parts)
    if (kind == Kind.DM and (len(ids) != 2 or ids[0] >= ids[1])) or (kind != Kind.DM and len(ids) != 1):
        return None
    return RoomRef(kind, ids)


def can_access(*, user_id: int, room_id: str) -> bool:
    """Whether the player belongs to the room, from the source of truth for its kind."""
    ref = parse_room_id(room_id)
    if ref is None:
        return False
    if ref.kind == Kind.DM:
        return user_id in ref.ids and RoomMember.objects.filter(room__room_id=room_id, user_id=user_id).exists()
    if ref.kind == Kind.EVENT:
        return tournament_selectors.event_has_member(event_id=ref.ids[0], user_id=user_id)
    return tournament_selectors.team_has_member(team_id=ref.ids[0], user_id=user_id)


def dm_open(*, user, other_id: int) -> tuple[ChatRoom, bool]:
    """The DM room between two players, created once (a unique room id settles a race).

    Who may start one is `selectors.dm_allowed`; a room that exists stays open to both.
    """
    if other_id == user.pk:
        raise CannotMessage(_("You cannot message yourself."))
    other = User.objects.filter(pk=other_id, is_active=True).first()
    if other is None:
        raise RoomNotFound(_("Player not found."))
    room_id = dm_room_id(user.pk, other.pk)
    room = ChatRoom.objects.filter(room_id=room_id).first()
    if room is not None:
        return room, False
    if not dm_allowed(user.pk, other.pk, recipient_accepts_anyone=other.allow_messages_from_anyone):
        raise CannotMessage(_("You can message this player once you are friends."))
    try:
        with transaction.atomic():
            room = ChatRoom.objects.create(room_id=room_id, kind=Kind.DM)
            RoomMember.objects.bulk_create([RoomMember(room=room, user=user), RoomMember(room=room, user=other)])
    except IntegrityError:
        return ChatRoom.objects.get(room_id=room_id), False
    return room, True


def room_for(*, user_id: int, room_id: str) -> ChatRoom:
    """The room (created on first use for event and team rooms) if the player belongs to it."""
    if not can_access(user_id=user_id, room_id=room_id):
        raise RoomNotFound()
    room = ChatRoom.objects.filter(room_id=room_id).first()
    if room is None:
        ref = parse_room_id(room_id)
        if ref.kind == Kind.EVENT:
            title = tournament_selectors.event_name(ref.ids[0]) or room_id
            defaults = {"kind": Kind.EVENT, "title": title, "event_id": ref.ids[0]}
        else:
            title = tournament_selectors.team_name(ref.ids[0]) or room_id
            defaults = {"kind": Kind.TEAM, "title": title, "team_id": ref.ids[0]}
        room, _ = ChatRoom.objects.get_or_create(room_id=room_id, defaults=defaults)
    RoomMember.objects.get_or_create(room=room, user_id=user_id)
    return room


def rooms_ensure_for(*, user_id: int) -> None:
    """Create the event and team rooms the player belongs to, so the inbox lists them before
    anyone has opened them (three queries, however many events and teams)."""
    events = tournament_selectors.events_with_member(user_id).values_list("pk", "name")
    teams = tournament_selectors.teams_with_member(user_id).values_list("pk", "name")
    rooms = [ChatRoom(room_id=f"event_{pk}", kind=Kind.EVENT, title=name, event_id=pk) for pk, name in events]
    rooms += [ChatRoom(room_id=f"team_{pk}", kind=Kind.TEAM, title=name, team_id=pk) for pk, name in teams]
    if rooms:
        ChatRoom.objects.bulk_create(rooms, ignore_conflicts=True)  # the unique room id keeps one each


def clean_text(text) -> str:
    """A message as stored: trimmed, 1 to MESSAGE_MAX_LENGTH characters, and within the site's
    text rule (`driftwood.core.text`: no control, invisible or text-direction characters)."""
    if not isinstance(text, str):
        raise InvalidMessage(_("A message is text."))
    text = text.strip().replace("\r\n", "\n")
    if not 1 <= len(text) <= MESSAGE_MAX_LENGTH:
        raise InvalidMessage(
            _("A message is 1 to %(message_max_length)s characters.") % {"message_max_length": MESSAGE_MAX_LENGTH}
        )
    problem = text_problem(text, multiline=True)
    if problem:
        raise InvalidMessage(problem)
    return text


# One statement, one round trip: take the room's next seq (the row lock orders concurrent posts, and
# the message id is drawn under it, so ids and seqs rise together), insert the message with it, and
# move the sender's read marker past it. Nothing when the room is gone.
_POST_SQL = """
WITH room AS (
    UPDATE chat_chatroom
    SET last_seq = last_seq + 1,
        last_message_id = nextval(pg_get_serial_sequence('chat_chatmessage', 'id')),
        last_message_at = %(at)s,
        last_message_preview = %(preview)s
    WHERE id = %(room)s
    RETURNING id, last_seq, last_message_id
), message AS (
    INSERT INTO chat_chatmessage (id, room_id, sender_id, text, created_at, edited, deleted, seq, pinned)
    SELECT last_message_id, id, %(sender)s, %(text)s, %(at)s, false, false, last_seq, %(pinned)s FROM room
    RETURNING id, seq
), reader AS (
    UPDATE chat_roommember SET last_read_message_id = message.id, last_read_at = %(at)s
    FROM message
    WHERE chat_roommember.room_id = %(room)s AND chat_roommember.user_id = %(sender)s
        AND chat_roommember.last_read_message_id < message.id
)
SELECT id, seq FROM message
"""


def message_post(*, room: ChatRoom, sender, text: str, pinned: bool = False) -> ChatMessage:
    """Save a message with the room's next seq, the room's last-message summary and the sender's
    read marker, in one statement (atomic by itself, inside or outside a transaction).

    The caller broadcasts it after this returns: a message is in PostgreSQL before anyone sees it.
    """
    text = clean_text(text)
    at = timezone.now()
    params = {
        "room": room.pk,
        "sender": sender.pk,
        "text": text,
        "at": at,
        "preview": text[:PREVIEW_LENGTH],
        "pinned": pinned,
    }
    with connection.cursor() as cursor:
        cursor.execute(_POST_SQL, params)
        row = cursor.fetchone()
    if row is None:
        raise RoomNotFound()
    message = ChatMessage(id=row[0], seq=row[1], room=room, sender=sender, text=text, created_at=at, pinned=pinned)
    message._state.adding, message._state.db = False, connection.alias
    room_changed_on_commit(room.pk)
    reader_changed_on_commit(sender.pk)
    return message


def announcement_pin(*, event_id: int, organizer, text: str) -> ChatMessage:
    """The organizer's announcement as a pinned message of the event's room (opened if nobody has
    yet), sent to the room's open sockets once the caller's transaction commits."""
    room = room_for(user_id=organizer.pk, room_id=f"event_{event_id}")
    message = message_post(room=room, sender=organizer, text=text, pinned=True)
    frame = json.dumps({"type": "message", **message_document(message), "pinned": True})
    transaction.on_commit(
        partial(redis_outage.group_send, chat_group(room.room_id), {"type": "chat.message", "text": frame})
    )
    return message


def room_member_ids(*, room_id: str) -> frozenset[int]:
    """Everyone who belongs to the room now (an empty set for a malformed id). A DM's two players are
    in its id; an event's or team's people come from the exact cache (chat.cache.room_member_ids)."""
    ref = parse_room_id(room_id)
    if ref is None:
        return frozenset()
    if ref.kind == Kind.DM:
        return frozenset(ref.ids)
    if ref.kind == Kind.EVENT:
        return room_member_ids_cached(
            kind=ref.kind, ident=ref.ids[0], compute=lambda: tournament_selectors.event_member_ids(ref.ids[0])
        )
    return room_member_ids_cached(
        kind=ref.kind, ident=ref.ids[0], compute=lambda: tournament_selectors.team_member_ids(ref.ids[0])
    )


def room_mark_read(*, room: ChatRoom, user, up_to: int | None = None) -> int:
    """Move the player's read marker forward (never back) to `up_to` or the newest message."""
    up_to = room.last_message_id if up_to is None else min(up_to, room.last_message_id)
    RoomMember.objects.filter(room=room, user=user).filter(
        Q(last_read_message_id__lt=up_to) | Q(last_read_at__isnull=True)
    ).update(last_read_message_id=up_to, last_read_at=timezone.now())
    reader_changed_on_commit(user.pk)
    return up_to


def messages_archive(*, older_than: datetime, batch_size: int = 1000) -> int:
    """Move messages created before `older_than` to the archive, a batch per transaction."""
    moved = 0
    while True:
        with transaction.atomic():
            batch = list(
                ChatMessage.objects.select_for_update(skip_locked=True)
                .filter(created_at__lt=older_than)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return moved
            ArchivedChatMessage.objects.bulk_create(
                ArchivedChatMessage(
                    id=message.pk,
                    room_id=message.room_id,
                    sender_id=message.sender_id,
                    text=message.text,
                    created_at=message.created_at,
                    edited=message.edited,
                    deleted=message.deleted,
                    seq=message.seq,
                    pinned=message.pinned,
                )
                for message in batch
            )
            ChatMessage.objects.filter(pk__in=[message.pk for message in batch]).delete()
            room_changed_on_commit(*{message.room_id for message in batch})
            moved += len(batch)
