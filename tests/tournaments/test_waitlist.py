"""The waitlist through the API and the pages: join when full, positions, leave, promotion paid from the wallet
or skipped when it is short (issue 16)."""

import html
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from driftwood.notifications.models import Notification
from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.models import Registration
from tournaments.services.registrations import registration_join
from wallet.models import Wallet

pytestmark = pytest.mark.usefixtures("commit_hooks_run", "eager_mail")


def join(user, event, **body):
    return bearer_client(user).post(
        f"/api/v1/events/{event.pk}/join", {"payment_method": "wallet", **body}, format="json"
    )


@pytest.fixture
def full(db):
    """A two-seat event with both seats taken; returns it and the first seated player."""
    event = EventFactory(max_participants=2, entry_fee=Decimal("5.00"))
    seated = [UserFactory(), UserFactory()]
    for player in seated:
        funded_wallet(player, "5.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
    return event, seated[0]


def test_a_full_event_offers_its_waitlist_and_charges_nothing(full):
    event, _ = full
    siti, aiman = UserFactory(), UserFactory()
    funded_wallet(siti, "20.00")

    refused = join(siti, event)
    assert (refused.status_code, refused.json()["code"]) == (409, "event_full")
    first = join(siti, event, waitlist=True)
    second = join(aiman, event, waitlist=True)

    assert first.status_code == 201
    assert first.json() == {
        "join_event_id": first.json()["join_event_id"],
        "status": "waitlisted",
        "payment": None,
        "position": 1,
    }
    assert second.json()["position"] == 2
    assert (join(siti, event, waitlist=True).status_code, Wallet.objects.get(owner=siti).usable_balance) == (
        409,
        Decimal("20.00"),
    )
    assert bearer_client(siti).get(f"/api/v1/events/{event.pk}").json()["waitlist_count"] == 2
    card = join(UserFactory(), event, waitlist=True, payment_method="stripe")
    assert (card.status_code, card.json()["status"], card.json()["payment"]) == (201, "waitlisted", None)


def test_a_waitlisted_player_may_leave(full):
    event, _ = full
    siti = UserFactory()
    join(siti, event, waitlist=True)

    assert bearer_client(siti).post(f"/api/v1/events/{event.pk}/leave").status_code in (200, 204)

    assert Registration.objects.get(event=event, user=siti).status == "withdrawn"
    assert bearer_client(siti).get(f"/api/v1/events/{event.pk}").json()["waitlist_count"] == 0


def test_a_freed_seat_skips_a_short_wallet_and_promotes_the_next_paid(full):
    event, seated = full
    short, funded = UserFactory(), UserFactory()
    funded_wallet(funded, "12.00")
    join(short, event, waitlist=True)
    join(funded, event, waitlist=True)

    assert bearer_client(seated).post(f"/api/v1/events/{event.pk}/leave").status_code in (200, 204)

    assert Registration.objects.get(event=event, user=short).status == "withdrawn"
    assert Registration.objects.get(event=event, user=funded).status == "confirmed"
    assert Wallet.objects.get(owner=funded).usable_balance == Decimal("7.00")
    kinds = dict(Notification.objects.filter(user__in=[short, funded]).values_list("user_id", "kind"))
    assert kinds == {short.pk: "waitlist_skipped", funded.pk: "waitlist_promoted"}
    promoted = [message for message in mail.outbox if message.to == [funded.email]]
    assert promoted[-1].subject == f"You're in: {event.name}"
    assert "RM 5.00 was paid from your wallet" in promoted[-1].body


def test_the_pages_offer_the_waitlist_show_the_position_and_the_organizer_sees_it(full, client):
    event, _ = full
    siti = UserFactory(username="siti_w")
    funded_wallet(siti, "5.00")
    client.force_login(siti)

    page = client.get(f"/events/{event.pk}/").text
    assert "Join the waitlist" in page
    joined = client.post(f"/events/{event.pk}/join/", {"waitlist": "1"}, follow=True)
    assert f"You're on the waitlist for “{event.name}”, number 1 in line." in html.unescape(joined.text)
    assert "You are number <strong data-waitlist-position>1</strong> in line." in joined.text

    organizer = Client()
    organizer.force_login(event.organizer)
    assert "Waitlist (1)" in organizer.get(f"/events/{event.pk}/manage/").text
    left = client.post(f"/events/{event.pk}/leave/", follow=True)
    assert "Join the waitlist" in left.text


def test_the_waitlist_ends_with_registration_and_its_players_are_told(full):
    from tournaments.services.events import event_cancel

    event, _ = full
    siti = UserFactory()
    join(siti, event, waitlist=True)

    event_cancel(event_id=event.pk, actor=event.organizer)

    assert Registration.objects.get(event=event, user=siti).status == "withdrawn"
    note = Notification.objects.get(user=siti, kind="waitlist_closed")
    assert note.title == f"No seat at {event.name}"
    assert note.body.startswith(f"{event.name} was cancelled by its organizer. No seat freed up")
    assert note.body.endswith("nothing was charged.")
    assert bearer_client(siti).get(f"/api/v1/events/{event.pk}").json()["waitlist_count"] == 0


def test_the_waitlist_closes_with_registration_at_its_deadline(full):
    from django.utils import timezone

    from tournaments.services.events import registrations_close_due

    event, _ = full
    siti = UserFactory()
    join(siti, event, waitlist=True)

    assert registrations_close_due(now=event.registration_closes_at + timezone.timedelta(minutes=1)) == 1

    assert Registration.objects.get(event=event, user=siti).status == "withdrawn"
    assert Notification.objects.get(user=siti, kind="waitlist_closed").body.startswith(
        f"Registration for {event.name} has closed."
    )


def card_waitlister_promoted(full):
    """The event's seat freed for a card payer first in line: their entry and payment."""
    event, seated = full
    payer = UserFactory()
    join(payer, event, waitlist=True, payment_method="stripe")
    assert bearer_client(seated).post(f"/api/v1/events/{event.pk}/leave").status_code in (200, 204)
    return event, payer, Registration.objects.get(event=event, user=payer)


def test_a_card_payer_first_in_line_gets_the_seat_held_and_the_card_form(full):
    event, payer, entry = card_waitlister_promoted(full)

    assert entry.status == "pending" and entry.seat_held_until is not None
    payment = entry.payment
    assert (payment.method, payment.status, payment.amount) == ("stripe", "pending", Decimal("5.00"))
    assert payment.payment_intent_id and payment.client_secret  # opened at Stripe after the commit
    mine = bearer_client(payer).get(f"/api/v1/events/{event.pk}").json()["my_registration"]
    assert mine["seat_held_until"] is not None
    assert (mine["payment"]["method"], mine["payment"]["client_secret"]) == ("stripe", payment.client_secret)
    note = Notification.objects.get(user=payer, kind="waitlist_promoted")
    assert note.title.startswith(f"A seat is yours at {event.name}: pay by ")
    # the held seat counts: the event is still full for everyone else
    late = join(UserFactory(), event)
    assert (late.status_code, late.json()["code"]) == (409, "event_full")


def test_the_card_payment_within_the_hold_confirms_the_entry(full):
    from tournaments.services.card_entries import card_payment_succeeded

    event, _, entry = card_waitlister_promoted(full)

    card_payment_succeeded(payment_intent_id=entry.payment.payment_intent_id, amount_sen=500, currency="myr")

    entry.refresh_from_db()
    assert entry.status == "confirmed"
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_an_unpaid_hold_expires_and_the_seat_goes_to_the_next_in_line(full):
    from django.utils import timezone

    from tournaments.services.registrations import waitlist_sweep

    event, payer, entry = card_waitlister_promoted(full)
    second = UserFactory()
    funded_wallet(second, "5.00")
    join(second, event, waitlist=True)

    assert waitlist_sweep(now=entry.seat_held_until - timezone.timedelta(seconds=1)) == 0
    assert waitlist_sweep(now=entry.seat_held_until + timezone.timedelta(seconds=1)) == 1

    entry.refresh_from_db()
    assert (entry.status, entry.payment.status) == ("withdrawn", "failed")
    assert Notification.objects.filter(user=payer, kind="waitlist_skipped").exists()
    assert Registration.objects.get(event=event, user=second).status == "confirmed"
    assert Wallet.objects.get(owner=second).usable_balance == Decimal("0.00")


def test_stripe_unreachable_at_promotion_releases_the_seat_and_says_so(full, settings):
    from tests import services

    settings.STRIPE_API_BASE = f"http://127.0.0.1:{services.free_port()}"  # nothing listens there
    settings.STRIPE_RETRY_DELAY_SECONDS = 0.01
    _, payer, entry = card_waitlister_promoted(full)

    entry.refresh_from_db()
    assert (entry.status, entry.payment.status) == ("withdrawn", "failed")
    assert list(Notification.objects.filter(user=payer).order_by("pk").values_list("kind", flat=True)) == [
        "waitlist_promoted",
        "waitlist_skipped",
    ]


def test_an_answer_other_than_accept_or_decline_is_not_a_decline(full, client):
    from tournaments.services.teams import team_create, team_invite

    captain, player = UserFactory(), UserFactory()
    invite = team_invite(team_id=team_create(captain=captain, name="Ipoh Owls").pk, actor=captain, user=player)
    client.force_login(player)

    assert client.post(f"/events/teams/invites/{invite.pk}/maybe/").status_code == 404
    invite.refresh_from_db()
    assert invite.status == "pending"
