"""The one place that talks to Stripe (or to localstripe in dev and tests).

Configured from settings: STRIPE_SECRET_KEY, STRIPE_API_BASE (localstripe's URL; empty means
Stripe itself) and STRIPE_WEBHOOK_SECRET. Amounts go in as Decimal ringgit and leave as sen.
Every write carries an idempotency key derived from our own record, so the SDK's retries and
ours can never charge or refund twice. Stripe failures become `PaymentProviderError` (502).
"""

import functools
import logging
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from driftwood.core.money import CENTS, CURRENCY
from wallet.exceptions import InvalidAmount, InvalidSignature, PaymentProviderError
from wallet.services import payment_methods

logger = logging.getLogger(__name__)

# Seconds per HTTP attempt: a request thread (or a held idempotency lock) must not wait
# the SDK's default 80 s for a provider that is down.
TIMEOUT_SECONDS = 20
# Safe to retry: every POST carries an idempotency key.
MAX_NETWORK_RETRIES = 2
# What opens FPX and GrabPay payments with STRIPE_REDIRECT_STAND_IN (development tools only).
REDIRECT_STAND_IN = "driftwood.dev.stripe_redirects.payment_intent_create"
REFUSED = _("The payment provider refused the request.")


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
        return PaymentProviderError(REFUSED, definite=True, detail=detail)
    return PaymentProviderError(detail=detail)


def _metadata(metadata: dict, description: str) -> dict:
    return {key: str(value) for key, value in {**metadata, "description": description}.items() if value}


def payment_intent_create(
    *, amount: Decimal, idempotency_key: str, metadata: dict, description: str = ""
) -> stripe.PaymentIntent:
    """A card PaymentIntent in MYR, which the browser confirms with Stripe.js. Stripe echoes
    `metadata` (values as strings) on every event about it.

    The description travels in metadata: localstripe refuses the `description` parameter.
    """
    params = {
        "amount": to_sen(amount),
        "currency": CURRENCY.lower(),
        "payment_method_types": ["card"],
        "metadata": _metadata(metadata, description),
    }
    try:
        return stripe_client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _provider_error("PaymentIntent create", exc) from exc


@dataclass(frozen=True)
class RedirectPayment:
    """A confirmed FPX or GrabPay PaymentIntent, waiting for the player on `redirect_url`."""

    id: str
    client_secret: str
    status: str
    redirect_url: str


def redirect_payment_params(
    *, amount: Decimal, method: str, fpx_bank: str, return_url: str, metadata: dict, description: str = ""
) -> dict:
    """The create-and-confirm request real Stripe takes for FPX or GrabPay (one call, one key)."""
    # The callers validated both (a programming error otherwise).
    if not payment_methods.is_redirect(method) or CURRENCY not in payment_methods.METHOD_CURRENCIES[method]:
        raise ValueError(f"{method!r} is not a redirect method taking {CURRENCY}.")
    method_data: dict = {"type": method}
    if method == payment_methods.Method.FPX:
        if fpx_bank not in payment_methods.FPX_BANKS:
            raise ValueError(f"Unknown FPX bank {fpx_bank!r}.")
        method_data["fpx"] = {"bank": fpx_bank}
    return {
        "amount": to_sen(amount),
        "currency": CURRENCY.lower(),
        "payment_method_types": [method],
        "payment_method_data": method_data,
        "confirm": True,
        "return_url": return_url,
        "metadata": _metadata(metadata, description),
    }


def redirect_payment_create(
    *,
    amount: Decimal,
    method: str,
    fpx_bank: str = "",
    return_url: str,
    idempotency_key: str,
    metadata: dict,
    description: str = "",
) -> RedirectPayment:
    """Create and confirm an FPX or GrabPay PaymentIntent; the player pays on its redirect page.

    With STRIPE_REDIRECT_STAND_IN (development tools and a Stripe stand-in only: localstripe has
    no FPX or GrabPay) the same request goes to driftwood/dev/stripe_redirects.py instead, whose
    fake bank page pays or fails the intent at localstripe.
    """
    params = redirect_payment_params(
        amount=amount,
        method=method,
        fpx_bank=fpx_bank,
        return_url=return_url,
        metadata=metadata,
        description=description,
    )
    try:
        if settings.STRIPE_REDIRECT_STAND_IN:
            intent = import_string(REDIRECT_STAND_IN)(params=params, idempotency_key=idempotency_key)
        else:
            intent = stripe_client().v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
    except stripe.StripeError as exc:
        raise _provider_error(f"{method} PaymentIntent create", exc) from exc
    next_action = intent.to_dict().get("next_action") or {}
    redirect_url = (next_action.get("redirect_to_url") or {}).get("url") or ""
    if not redirect_url:
        logger.warning("Stripe %s PaymentIntent %s has no redirect (status %s)", method, intent.id, intent.status)
        raise PaymentProviderError(REFUSED, definite=True, detail=f"no redirect: status {intent.status}")
    return RedirectPayment(
        id=intent.id, client_secret=intent.client_secret, status=intent.status, redirect_url=redirect_url
    )


def payment_intent_cancel(*, payment_intent_id: str, idempotency_key: str) -> stripe.PaymentIntent:
    """Cancel an unfinished PaymentIntent (Stripe then sends `payment_intent.canceled`); Stripe refuses
    (a definite PaymentProviderError) once it succeeded or is processing."""
    try:
        options = {"idempotency_key": idempotency_key}
        return stripe_client().v1.payment_intents.cancel(payment_intent_id, options=options)
    except stripe.StripeError as exc:
        raise _provider_error("PaymentIntent cancel", exc) from exc


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
