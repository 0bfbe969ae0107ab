"""Stripe events as Stripe sends them: JSON bodies signed with the webhook secret.

localstripe does not emit every event type (no `charge.refunded`), and most webhook tests
need no card payment at all, so they build the event and sign it with the SDK's own
scheme (`stripe.WebhookSignature`), exactly as Stripe would.
"""

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import stripe
from django.conf import settings

from tests import services
from tests.services import require
from wallet.models import TopUp
from wallet.services.balances import wallet_get_or_create

WEBHOOK_URL = "/api/v1/payments/stripe/webhook"
# Every test server registers under this one id: re-registering replaces the URL.
WEBHOOK_ENDPOINT_ID = "driftwood"
THREE_D_SECURE_CARD = "4000002760003184"


def require_localstripe() -> str:
    """localstripe's base URL (the embedded test runner starts it and exports STRIPE_API_BASE)."""
    require(bool(settings.STRIPE_API_BASE), "STRIPE_API_BASE is not set (run tests through driftwood.core.embedded)")
    return settings.STRIPE_API_BASE.rstrip("/")


def stripe_client() -> stripe.StripeClient:
    """The test's own view of localstripe: confirming payments as the card holder would."""
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": require_localstripe()})


def paid_intent(amount: str, *, pay: bool = True) -> str:
    """A PaymentIntent at localstripe, paid with a test card as Stripe.js would."""
    card_holder = stripe_client()
    intent = card_holder.v1.payment_intents.create(
        params={"amount": sen(amount), "currency": "myr", "payment_method_types": ["card"]}
    )
    if pay:
        card_holder.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
        assert card_holder.v1.payment_intents.confirm(intent.id).status == "succeeded"
    return intent.id


def refunds_at_stripe(payment_intent_id: str) -> list[int]:
    return [refund.amount for refund in stripe_client().v1.refunds.list(params={"payment_intent": payment_intent_id})]


def register_webhook(url: str, *, events: list[str] | None = None, endpoint_id: str = WEBHOOK_ENDPOINT_ID) -> None:
    """Have localstripe post `events` (None: every event) to `url`, signed with the webhook secret.
    localstripe reads its registrations when it posts, a second after each event."""
    httpx.post(
        f"{require_localstripe()}/_config/webhooks/{endpoint_id}",
        json={"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET, "events": events},
    ).raise_for_status()


@contextmanager
def registered_webhook(server_url: str) -> Iterator[None]:
    """localstripe posts its events to the server at `server_url` until the block ends, and then to
    no one: a server that outlives the block (the browser tests' serves the tests after its own) must
    not write a later test's payments into the database while that test runs."""
    register_webhook(f"{server_url}{WEBHOOK_URL}")
    try:
        yield
    finally:
        register_webhook(f"{server_url}{WEBHOOK_URL}", events=[])


@contextmanager
def webhook_server(**env_overrides: str) -> Iterator[str]:
    """A daphne server talking to localstripe and registered as its webhook (env as start_daphne); yields its URL."""
    process, url = services.start_daphne(STRIPE_API_BASE=require_localstripe(), **env_overrides)
    try:
        with registered_webhook(url):
            yield url
    finally:
        services.stop(process)


def sign(body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )


def event(event_type: str, obj: dict, *, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def sen(amount: str | Decimal) -> int:
    return int(Decimal(amount) * 100)


def pending_topup(user, amount: str) -> TopUp:
    """A top-up as topup_create leaves it, with an intent id only this test knows."""
    return TopUp.objects.create(
        user=user,
        wallet=wallet_get_or_create(user=user),
        amount=Decimal(amount),
        payment_intent_id=f"pi_{uuid.uuid4().hex[:24]}",
        client_secret="secret",
    )


def payment_intent(topup: TopUp, **overrides) -> dict:
    return {
        "id": topup.payment_intent_id,
        "object": "payment_intent",
        "amount": sen(topup.amount),
        "currency": "myr",
        "status": "succeeded",
        "metadata": {"kind": "topup", "topup_id": str(topup.pk), "user_id": str(topup.user_id)},
        **overrides,
    }


def charge(topup: TopUp, *, amount_refunded: str, metadata: dict | None = None) -> dict:
    return {
        "id": f"ch_{uuid.uuid4().hex[:24]}",
        "object": "charge",
        "amount": sen(topup.amount),
        "amount_refunded": sen(amount_refunded),
        "refunded": Decimal(amount_refunded) == topup.amount,
        "currency": "myr",
        "payment_intent": topup.payment_intent_id,
        "metadata": {"kind": "topup"} if metadata is None else metadata,
    }


def deliver(client, body: bytes, *, signature: str | None = None):
    """POST one delivery to the webhook as Stripe does (raw JSON body, Stripe-Signature header)."""
    headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or sign(body)}
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", **headers)


def pay_intent_with_card(payment_intent_id: str, card: str = "pm_card_visa"):
    """What Stripe.js does for a card holder: attach a test card and confirm the intent at localstripe."""
    card_holder = stripe_client()
    card_holder.v1.payment_intents.update(payment_intent_id, params={"payment_method": card})
    return card_holder.v1.payment_intents.confirm(payment_intent_id)
