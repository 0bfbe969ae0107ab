"""FPX and GrabPay without Stripe: a fake bank / e-wallet page in front of localstripe.

localstripe has neither method (it refuses `payment_method_data`, `confirm` with a redirect
and `return_url`). With STRIPE_REDIRECT_STAND_IN on (the default whenever the development tools
run against a stand-in STRIPE_API_BASE; the settings refuse it otherwise), the wallet's gateway
hands its real create-and-confirm request (`wallet.stripe_gateway.redirect_payment_params`) to
`payment_intent_create` here instead of Stripe:

- the intent is created at localstripe with the request's amount, currency and metadata (plus
  the method, bank and return_url, for the page), and answered as Stripe answers FPX and
  GrabPay: `requires_action` with `next_action.redirect_to_url.url`, here
  `/dev/stripe-redirect/<intent id>/`;
- that page shows the bank (or GrabPay) with "Approve" and "Decline". Approve pays the intent at
  localstripe with a test card that goes through, Decline with one whose charge is declined;
  either way localstripe then delivers its signed `payment_intent.succeeded` or
  `payment_intent.payment_failed` to the webhook endpoint registered with it (`make run` and the
  browser tests register ours), exactly the path real Stripe's events take. The browser goes back
  to `return_url` with Stripe's query (`payment_intent`, `payment_intent_client_secret`,
  `redirect_status`).

Cancelling (the abandoned-payment sweeps) needs nothing here: localstripe cancels intents itself.
"""

from urllib.parse import urlencode

import stripe
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from driftwood.core.money import format_money
from wallet.services.payment_methods import Method, fpx_bank_name
from wallet.stripe_gateway import from_sen, stripe_client

# Test cards localstripe knows: one it charges, one it attaches and then declines.
APPROVING_CARD = "4242424242424242"
DECLINING_CARD = "4000000000000341"
STAND_IN_KEYS = ("stand_in_method", "stand_in_bank", "stand_in_return_url")


def payment_intent_create(*, params: dict, idempotency_key: str) -> stripe.PaymentIntent:
    """Real Stripe's answer to an FPX or GrabPay create-and-confirm request, made at localstripe."""
    method_data = params["payment_method_data"]
    metadata = {
        **params["metadata"],
        "stand_in_method": method_data["type"],
        "stand_in_bank": method_data.get("fpx", {}).get("bank", ""),
        "stand_in_return_url": params["return_url"],
    }
    intent = stripe_client().v1.payment_intents.create(
        params={"amount": params["amount"], "currency": params["currency"], "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )
    page = f"{settings.SITE_URL}{reverse('dev:stripe_redirect', args=[intent.id])}"
    answer = {
        **intent.to_dict(),
        "status": "requires_action",
        "payment_method_types": [method_data["type"]],
        "next_action": {
            "type": "redirect_to_url",
            "redirect_to_url": {"url": page, "return_url": params["return_url"]},
        },
    }
    return stripe.PaymentIntent.construct_from(answer, settings.STRIPE_SECRET_KEY)


def _intent_of(request, payment_intent_id: str):
    """The caller's own stand-in intent, or 404."""
    if not settings.STRIPE_REDIRECT_STAND_IN:
        raise Http404
    try:
        intent = stripe_client().v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as exc:
        raise Http404 from exc
    metadata = intent.metadata.to_dict()
    if metadata.get("user_id") != str(request.user.pk) or not all(key in metadata for key in STAND_IN_KEYS):
        raise Http404
    return intent, metadata


def _back(intent, return_url: str, redirect_status: str):
    """Back to Driftwood, as Stripe sends the player back from a redirect method."""
    query = urlencode(
        {
            "payment_intent": intent.id,
            "payment_intent_client_secret": intent.client_secret,
            "redirect_status": redirect_status,
        }
    )
    return redirect(f"{return_url}{'&' if '?' in return_url else '?'}{query}")


def _answered(intent) -> bool:
    return intent.status == "canceled" or bool(intent.to_dict().get("latest_charge"))


def _pay(payment_intent_id: str, *, approve: bool) -> None:
    """Pay the intent at localstripe; its webhook tells Driftwood how it went."""
    client = stripe_client()
    number = APPROVING_CARD if approve else DECLINING_CARD
    card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
    try:
        client.v1.payment_intents.confirm(payment_intent_id)
    except stripe.CardError:
        if approve:
            raise
        # Declined: localstripe has already queued its payment_intent.payment_failed event.


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def stripe_redirect(request, payment_intent_id: str):
    """The fake bank (FPX) or e-wallet (GrabPay) page: Approve or Decline, then back to Driftwood."""
    intent, metadata = _intent_of(request, payment_intent_id)
    return_url = metadata["stand_in_return_url"]
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision in ("approve", "decline") and not _answered(intent):
            _pay(intent.id, approve=decision == "approve")
            return _back(intent, return_url, "succeeded" if decision == "approve" else "failed")
        if _answered(intent):
            return _back(intent, return_url, "succeeded" if intent.status == "succeeded" else "failed")
        return redirect(request.path)
    method = metadata["stand_in_method"]
    context = {
        "intent_id": intent.id,
        "answered": _answered(intent),
        "is_fpx": method == Method.FPX,
        "bank": fpx_bank_name(metadata["stand_in_bank"]),
        "amount": format_money(from_sen(intent.amount), style="page"),
        "description": metadata.get("description", ""),
    }
    return render(request, "dev/stripe_redirect.html", context)
