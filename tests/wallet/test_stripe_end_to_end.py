"""End to end over real HTTP: Driftwood under daphne, localstripe as Stripe.

The player opens a top-up through the API, pays the PaymentIntent with a test card through
the stripe SDK against localstripe, and localstripe calls the webhook on the daphne server
with a signed event; the test then watches the database until the wallet is credited.
"""

from decimal import Decimal

import httpx
import pytest
import stripe
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from tests.factories import UserFactory
from tests.services import eventually
from tests.wallet.stripe_support import WEBHOOK_URL, event, sign, stripe_client, webhook_server
from wallet import stripe_gateway
from wallet.models import LedgerEntry, StripeEvent, TopUp, Wallet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def stripe_server(django_db_setup):
    """daphne with the test process's Stripe settings, registered as localstripe's webhook."""
    with webhook_server(
        STRIPE_SECRET_KEY=settings.STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET=settings.STRIPE_WEBHOOK_SECRET
    ) as url:
        yield url


@pytest.fixture
def player(transactional_db):
    return UserFactory()


@pytest.fixture
def player_http(stripe_server, player):
    with httpx.Client(
        base_url=stripe_server,
        headers={"Authorization": f"Bearer {RefreshToken.for_user(player).access_token}"},
        timeout=30,
    ) as client:
        yield client


def open_topup(player_http, amount: str) -> dict:
    response = player_http.post("/api/v1/wallet/topups", json={"amount": amount})
    assert response.status_code == 201, response.text
    return response.json()


def pay(payment_intent_id: str, card: str) -> stripe.PaymentIntent:
    """What Stripe.js does for the player: attach the card and confirm the intent."""
    card_holder = stripe_client()
    card_holder.v1.payment_intents.update(payment_intent_id, params={"payment_method": card})
    return card_holder.v1.payment_intents.confirm(payment_intent_id)


def post_to_webhook(player_http, body: bytes, *, signature: str) -> httpx.Response:
    return httpx.post(
        f"{player_http.base_url}{WEBHOOK_URL}",
        content=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
    )


def topup_status(topup_id: int) -> TopUp:
    return TopUp.objects.get(pk=topup_id)


def test_a_card_payment_credits_the_wallet_through_the_signed_webhook(player_http, player):
    # given an open top-up
    opened = open_topup(player_http, "42.50")

    # when the player pays it with a test card
    intent = pay(opened["payment_intent_id"], "pm_card_visa")

    # then localstripe's signed webhook credits the wallet, once
    assert intent.status == "succeeded"
    topup = eventually(lambda: topup_status(opened["topup_id"]), until=lambda t: t.status != TopUp.Status.PENDING)
    assert topup.status == TopUp.Status.SUCCEEDED
    wallet = player_http.get("/api/v1/wallet").json()
    assert (wallet["usable_balance"], wallet["current_balance"]) == ("42.50", "42.50")
    entry = LedgerEntry.objects.get(wallet__owner=player)
    assert (entry.transaction_type, entry.amount) == (LedgerEntry.Type.TOPUP, Decimal("42.50"))
    assert StripeEvent.objects.filter(event_type="payment_intent.succeeded").count() == 1


def test_a_declined_card_marks_the_top_up_failed_and_credits_nothing(player_http, player):
    opened = open_topup(player_http, "15.00")

    with pytest.raises(stripe.CardError):
        pay(opened["payment_intent_id"], "pm_card_chargeCustomerFail")

    topup = eventually(lambda: topup_status(opened["topup_id"]), until=lambda t: t.status != TopUp.Status.PENDING)
    assert (topup.status, topup.failure_reason) == (TopUp.Status.FAILED, "Your card was declined.")
    assert Wallet.objects.get(owner=player).usable_balance == Decimal("0.00")
    assert not LedgerEntry.objects.exists()


def test_a_bad_signature_is_400_and_changes_nothing_while_the_right_one_credits(player_http, player):
    # given a genuine success event for a real intent, signed by someone without the secret
    opened = open_topup(player_http, "10.00")
    intent = stripe_client().v1.payment_intents.retrieve(opened["payment_intent_id"]).to_dict(for_json=True)
    body = event("payment_intent.succeeded", {**intent, "status": "succeeded"})

    forged = post_to_webhook(player_http, body, signature=sign(body, secret="whsec_forger"))

    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_signature"
    assert topup_status(opened["topup_id"]).status == TopUp.Status.PENDING
    assert not StripeEvent.objects.exists()
    assert player_http.get("/api/v1/wallet").json()["usable_balance"] == "0.00"

    # and the same body with the real signature is accepted
    genuine = post_to_webhook(player_http, body, signature=sign(body))
    assert (genuine.status_code, genuine.json()) == (200, {"received": True})
    assert player_http.get("/api/v1/wallet").json()["usable_balance"] == "10.00"


def test_a_card_refund_reported_by_stripe_leaves_the_wallet(player_http, player):
    # given a paid top-up
    opened = open_topup(player_http, "40.00")
    intent = pay(opened["payment_intent_id"], "pm_card_visa")
    eventually(lambda: topup_status(opened["topup_id"]), until=lambda t: t.status == TopUp.Status.SUCCEEDED)

    # when part of it is refunded to the card and Stripe reports the charge
    # (localstripe does not send charge.refunded, so the test signs it as Stripe would)
    stripe_gateway.refund_create(
        payment_intent_id=intent.id, amount=Decimal("12.50"), idempotency_key=f"topup-{opened['topup_id']}-refund-1"
    )
    charge_id = intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    charge = stripe_client().v1.charges.retrieve(charge_id).to_dict(for_json=True)
    body = event("charge.refunded", charge)
    response = post_to_webhook(player_http, body, signature=sign(body))

    # then the refunded part leaves the wallet as a refund row
    assert response.status_code == 200, response.text
    topup = topup_status(opened["topup_id"])
    assert (topup.status, topup.refunded_amount) == (TopUp.Status.SUCCEEDED, Decimal("12.50"))
    assert player_http.get("/api/v1/wallet").json()["usable_balance"] == "27.50"
    refund = LedgerEntry.objects.get(wallet__owner=player, transaction_type=LedgerEntry.Type.REFUND)
    assert refund.amount == Decimal("-12.50")
