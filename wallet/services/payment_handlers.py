"""Who acts on Stripe's news about a PaymentIntent, chosen by its metadata "kind".

Every PaymentIntent Driftwood creates carries `metadata.kind` ("topup" here; the tournaments
app can use "registration" for card entry fees). The one webhook looks the kind up in this
registry, so another app routes its payments through the same endpoint by registering a
handler (from its AppConfig.ready()), without touching the webhook code:

    payment_handlers.register("registration", RegistrationPaymentHandler())

Handlers run inside the webhook's transaction, after the event id was recorded as new, so
each Stripe event reaches a handler at most once; an exception rolls the event back and
Stripe delivers it again later. A handler must still lock its own row before changing it:
two different events (or a webhook and a user action) can concern the same payment.
"""

from wallet.models import StripeEvent


class PaymentHandler:
    """Subclass and override the events a kind cares about; the others are recorded and ignored."""

    def payment_succeeded(self, *, payment_intent: dict, event: StripeEvent) -> None:
        """`payment_intent.succeeded`: the money has been captured."""

    def payment_failed(self, *, payment_intent: dict, event: StripeEvent) -> None:
        """`payment_intent.payment_failed`: this attempt failed (the customer may retry the same intent)."""

    def payment_canceled(self, *, payment_intent: dict, event: StripeEvent) -> None:
        """`payment_intent.canceled`: the intent can never be paid (abandoned, cancelled at Stripe)."""

    def charge_refunded(self, *, charge: dict, payment_intent_id: str, event: StripeEvent) -> None:
        """`charge.refunded`: `charge["amount_refunded"]` is the running total refunded, in sen."""


_handlers: dict[str, PaymentHandler] = {}


def register(kind: str, handler: PaymentHandler) -> None:
    """Route events of PaymentIntents whose metadata kind is `kind` to `handler` (one per kind)."""
    registered = _handlers.get(kind)
    if registered is not None and registered is not handler:
        raise ValueError(f"A payment handler for kind {kind!r} is already registered: {registered!r}")
    _handlers[kind] = handler


def handler_for(kind: str | None) -> PaymentHandler | None:
    return _handlers.get(kind) if kind else None
