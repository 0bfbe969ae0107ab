"""Organizer announcements: every entrant is notified once, the announcement is pinned in the
event's chat room (and sent to its open sockets after the commit), the event page shows it, and an
event gets at most three an hour."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chat.models import ChatMessage, ChatRoom
from driftwood.core import redis_outage
from driftwood.core.exceptions import PermissionDenied, RateLimited
from driftwood.notifications.models import Notification
from tests.factories import EventFactory, UserFactory, players_joined, team_with_members
from tournaments.exceptions import InvalidStatus
from tournaments.models import Announcement, Event, Registration, RegistrationMember
from tournaments.services.announcements import announcement_post
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def free_event(**fields) -> Event:
    return EventFactory(**{"entry_fee": Decimal("0.00")} | fields)


def announced(event: Event) -> list[Notification]:
    return list(Notification.objects.filter(kind="event_announcement", data__event_id=event.pk).order_by("user_id"))


@pytest.fixture
def frames(monkeypatch) -> list[tuple[str, dict]]:
    """What is sent to channel-layer groups."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(redis_outage, "group_send", lambda group, message: sent.append((group, message)))
    return sent


# --- The service


def test_every_entrant_is_notified_once_and_it_is_pinned_in_the_event_room(commit_hooks_run, frames):
    # given a team event with a team of two and a pending card payer, and someone elsewhere
    event = free_event(is_solo=False, team_size=2, max_participants=4)
    captain = UserFactory()
    team = team_with_members(captain, 2)
    teammate = team.memberships.exclude(user=captain).get().user
    registration_join(event_id=event.pk, user=captain, team_id=team.pk)
    payer_team = team_with_members(UserFactory(), 2)
    pending = Registration.objects.create(event=event, team=payer_team, registered_by=payer_team.captain)
    pending_players = [member.user for member in payer_team.memberships.all()]
    RegistrationMember.objects.bulk_create(
        RegistrationMember(registration=pending, event=event, user=player) for player in pending_players
    )
    bystander = UserFactory()

    # when the organizer announces a delay
    announcement = announcement_post(
        event_id=event.pk, actor=event.organizer, title="Delayed 30 minutes", body="Server trouble.\nHang tight."
    )

    # then each of the four entrants has exactly one notification, nobody else has any
    rows = announced(event)
    assert [row.user_id for row in rows] == sorted([captain.pk, teammate.pk, *(p.pk for p in pending_players)])
    assert {(row.title, row.body) for row in rows} == {
        (f"{event.name}: Delayed 30 minutes", "Server trouble.\nHang tight.")
    }
    assert rows[0].url == f"/events/{event.pk}/#announcements"
    assert rows[0].data == {"event_id": event.pk, "announcement_id": announcement.pk}
    assert not Notification.objects.filter(user__in=[event.organizer, bystander], kind="event_announcement").exists()
    # and the event's room holds it as a pinned message from the organizer, sent to the room's sockets
    message = ChatMessage.objects.get(pk=announcement.chat_message_id)
    assert (message.room.room_id, message.room.kind, message.sender, message.pinned) == (
        f"event_{event.pk}",
        ChatRoom.Kind.EVENT,
        event.organizer,
        True,
    )
    assert message.text == "Delayed 30 minutes\n\nServer trouble.\nHang tight."
    ((group, sent),) = [frame for frame in frames if frame[0].startswith("chat_")]
    assert group == f"chat_event_{event.pk}" and sent["type"] == "chat.message"
    frame = json.loads(sent["text"])
    assert (frame["type"], frame["id"], frame["message"], frame["pinned"]) == (
        "message",
        message.pk,
        message.text,
        True,
    )
    assert frame["sender"] == {"id": event.organizer.pk, "username": event.organizer.username}


def test_three_an_hour_then_a_clear_refusal_with_the_wait(commit_hooks_run, frames):
    event = free_event()
    for number in range(3):
        announcement_post(event_id=event.pk, actor=event.organizer, title=f"Update {number}", body="Details.")
    Announcement.objects.filter(title="Update 0").update(created_at=timezone.now() - timedelta(minutes=50))

    with pytest.raises(RateLimited) as refused:
        announcement_post(event_id=event.pk, actor=event.organizer, title="One more", body="Details.")

    assert str(refused.value) == "At most 3 announcements an hour per event: the next can go out in 10 minutes."
    assert 590 <= refused.value.retry_after <= 601
    assert Announcement.objects.filter(event=event).count() == 3
    assert ChatMessage.objects.filter(pinned=True).count() == 3


def test_an_hour_later_the_organizer_can_announce_again(commit_hooks_run, frames):
    event = free_event()
    for number in range(3):
        announcement_post(event_id=event.pk, actor=event.organizer, title=f"Update {number}", body="Details.")
    Announcement.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    announcement_post(event_id=event.pk, actor=event.organizer, title="Next day", body="Details.")

    assert Announcement.objects.filter(event=event).count() == 4


