"""Entry fees paid by card, with localstripe as Stripe.

The player joins through the API and pays the real PaymentIntent on localstripe with a test
card (what Stripe.js does); Stripe's `payment_intent.succeeded` for that intent, as localstripe
reports it, is signed with the webhook secret and posted to the webhook endpoint. Card refunds
are sent to localstripe by the refund task after commit (run in-process here) and read back
from it.
"""

from decimal import Decimal

import pytest

from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory, funded_wallet
from tests.wallet.stripe_support import deliver, event, require_localstripe, sen, stripe_client
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.events import escrow_wallet
from tournaments.services.registrations import registration_join
from wallet.models import LedgerEntry, Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _localstripe_and_in_process_tasks(settings):
    require_localstripe()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what the request queued for after its commit (card refunds to Stripe, e-mails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def join_by_card(client, event_id: int) -> dict:
    response = client.post(f"/api/v1/events/{event_id}/join", {"payment_method": "stripe"})
    assert response.status_code == 201, response.json()
    return response.json()


def pay_by_card(payment_intent_id: str) -> dict:
    """What Stripe.js does for the player: attach a test card and confirm the intent."""
    card_holder = stripe_client()
    card_holder.v1.payment_intents.update(payment_intent_id, params={"payment_method": "pm_card_visa"})
    intent = card_holder.v1.payment_intents.confirm(payment_intent_id)
    assert intent.status == "succeeded"
    return intent.to_dict(for_json=True)


def stripe_reports_success(client, intent: dict) -> None:
    response = deliver(client, event("payment_intent.succeeded", intent))
    assert response.status_code == 200, response.json()


def card_refunds(payment_intent_id: str) -> list[int]:
    """The refunds localstripe holds for the intent, in sen."""
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": payment_intent_id})
    return [refund.amount for refund in refunds.data]


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def test_a_card_entry_is_pending_until_stripe_reports_the_payment(api_client, user, jwt_client):
    # given an event with a card entry opened through the API
    event_ = EventFactory(entry_fee=Decimal("20.00"))

    joined = join_by_card(jwt_client, event_.pk)

    # then it is pending with a PaymentIntent for the fee, and nothing is in escrow yet
    payment = ParticipantPayment.objects.get(registration_id=joined["join_event_id"])
    assert joined == {
        "join_event_id": payment.registration_id,
        "status": "pending",
        "payment": {
            "method": "stripe",
            "amount": "20.00",
            "payment_intent_id": payment.payment_intent_id,
            "client_secret": payment.client_secret,
        },
    }
    intent = stripe_client().v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (intent.amount, intent.currency, intent.client_secret) == (2000, "myr", payment.client_secret)
    assert intent.metadata["kind"] == "registration"
    detail = jwt_client.get(f"/api/v1/events/{event_.pk}").json()
    assert (detail["confirmed_count"], detail["pending_count"]) == (0, 1)
    assert escrow_wallet(event_).current_balance == Decimal("0.00")

    # when the player pays and Stripe reports it
    stripe_reports_success(api_client, pay_by_card(payment.payment_intent_id))

    # then the entry is confirmed and the fee is in escrow, not in any player's wallet
    registration = Registration.objects.get(pk=joined["join_event_id"])
    assert registration.status == Registration.Status.CONFIRMED
    payment.refresh_from_db()
    assert payment.status == ParticipantPayment.Status.SUCCEEDED
    assert escrow_wallet(event_).current_balance == Decimal("20.00")
    assert not LedgerEntry.objects.filter(wallet__owner=user).exists()
    detail = jwt_client.get(f"/api/v1/events/{event_.pk}").json()
    assert (detail["confirmed_count"], detail["pending_count"]) == (1, 0)
    assert detail["my_registration"]["status"] == "confirmed"
    assert wallet_reconcile().ok


def test_a_payment_arriving_after_the_event_filled_is_refunded_to_the_card(api_client, jwt_client, after_commit):
    # given a card entry still unpaid when wallet payers take both seats
    event_ = EventFactory(max_participants=2, entry_fee=Decimal("10.00"))
    joined = join_by_card(jwt_client, event_.pk)
    for _ in range(2):
        player = UserFactory()
        funded_wallet(player, "10.00")
        registration_join(event_id=event_.pk, user=player, payment_method="wallet")
    payment_intent_id = joined["payment"]["payment_intent_id"]

    # when the card payment succeeds anyway
    intent = pay_by_card(payment_intent_id)
    with after_commit():
        stripe_reports_success(api_client, intent)

    # then the entry is refunded, the whole fee goes back to the card, and escrow holds only the seated fees
    registration = Registration.objects.get(pk=joined["join_event_id"])
    assert registration.status == Registration.Status.REFUNDED
    payment = registration.payment
    assert (payment.status, payment.refunded_amount) == (ParticipantPayment.Status.REFUNDED, Decimal("10.00"))
    assert card_refunds(payment_intent_id) == [1000]
    assert escrow_wallet(event_).current_balance == Decimal("20.00")
    assert Registration.objects.filter(event=event_, status="confirmed").count() == 2
    assert wallet_reconcile().ok


def test_leaving_a_card_entry_refunds_the_card_in_full(api_client, jwt_client, after_commit):
    event_ = EventFactory(entry_fee=Decimal("10.00"))
    joined = join_by_card(jwt_client, event_.pk)
    payment_intent_id = joined["payment"]["payment_intent_id"]
    stripe_reports_success(api_client, pay_by_card(payment_intent_id))

    with after_commit():
        response = jwt_client.post(f"/api/v1/events/{event_.pk}/leave")

    assert response.status_code == 200, response.json()
    assert response.json()["refund"] == {"stripe": "10.00"}
    assert card_refunds(payment_intent_id) == [1000]
    assert escrow_wallet(event_).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_paying_an_abandoned_intent_after_joining_again_refunds_it(api_client, jwt_client, after_commit):
    # given a player who left while their card payment was outstanding, then joined again by card
    event_ = EventFactory(entry_fee=Decimal("10.00"))
    abandoned = join_by_card(jwt_client, event_.pk)
    assert jwt_client.post(f"/api/v1/events/{event_.pk}/leave").json()["refund"] is None
    current = join_by_card(jwt_client, event_.pk)
    old_intent_id = abandoned["payment"]["payment_intent_id"]

    # when the abandoned intent gets paid after all
    intent = pay_by_card(old_intent_id)
    with after_commit():
        stripe_reports_success(api_client, intent)

    # then that money goes back to the card and the current entry still waits for its own payment
    old_payment = ParticipantPayment.objects.get(payment_intent_id=old_intent_id)
    assert (old_payment.status, old_payment.refunded_amount) == (ParticipantPayment.Status.REFUNDED, Decimal("10.00"))
    assert card_refunds(old_intent_id) == [1000]
    assert Registration.objects.get(pk=current["join_event_id"]).status == Registration.Status.PENDING
    assert escrow_wallet(event_).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_cancelling_with_a_20_percent_penalty(api_client, after_commit):
    # given a published event whose prize pool is held from the organizer's wallet
    organizer = UserFactory()
    funded_wallet(organizer, "100.00")
    draft = EventFactory(
        status="draft",
        published_at=None,
        organizer=organizer,
        entry_fee=Decimal("10.00"),
        prize_pool=Decimal("100.00"),
        prize_distribution=[70, 30],
    )
    organizer_client = bearer_client(organizer)
    assert organizer_client.post(f"/api/v1/events/{draft.pk}/publish").status_code == 200
    assert usable(organizer) == Decimal("0.00")
    # and one player who paid from the wallet, one who paid by card
    wallet_payer, card_payer = UserFactory(), UserFactory()
    funded_wallet(wallet_payer, "10.00")
    paid = bearer_client(wallet_payer).post(f"/api/v1/events/{draft.pk}/join", {"payment_method": "wallet"})
    assert paid.status_code == 201
    joined = join_by_card(bearer_client(card_payer), draft.pk)
    payment_intent_id = joined["payment"]["payment_intent_id"]
    stripe_reports_success(api_client, pay_by_card(payment_intent_id))
    assert escrow_wallet(draft).current_balance == Decimal("120.00")

    # when the organizer cancels with a 20% penalty
    with after_commit():
        response = organizer_client.post(f"/api/v1/events/{draft.pk}/cancel", {"penalty_percent": 20})

    # then the wallet payer gets 80% back to the wallet, the card payer 80% back to the card
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "cancelled",
        "refunds": {str(wallet_payer.pk): {"wallet": "8.00"}, str(card_payer.pk): {"stripe": "8.00"}},
    }
    assert usable(wallet_payer) == Decimal("8.00")
    assert card_refunds(payment_intent_id) == [sen("8.00")]
    # and the organizer has the prize pool back, the platform the penalties, escrow nothing
    assert usable(organizer) == Decimal("100.00")
    assert Wallet.objects.get(reference=PLATFORM_FEES_REFERENCE).usable_balance == Decimal("4.00")
    assert escrow_wallet(draft).current_balance == Decimal("0.00")
    assert set(Registration.objects.filter(event=draft).values_list("status", flat=True)) == {"cancelled"}
    report = wallet_reconcile()
    assert report.ok, report.problems
    # and cancelling again changes nothing
    again = organizer_client.post(f"/api/v1/events/{draft.pk}/cancel", {"penalty_percent": 20})
    assert (again.status_code, again.json()["code"]) == (409, "already_cancelled")
    assert card_refunds(payment_intent_id) == [sen("8.00")]
