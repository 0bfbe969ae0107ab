"""Card payments for other apps' charges (entry fees): the wallet's one way to Stripe.

An app that takes money by card opens a PaymentIntent here with `metadata.kind` naming its
payment handler (`payment_handlers.register`), and reads Stripe's amounts in sen through
`amount_in_sen`; Stripe's news about the intent comes back through that handler.
"""

from decimal import Decimal

from wallet import stripe_gateway


def card_payment_intent_open(*, amount: Decimal, idempotency_key: str, metadata: dict, description: str = ""):
    """A MYR card PaymentIntent (the same one again for the same key); PaymentProviderError if
    Stripe cannot be reached or refuses."""
    return stripe_gateway.payment_intent_create(
        amount=amount, idempotency_key=idempotency_key, metadata=metadata, description=description
    )


def amount_in_sen(amount: Decimal) -> int:
    """Ringgit -> Stripe's integer amount in sen (InvalidAmount for anything but a positive,
    two-place amount)."""
    return stripe_gateway.to_sen(amount)
