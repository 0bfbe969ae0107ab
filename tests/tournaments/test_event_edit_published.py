"""Editing a published event until it starts: its words, stream and times stay open; the prize pool,
and once anyone has joined the money and the bracket's shape, are locked (the form shows them
disabled, the service refuses them); a move of the times tells every entrant once, in Malaysia time."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from driftwood.core.times import malaysia_time
from driftwood.notifications.models import Notification
from tests.factories import EventFactory, GameFactory, UserFactory, players_joined, team_with_members
from tournaments.exceptions import InvalidStatus
from tournaments.forms import DATETIME_FORMAT, EventForm
from tournaments.models import Event, Registration, RegistrationMember
from tournaments.services.events import event_update
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

MYT = ZoneInfo("Asia/Kuala_Lumpur")


def published(**fields) -> Event:
    # Whole minutes, as an event made on the page has them.
    starts = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    return EventFactory(
        **{"entry_fee": Decimal("0.00"), "starts_at": starts, "registration_closes_at": starts - timedelta(days=1)}
        | fields
    )


def pending_entry(event: Event, player) -> Registration:
    """A card payer's entry waiting for Stripe: an entrant too."""
    registration = Registration.objects.create(event=event, user=player, registered_by=player)
    RegistrationMember.objects.create(registration=registration, event=event, user=player)
    return registration


def form_data(event: Event, **overrides) -> dict:
    """What the edit page posts back for `event` as it stands, with `overrides`."""
    data = {}
    for name, value in EventForm.initial_for(event).items():
        if hasattr(value, "astimezone"):
            value = value.astimezone(MYT).strftime(DATETIME_FORMAT)
        elif isinstance(value, list):
            value = ", ".join(str(share) for share in value)
        elif value is None:
            value = ""
        elif isinstance(value, bool):
            value = "on" if value else ""
        data[name] = getattr(value, "pk", value)
    return {name: value for name, value in (data | overrides).items() if value != ""}


def local(moment) -> str:
    return moment.astimezone(MYT).strftime(DATETIME_FORMAT)


def notices(event: Event) -> list[Notification]:
    return list(Notification.objects.filter(kind="event_updated", data__event_id=event.pk).order_by("user_id"))


# --- The service


def test_moving_the_start_tells_each_entrant_once_with_both_times_in_malaysia_time():
    # given a team event with a team of two, and a solo event with a confirmed and a pending player
    event = published(is_solo=False, team_size=2)
    captain = UserFactory()
    team = team_with_members(captain, 2)
    teammate = team.memberships.exclude(user=captain).get().user
    registration_join(event_id=event.pk, user=captain, team_id=team.pk)
    waiting = published(max_participants=2)
    confirmed, pending, bystander = UserFactory(), UserFactory(), UserFactory()
    registration_join(event_id=waiting.pk, user=confirmed)
    pending_entry(waiting, pending)
    old_start = event.starts_at
    new_start = old_start + timedelta(hours=2)

    # when each organizer moves the start (and the team event's description)
    event_update(
        event_id=event.pk, actor=event.organizer, allow_published=True, starts_at=new_start, description="Map pool: 7."
    )
    event_update(event_id=waiting.pk, actor=waiting.organizer, allow_published=True, starts_at=new_start)

    # then every entrant (both team members, the confirmed and the pending player) has one notice
    assert [row.user_id for row in notices(event)] == sorted([captain.pk, teammate.pk])
    assert [row.user_id for row in notices(waiting)] == sorted([confirmed.pk, pending.pk])
    row = notices(event)[0]
    assert row.title == f"New start time: {event.name}"
    assert row.body == f"Starts {malaysia_time(new_start)} (was {malaysia_time(old_start)})."
    assert "MYT" in row.body and row.url == f"/events/{event.pk}/"
    assert row.data == {"event_id": event.pk, "changed": ["starts_at"]}
    told = Notification.objects.filter(kind="event_updated")
    assert not told.filter(user__in=[event.organizer, waiting.organizer, bystander]).exists()
    event.refresh_from_db()
    assert (event.starts_at, event.description) == (new_start, "Map pool: 7.")


def test_one_edit_of_several_times_is_one_notice_naming_each():
    event = published()
    (player,) = players_joined(event, 1)
    closes, starts = event.registration_closes_at + timedelta(hours=3), event.starts_at + timedelta(days=1)

    event_update(
        event_id=event.pk,
        actor=event.organizer,
        allow_published=True,
        starts_at=starts,
        registration_closes_at=closes,
        check_in_minutes=30,
    )

    (row,) = notices(event)
    assert row.user_id == player.pk
    assert f"Starts {malaysia_time(starts)}" in row.body
    assert f"Registration closes {malaysia_time(closes)}" in row.body
    assert "Check-in: opens 30 minutes before the start (was opens 60 minutes before the start)." in row.body


