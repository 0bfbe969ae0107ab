"""POST /wallet/topups: a PaymentIntent in localstripe per top-up; nothing is credited yet."""

from decimal import Decimal

import pytest

from driftwood.core.models import IdempotencyKey
from tests import services
from tests.wallet.stripe_support import require_localstripe, stripe_client
from wallet.models import LedgerEntry, TopUp, Wallet

pytestmark = pytest.mark.django_db
URL = "/api/v1/wallet/topups"


@pytest.fixture(autouse=True)
def _localstripe():
    require_localstripe()


def intents_in_localstripe() -> int:
    # localstripe's list carries the store's total count (real Stripe's does not).
    return stripe_client().v1.payment_intents.list(params={"limit": 1}).total_count


def test_opens_a_payment_intent_and_credits_nothing(jwt_client, user):
    response = jwt_client.post(URL, {"amount": "10.50"}, format="json")

    assert response.status_code == 201
    body = response.json()
    topup = TopUp.objects.get()
    assert body == {
        "topup_id": topup.pk,
        "payment_intent_id": topup.payment_intent_id,
        "client_secret": topup.client_secret,
        "status": "pending",
        "amount": "10.50",
        "payment_method": "card",
        "fpx_bank": None,
        "redirect_url": None,
        "return_url": None,
    }
    assert (topup.user, topup.amount, topup.status) == (user, Decimal("10.50"), TopUp.Status.PENDING)
    intent = stripe_client().v1.payment_intents.retrieve(body["payment_intent_id"])
    assert (intent.amount, intent.currency, intent.client_secret) == (1050, "myr", body["client_secret"])
    assert intent.metadata.to_dict() == {
        "kind": "topup",
        "topup_id": str(topup.pk),
        "user_id": str(user.pk),
        "description": f"Driftwood wallet top-up #{topup.pk}",
    }
    assert Wallet.objects.get(owner=user).usable_balance == Decimal("0.00")
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("amount", ["1.00", "10000.00", 10000, 25.5])
def test_the_limits_themselves_are_accepted(jwt_client, amount):
    response = jwt_client.post(URL, {"amount": amount}, format="json")

    assert response.status_code == 201
    assert Decimal(response.json()["amount"]) == Decimal(str(amount))


@pytest.mark.parametrize(
    "amount",
    ["0.99", "10000.01", "1.001", "NaN", "Infinity", "-5.00", "0", "ten", True, None],
)
def test_an_amount_outside_the_rules_is_400_and_opens_nothing(jwt_client, amount):
    before = intents_in_localstripe()

    response = jwt_client.post(URL, {"amount": amount}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["path"] == URL
    assert list(body["errors"]) == ["amount"]
    assert not TopUp.objects.exists()
    assert intents_in_localstripe() == before


def test_a_missing_amount_is_400(jwt_client):
    response = jwt_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["amount"]


def test_an_idempotent_replay_returns_the_same_top_up_and_opens_one_intent(jwt_client):
    before = intents_in_localstripe()
    headers = {"HTTP_IDEMPOTENCY_KEY": "topup-attempt-1"}

    first = jwt_client.post(URL, {"amount": "20.00"}, format="json", **headers)
    second = jwt_client.post(URL, {"amount": "20.00"}, format="json", **headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert TopUp.objects.count() == 1
    assert intents_in_localstripe() == before + 1


def test_the_same_key_with_another_amount_is_409(jwt_client):
    headers = {"HTTP_IDEMPOTENCY_KEY": "topup-attempt-2"}
    jwt_client.post(URL, {"amount": "20.00"}, format="json", **headers)

    response = jwt_client.post(URL, {"amount": "30.00"}, format="json", **headers)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert TopUp.objects.count() == 1


def test_without_credentials_is_401(api_client):
    response = api_client.post(URL, {"amount": "20.00"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not TopUp.objects.exists()


def test_the_browser_session_needs_its_csrf_token(session_client):
    response = session_client.post(URL, {"amount": "20.00"}, format="json")

    assert response.status_code == 403
    assert not TopUp.objects.exists()


def test_an_unreachable_stripe_is_502_keeps_no_key_and_no_open_payment(jwt_client, settings):
    localstripe = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{services.free_port()}"

    response = jwt_client.post(URL, {"amount": "20.00"}, format="json", HTTP_IDEMPOTENCY_KEY="while-down")

    # then the attempt is on record as failed, with no intent to pay and no key kept
    assert response.status_code == 502
    assert response.json()["code"] == "payment_provider_error"
    failed = TopUp.objects.get()
    assert (failed.status, failed.payment_intent_id) == (TopUp.Status.FAILED, None)
    assert not IdempotencyKey.objects.exists()
    assert Wallet.objects.get(owner=failed.user).current_balance == Decimal("0.00")

    # and once Stripe is back, the same key goes through
    settings.STRIPE_API_BASE = localstripe
    retry = jwt_client.post(URL, {"amount": "20.00"}, format="json", HTTP_IDEMPOTENCY_KEY="while-down")
    assert retry.status_code == 201
    assert TopUp.objects.get(pk=retry.json()["topup_id"]).payment_intent_id == retry.json()["payment_intent_id"]
    assert IdempotencyKey.objects.get().finished


@pytest.mark.parametrize("key", ["after-commit", None], ids=["with-key", "without-key"])
def test_stripe_is_called_only_after_the_top_up_row_is_committed(jwt_client, monkeypatch, key):
    """No database transaction of the request is open while Stripe is asked for the PaymentIntent."""
    from django.db import connection

    from wallet import stripe_gateway

    seen = []
    real_create = stripe_gateway.payment_intent_create

    def watching_create(**kwargs):
        seen.append((len(connection.savepoint_ids), TopUp.objects.filter(pk=kwargs["metadata"]["topup_id"]).exists()))
        return real_create(**kwargs)

    monkeypatch.setattr(stripe_gateway, "payment_intent_create", watching_create)
    # The test runs inside pytest-django's transaction: the request's own atomic blocks show as
    # savepoints on top of it, and every one of them must have closed before Stripe is called.
    outside_the_request = len(connection.savepoint_ids)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    response = jwt_client.post(URL, {"amount": "20.00"}, format="json", **headers)

    assert response.status_code == 201
    assert seen == [(outside_the_request, True)]


def test_money_moving_posts_are_limited_to_30_a_minute(jwt_client):
    # Invalid bodies still count: the limit is checked before the input.
    statuses = [jwt_client.post(URL, {"amount": "0"}, format="json").status_code for _ in range(30)]

    response = jwt_client.post(URL, {"amount": "20.00"}, format="json")

    assert statuses == [400] * 30
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert not TopUp.objects.exists()
