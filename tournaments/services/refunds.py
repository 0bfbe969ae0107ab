"""Giving an entry fee back, to wherever it came from."""

from decimal import Decimal
from functools import partial

from django.db import transaction

from tournaments.models import ParticipantPayment
from tournaments.tasks import stripe_refund_send
from wallet.models import LedgerEntry, Wallet
from wallet.services.balances import wallet_debit, wallet_get_or_create, wallet_transfer

Method = ParticipantPayment.Method


def payment_refund(*, payment: ParticipantPayment, escrow: Wallet, amount: Decimal, reason: str) -> None:
    """Refund `amount` of a succeeded payment out of the event's escrow (inside the caller's transaction).

    Wallet payments go straight back to the payer's wallet. Card payments leave escrow now
    and reach the card through a Stripe refund sent after commit by a retried task; its
    idempotency key is fixed by the payment, so a retry can never refund twice.
    """
    metadata = {"event_id": payment.event_id, "registration_id": payment.registration_id, "payment_id": payment.pk}
    if amount > 0 and payment.method == Method.WALLET:
        wallet_transfer(
            source=escrow,
            destination=wallet_get_or_create(user=payment.payer),
            amount=amount,
            transaction_type=LedgerEntry.Type.REFUND,
            description=f"Refund: {reason}",
            metadata=metadata,
        )
    elif amount > 0:
        wallet_debit(
            wallet=escrow,
            amount=amount,
            transaction_type=LedgerEntry.Type.REFUND,
            description=f"Card refund: {reason}",
            metadata={**metadata, "payment_intent_id": payment.payment_intent_id},
        )
        transaction.on_commit(
            partial(
                stripe_refund_send.delay,
                payment_intent_id=payment.payment_intent_id,
                amount=str(amount),
                idempotency_key=f"registration-{payment.registration_id}-refund",
            )
        )
    payment.refunded_amount += amount
    payment.status = ParticipantPayment.Status.REFUNDED
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