def test_words_and_the_stream_change_without_a_notice():
    event = published()
    players_joined(event, 2)

    event_update(
        event_id=event.pk,
        actor=event.organizer,
        allow_published=True,
        name="Kopitiam Cup: Finals",
        description="Best of 3 from the semis.",
        stream_url="https://twitch.tv/kopitiam",
    )

    event.refresh_from_db()
    assert (event.name, event.stream_url) == ("Kopitiam Cup: Finals", "https://twitch.tv/kopitiam")
    assert notices(event) == []


def test_once_anyone_joined_fee_format_and_size_are_refused_and_nothing_changes():
    event = published(entry_fee=Decimal("10.00"))
    players_joined(event, 1)

    with pytest.raises(ValidationError) as refused:
        event_update(
            event_id=event.pk,
            actor=event.organizer,
            allow_published=True,
            entry_fee=Decimal("5.00"),
            format=Event.Format.ROUND_ROBIN,
            max_participants=4,
            description="Cheaper now",
        )

    assert refused.value.message_dict == {
        "entry_fee": ["Locked: players have joined."],
        "format": ["Locked: players have joined."],
        "max_participants": ["Locked: players have joined."],
    }
    event.refresh_from_db()
    assert (event.entry_fee, event.max_participants, event.description) == (Decimal("10.00"), 8, "")


def test_a_waitlisted_player_has_joined_too():
    event = published(max_participants=2)
    players_joined(event, 2)
    registration_join(event_id=event.pk, user=UserFactory(), waitlist=True)
    Registration.objects.filter(event=event).exclude(status="waitlisted").delete()  # only the waitlist is left

    with pytest.raises(ValidationError) as refused:
        event_update(event_id=event.pk, actor=event.organizer, allow_published=True, max_participants=16)

    assert refused.value.message_dict == {"max_participants": ["Locked: players have joined."]}


def test_before_anyone_joined_the_shape_can_change_but_never_the_held_prize_pool():
    event = published()

    event_update(
        event_id=event.pk,
        actor=event.organizer,
        allow_published=True,
        entry_fee=Decimal("5.00"),
        max_participants=32,
        format=Event.Format.DOUBLE_ELIMINATION,
    )
    with pytest.raises(ValidationError) as refused:
        event_update(event_id=event.pk, actor=event.organizer, allow_published=True, prize_pool=Decimal("50.00"))

    event.refresh_from_db()
    assert (event.entry_fee, event.max_participants, event.format) == (Decimal("5.00"), 32, "double_elimination")
    assert refused.value.message_dict == {"prize_pool": ["Held from your wallet since publishing; it cannot change."]}


def test_the_start_stays_after_registration_closes_and_ahead_of_now():
    event = published()
    players_joined(event, 1)

    with pytest.raises(ValidationError) as before_close:
        event_update(
            event_id=event.pk,
            actor=event.organizer,
            allow_published=True,
            starts_at=event.registration_closes_at - timedelta(hours=1),
        )
    with pytest.raises(ValidationError) as past:
        event_update(
            event_id=event.pk,
            actor=event.organizer,
            allow_published=True,
            starts_at=timezone.now() - timedelta(hours=1),
            registration_closes_at=timezone.now() - timedelta(hours=2),
        )

    assert before_close.value.message_dict == {
        "registration_closes_at": ["Registration must close before the event starts."]
    }
    assert past.value.message_dict == {
        "starts_at": ["Pick a time in the future."],
        "registration_closes_at": ["Pick a time in the future."],
    }
    assert notices(event) == []


def test_after_registration_closed_its_deadline_is_locked_but_the_start_moves():
    event = published(status=Event.Status.REGISTRATION_CLOSED)

    with pytest.raises(ValidationError) as refused:
        event_update(
            event_id=event.pk,
            actor=event.organizer,
            allow_published=True,
            registration_closes_at=event.registration_closes_at + timedelta(hours=1),
        )
    event_update(
        event_id=event.pk, actor=event.organizer, allow_published=True, starts_at=event.starts_at + timedelta(hours=1)
    )

    assert refused.value.message_dict == {"registration_closes_at": ["Registration has closed."]}


@pytest.mark.parametrize("status", [Event.Status.ONGOING, Event.Status.COMPLETED, Event.Status.CANCELLED])
def test_once_started_or_over_nothing_can_be_edited(status):
    event = published(status=status)

    with pytest.raises(InvalidStatus, match="only until it starts"):
        event_update(event_id=event.pk, actor=event.organizer, allow_published=True, description="Too late")


