"""Card entry fees reach the tournaments app through the wallet's one Stripe webhook."""

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from driftwood.core.money import money_field
from tournaments.models import Event, ParticipantPayment
from tournaments.services import registrations
from wallet.models import ZERO
from wallet.reconciliation import CardFlows
from wallet.services.payment_handlers import PaymentHandler


class RegistrationPaymentHandler(PaymentHandler):
    def payment_succeeded(self, *, payment_intent: dict, event) -> None:
        registrations.card_payment_succeeded(
            payment_intent_id=payment_intent["id"],
            amount_sen=payment_intent.get("amount"),
            currency=str(payment_intent.get("currency") or ""),
        )

    def payment_failed(self, *, payment_intent: dict, event) -> None:
        registrations.card_payment_failed(payment_intent_id=payment_intent["id"])


def card_entry_fee_flows() -> CardFlows:
    """Card entry fees Stripe captured, and what went back to cards (for wallet_reconcile).

    A fee refunded because the event filled first never entered escrow: it appears in both sums.
    """
    paid = ParticipantPayment.objects.filter(
        method=ParticipantPayment.Method.STRIPE,
        status__in=[ParticipantPayment.Status.SUCCEEDED, ParticipantPayment.Status.REFUNDED],
    )
    sums = paid.aggregate(
        paid_in=Coalesce(Sum("amount"), ZERO, output_field=money_field()),
        refunded=Coalesce(Sum("refunded_amount"), ZERO, output_field=money_field()),
    )
    return CardFlows(paid_in=sums["paid_in"], refunded=sums["refunded"])


def finished_event_escrow_problems() -> list[str]:
    """A cancelled event, or a completed one whose prizes were paid, holds nothing in escrow."""
    finished = Event.objects.filter(escrow_wallet__isnull=False).filter(
        Q(status=Event.Status.CANCELLED) | Q(status=Event.Status.COMPLETED, prizes_paid_at__isnull=False)
    )
    return [
        f"event {event_id} is {status} but its escrow still holds {balance}"
        for event_id, status, balance in finished.exclude(escrow_wallet__current_balance=0).values_list(
            "pk", "status", "escrow_wallet__current_balance"
        )
    ]
