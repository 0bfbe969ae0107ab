"""Card refunds that cannot be forgotten: a row per refund, sent after commit, retried until Stripe confirms.

`card_refund_request` runs inside the caller's transaction: the money moves to the card
refunds account and a `CardRefund` row says a refund is owed, together or not at all. After
commit a task sends it to Stripe (no database transaction is open during the call) under the
row's idempotency key, so a timeout, a 5xx after Stripe refunded, a redelivered task or the
beat's retry all land on the same Stripe refund. Stripe's answer, or its `charge.refunded`
event, confirms it. A definite refusal marks it `failed` for staff, who can retry it.

This module owes, confirms and re-opens refunds and queues their sends; the send itself (what
the task and the beat run) is `wallet.services.card_refund_sending`.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from driftwood.core.stored_text import StoredText, as_english, money, with_description_text
from wallet import stripe_gateway, tasks
from wallet.models import CardRefund, LedgerEntry, Wallet
from wallet.services.balances import CARD_REFUNDS, STRIPE_CLEARING, Description, Leg, ledger_post, system_account
from wallet.services.card_refund_sending import OPEN_STATES, State

logger = logging.getLogger("driftwood.wallet.refunds")


def card_refund_request(
    *,
    source: Wallet | None,
    payer_wallet: Wallet,
    payment_intent_id: str,
    amount: Decimal,
    idempotency_key: str,
    description: Description,
    metadata: dict,
) -> CardRefund:
    """Owe `amount` back to the card of `payment_intent_id` (inside the caller's transaction).

    The money leaves `source` (an escrow; with no source it never entered a wallet and comes
    from Stripe clearing) and passes through the payer's wallet on its way to the card refunds
    account, so the player's own history shows the refund and where it went.
    """
    legs_metadata = {**metadata, "payment_intent_id": payment_intent_id}
    ledger_post(
        legs=[Leg(source or system_account(STRIPE_CLEARING), usable=-amount), Leg(payer_wallet, usable=amount)],
        transaction_type=LedgerEntry.Type.REFUND,
        description=description,
        metadata=legs_metadata,
    )
    to_card = ledger_post(
        legs=[Leg(payer_wallet, usable=-amount), Leg(system_account(CARD_REFUNDS), usable=amount)],
        transaction_type=LedgerEntry.Type.REFUND,
        description=StoredText(gettext_noop("Sent back to your card: %(amount)s"), amount=money(amount)),
        metadata=legs_metadata,
    )
    refund = CardRefund.objects.create(
        payment_intent_id=payment_intent_id,
        amount=amount,
        idempotency_key=idempotency_key,
        description=as_english(description)[:255],
        metadata=with_description_text(metadata, description),
        ledger_transaction_id=to_card.ledger_transaction_id,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue_send(refund.pk))
    return refund


def _enqueue_send(card_refund_id: int) -> None:
    try:
        tasks.card_refund_send.delay(card_refund_id=card_refund_id)
    except Exception:  # noqa: BLE001 - the row is the promise; the beat sends it if the queue is down
        logger.warning("card refund %s: could not queue the send; the retry beat will send it", card_refund_id)


def card_refunds_confirm(*, payment_intent_id: str, charge: dict) -> int:
    """`charge.refunded`: Stripe confirms refunds of this intent; returns how many were confirmed.

    Refunds are matched by their Stripe id when the charge lists them, else oldest first while
    the charge's running refunded total covers them.
    """
    listed = {
        item.get("id"): item.get("status")
        for item in ((charge.get("refunds") or {}).get("data") or [])
        if isinstance(item, dict)
    }
    refunded = stripe_gateway.from_sen(int(charge.get("amount_refunded") or 0))
    confirmed, covered = 0, Decimal(0)
    now = timezone.now()
    with transaction.atomic():
        refunds = CardRefund.objects.select_for_update().filter(payment_intent_id=payment_intent_id).order_by("pk")
        for refund in refunds:
            if refund.state == State.FAILED:
                continue
            covered += refund.amount
            by_id = listed.get(refund.stripe_refund_id) == "succeeded"
            if refund.state in OPEN_STATES and (by_id or covered <= refunded):
                refund.state, refund.confirmed_at = State.SUCCEEDED, now
                refund.sent_at = refund.sent_at or now
                refund.next_attempt_at = None
                refund.save(update_fields=["state", "confirmed_at", "sent_at", "next_attempt_at"])
                confirmed += 1
    return confirmed


def card_refund_retry(*, card_refund_id: int, staff) -> CardRefund:
    """Staff send a failed refund again, under a new Stripe idempotency key (Stripe keeps the
    old key's refusal)."""
    with transaction.atomic():
        refund = CardRefund.objects.select_for_update().get(pk=card_refund_id)
        if refund.state != State.FAILED:
            return refund
        refund.key_generation += 1
        refund.state = State.REQUESTED
        refund.next_attempt_at = timezone.now()
        refund.last_error = f"Retried by staff {staff.get_username()}; was: {refund.last_error}"[:1000]
        refund.save()
        transaction.on_commit(lambda: _enqueue_send(refund.pk))
    logger.warning("card refund %s retried by staff %s", refund.pk, staff.pk)
    return refund
