"""Top-ups nobody finished are cancelled at Stripe after PAYMENT_ABANDON_MINUTES (wallet.tasks.topups_expire)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.wallet.stripe_recorder import StripeRecorder
from tests.wallet.stripe_support import pay_intent_with_card, require_localstripe, stripe_client
from wallet.models import TopUp, Wallet
from wallet.services.topup_expiry import topups_expire_abandoned
from wallet.services.topups import topup_create, topup_payment_open
from wallet.tasks import topups_expire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _localstripe(settings):
    require_localstripe()
    settings.PAYMENT_ABANDON_MINUTES = 60


def opened(user, method: str, *, minutes_ago: float, amount: str = "30.00") -> TopUp:
    topup = topup_create(
        user=user, amount=Decimal(amount), payment_method=method, fpx_bank="cimb" if method == "fpx" else ""
    )
    topup = topup_payment_open(topup_id=topup.pk)
    TopUp.objects.filter(pk=topup.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return topup


def intent_status(topup: TopUp) -> str:
    return stripe_client().v1.payment_intents.retrieve(topup.payment_intent_id).status


def test_an_abandoned_bank_payment_is_cancelled_at_stripe_and_here(user):
    abandoned = opened(user, "fpx", minutes_ago=61)
    recent = opened(user, "grabpay", minutes_ago=5)

    expired = topups_expire()

    assert expired == 1
    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert (abandoned.status, intent_status(abandoned)) == (TopUp.Status.CANCELLED, "canceled")
    assert abandoned.failure_reason == "Not paid within 60 minutes: cancelled at Stripe."
    assert (recent.status, intent_status(recent)) == (TopUp.Status.PENDING, "requires_payment_method")
    assert Wallet.objects.get(owner=user).current_balance == Decimal("0.00")


def test_an_abandoned_card_top_up_is_cancelled_too(user):
    card = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("10.00")).pk)
    TopUp.objects.filter(pk=card.pk).update(created_at=timezone.now() - timedelta(hours=2))

    assert topups_expire_abandoned() == 1
    card.refresh_from_db()
    assert card.status == TopUp.Status.CANCELLED


def test_a_payment_made_at_the_last_minute_is_left_for_its_webhook(user):
    # given a top-up the player paid just before the sweep, its webhook not yet in
    paid = opened(user, "grabpay", minutes_ago=61)
    pay_intent_with_card(paid.payment_intent_id)

    # when the sweep runs, Stripe refuses to cancel it
    assert topups_expire_abandoned() == 0

    # then it stays pending for the webhook to credit
    paid.refresh_from_db()
    assert (paid.status, intent_status(paid)) == (TopUp.Status.PENDING, "succeeded")


def test_a_top_up_never_opened_at_stripe_is_cancelled_without_asking_it(user):
    never_opened = topup_create(user=user, amount=Decimal("30.00"), payment_method="grabpay")
    TopUp.objects.filter(pk=never_opened.pk).update(created_at=timezone.now() - timedelta(hours=3))

    assert topups_expire_abandoned() == 1
    never_opened.refresh_from_db()
    assert never_opened.status == TopUp.Status.CANCELLED


def test_stripe_unreachable_leaves_it_pending_for_the_next_sweep(user, settings):
    abandoned = opened(user, "fpx", minutes_ago=90)
    settings.STRIPE_RETRY_DELAY_SECONDS = 0.01
    with StripeRecorder(answer=(500, {"error": {"type": "api_error", "message": "down"}})) as down:
        settings.STRIPE_API_BASE = down.url

        assert topups_expire_abandoned() == 0

    abandoned.refresh_from_db()
    assert abandoned.status == TopUp.Status.PENDING
    assert {request.idempotency_key for request in down.requests} == {f"topup-{abandoned.pk}-cancel"}


def test_a_settled_top_up_is_never_swept(user):
    failed = opened(user, "fpx", minutes_ago=600)
    TopUp.objects.filter(pk=failed.pk).update(status=TopUp.Status.FAILED)

    assert topups_expire_abandoned() == 0
    failed.refresh_from_db()
    assert failed.status == TopUp.Status.FAILED
