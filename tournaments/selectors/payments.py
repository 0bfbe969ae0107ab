"""A player's own entry-fee payment, as the event page shows it when the bank sends them back."""

from django.utils.translation import gettext as _

from driftwood.core.money import format_money
from tournaments.models import Event, ParticipantPayment
from wallet.services.payment_methods import fpx_bank_name

Status = ParticipantPayment.Status


def payment_of(*, user, event: Event, payment_id) -> ParticipantPayment | None:
    """The caller's own payment for the event (`?payment=<id>` on the event page), or None."""
    if not user.is_authenticated or not str(payment_id).isdigit():
        return None
    return ParticipantPayment.objects.filter(pk=int(payment_id), event=event, payer=user).first()


def payment_return_message(payment: ParticipantPayment) -> str:
    """Where an entry fee paid at the bank stands, in plain words."""
    amount = format_money(payment.amount, style="page")
    bank = fpx_bank_name(payment.fpx_bank) if payment.fpx_bank else _("your bank")
    if payment.status == Status.PENDING:
        return _(
            "Processing: waiting for %(bank)s to confirm your payment of %(amount)s. "
            "Your place is confirmed as soon as it does."
        ) % {"bank": bank, "amount": amount}
    if payment.status == Status.SUCCEEDED:
        return _("Your payment of %(amount)s went through: your place is confirmed.") % {"amount": amount}
    if payment.status == Status.REFUNDED:
        return _("Your payment of %(amount)s is being refunded to where it came from.") % {"amount": amount}
    return _(
        "%(bank)s did not approve the payment, or it was cancelled. You have not been charged and you are "
        "not entered: choose how to pay and join again."
    ) % {"bank": bank}