def test_only_the_organizer_announces():
    event = free_event()
    (player,) = players_joined(event, 1)

    with pytest.raises(PermissionDenied):
        announcement_post(event_id=event.pk, actor=player, title="Hi all", body="I am not the organizer.")

    assert not Announcement.objects.exists() and not ChatMessage.objects.exists()


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.CANCELLED])
def test_not_for_a_draft_or_a_cancelled_event(status):
    event = free_event(status=status)

    with pytest.raises(InvalidStatus):
        announcement_post(event_id=event.pk, actor=event.organizer, title="Hello", body="Anyone?")

    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("title", "body", "errors"),
    [
        ("  ", "Body", {"title": ["Write something."]}),
        ("Title", "", {"body": ["Write something."]}),
        ("T" * 121, "Body", {"title": ["At most 120 characters."]}),
        ("Title", "B" * 1501, {"body": ["At most 1500 characters."]}),
        ("Line\nbreak", "Body", {"title": ["Use a single line: no line breaks or tabs."]}),
    ],
)
def test_plain_text_within_the_limits(title, body, errors):
    event = free_event()

    with pytest.raises(ValidationError) as refused:
        announcement_post(event_id=event.pk, actor=event.organizer, title=title, body=body)

    assert refused.value.message_dict == errors
    assert not Announcement.objects.exists()


# --- The pages


def test_the_organizer_announces_from_the_manage_page_and_players_read_it(client, commit_hooks_run, frames):
    event = free_event()
    (player,) = players_joined(event, 1)
    client.force_login(event.organizer)

    response = client.post(
        f"/events/{event.pk}/announcements/", {"title": "Check-in moved", "body": "Now at 19:30."}, follow=True
    )

    assert response.redirect_chain == [(f"/events/{event.pk}/manage/#announcements", 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "Announcement sent: every entrant is notified, and it is pinned in the chat."
    ]
    assert [row.user_id for row in announced(event)] == [player.pk]
    client.force_login(player)
    event_page = client.get(f"/events/{event.pk}/").content.decode()
    room_page = client.get(f"/chat/event_{event.pk}/").content.decode()
    assert 'id="announcements"' in event_page and "Check-in moved" in event_page and "Now at 19:30." in event_page
    assert "data-pinned" in room_page and "Check-in moved<br>" in room_page


def test_over_the_cap_the_manage_page_keeps_the_text_and_says_when(client, commit_hooks_run, frames):
    event = free_event()
    for number in range(3):
        announcement_post(event_id=event.pk, actor=event.organizer, title=f"Update {number}", body="Details.")
    client.force_login(event.organizer)

    response = client.post(f"/events/{event.pk}/announcements/", {"title": "Fourth", "body": "Long text to keep."})

    assert response.status_code == 429
    html = response.content.decode()
    assert "At most 3 announcements an hour per event: the next can go out in 60 minutes." in html
    assert "Long text to keep." in html
    assert Announcement.objects.count() == 3


def test_the_manage_page_shows_the_form_only_while_announcing_is_possible(client):
    draft = free_event(status=Event.Status.DRAFT)
    live = free_event(organizer=draft.organizer)
    client.force_login(draft.organizer)

    assert 'id="announcement-form"' not in client.get(f"/events/{draft.pk}/manage/").content.decode()
    assert 'id="announcement-form"' in client.get(f"/events/{live.pk}/manage/").content.decode()


def test_a_player_cannot_post_from_the_page(client):
    event = free_event()
    (player,) = players_joined(event, 1)
    client.force_login(player)

    response = client.post(f"/events/{event.pk}/announcements/", {"title": "Hi", "body": "Me"}, follow=True)

    assert [str(message) for message in response.context["messages"]] == ["Only the organizer can manage this event."]
    assert not Announcement.objects.exists()


# --- The API


def test_the_api_posts_and_lists_announcements(commit_hooks_run, frames, api_client):
    from tests.conftest import bearer_client

    event = free_event()
    (player,) = players_joined(event, 1)
    organizer = bearer_client(event.organizer)

    created = organizer.post(f"/api/v1/events/{event.pk}/announcements", {"title": "Brackets out", "body": "Good luck"})
    listed = api_client.get(f"/api/v1/events/{event.pk}/announcements")

    assert created.status_code == 201, created.json()
    assert {key: created.json()[key] for key in ("title", "body")} == {"title": "Brackets out", "body": "Good luck"}
    assert listed.status_code == 200
    assert [item["title"] for item in listed.json()["results"]] == ["Brackets out"]
    assert [row.user_id for row in announced(event)] == [player.pk]


def test_the_api_refuses_others_and_the_fourth_in_an_hour(commit_hooks_run, frames):
    from tests.conftest import bearer_client

    event = free_event()
    (player,) = players_joined(event, 1)
    organizer = bearer_client(event.organizer)
    for number in range(3):
        organizer.post(f"/api/v1/events/{event.pk}/announcements", {"title": f"No. {number}", "body": "Text"})

    by_player = bearer_client(player).post(f"/api/v1/events/{event.pk}/announcements", {"title": "x", "body": "y"})
    fourth = organizer.post(f"/api/v1/events/{event.pk}/announcements", {"title": "No. 4", "body": "Text"})
    empty = organizer.post(f"/api/v1/events/{event.pk}/announcements", {"title": "", "body": "Text"})

    assert (by_player.status_code, by_player.json()["code"]) == (403, "permission_denied")
    assert (fourth.status_code, fourth.json()["code"]) == (429, "rate_limited")
    assert int(fourth["Retry-After"]) > 0
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid")
    assert "title" in empty.json()["errors"]
    assert Announcement.objects.count() == 3