def test_without_allow_published_only_a_draft_can_be_edited_as_before():
    event = published()

    with pytest.raises(InvalidStatus, match="Only a draft can be edited"):
        event_update(event_id=event.pk, actor=event.organizer, description="Via the API")


def test_a_stream_link_is_a_web_address():
    event = published()

    with pytest.raises(ValidationError) as refused:
        event_update(event_id=event.pk, actor=event.organizer, allow_published=True, stream_url="javascript:alert(1)")

    assert refused.value.message_dict == {"stream_url": ["A web address starting with https:// (or http://)."]}


@pytest.mark.django_db(transaction=True)
def test_each_entrant_is_emailed_the_new_start(eager_mail):
    event = published()
    players = players_joined(event, 2)
    mail.outbox.clear()

    event_update(
        event_id=event.pk, actor=event.organizer, allow_published=True, starts_at=event.starts_at + timedelta(hours=1)
    )

    sent = [message for message in mail.outbox if message.subject == f"New start time: {event.name}"]
    assert sorted(message.to[0] for message in sent) == sorted(player.email for player in players)
    assert "MYT" in sent[0].body and f"/events/{event.pk}/" in sent[0].body


# --- The page


def test_the_edit_page_shows_locked_fields_disabled_with_the_reason(client):
    event = published(entry_fee=Decimal("10.00"))
    players_joined(event, 1)
    client.force_login(event.organizer)

    page = client.get(f"/events/{event.pk}/edit/")

    form = page.context["form"]
    assert form.fields["entry_fee"].disabled and form.fields["format"].disabled
    assert form.fields["prize_pool"].disabled
    assert not form.fields["starts_at"].disabled and not form.fields["description"].disabled
    html = page.content.decode()
    assert "Locked: players have joined." in html
    assert "Edit event</h1>" in html and "Save changes" in html


def test_the_page_saves_a_new_start_and_ignores_a_tampered_locked_field(client):
    event = published(entry_fee=Decimal("10.00"))
    (player,) = players_joined(event, 1)
    client.force_login(event.organizer)
    new_start = event.starts_at + timedelta(days=1)

    response = client.post(
        f"/events/{event.pk}/edit/",
        form_data(event, starts_at=local(new_start), entry_fee="1.00", stream_url="https://youtu.be/live"),
        follow=True,
    )

    assert response.redirect_chain == [(f"/events/{event.pk}/", 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "Changes saved. Everyone entered is notified of the new times."
    ]
    event.refresh_from_db()
    assert (event.starts_at, event.entry_fee, event.stream_url) == (
        new_start,
        Decimal("10.00"),
        "https://youtu.be/live",
    )
    assert [row.user_id for row in notices(event)] == [player.pk]
    assert 'href="https://youtu.be/live"' in response.content.decode()


def test_posting_the_form_back_unchanged_tells_nobody(client):
    event = published(starts_at=timezone.now() + timedelta(days=7))  # seconds the picker cannot show
    players_joined(event, 1)
    client.force_login(event.organizer)
    starts_at = event.starts_at

    response = client.post(f"/events/{event.pk}/edit/", form_data(event), follow=True)

    assert [str(message) for message in response.context["messages"]] == ["Changes saved."]
    event.refresh_from_db()
    assert event.starts_at == starts_at
    assert notices(event) == []


def test_the_page_shows_the_services_errors_on_the_fields(client):
    event = published()
    client.force_login(event.organizer)

    response = client.post(
        f"/events/{event.pk}/edit/",
        form_data(event, starts_at=local(event.registration_closes_at - timedelta(hours=1))),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["registration_closes_at"] == [
        "Registration must close before the event starts."
    ]


def test_the_event_page_offers_the_organizer_edit_until_the_start(client):
    event = published()
    ongoing = published(status=Event.Status.ONGOING, organizer=event.organizer)
    client.force_login(event.organizer)

    assert 'id="edit-event-link"' in client.get(f"/events/{event.pk}/").content.decode()
    assert 'id="edit-event-link"' not in client.get(f"/events/{ongoing.pk}/").content.decode()


def test_someone_else_cannot_edit(client):
    event = published()
    client.force_login(UserFactory())

    response = client.post(f"/events/{event.pk}/edit/", form_data(event, description="Mine"), follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Only the organizer can edit an event, and only until it starts."
    ]
    event.refresh_from_db()
    assert event.description == ""


def test_the_api_patch_stays_draft_only_as_the_contract_says(user, jwt_client):
    event = published(organizer=user, game=GameFactory())

    response = jwt_client.patch(f"/api/v1/events/{event.pk}", {"description": "Via the app"})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status"
