"""Stripe's word on a card or FPX entry fee (through the wallet's webhook): confirm the entry if it
still fits (a seat held for it counts as its own), refund the card (or the FPX bank account: Stripe
refunds both the same way) otherwise. A failed FPX payment, or a cancelled intent, ends the entry."""

import logging

from django.utils.translation import gettext_noop

from driftwood.core.money import CURRENCY
from driftwood.core.stored_text import StoredText
from tournaments import notifications
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.entry_payments import entry_payment_end_unpaid
from tournaments.services.events import escrow_wallet, event_lock, registration_end
from tournaments.services.refunds import card_refund_key, refund_text
from tournaments.services.registration_rules import registration_is_open
from tournaments.services.registrations import registration_confirm, seats_taken
from wallet.models import LedgerEntry
from wallet.services.balances import STRIPE_CLEARING, system_account, wallet_credit, wallet_get_or_create
from wallet.services.card_payments import amount_in_sen
from wallet.services.card_refunds import card_refund_request

logger = logging.getLogger("driftwood.tournaments")
# The escrow's ledger row for a paid entry fee (a card's by default).
ENTRY_FEE_TEXTS = {ParticipantPayment.Method.FPX: gettext_noop("FPX entry fee: %(event)s")}
CARD_ENTRY_FEE_TEXT = gettext_noop("Card entry fee: %(event)s")


def card_payment_succeeded(*, payment_intent_id: str, amount_sen: int | None = None, currency: str = CURRENCY):
    """Stripe captured an entry fee: confirm the entry if it still fits, else refund the card.

    `amount_sen`/`currency` are what Stripe says it charged: anything but this entry's fee in
    MYR is never credited (logged at ERROR for staff to settle by hand).
    """
    payment = ParticipantPayment.objects.filter(payment_intent_id=payment_intent_id).first()
    if payment is None:
        return None
    event = event_lock(payment.event_id)
    payment = ParticipantPayment.objects.select_for_update().select_related("registration").get(pk=payment.pk)
    registration = Registration.objects.select_for_update().get(pk=payment.registration_id)
    if payment.status in (ParticipantPayment.Status.SUCCEEDED, ParticipantPayment.Status.REFUNDED):
        return payment  # already settled (a redelivered or out-of-order event)
    charged = (amount_in_sen(payment.amount) if amount_sen is None else amount_sen, currency.upper())
    if charged != (amount_in_sen(payment.amount), CURRENCY):
        logger.error(
            "card entry fee %s: Stripe reported %s sen %s, not the fee of RM %s: not credited",
            payment.pk,
            *charged,
            payment.amount,
        )
        payment.status = ParticipantPayment.Status.FAILED
        payment.save(update_fields=["status", "updated_at"])
        return payment
    # PENDING, or FAILED because the player left or the event was cancelled while paying.
    metadata = {"event_id": event.pk, "registration_id": registration.pk, "payment_id": payment.pk}
    if (
        registration.status == Registration.Status.PENDING
        and registration_is_open(event)
        and (seats_taken(event, but=registration) < event.max_participants)
    ):
        payment.status = ParticipantPayment.Status.SUCCEEDED
        payment.save(update_fields=["status", "updated_at"])
        wallet_credit(
            wallet=escrow_wallet(event),
            amount=payment.amount,
            source=system_account(STRIPE_CLEARING),
            transaction_type=LedgerEntry.Type.ENTRY_FEE,
            description=StoredText(ENTRY_FEE_TEXTS.get(payment.method, CARD_ENTRY_FEE_TEXT), event=event.name),
            metadata={**metadata, "payment_intent_id": payment_intent_id},
        )
        registration_confirm(registration)
    else:
        # Too late: the money never enters a wallet and goes straight back to the card. The payment
        # never counts as live: the player may have joined again with another one meanwhile.
        payment.refunded_amount = payment.amount
        payment.status = ParticipantPayment.Status.REFUNDED
        payment.save(update_fields=["status", "refunded_amount", "updated_at"])
        card_refund_request(
            source=None,
            payer_wallet=wallet_get_or_create(user=payment.payer),
            payment_intent_id=payment_intent_id,
            amount=payment.amount,
            idempotency_key=card_refund_key(payment),
            description=refund_text(
                payment.method, StoredText(gettext_noop("%(event)s could not take this entry"), event=event.name)
            ),
            metadata=metadata,
        )
        if registration.is_active:
            registration_end(registration, Registration.Status.REFUNDED)
    notifications.registration_changed(registration)
    return payment


def card_payment_failed(*, payment_intent_id: str) -> None:
    """A card attempt failed; the intent stays usable, so the entry stays pending for a retry. An FPX
    payment failed at the bank (declined, or cancelled by the player): the entry ends, nothing paid."""
    payment = ParticipantPayment.objects.filter(payment_intent_id=payment_intent_id).first()
    if payment is not None and payment.method == ParticipantPayment.Method.FPX:
        entry_payment_end_unpaid(payment_id=payment.pk)
        return
    notifications.payment_failed(payment_intent_id)


def card_payment_canceled(*, payment_intent_id: str) -> None:
    """The intent can never be paid (cancelled at Stripe): a pending entry ends, a held seat freed."""
    payment = ParticipantPayment.objects.filter(payment_intent_id=payment_intent_id).first()
    if payment is not None:
        entry_payment_end_unpaid(payment_id=payment.pk)
