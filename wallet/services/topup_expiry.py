"""Top-ups nobody finished: cancelled at Stripe, so nothing stays pending for ever.

A player who leaves the bank's or GrabPay's page (or the card form) without paying leaves a
PaymentIntent that Stripe never settles by itself. After PAYMENT_ABANDON_MINUTES the beat
(`wallet.tasks.topups_expire`) cancels it at Stripe, outside any transaction, and marks the
top-up `cancelled` once Stripe says the intent is `canceled` (its `payment_intent.canceled`
webhook says it again, to no further effect). Stripe refuses to cancel an intent that succeeded
or is processing: that top-up stays pending and its `payment_intent.succeeded` webhook credits
it. A top-up whose intent was never opened (the request died before Stripe answered, and no
retry came) had no page anyone could pay on: it is cancelled at once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wallet.models import TopUp
from wallet.services.card_payments import payment_intent_cancel

logger = logging.getLogger(__name__)


def topups_expire_abandoned(*, now: datetime | None = None) -> int:
    """Cancel pending top-ups opened more than PAYMENT_ABANDON_MINUTES ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.PAYMENT_ABANDON_MINUTES)
    stale = TopUp.objects.filter(status=TopUp.Status.PENDING, created_at__lte=cutoff).order_by("pk")
    return sum(topup_abandon(topup_id=topup_id) for topup_id in stale.values_list("pk", flat=True))


def topup_abandon(*, topup_id: int) -> bool:
    """Cancel one unfinished top-up at Stripe, then here; False when it was paid or Stripe is unsure."""
    topup = TopUp.objects.get(pk=topup_id)
    if topup.status != TopUp.Status.PENDING:
        return False
    if topup.payment_intent_id:
        status = payment_intent_cancel(
            payment_intent_id=topup.payment_intent_id, idempotency_key=f"topup-{topup.pk}-cancel"
        )
        if status != "canceled":
            return False
    with transaction.atomic():
        topup = TopUp.objects.select_for_update().get(pk=topup_id)
        if topup.status != TopUp.Status.PENDING:
            return False
        topup.status = TopUp.Status.CANCELLED
        minutes = f"{settings.PAYMENT_ABANDON_MINUTES:g}"
        topup.failure_reason = f"Not paid within {minutes} minutes: cancelled at Stripe."
        topup.save(update_fields=["status", "failure_reason", "updated_at"])
    logger.info("Top-up %s (%s) abandoned: cancelled", topup.pk, topup.payment_method)
    return True
