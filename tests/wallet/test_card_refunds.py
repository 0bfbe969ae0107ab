"""Card refunds are rows that are sent after commit and retried until Stripe confirms them.

localstripe plays Stripe; `StripeProxy` in front of it loses Stripe's answer after the refund
was made (a 500 after the work), and a closed port plays Stripe being down.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from tests import services
from tests.factories import UserFactory
from tests.wallet.stripe_proxy import StripeProxy
from tests.wallet.stripe_support import (
    deliver,
    event,
    paid_intent,
    refunds_at_stripe,
    require_localstripe,
    stripe_client,
)
from wallet import tasks
from wallet.models import CardRefund, LedgerEntry
from wallet.services.balances import CARD_REFUNDS, STRIPE_CLEARING, wallet_get_or_create
from wallet.services.card_refund_sending import card_refunds_retry_due
from wallet.services.card_refunds import card_refund_request, card_refund_retry

pytestmark = pytest.mark.django_db
State = CardRefund.State


@pytest.fixture(autouse=True)
def _localstripe_and_in_process_tasks(settings):
    require_localstripe()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def owe(payment_intent_id: str, amount: str, *, key: str = "test-refund") -> CardRefund:
    with transaction.atomic():
        return card_refund_request(
            source=None,
            payer_wallet=wallet_get_or_create(user=UserFactory(username=f"payer-{key}")),
            payment_intent_id=payment_intent_id,
            amount=Decimal(amount),
            idempotency_key=key,
            description="Card refund: test",
            metadata={"test": True},
        )


def test_a_refund_is_owed_in_the_books_and_sent_only_after_commit(django_capture_on_commit_callbacks):
    intent = paid_intent("25.00")

    with django_capture_on_commit_callbacks() as queued:
        refund = owe(intent, "25.00")
    # then, before commit, the books say it is owed and Stripe has not been asked
    assert refund.state == State.REQUESTED
    assert refunds_at_stripe(intent) == []
    payer = "user:" + str(refund.ledger_transaction.legs.get(wallet__kind="player").wallet.owner_id)
    legs = LedgerEntry.objects.filter(transaction_type="refund").order_by("ledger_transaction", "wallet__reference")
    assert list(legs.values_list("wallet__reference", "amount")) == [
        (STRIPE_CLEARING, Decimal("-25.00")),
        (payer, Decimal("25.00")),  # the player's history shows the refund ...
        (CARD_REFUNDS, Decimal("25.00")),
        (payer, Decimal("-25.00")),  # ... and that it went back to the card
    ]

    # when the transaction commits
    for callback in queued:
        callback()

    # then it is sent once and Stripe's answer confirms it
    refund.refresh_from_db()
    assert (refund.state, refund.attempts) == (State.SUCCEEDED, 1)
    assert refund.stripe_refund_id.startswith("re_") and refund.confirmed_at is not None
    assert refunds_at_stripe(intent) == [2500]


def test_a_500_after_stripe_refunded_is_retried_without_refunding_twice(settings, django_capture_on_commit_callbacks):
    intent = paid_intent("40.00")
    with StripeProxy(settings.STRIPE_API_BASE) as proxy:
        settings.STRIPE_API_BASE = proxy.url
        proxy.mode = "fail_after"

        # when Stripe makes the refund but its answer is a 500
        with django_capture_on_commit_callbacks(execute=True):
            refund = owe(intent, "40.00")
        refund.refresh_from_db()

        # then the refund is still owed (unknown, not failed), and Stripe did make it
        assert proxy.failed_after_work == ["/v1/refunds"]
        assert (refund.state, refund.attempts) == (State.REQUESTED, 1)
        assert "HTTP 500" in refund.last_error
        assert refund.next_attempt_at > timezone.now()
        assert refunds_at_stripe(intent) == [4000]

        # when Stripe answers again and the beat retries it
        proxy.mode = "pass"
        tried = card_refunds_retry_due(now=timezone.now() + timedelta(hours=2))
        settings.STRIPE_API_BASE = proxy.upstream

    # then the retry found the refund Stripe had made, and made no second one
    refund.refresh_from_db()
    assert tried == 1
    assert refund.state == State.SUCCEEDED
    assert refunds_at_stripe(intent) == [4000]


def test_stripe_down_keeps_the_refund_owed_with_a_growing_backoff(settings, django_capture_on_commit_callbacks):
    intent = paid_intent("10.00")
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{services.free_port()}"  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        refund = owe(intent, "10.00")
    refund.refresh_from_db()
    first_wait = refund.next_attempt_at - timezone.now()
    card_refunds_retry_due(now=refund.next_attempt_at)
    refund.refresh_from_db()
    second_wait = refund.next_attempt_at - timezone.now()

    assert (refund.state, refund.attempts) == (State.REQUESTED, 2)
    assert "APIConnectionError" in refund.last_error
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=30)
    assert timedelta(seconds=50) < second_wait <= timedelta(seconds=60)
    # nothing is due before its backoff has passed
    assert card_refunds_retry_due(now=timezone.now()) == 0


def test_a_refused_refund_is_failed_for_staff_who_can_send_it_again(
    staff_user, caplog, django_capture_on_commit_callbacks
):
    # given a refund Stripe refuses (the payment has not been captured yet)
    intent = paid_intent("15.00", pay=False)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        refund = owe(intent, "15.00", key="refused-refund")
    refund.refresh_from_db()
    assert refund.state == State.FAILED
    assert "Cannot refund" in refund.last_error
    assert any("card refund" in record.getMessage() and record.levelname == "ERROR" for record in caplog.records)
    assert card_refunds_retry_due(now=timezone.now() + timedelta(days=1)) == 0  # a failure is not retried alone

    # when the payment goes through and staff retry the refund
    stripe_client().v1.payment_intents.update(intent, params={"payment_method": "pm_card_visa"})
    stripe_client().v1.payment_intents.confirm(intent)
    with django_capture_on_commit_callbacks(execute=True):
        card_refund_retry(card_refund_id=refund.pk, staff=staff_user)

    # then it is sent under a new Stripe key (Stripe keeps the old key's refusal) and succeeds
    refund.refresh_from_db()
    assert (refund.state, refund.key_generation) == (State.SUCCEEDED, 1)
    assert refund.stripe_idempotency_key == "refused-refund-retry1"
    assert refunds_at_stripe(intent) == [1500]


def test_charge_refunded_confirms_a_refund_stripe_had_accepted(api_client):
    refund = CardRefund.objects.create(
        payment_intent_id="pi_confirmed_by_webhook",
        amount=Decimal("12.00"),
        idempotency_key="webhook-refund",
        state=State.SENT,
        stripe_refund_id="re_pending_one",
        description="Card refund",
        sent_at=timezone.now(),
    )
    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 1200,
        "amount_refunded": 1200,
        "currency": "myr",
        "payment_intent": refund.payment_intent_id,
        "metadata": {},
        "refunds": {"data": [{"id": "re_pending_one", "status": "succeeded"}]},
    }

    response = deliver(api_client, event("charge.refunded", charge))

    assert response.status_code == 200
    refund.refresh_from_db()
    assert refund.state == State.SUCCEEDED and refund.confirmed_at is not None
    assert not LedgerEntry.objects.exists()  # nothing new: it was in the books when it was owed


def test_the_beat_task_sends_what_is_due(settings):
    intent = paid_intent("7.00")
    settings.STRIPE_API_BASE, real = f"http://127.0.0.1:{services.free_port()}", settings.STRIPE_API_BASE
    refund = owe(intent, "7.00")  # the send after commit never happens here: Stripe is down anyway
    CardRefund.objects.filter(pk=refund.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    settings.STRIPE_API_BASE = real

    assert tasks.card_refunds_retry.apply().get() == 1

    refund.refresh_from_db()
    assert refund.state == State.SUCCEEDED
    assert refunds_at_stripe(intent) == [700]
