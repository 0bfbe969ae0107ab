"""Entry fees paid through Stripe, by card or by FPX: opening the payment, and ending an entry
whose payment will never arrive.

A card entry's PaymentIntent waits for the browser (Stripe.js); an FPX one is created confirmed
with the player's bank and a `return_url` back to the event page (`?payment=<id>`), and the player
approves it on the bank's page (`redirect_url`). Either way Stripe's webhook settles it
(`card_entries`, through the wallet's one webhook). An FPX payment that fails, or that Stripe
cancels (the beat's `entry_payments_expire_abandoned` cancels one left unpaid past
PAYMENT_ABANDON_MINUTES), ends the pending entry: nothing stays half-done, and the player may
join again. A card payment that fails stays pending: the page lets the player try another card.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tournaments import notifications
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.events import event_lock, registration_end
from wallet.exceptions import PaymentProviderError
from wallet.services.card_payments import card_payment_intent_open, payment_intent_cancel, redirect_payment_open

logger = logging.getLogger("driftwood.tournaments")
Method = ParticipantPayment.Method
PAYMENT_KIND = "registration"
STRIPE_METHODS = (Method.STRIPE, Method.FPX)


def entry_return_url(payment: ParticipantPayment) -> str:
    """Where the bank's page sends an FPX payer back: the event page, told which payment to show."""
    return f"{settings.SITE_URL}{reverse('tournaments:event_detail', args=[payment.event_id])}?payment={payment.pk}"


def entry_payment_open(*, registration_id: int) -> ParticipantPayment:
    """Open a card or FPX entry's PaymentIntent at Stripe, outside any transaction; safe to call again.

    The idempotency key `registration-<id>` makes a repeated call the same intent, stored only
    if none is yet. If Stripe cannot be reached or refuses, the entry is withdrawn (it never took
    a seat and no money moved) and PaymentProviderError is raised.
    """
    payment = ParticipantPayment.objects.select_related("event").get(registration_id=registration_id)
    if payment.payment_intent_id or payment.status != ParticipantPayment.Status.PENDING:
        return payment
    opening = {
        "amount": payment.amount,
        "idempotency_key": f"registration-{payment.registration_id}",
        "metadata": {
            "kind": PAYMENT_KIND,
            "registration_id": payment.registration_id,
            "event_id": payment.event_id,
            "user_id": payment.payer_id,
        },
        "description": f"Entry fee: {payment.event.name}",
    }
    try:
        if payment.method == Method.FPX:
            opened = redirect_payment_open(
                method="fpx", fpx_bank=payment.fpx_bank, return_url=entry_return_url(payment), **opening
            )
            redirect_url = opened.redirect_url
        else:
            opened, redirect_url = card_payment_intent_open(**opening), ""
    except PaymentProviderError:
        entry_payment_abandon(payment_id=payment.pk)
        raise
    ParticipantPayment.objects.filter(pk=payment.pk, payment_intent_id__isnull=True).update(
        payment_intent_id=opened.id,
        client_secret=opened.client_secret,
        redirect_url=redirect_url,
        updated_at=timezone.now(),
    )
    return ParticipantPayment.objects.get(pk=payment.pk)


def entry_payment_abandon(*, payment_id: int) -> None:
    """A payment that never reached Stripe: it fails, and its pending entry ends."""
    with transaction.atomic():
        payment = ParticipantPayment.objects.select_for_update().get(pk=payment_id)
        registration = Registration.objects.select_for_update().get(pk=payment.registration_id)
        if payment.payment_intent_id or payment.status != ParticipantPayment.Status.PENDING:
            return
        _end_unpaid(payment, registration)


def entry_payment_end_unpaid(*, payment_id: int) -> ParticipantPayment | None:
    """Stripe says the payment will never arrive (FPX failed, or the intent was cancelled): the
    payment fails and its pending entry ends, a held seat freed. Runs in the caller's transaction
    (the webhook's) or its own."""
    with transaction.atomic():
        payment = ParticipantPayment.objects.filter(pk=payment_id).first()
        if payment is None:
            return None
        event_lock(payment.event_id)  # the order every seat change takes: the event, then the entry
        payment = ParticipantPayment.objects.select_for_update().get(pk=payment_id)
        registration = Registration.objects.select_for_update().get(pk=payment.registration_id)
        if payment.status == ParticipantPayment.Status.PENDING:
            _end_unpaid(payment, registration)
    return payment


def _end_unpaid(payment: ParticipantPayment, registration: Registration) -> None:
    payment.status = ParticipantPayment.Status.FAILED
    payment.save(update_fields=["status", "updated_at"])
    if registration.status == Registration.Status.PENDING:
        registration_end(registration, Registration.Status.WITHDRAWN)
        notifications.registration_changed(registration)


def entry_payments_expire_abandoned(*, now: datetime | None = None) -> int:
    """The beat: FPX entry payments still unpaid PAYMENT_ABANDON_MINUTES after they were opened are
    cancelled at Stripe, then here (their entries end). One Stripe refuses to cancel (the player
    paid meanwhile) is left to its webhook. Returns how many ended."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.PAYMENT_ABANDON_MINUTES)
    stale = ParticipantPayment.objects.filter(
        method=Method.FPX, status=ParticipantPayment.Status.PENDING, created_at__lte=cutoff
    ).order_by("pk")
    ended = 0
    for payment_id, payment_intent_id in stale.values_list("pk", "payment_intent_id"):
        if payment_intent_id and not _cancelled_at_stripe(payment_id, payment_intent_id):
            continue
        ended += entry_payment_end_unpaid(payment_id=payment_id) is not None
    return ended


def _cancelled_at_stripe(payment_id: int, payment_intent_id: str) -> bool:
    idempotency_key = f"registration-payment-{payment_id}-cancel"
    return payment_intent_cancel(payment_intent_id=payment_intent_id, idempotency_key=idempotency_key) == "canceled"
