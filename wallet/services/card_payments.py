"""Stripe payments for other apps' charges (entry fees): the wallet's one way to Stripe.

An app that takes money by card or FPX opens a PaymentIntent here with `metadata.kind` naming its
payment handler (`payment_handlers.register`), and reads Stripe's amounts in sen through
`amount_in_sen`; Stripe's news about the intent comes back through that handler.
"""

import logging
from decimal import Decimal

from wallet import stripe_gateway
from wallet.exceptions import PaymentProviderError

logger = logging.getLogger(__name__)


def card_payment_intent_open(*, amount: Decimal, idempotency_key: str, metadata: dict, description: str = ""):
    """A MYR card PaymentIntent (the same one again for the same key); PaymentProviderError if
    Stripe cannot be reached or refuses."""
    return stripe_gateway.payment_intent_create(
        amount=amount, idempotency_key=idempotency_key, metadata=metadata, description=description
    )


def redirect_payment_open(
    *,
    amount: Decimal,
    method: str,
    fpx_bank: str = "",
    return_url: str,
    idempotency_key: str,
    metadata: dict,
    description: str = "",
) -> stripe_gateway.RedirectPayment:
    """An FPX or GrabPay PaymentIntent, created confirmed: the player approves it on `redirect_url`
    and comes back to `return_url`. PaymentProviderError if Stripe cannot be reached or refuses."""
    return stripe_gateway.redirect_payment_create(
        amount=amount,
        method=method,
        fpx_bank=fpx_bank,
        return_url=return_url,
        idempotency_key=idempotency_key,
        metadata=metadata,
        description=description,
    )


def payment_intent_cancel(*, payment_intent_id: str, idempotency_key: str) -> str:
    """Cancel an unpaid PaymentIntent at Stripe (outside any transaction). Returns its status after:
    "canceled", or what made Stripe refuse ("succeeded", "processing": its webhook settles it), or ""
    when Stripe could not be asked (try again later)."""
    try:
        return stripe_gateway.payment_intent_cancel(
            payment_intent_id=payment_intent_id, idempotency_key=idempotency_key
        ).status
    except PaymentProviderError as exc:
        if not exc.definite:
            logger.warning("PaymentIntent %s: cancel unanswered, to be tried again: %s", payment_intent_id, exc.detail)
            return ""
    try:
        status = stripe_gateway.payment_intent_retrieve(payment_intent_id).status
    except PaymentProviderError as exc:
        logger.warning("PaymentIntent %s: not readable at Stripe: %s", payment_intent_id, exc.detail)
        return ""
    if status != "canceled":
        logger.info("PaymentIntent %s not cancelled: it is %s, its webhook settles it", payment_intent_id, status)
    return status


def amount_in_sen(amount: Decimal) -> int:
    """Ringgit -> Stripe's integer amount in sen (InvalidAmount for anything but a positive,
    two-place amount)."""
    return stripe_gateway.to_sen(amount)
