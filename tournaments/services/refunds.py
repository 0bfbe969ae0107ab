"""Giving an entry fee back, to wherever it came from."""

from decimal import Decimal

from django.utils.translation import gettext_noop

from driftwood.core.stored_text import StoredText
from tournaments.models import ParticipantPayment
from wallet.models import LedgerEntry, Wallet
from wallet.services.balances import wallet_get_or_create, wallet_transfer
from wallet.services.card_refunds import card_refund_request

Method = ParticipantPayment.Method
# The payer's ledger row, by how they paid (a card by default), in the reader's language where shown.
REFUND_TEXTS = {
    Method.WALLET: gettext_noop("Refund: %(reason)s"),
    Method.FPX: gettext_noop("FPX refund: %(reason)s"),
}
CARD_REFUND_TEXT = gettext_noop("Card refund: %(reason)s")


def refund_text(method: str, reason: str | StoredText) -> StoredText:
    """ "Refund: <reason>", "FPX refund: <reason>", "Card refund: <reason>"."""
    return StoredText(REFUND_TEXTS.get(method, CARD_REFUND_TEXT), reason=reason)


def card_refund_key(payment: ParticipantPayment) -> str:
    """The one refund a card or FPX entry fee can have (Stripe's idempotency key for it)."""
    return f"registration-{payment.registration_id}-refund"


def payment_refund(*, payment: ParticipantPayment, escrow: Wallet, amount: Decimal, reason: str | StoredText) -> None:
    """Refund `amount` of a succeeded payment out of the event's escrow (inside the caller's transaction).

    Wallet payments go straight back to the payer's wallet. Card and FPX payments leave escrow
    now (through the payer's wallet, so its history shows them) with a durable `CardRefund` row,
    sent to Stripe after commit and retried until confirmed: Stripe refunds an FPX charge to the
    payer's bank account through the same Refunds API as a card's. `reason`: the event's name, or
    a StoredText saying what happened to it.
    """
    metadata = {"event_id": payment.event_id, "registration_id": payment.registration_id, "payment_id": payment.pk}
    payer_wallet = wallet_get_or_create(user=payment.payer)
    if amount > 0 and payment.method == Method.WALLET:
        wallet_transfer(
            source=escrow,
            destination=payer_wallet,
            amount=amount,
            transaction_type=LedgerEntry.Type.REFUND,
            description=refund_text(payment.method, reason),
            metadata=metadata,
        )
    elif amount > 0:
        card_refund_request(
            source=escrow,
            payer_wallet=payer_wallet,
            payment_intent_id=payment.payment_intent_id,
            amount=amount,
            idempotency_key=card_refund_key(payment),
            description=refund_text(payment.method, reason),
            metadata=metadata,
        )
    payment.refunded_amount += amount
    payment.status = ParticipantPayment.Status.REFUNDED
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
