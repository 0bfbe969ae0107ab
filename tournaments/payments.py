"""Card and FPX entry fees reach the tournaments app through the wallet's one Stripe webhook."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from driftwood.core.i18n import lazy_format
from driftwood.core.money import money_field
from tournaments.models import Event, ParticipantPayment
from tournaments.services import card_entries
from wallet.services.payment_handlers import PaymentHandler


class RegistrationPaymentHandler(PaymentHandler):
    def payment_succeeded(self, *, payment_intent: dict, event) -> None:
        card_entries.card_payment_succeeded(
            payment_intent_id=payment_intent["id"],
            amount_sen=payment_intent.get("amount"),
            currency=str(payment_intent.get("currency") or ""),
        )

    def payment_failed(self, *, payment_intent: dict, event) -> None:
        card_entries.card_payment_failed(payment_intent_id=payment_intent["id"])

    def payment_canceled(self, *, payment_intent: dict, event) -> None:
        card_entries.card_payment_canceled(payment_intent_id=payment_intent["id"])


def card_entry_fees_captured() -> Decimal:
    """Card and FPX entry fees Stripe captured, for wallet_reconcile: each came in through Stripe
    clearing (a fee refunded because the event filled first too, on its way straight back out)."""
    paid = ParticipantPayment.objects.filter(
        method__in=[ParticipantPayment.Method.STRIPE, ParticipantPayment.Method.FPX],
        status__in=[ParticipantPayment.Status.SUCCEEDED, ParticipantPayment.Status.REFUNDED],
    )
    return paid.aggregate(total=Coalesce(Sum("amount"), Decimal("0.00"), output_field=money_field()))["total"]


def finished_event_escrow_problems() -> list[str]:
    """A cancelled event, or a completed one whose prizes were paid, holds nothing in escrow."""
    finished = Event.objects.filter(escrow_wallet__isnull=False).filter(
        Q(status=Event.Status.CANCELLED) | Q(status=Event.Status.COMPLETED, prizes_paid_at__isnull=False)
    )
    return [
        lazy_format(
            gettext_lazy("event %(id)s is %(status)s but its escrow still holds %(balance)s"),
            id=event_id,
            status=status,
            balance=balance,
        )
        for event_id, status, balance in finished.exclude(escrow_wallet__current_balance=0).values_list(
            "pk", "status", "escrow_wallet__current_balance"
        )
    ]
