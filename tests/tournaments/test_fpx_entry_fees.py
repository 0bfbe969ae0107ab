"""Entry fees paid by FPX: the join API, the request real Stripe gets, the webhook's outcomes (the
same path as cards), refunds through Stripe, the abandoned-payment sweep and the event page.

localstripe has no FPX: the development stand-in opens the intent there, and the player's bank
approval is a test card paid at localstripe (what the stand-in's Approve does). Stripe's events are
signed and posted to the webhook as Stripe sends them. Real Stripe's request is read back from a
recording HTTP stand-in.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory, funded_wallet
from tests.wallet.stripe_recorder import StripeRecorder, redirect_intent
from tests.wallet.stripe_support import deliver, event, pay_intent_with_card, require_localstripe, stripe_client
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.entry_payments import entry_payments_expire_abandoned
from tournaments.services.events import escrow_wallet
from tournaments.services.registrations import registration_join
from tournaments.tasks import entry_payments_expire
from wallet.models import CardRefund, LedgerEntry
from wallet.reconciliation import wallet_reconcile

pytestmark = pytest.mark.django_db
SITE = "https://driftwood.example"
BANK_PAGE = "https://pm-redirects.stripe.com/authorize/acct_1/pa_nonce_entry"


@pytest.fixture(autouse=True)
def _localstripe_and_in_process_tasks(settings):
    require_localstripe()
    settings.SITE_URL = SITE
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def join_by_fpx(client, event_id: int, bank: str = "maybank2u", **extra) -> dict:
    response = client.post(f"/api/v1/events/{event_id}/join", {"payment_method": "fpx", "fpx_bank": bank, **extra})
    assert response.status_code == 201, response.json()
    return response.json()


def stripe_reports(client, event_type: str, payment_intent_id: str, **overrides) -> None:
    intent = stripe_client().v1.payment_intents.retrieve(payment_intent_id).to_dict(for_json=True)
    response = deliver(client, event(event_type, {**intent, **overrides}))
    assert response.status_code == 200, response.json()


def bank_approves(client, payment_intent_id: str) -> None:
    """The player approves at the bank (the stand-in pays at localstripe); Stripe reports success."""
    pay_intent_with_card(payment_intent_id)
    stripe_reports(client, "payment_intent.succeeded", payment_intent_id)


def test_an_fpx_entry_is_pending_with_the_banks_page_until_stripe_reports_the_payment(api_client, jwt_client, user):
    event_ = EventFactory(entry_fee=Decimal("20.00"))

    joined = join_by_fpx(jwt_client, event_.pk)

    payment = ParticipantPayment.objects.get(registration_id=joined["join_event_id"])
    assert joined == {
        "join_event_id": payment.registration_id,
        "status": "pending",
        "payment": {
            "method": "fpx",
            "amount": "20.00",
            "payment_intent_id": payment.payment_intent_id,
            "client_secret": payment.client_secret,
            "fpx_bank": "maybank2u",
            "redirect_url": f"{SITE}/dev/stripe-redirect/{payment.payment_intent_id}/",
            "return_url": f"{SITE}/events/{event_.pk}/?payment={payment.pk}",
        },
    }
    assert escrow_wallet(event_).current_balance == Decimal("0.00")

    bank_approves(api_client, payment.payment_intent_id)

    assert Registration.objects.get(pk=payment.registration_id).status == Registration.Status.CONFIRMED
    assert escrow_wallet(event_).current_balance == Decimal("20.00")
    credit = LedgerEntry.objects.get(wallet=escrow_wallet(event_))
    assert credit.description == f"FPX entry fee: {event_.name}"
    assert not LedgerEntry.objects.filter(wallet__owner=user).exists()
    assert wallet_reconcile().ok


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payment_method": "fpx"}, "fpx_bank"),
        ({"payment_method": "fpx", "fpx_bank": "maybank"}, "fpx_bank"),
        ({"payment_method": "wallet", "fpx_bank": "cimb"}, "fpx_bank"),
        ({"payment_method": "stripe", "fpx_bank": "cimb"}, "fpx_bank"),
        ({"payment_method": "grabpay"}, "payment_method"),
    ],
    ids=["no-bank", "unknown-bank", "bank-for-wallet", "bank-for-card", "grabpay-is-for-top-ups"],
)
def test_a_bank_that_does_not_fit_is_400_and_enters_nothing(jwt_client, body, field):
    event_ = EventFactory(entry_fee=Decimal("20.00"))

    response = jwt_client.post(f"/api/v1/events/{event_.pk}/join", body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert not Registration.objects.exists()
    assert not ParticipantPayment.objects.exists()


def test_fpx_cannot_wait_on_a_full_events_waitlist(jwt_client):
    event_ = EventFactory(max_participants=2, entry_fee=Decimal("10.00"))
    for _ in range(2):
        seated = UserFactory()
        funded_wallet(seated, "10.00")
        registration_join(event_id=event_.pk, user=seated, payment_method="wallet")

    response = jwt_client.post(
        f"/api/v1/events/{event_.pk}/join", {"payment_method": "fpx", "fpx_bank": "cimb", "waitlist": True}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "payment_method": [
            "FPX pays at once, so it cannot wait for a seat: join the waitlist with your wallet or a card."
        ]
    }
    assert Registration.objects.filter(event=event_).count() == 2


def test_real_stripe_gets_the_bank_and_the_event_page_to_come_back_to(jwt_client, settings, user):
    event_ = EventFactory(entry_fee=Decimal("15.00"))
    settings.STRIPE_REDIRECT_STAND_IN = False
    with StripeRecorder(answer=(200, redirect_intent("fpx", url=BANK_PAGE, amount=1500))) as recorder:
        settings.STRIPE_API_BASE = recorder.url
        joined = join_by_fpx(jwt_client, event_.pk, bank="public_bank")

    payment = ParticipantPayment.objects.get()
    [request] = recorder.requests
    assert (request.path, request.idempotency_key) == ("/v1/payment_intents", f"registration-{payment.registration_id}")
    assert request.params == {
        "amount": "1500",
        "currency": "myr",
        "payment_method_types[0]": "fpx",
        "payment_method_data[type]": "fpx",
        "payment_method_data[fpx][bank]": "public_bank",
        "confirm": "true",
        "return_url": f"{SITE}/events/{event_.pk}/?payment={payment.pk}",
        "metadata[kind]": "registration",
        "metadata[registration_id]": str(payment.registration_id),
        "metadata[event_id]": str(event_.pk),
        "metadata[user_id]": str(user.pk),
        "metadata[description]": f"Entry fee: {event_.name}",
    }
    assert joined["payment"]["redirect_url"] == BANK_PAGE
    assert payment.redirect_url == BANK_PAGE


def test_an_idempotent_replay_is_the_same_fpx_entry(jwt_client):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    body = {"payment_method": "fpx", "fpx_bank": "rhb"}

    first = jwt_client.post(f"/api/v1/events/{event_.pk}/join", body, HTTP_IDEMPOTENCY_KEY="join-fpx")
    replay = jwt_client.post(f"/api/v1/events/{event_.pk}/join", body, HTTP_IDEMPOTENCY_KEY="join-fpx")

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert ParticipantPayment.objects.count() == 1


def test_a_replayed_success_pays_into_escrow_once(api_client, jwt_client):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    payment_intent_id = join_by_fpx(jwt_client, event_.pk)["payment"]["payment_intent_id"]
    pay_intent_with_card(payment_intent_id)
    intent = stripe_client().v1.payment_intents.retrieve(payment_intent_id).to_dict(for_json=True)
    succeeded = event("payment_intent.succeeded", intent)

    deliver(api_client, succeeded)
    deliver(api_client, succeeded)
    deliver(api_client, event("payment_intent.succeeded", intent))  # another event id, same payment

    assert escrow_wallet(event_).current_balance == Decimal("20.00")
    assert LedgerEntry.objects.filter(wallet=escrow_wallet(event_)).count() == 1


@pytest.mark.parametrize("event_type", ["payment_intent.payment_failed", "payment_intent.canceled"])
def test_a_failed_or_cancelled_fpx_payment_ends_the_entry_and_the_player_may_join_again(
    api_client, jwt_client, event_type
):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    joined = join_by_fpx(jwt_client, event_.pk)

    stripe_reports(api_client, event_type, joined["payment"]["payment_intent_id"])

    payment = ParticipantPayment.objects.get(registration_id=joined["join_event_id"])
    assert payment.status == ParticipantPayment.Status.FAILED
    assert payment.registration.status == Registration.Status.WITHDRAWN
    assert escrow_wallet(event_).current_balance == Decimal("0.00")
    again = join_by_fpx(jwt_client, event_.pk, bank="cimb")
    assert again["status"] == "pending"
    assert again["payment"]["payment_intent_id"] != joined["payment"]["payment_intent_id"]


def test_a_failed_card_attempt_still_leaves_the_entry_pending_for_another_card(api_client, jwt_client):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    joined = jwt_client.post(f"/api/v1/events/{event_.pk}/join", {"payment_method": "stripe"}).json()

    stripe_reports(api_client, "payment_intent.payment_failed", joined["payment"]["payment_intent_id"])

    assert Registration.objects.get(pk=joined["join_event_id"]).status == Registration.Status.PENDING


def test_an_fpx_payment_arriving_after_the_event_filled_is_refunded_through_stripe(
    api_client, jwt_client, after_commit
):
    event_ = EventFactory(max_participants=2, entry_fee=Decimal("10.00"))
    joined = join_by_fpx(jwt_client, event_.pk)
    for _ in range(2):
        seated = UserFactory()
        funded_wallet(seated, "10.00")
        registration_join(event_id=event_.pk, user=seated, payment_method="wallet")
    payment_intent_id = joined["payment"]["payment_intent_id"]

    with after_commit():
        bank_approves(api_client, payment_intent_id)

    payment = ParticipantPayment.objects.get(payment_intent_id=payment_intent_id)
    assert (payment.status, payment.refunded_amount) == (ParticipantPayment.Status.REFUNDED, Decimal("10.00"))
    refund = CardRefund.objects.get(payment_intent_id=payment_intent_id)
    assert (refund.state, refund.description) == ("succeeded", f"FPX refund: {event_.name} could not take this entry")
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": payment_intent_id}).data
    assert [refund.amount for refund in refunds] == [1000]
    assert wallet_reconcile().ok


def test_leaving_a_paid_fpx_entry_refunds_the_bank_account_through_stripe(api_client, jwt_client, after_commit):
    event_ = EventFactory(entry_fee=Decimal("10.00"))
    payment_intent_id = join_by_fpx(jwt_client, event_.pk)["payment"]["payment_intent_id"]
    bank_approves(api_client, payment_intent_id)

    with after_commit():
        response = jwt_client.post(f"/api/v1/events/{event_.pk}/leave")

    assert response.status_code == 200, response.json()
    assert response.json()["refund"] == {"fpx": "10.00"}
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": payment_intent_id}).data
    assert [refund.amount for refund in refunds] == [1000]
    assert escrow_wallet(event_).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_the_sweep_cancels_abandoned_fpx_entries_at_stripe_and_nothing_else(api_client, jwt_client, settings):
    settings.PAYMENT_ABANDON_MINUTES = 60
    event_ = EventFactory(entry_fee=Decimal("10.00"))
    abandoned = join_by_fpx(jwt_client, event_.pk)
    recent = join_by_fpx(bearer_client(UserFactory()), event_.pk)
    card = bearer_client(UserFactory()).post(f"/api/v1/events/{event_.pk}/join", {"payment_method": "stripe"}).json()
    ParticipantPayment.objects.exclude(registration_id=recent["join_event_id"]).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )

    assert entry_payments_expire() == 1

    ended = ParticipantPayment.objects.get(registration_id=abandoned["join_event_id"])
    assert ended.status == ParticipantPayment.Status.FAILED
    assert ended.registration.status == Registration.Status.WITHDRAWN
    intent = stripe_client().v1.payment_intents.retrieve(abandoned["payment"]["payment_intent_id"])
    assert intent.status == "canceled"
    assert Registration.objects.get(pk=recent["join_event_id"]).status == Registration.Status.PENDING
    assert Registration.objects.get(pk=card["join_event_id"]).status == Registration.Status.PENDING
    # and its canceled event, arriving after, changes nothing more
    stripe_reports(api_client, "payment_intent.canceled", abandoned["payment"]["payment_intent_id"])
    assert ParticipantPayment.objects.get(pk=ended.pk).status == ParticipantPayment.Status.FAILED


def test_the_sweep_leaves_an_entry_paid_at_the_last_minute_to_its_webhook(jwt_client, settings):
    settings.PAYMENT_ABANDON_MINUTES = 60
    event_ = EventFactory(entry_fee=Decimal("10.00"))
    joined = join_by_fpx(jwt_client, event_.pk)
    ParticipantPayment.objects.update(created_at=timezone.now() - timedelta(hours=2))
    pay_intent_with_card(joined["payment"]["payment_intent_id"])

    assert entry_payments_expire_abandoned() == 0
    assert Registration.objects.get(pk=joined["join_event_id"]).status == Registration.Status.PENDING


# --- The event page


def test_back_from_the_bank_the_event_page_says_processing(player_client, user, plain_static_storage):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    joined = join_by_fpx(bearer_client(user), event_.pk)
    payment = ParticipantPayment.objects.get(registration_id=joined["join_event_id"])

    page = player_client.get(f"/events/{event_.pk}/?payment={payment.pk}&redirect_status=succeeded").content.decode()

    assert 'data-payment-return="pending"' in page
    assert "Processing: waiting for Maybank2u to confirm your payment of RM 20.00." in page
    assert "Continue to your bank" not in page  # they were just there


def test_a_pending_fpx_entry_offers_the_way_back_to_the_bank(player_client, user, plain_static_storage):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    joined = join_by_fpx(bearer_client(user), event_.pk)

    page = player_client.get(f"/events/{event_.pk}/").content.decode()

    assert "Your place is confirmed as soon as your bank confirms the FPX payment." in page
    assert f'href="{joined["payment"]["redirect_url"]}"' in page
    assert 'id="card-finish-form"' not in page


def test_back_from_a_declined_payment_the_page_says_so_and_offers_to_join_again(
    api_client, player_client, user, plain_static_storage
):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    joined = join_by_fpx(bearer_client(user), event_.pk, bank="cimb")
    stripe_reports(api_client, "payment_intent.payment_failed", joined["payment"]["payment_intent_id"])
    payment = ParticipantPayment.objects.get(registration_id=joined["join_event_id"])

    page = player_client.get(f"/events/{event_.pk}/?payment={payment.pk}&redirect_status=failed").content.decode()

    assert 'data-payment-return="failed"' in page
    assert "CIMB Clicks did not approve the payment, or it was cancelled. You have not been charged" in page
    assert 'id="join-form"' in page


def test_someone_elses_payment_is_not_shown(player_client, plain_static_storage):
    event_ = EventFactory(entry_fee=Decimal("20.00"))
    joined = join_by_fpx(bearer_client(UserFactory()), event_.pk)
    payment = ParticipantPayment.objects.get(registration_id=joined["join_event_id"])

    page = player_client.get(f"/events/{event_.pk}/?payment={payment.pk}").content.decode()

    assert "data-payment-return" not in page
