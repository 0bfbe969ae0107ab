"""The one place that talks to Stripe (or to localstripe in dev and tests).

Configured from settings: STRIPE_SECRET_KEY, STRIPE_API_BASE (localstripe's URL; empty means
Stripe itself) and STRIPE_WEBHOOK_SECRET. Amounts go in as Decimal ringgit and leave as sen.
Every write carries an idempotency key derived from our own record, so the SDK's retries and
ours can never charge or refund twice. Stripe failures become `PaymentProviderError` (502).
"""

import functools
import logging
from decimal import Decimal

import stripe
from django.conf import settings

from driftwood.core.money import CENTS, CURRENCY
from wallet.exceptions import InvalidAmount, InvalidSignature, PaymentProviderError

logger = logging.getLogger(__name__)

# Seconds per HTTP attempt: a request thread (or a held idempotency lock) must not wait
# the SDK's default 80 s for a provider that is down.
TIMEOUT_SECONDS = 20
# Safe to retry: every POST carries an idempotency key.
MAX_NETWORK_RETRIES = 2


class _HTTPXClient(stripe.HTTPXClient):
    """The SDK's httpx client, its wait before a network retry scaled so that the first one is
    `first_retry_delay` seconds (STRIPE_RETRY_DELAY_SECONDS; the SDK's own is 0.5 s, doubling
    with jitter up to 5 s)."""

    def __init__(self, *, first_retry_delay: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._retry_scale = first_retry_delay / stripe.HTTPClient.INITIAL_DELAY

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return super()._sleep_time_seconds(num_retries) * self._retry_scale


@functools.cache
def _client_for(api_key: str, api_base: str, first_retry_delay: float) -> stripe.StripeClient:
    base_addresses = {"api": api_base.rstrip("/")} if api_base else None
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=MAX_NETWORK_RETRIES,
        # httpx is pinned in requirements; the SDK would otherwise pick whatever happens to be installed.
        http_client=_HTTPXClient(first_retry_delay=first_retry_delay, timeout=TIMEOUT_SECONDS, allow_sync_methods=True),
    )


def stripe_client() -> stripe.StripeClient:
    """The configured client (one per key, base and retry delay, reused)."""
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_RETRY_DELAY_SECONDS)


def to_sen(amount: Decimal) -> int:
    """Ringgit with at most two places -> Stripe's integer amount in sen."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENTS):
        raise InvalidAmount()
    return int(amount * 100)


def from_sen(sen: int) -> Decimal:
    return (Decimal(sen) / 100).quantize(CENTS)


def _provider_error(action: str, exc: stripe.StripeError) -> PaymentProviderError:
    logger.warning("Stripe %s failed: %s (%s)", action, type(exc).__name__, exc.user_message or exc)
    # A 4xx other than a rate limit or a conflict is Stripe's considered "no"; anything else
    # (no answer, a 5xx) may have been done and is retried under the same idempotency key.
    status = getattr(exc, "http_status", None) or 0
    definite = isinstance(exc, stripe.InvalidRequestError | stripe.CardError) and 400 <= status < 500
    definite = definite and status not in (409, 429)
    detail = f"{type(exc).__name__} (HTTP {status or '-'}): {exc.user_message or exc}"[:500]
    if definite:
        return PaymentProviderError("The payment provider refused the request.", definite=True, detail=detail)
    return PaymentProviderError(detail=detail)


def payment_intent_create(
    *, amount: Decimal, idempotency_key: str, metadata: dict, description: str = ""
) -> stripe.PaymentIntent:
    """A card PaymentIntent in MYR. Stripe echoes `metadata` (values as strings) on every event about it.

    The description travels in metadata: localstripe refuses the `description` parameter.
    """
    params = {
        "amount": to_sen(amount),
        "currency": CURRENCY.lower(),
        "payment_method_types": ["card"],
        "metadata": {key: str(value) for key, value in {**metadata, "description": description}.items() if value},
    }
    try:
        return stripe_client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _provider_error("PaymentIntent create", exc) from exc


def payment_intent_retrieve(payment_intent_id: str) -> stripe.PaymentIntent:
    try:
        return stripe_client().v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as exc:
        raise _provider_error("PaymentIntent retrieve", exc) from exc


def refund_create(
    *, payment_intent_id: str, amount: Decimal | None, idempotency_key: str, metadata: dict | None = None
) -> stripe.Refund:
    """Refund a PaymentIntent's charge to the card: `amount`, or all of it when None.

    `metadata` travels with the refund, so it can be found again (`refund_find`) when an
    answer was lost.
    """
    params: dict = {"payment_intent": payment_intent_id}
    if amount is not None:
        params["amount"] = to_sen(amount)
    if metadata:
        params["metadata"] = {key: str(value) for key, value in metadata.items()}
    try:
        return stripe_client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _provider_error("refund create", exc) from exc


def refund_find(*, payment_intent_id: str, metadata_key: str, value: str) -> stripe.Refund | None:
    """The intent's refund whose metadata names `value` (one we sent whose answer was lost), or None."""
    try:
        refunds = stripe_client().v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    except stripe.StripeError as exc:
        raise _provider_error("refund list", exc) from exc
    return next(
        (refund for refund in refunds.data if refund.to_dict().get("metadata", {}).get(metadata_key) == value), None
    )


def webhook_event_construct(*, payload: bytes, signature: str) -> stripe.Event:
    """Verify the `Stripe-Signature` header against STRIPE_WEBHOOK_SECRET and parse the event.

    The client's `construct_event` is `stripe.Webhook.construct_event` (HMAC-SHA256, 5-minute
    timestamp tolerance); anything that does not verify, or is not JSON, is InvalidSignature.
    """
    try:
        return stripe_client().construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature() from exc
    except ValueError as exc:  # undecodable or malformed body (UnicodeDecodeError is a ValueError)
        raise InvalidSignature("The request body is not a Stripe event.") from exc
