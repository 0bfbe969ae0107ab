"""Sending owed card refunds to Stripe: what the `card_refund_send` task and the retry beat run.

Each attempt reads the `CardRefund` row, calls Stripe with no database transaction open, under
the row's idempotency key (after an attempt whose answer was lost, it first looks for the refund
at Stripe), and records the answer: `succeeded`, `sent` (Stripe is still working on it),
`failed` on a definite refusal, or the same state with a backoff on a timeout or 5xx. Owing a
refund and queueing its send is `wallet.services.card_refunds`.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from wallet import stripe_gateway
from wallet.exceptions import PaymentProviderError
from wallet.models import CardRefund

logger = logging.getLogger("driftwood.wallet.refunds")

State = CardRefund.State
OPEN_STATES = (State.REQUESTED, State.SENT)
# The metadata key naming our refund at Stripe (its value is the refund's idempotency key).
REFUND_REFERENCE = "driftwood_refund"
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff, capped: 30 s, 1 min, 2 min, ... at most an hour."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


def card_refund_send(*, card_refund_id: int) -> CardRefund:
    """Send (or re-send) one owed refund to Stripe and record what Stripe said."""
    refund = CardRefund.objects.get(pk=card_refund_id)
    if refund.state not in OPEN_STATES:
        return refund
    try:
        stripe_refund = _already_at_stripe(refund) or stripe_gateway.refund_create(
            payment_intent_id=refund.payment_intent_id,
            amount=refund.amount,
            idempotency_key=refund.stripe_idempotency_key,
            metadata={REFUND_REFERENCE: refund.stripe_idempotency_key},
        )
    except PaymentProviderError as exc:
        if exc.definite:
            return _record(refund, state=State.FAILED, error=exc.detail)
        return _record(refund, state=refund.state, error=exc.detail, retry=True)
    if stripe_refund.status in ("failed", "canceled"):
        reason = getattr(stripe_refund, "failure_reason", None) or stripe_refund.status
        return _record(refund, state=State.FAILED, error=f"Stripe refund {stripe_refund.status}: {reason}")
    state = State.SUCCEEDED if stripe_refund.status == "succeeded" else State.SENT
    return _record(refund, state=state, stripe_refund_id=stripe_refund.id, retry=state == State.SENT)


def _already_at_stripe(refund: CardRefund):
    """After an attempt whose answer was lost (a timeout, a 5xx after Stripe did it), look for
    the refund at Stripe before sending again: the idempotency key already prevents a second
    refund within Stripe's 24 hours, this also covers a retry after that."""
    if refund.attempts == 0 and refund.state == State.REQUESTED:
        return None
    return stripe_gateway.refund_find(
        payment_intent_id=refund.payment_intent_id, metadata_key=REFUND_REFERENCE, value=refund.stripe_idempotency_key
    )


def _record(refund: CardRefund, *, state: str, error: str = "", stripe_refund_id: str = "", retry: bool = False):
    """Write an attempt's outcome, unless the refund was settled meanwhile (e.g. by the webhook)."""
    now = timezone.now()
    with transaction.atomic():
        refund = CardRefund.objects.select_for_update().get(pk=refund.pk)
        if refund.state not in OPEN_STATES:
            return refund
        refund.attempts += 1
        refund.state = state
        refund.last_error = error[:1000]
        refund.stripe_refund_id = stripe_refund_id or refund.stripe_refund_id
        refund.next_attempt_at = now + retry_delay(refund.attempts) if retry else None
        if state == State.SENT and refund.sent_at is None:
            refund.sent_at = now
        if state == State.SUCCEEDED:
            refund.sent_at = refund.sent_at or now
            refund.confirmed_at = now
        refund.save()
    if state == State.FAILED:
        logger.error("card refund %s of RM %s failed: %s", refund.pk, refund.amount, error)
    elif error:
        logger.warning("card refund %s: Stripe did not answer (%s); retrying later", refund.pk, error)
    return refund


def card_refunds_due(*, now=None) -> list[int]:
    """Owed refunds whose next attempt is due (the beat re-sends them)."""
    now = now or timezone.now()
    return list(
        CardRefund.objects.filter(state__in=OPEN_STATES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )


def card_refunds_retry_due(*, now=None) -> int:
    """Send every due refund now (the beat's job); returns how many were tried."""
    due = card_refunds_due(now=now)
    for card_refund_id in due:
        card_refund_send(card_refund_id=card_refund_id)
    return len(due)
