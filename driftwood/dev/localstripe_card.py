"""The card step localstripe's stand-in Stripe.js leaves out (`/dev/localstripe-card/`).

Real Stripe.js turns the card typed into its element into a PaymentMethod and confirms the
PaymentIntent with it, then runs 3-D Secure if the bank asks. localstripe's script only does
the 3-D Secure part, and its server refuses publishable keys for the first two calls. With
`STRIPE_LOCAL_CARD_SHIM` on (the default whenever STRIPE_API_BASE points at a stand-in),
`static/js/localstripe-card.js` sends the fake element's test card here and we make those
two calls with the secret key. In production (no development tools) this endpoint does not
exist; against real Stripe (STRIPE_API_BASE empty) it answers 404 and card numbers never touch
our server.
"""

import json

import stripe
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_POST

from wallet.stripe_gateway import stripe_client

CARD_FIELDS = ("number", "exp_month", "exp_year", "cvc")


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"message": message, "code": "invalid"}, status=status)


@login_required
@require_POST
def card_confirm(request):
    """Attach the typed test card to the caller's own PaymentIntent and confirm it."""
    if not settings.STRIPE_LOCAL_CARD_SHIM:
        raise Http404
    try:
        body = json.loads(request.body)
        client_secret = str(body["client_secret"])
        card = {field: str(body["card"][field]) for field in CARD_FIELDS}
    except (ValueError, KeyError, TypeError):
        return _bad("Send client_secret and card {number, exp_month, exp_year, cvc}.")
    payment_intent_id = client_secret.split("_secret_", 1)[0]
    client = stripe_client()
    try:
        intent = client.v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError:
        return _bad("Unknown payment.", 404)
    # The secret proves the browser holds this intent; the metadata that it is the caller's.
    if intent.client_secret != client_secret or intent.metadata.to_dict().get("user_id") != str(request.user.pk):
        return _bad("Unknown payment.", 404)
    try:
        method = client.v1.payment_methods.create(params={"type": "card", "card": card})
        client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
        intent = client.v1.payment_intents.confirm(payment_intent_id)
    except stripe.StripeError as exc:
        return _bad(exc.user_message or "The card was declined.", 402)
    return JsonResponse({"id": intent.id, "status": intent.status})
