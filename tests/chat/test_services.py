"""Chat rooms, membership, messages, read markers, history and the archive (service layer)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chat import selectors
from chat.exceptions import CannotMessage, InvalidCursor, InvalidMessage, RoomNotFound
from chat.models import ArchivedChatMessage, ChatMessage, ChatRoom
from chat.services import (
    can_access,
    dm_open,
    message_post,
    messages_archive,
    parse_room_id,
    room_for,
    room_mark_read,
    rooms_ensure_for,
)
from social.services import friend_request_send
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.usefixtures("commit_hooks_run")  # friendship reads are cached until commit


def friends(a, b):
    friend_request_send(requester=a, target_id=b.pk)
    friend_request_send(requester=b, target_id=a.pk)


def test_friends_open_one_dm_room(user):
    other = UserFactory()
    friends(user, other)

    room, created = dm_open(user=user, other_id=other.pk)
    again, created_again = dm_open(user=other, other_id=user.pk)

    low, high = sorted((user.pk, other.pk))
    assert (room.room_id, created, again.pk, created_again) == (f"dm_{low}_{high}", True, room.pk, False)
    assert can_access(user_id=user.pk, room_id=room.room_id)
    assert not can_access(user_id=UserFactory().pk, room_id=room.room_id)


def test_strangers_need_the_others_permission(user):
    stranger = UserFactory()

    with pytest.raises(CannotMessage):
        dm_open(user=user, other_id=stranger.pk)
    stranger.allow_messages_from_anyone = True
    stranger.save()
    assert dm_open(user=user, other_id=stranger.pk)[1] is True
    with pytest.raises(CannotMessage):
        dm_open(user=user, other_id=user.pk)


def test_event_room_follows_confirmed_registrations_and_the_organizer(user):
    event = EventFactory(entry_fee=Decimal("0.00"))
    room_id = f"event_{event.pk}"

    assert not can_access(user_id=user.pk, room_id=room_id)
    registration_join(event_id=event.pk, user=user)

    assert can_access(user_id=user.pk, room_id=room_id)
    assert can_access(user_id=event.organizer_id, room_id=room_id)
    assert room_for(user_id=user.pk, room_id=room_id).title == event.name


def test_team_room_is_its_members(user):
    team = team_with_members(user, 2)

    assert can_access(user_id=user.pk, room_id=f"team_{team.pk}")
    assert not can_access(user_id=UserFactory().pk, room_id=f"team_{team.pk}")
    with pytest.raises(RoomNotFound):
        room_for(user_id=UserFactory().pk, room_id=f"team_{team.pk}")


@pytest.mark.parametrize("room_id", ["dm_5_5", "dm_9_3", "dm_1", "event_x", "lobby_1", "team_1_2", "", "event_"])
def test_malformed_room_ids_are_refused(room_id):
    assert parse_room_id(room_id) is None


def test_messages_are_trimmed_and_limited_and_unread_counts_follow_the_marker(user):
    other = UserFactory()
    friends(user, other)
    room, _ = dm_open(user=user, other_id=other.pk)

    first = message_post(room=room, sender=user, text="  selamat pagi  ")
    message_post(room=room, sender=user, text="game tonight?")
    room.refresh_from_db()

    assert first.text == "selamat pagi"
    assert selectors.unread_count(room=room, user_id=other.pk) == 2
    assert selectors.unread_count(room=room, user_id=user.pk) == 0
    assert [
        r.unread_count for r in selectors.with_unread(list(selectors.rooms_of(user_id=other.pk)), user_id=other.pk)
    ] == [2]
    room_mark_read(room=room, user=other)
    assert selectors.unread_count(room=room, user_id=other.pk) == 0
    for bad in ("", "   ", "x" * 2001, None):
        with pytest.raises(InvalidMessage):
            message_post(room=room, sender=user, text=bad)


def test_history_pages_return_every_message_once_even_with_equal_timestamps(user):
    other = UserFactory()
    friends(user, other)
    room, _ = dm_open(user=user, other_id=other.pk)
    moment = timezone.now()
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, sender=user, text=f"m{n}", created_at=moment) for n in range(500)
    )

    seen, before = [], None
    while True:
        page, has_more, before = selectors.history(room=room, limit=37, before=before)
        seen += [message.pk for message in page]
        if not has_more:
            break

    assert len(seen) == len(set(seen)) == 500
    assert seen == sorted(seen, reverse=True)
    with pytest.raises(InvalidCursor):
        selectors.history(room=room, before="not-a-cursor")


def test_archiving_keeps_history_whole(user):
    other = UserFactory()
    friends(user, other)
    room, _ = dm_open(user=user, other_id=other.pk)
    old = timezone.now() - timedelta(days=120)
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, sender=user, text=f"old{n}", created_at=old) for n in range(30)
    )
    for n in range(10):
        message_post(room=room, sender=other, text=f"new{n}")

    moved = messages_archive(older_than=timezone.now() - timedelta(days=90), batch_size=7)

    assert (moved, ArchivedChatMessage.objects.count(), ChatMessage.objects.count()) == (30, 30, 10)
    seen, before = [], None
    while True:
        page, has_more, before = selectors.history(room=room, limit=8, before=before)
        seen += [message.text for message in page]
        if not has_more:
            break
    assert len(seen) == 40 and seen[:10] == [f"new{n}" for n in reversed(range(10))]
    assert ChatRoom.objects.count() == 1


def test_cached_unread_counts_are_never_stale(user):
    other = UserFactory()
    friends(user, other)
    room, _ = dm_open(user=user, other_id=other.pk)
    assert selectors.unread_count(room=room, user_id=other.pk) == 0  # cached now

    message_post(room=room, sender=user, text="first")
    after_post = selectors.unread_count(room=room, user_id=other.pk)
    room.refresh_from_db()
    room_mark_read(room=room, user=other)
    after_read = selectors.unread_count(room=room, user_id=other.pk)
    message_post(room=room, sender=other, text="reply")
    message_post(room=room, sender=user, text="second")

    assert (after_post, after_read) == (1, 0)
    assert selectors.unread_count(room=room, user_id=other.pk) == 1
    assert selectors.unread_count(room=room, user_id=user.pk) == 0


def test_event_and_team_rooms_are_listed_before_anyone_opens_them(user):
    event = EventFactory(entry_fee=Decimal("0.00"))
    registration_join(event_id=event.pk, user=user)
    team = team_with_members(user, 2)

    rooms_ensure_for(user_id=user.pk)
    rooms_ensure_for(user_id=user.pk)  # idempotent

    assert {room.room_id for room in selectors.rooms_of(user_id=user.pk)} == {f"event_{event.pk}", f"team_{team.pk}"}
    assert ChatRoom.objects.count() == 2
