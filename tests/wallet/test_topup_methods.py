"""POST /wallet/topups with FPX and GrabPay: validation, idempotency, the request real Stripe gets,
the webhook's outcomes, the return page and the status API.

The request shape is proven against real Stripe's code path: the stripe SDK is pointed at a
recording HTTP stand-in (tests/wallet/stripe_recorder.py) with the development stand-in off.
Everything else runs against localstripe through the development stand-in (what `make run` does).
"""

import typing
from decimal import Decimal

import pytest
from stripe.params import PaymentIntentCreateParamsPaymentMethodDataFpx

from driftwood.core.models import IdempotencyKey
from tests.wallet.stripe_recorder import StripeRecorder, redirect_intent
from tests.wallet.stripe_support import deliver, event, payment_intent, require_localstripe, stripe_client
from wallet import stripe_gateway
from wallet.exceptions import PaymentProviderError
from wallet.models import LedgerEntry, TopUp, Wallet
from wallet.services.payment_methods import FPX_BANKS
from wallet.services.topups import topup_create, topup_payment_open

pytestmark = pytest.mark.django_db
URL = "/api/v1/wallet/topups"
SITE = "https://driftwood.example"
BANK_PAGE = "https://pm-redirects.stripe.com/authorize/acct_1/pa_nonce_recorded"


@pytest.fixture(autouse=True)
def _localstripe(settings):
    require_localstripe()
    settings.SITE_URL = SITE


def intents_in_localstripe() -> int:
    return stripe_client().v1.payment_intents.list(params={"limit": 1}).total_count


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


# --- Validation


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"payment_method": "paypal"}, "payment_method", '"paypal" is not a valid choice.'),
        ({"payment_method": "fpx"}, "fpx_bank", "Choose your bank for FPX."),
        ({"payment_method": "fpx", "fpx_bank": "maybank"}, "fpx_bank", '"maybank" is not a valid choice.'),
        ({"payment_method": "fpx", "fpx_bank": ""}, "fpx_bank", '"" is not a valid choice.'),
        ({"payment_method": "grabpay", "fpx_bank": "maybank2u"}, "fpx_bank", "A bank is chosen only for FPX."),
        ({"payment_method": "card", "fpx_bank": "maybank2u"}, "fpx_bank", "A bank is chosen only for FPX."),
        ({"payment_method": "grabpay", "currency": "SGD"}, "currency", "Top-ups are in ringgit (MYR) only."),
        ({"payment_method": "fpx", "fpx_bank": "cimb", "currency": "USD"}, "currency", None),
    ],
    ids=["unknown-method", "fpx-without-bank", "unknown-bank", "blank-bank", "bank-for-grabpay", "bank-for-card",
         "grabpay-in-sgd", "fpx-in-usd"],
)  # fmt: skip
def test_a_method_bank_or_currency_that_does_not_fit_is_400_and_opens_nothing(jwt_client, body, field, message):
    before = intents_in_localstripe()

    response = jwt_client.post(URL, {"amount": "30.00", **body}, format="json")

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert list(answer["errors"]) == [field]
    if message:
        assert answer["errors"][field] == [message]
    assert not TopUp.objects.exists()
    assert intents_in_localstripe() == before


def test_the_service_refuses_what_the_api_would(user):
    from wallet.exceptions import InvalidPaymentMethod

    with pytest.raises(InvalidPaymentMethod) as refused:
        topup_create(user=user, amount=Decimal("30.00"), payment_method="fpx", fpx_bank="")

    assert refused.value.errors == {"fpx_bank": ["Choose your bank for FPX."]}
    assert not TopUp.objects.exists()


def test_the_fpx_banks_offered_are_stripes_own_codes():
    stripe_banks = set(
        typing.get_args(typing.get_args(PaymentIntentCreateParamsPaymentMethodDataFpx.__annotations__["bank"])[0])
    )

    assert set(FPX_BANKS) <= stripe_banks
    assert "maybank2u" in FPX_BANKS and "maybank2e" not in FPX_BANKS  # personal accounts, not business ones


def test_the_card_top_up_is_unchanged_with_an_explicit_method_and_currency(jwt_client):
    response = jwt_client.post(URL, {"amount": "10.00", "payment_method": "card", "currency": "MYR"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["payment_method"], body["redirect_url"], body["fpx_bank"]) == ("card", None, None)
    assert body["client_secret"].startswith(body["payment_intent_id"])


# --- The request real Stripe gets


def post_with_real_stripe(jwt_client, settings, body: dict, *, answer: tuple[int, dict]):
    """POST the top-up with the SDK talking to the recorder (real Stripe's path, no stand-in)."""
    settings.STRIPE_REDIRECT_STAND_IN = False
    with StripeRecorder(answer=answer) as recorder:
        settings.STRIPE_API_BASE = recorder.url
        response = jwt_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="fpx-shape")
    return response, recorder.requests


def test_fpx_is_created_and_confirmed_at_stripe_in_one_request_with_the_bank_and_return_url(jwt_client, settings, user):
    response, requests = post_with_real_stripe(
        jwt_client,
        settings,
        {"amount": "30.00", "payment_method": "fpx", "fpx_bank": "maybank2u"},
        answer=(200, redirect_intent("fpx", url=BANK_PAGE)),
    )

    assert response.status_code == 201, response.json()
    topup = TopUp.objects.get()
    [request] = requests
    assert (request.method, request.path, request.idempotency_key) == (
        "POST",
        "/v1/payment_intents",
        f"topup-{topup.pk}",
    )
    assert request.params == {
        "amount": "3000",
        "currency": "myr",
        "payment_method_types[0]": "fpx",
        "payment_method_data[type]": "fpx",
        "payment_method_data[fpx][bank]": "maybank2u",
        "confirm": "true",
        "return_url": f"{SITE}/wallet/topups/{topup.pk}/",
        "metadata[kind]": "topup",
        "metadata[topup_id]": str(topup.pk),
        "metadata[user_id]": str(user.pk),
        "metadata[description]": f"Driftwood wallet top-up #{topup.pk}",
    }
    assert response.json() == {
        "topup_id": topup.pk,
        "payment_intent_id": "pi_recorded",
        "client_secret": "pi_recorded_secret_recorded",
        "status": "pending",
        "amount": "30.00",
        "payment_method": "fpx",
        "fpx_bank": "maybank2u",
        "redirect_url": BANK_PAGE,
        "return_url": f"{SITE}/wallet/topups/{topup.pk}/",
    }
    assert (topup.payment_intent_id, topup.redirect_url) == ("pi_recorded", BANK_PAGE)


def test_grabpay_is_created_and_confirmed_without_a_bank(jwt_client, settings, user):
    response, requests = post_with_real_stripe(
        jwt_client,
        settings,
        {"amount": "12.50", "payment_method": "grabpay"},
        answer=(200, redirect_intent("grabpay", url=BANK_PAGE, amount=1250)),
    )

    assert response.status_code == 201
    topup = TopUp.objects.get()
    [request] = requests
    assert request.params == {
        "amount": "1250",
        "currency": "myr",
        "payment_method_types[0]": "grabpay",
        "payment_method_data[type]": "grabpay",
        "confirm": "true",
        "return_url": f"{SITE}/wallet/topups/{topup.pk}/",
        "metadata[kind]": "topup",
        "metadata[topup_id]": str(topup.pk),
        "metadata[user_id]": str(user.pk),
        "metadata[description]": f"Driftwood wallet top-up #{topup.pk}",
    }
    assert response.json()["redirect_url"] == BANK_PAGE


def test_a_bank_stripe_refuses_fails_the_top_up_with_502_and_keeps_no_key(jwt_client, settings, user):
    refusal = {"error": {"type": "invalid_request_error", "code": "payment_method_provider_unavailable",
                         "message": "The bank is offline."}}  # fmt: skip

    response, requests = post_with_real_stripe(
        jwt_client, settings, {"amount": "30.00", "payment_method": "fpx", "fpx_bank": "rhb"}, answer=(400, refusal)
    )

    assert response.status_code == 502
    assert response.json()["code"] == "payment_provider_error"
    assert len(requests) == 1  # a refusal is not retried
    failed = TopUp.objects.get()
    assert (failed.status, failed.payment_intent_id) == (TopUp.Status.FAILED, None)
    assert failed.failure_reason == "The FPX payment could not be opened: Stripe refused it."
    assert not IdempotencyKey.objects.exists()
    assert usable(user) == Decimal("0.00")


def test_an_intent_without_a_redirect_is_refused(settings):
    answer = {**redirect_intent("grabpay", url=BANK_PAGE), "status": "requires_payment_method", "next_action": None}
    settings.STRIPE_REDIRECT_STAND_IN = False
    with StripeRecorder(answer=(200, answer)) as recorder, pytest.raises(PaymentProviderError) as refused:
        settings.STRIPE_API_BASE = recorder.url
        stripe_gateway.redirect_payment_create(
            amount=Decimal("30.00"),
            method="grabpay",
            return_url=f"{SITE}/back",
            idempotency_key="no-redirect",
            metadata={},
        )

    assert refused.value.definite


def test_the_gateway_refuses_a_method_it_cannot_redirect():
    with pytest.raises(ValueError, match="not a redirect method"):
        stripe_gateway.redirect_payment_params(
            amount=Decimal("1.00"), method="card", fpx_bank="", return_url=SITE, metadata={}
        )


# --- Through the development stand-in and localstripe


def open_fpx(jwt_client, amount: str = "30.00", bank: str = "maybank2u", key: str = "fpx-1"):
    response = jwt_client.post(
        URL, {"amount": amount, "payment_method": "fpx", "fpx_bank": bank}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_fpx_top_up_opens_an_intent_and_a_bank_page_and_credits_nothing(jwt_client, user):
    body = open_fpx(jwt_client)

    topup = TopUp.objects.get()
    assert body["redirect_url"] == f"{SITE}/dev/stripe-redirect/{topup.payment_intent_id}/"
    assert (body["status"], body["payment_method"], body["fpx_bank"]) == ("pending", "fpx", "maybank2u")
    intent = stripe_client().v1.payment_intents.retrieve(topup.payment_intent_id)
    assert (intent.amount, intent.currency, intent.metadata["kind"]) == (3000, "myr", "topup")
    assert intent.metadata["topup_id"] == str(topup.pk)
    assert usable(user) == Decimal("0.00")
    assert not LedgerEntry.objects.exists()


def test_an_idempotent_replay_is_the_same_fpx_top_up_and_the_same_bank_page(jwt_client):
    before = intents_in_localstripe()

    first = open_fpx(jwt_client, key="same-key")
    replay = jwt_client.post(
        URL, {"amount": "30.00", "payment_method": "fpx", "fpx_bank": "maybank2u"}, format="json",
        HTTP_IDEMPOTENCY_KEY="same-key",
    )  # fmt: skip
    other_bank = jwt_client.post(
        URL, {"amount": "30.00", "payment_method": "fpx", "fpx_bank": "cimb"}, format="json",
        HTTP_IDEMPOTENCY_KEY="same-key",
    )  # fmt: skip

    assert replay.status_code == 201
    assert replay.json() == first
    assert replay["Idempotent-Replayed"] == "true"
    assert other_bank.status_code == 409
    assert other_bank.json()["code"] == "idempotency_key_reused"
    assert TopUp.objects.count() == 1
    assert intents_in_localstripe() == before + 1


def test_opening_again_after_a_lost_answer_asks_stripe_under_the_same_key(user, settings):
    # given a GrabPay top-up whose first answer from Stripe was lost (no intent stored)
    topup = topup_create(user=user, amount=Decimal("30.00"), payment_method="grabpay")
    settings.STRIPE_REDIRECT_STAND_IN = False
    with StripeRecorder(answer=(200, redirect_intent("grabpay", url=BANK_PAGE))) as recorder:
        settings.STRIPE_API_BASE = recorder.url
        topup_payment_open(topup_id=topup.pk)
        TopUp.objects.filter(pk=topup.pk).update(payment_intent_id=None, client_secret="", redirect_url="")

        # when it is opened again
        again = topup_payment_open(topup_id=topup.pk)

    # then Stripe saw the same request under the same key (it answers with the same intent)
    first, second = recorder.requests
    assert first.idempotency_key == second.idempotency_key == f"topup-{topup.pk}"
    assert first.params == second.params
    assert again.redirect_url == BANK_PAGE


# --- The webhook's outcomes


def fpx_topup(user, amount: str = "30.00") -> TopUp:
    return topup_payment_open(
        topup_id=topup_create(user=user, amount=Decimal(amount), payment_method="fpx", fpx_bank="public_bank").pk
    )


def test_the_succeeded_webhook_credits_an_fpx_top_up_once_however_often_it_arrives(client, user):
    topup = fpx_topup(user)
    succeeded = event("payment_intent.succeeded", payment_intent(topup, payment_method_types=["fpx"]))

    first = deliver(client, succeeded)
    replay = deliver(client, succeeded)
    another_event_about_it = deliver(client, event("payment_intent.succeeded", payment_intent(topup)))

    assert [first.status_code, replay.status_code, another_event_about_it.status_code] == [200, 200, 200]
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.SUCCEEDED
    assert usable(user) == Decimal("30.00")
    [credit] = LedgerEntry.objects.filter(wallet__owner=user)
    assert (credit.amount, credit.description) == (Decimal("30.00"), f"FPX top-up #{topup.pk}")


def test_a_declined_or_cancelled_bank_payment_fails_the_top_up_and_credits_nothing(client, user, jwt_client):
    topup = fpx_topup(user)
    declined = payment_intent(
        topup,
        status="requires_payment_method",
        last_payment_error={"code": "payment_method_provider_decline", "message": "The customer cancelled."},
    )

    response = deliver(client, event("payment_intent.payment_failed", declined))

    assert response.status_code == 200
    topup.refresh_from_db()
    assert (topup.status, topup.failure_reason) == (TopUp.Status.FAILED, "The customer cancelled.")
    assert usable(user) == Decimal("0.00")
    assert not LedgerEntry.objects.exists()
    detail = jwt_client.get(f"{URL}/{topup.pk}").json()
    assert detail["status"] == "failed"
    assert detail["message"] == (
        "Public Bank did not approve the payment, or it was cancelled. You have not been charged. "
        "Nothing was added to your wallet."
    )


def test_a_cancelled_intent_cancels_the_top_up_and_a_late_failure_changes_nothing(client, user):
    topup = fpx_topup(user)

    deliver(client, event("payment_intent.canceled", payment_intent(topup, status="canceled")))
    deliver(client, event("payment_intent.payment_failed", payment_intent(topup, status="canceled")))

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.CANCELLED
    assert usable(user) == Decimal("0.00")


def test_a_grabpay_success_after_a_failed_attempt_is_credited(client, user):
    topup = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("8.00"), payment_method="grabpay").pk)

    deliver(client, event("payment_intent.payment_failed", payment_intent(topup, status="requires_payment_method")))
    deliver(client, event("payment_intent.succeeded", payment_intent(topup)))

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.SUCCEEDED
    assert LedgerEntry.objects.get(wallet__owner=user).description == f"GrabPay top-up #{topup.pk}"


# --- The status API and the return page


def test_the_status_api_shows_only_the_callers_own_top_up(jwt_client, user):
    from tests.conftest import bearer_client
    from tests.factories import UserFactory

    topup = fpx_topup(user)

    mine = jwt_client.get(f"{URL}/{topup.pk}")
    theirs = bearer_client(UserFactory()).get(f"{URL}/{topup.pk}")

    assert mine.status_code == 200
    assert mine.json()["status"] == "pending"
    assert mine.json()["message"] == "Processing: waiting for Public Bank to confirm your payment of RM 30.00."
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "not_found"


def test_the_return_page_shows_processing_then_the_outcome(
    player_client, user, client, plain_static_storage, commit_hooks_run
):
    topup = fpx_topup(user)
    page_url = f"/wallet/topups/{topup.pk}/?payment_intent={topup.payment_intent_id}&redirect_status=succeeded"

    pending = player_client.get(page_url).content.decode()
    deliver(client, event("payment_intent.succeeded", payment_intent(topup)))
    paid = player_client.get(page_url).content.decode()

    assert "Processing" in pending
    assert "waiting for Public Bank to confirm your payment of RM 30.00." in pending
    assert 'data-topup-status="pending"' in pending
    assert "RM 30.00 was added to your wallet." in paid
    assert 'data-balance="current_balance">RM 30.00<' in paid


def test_the_return_page_says_plainly_that_a_grabpay_payment_failed(player_client, user, client, plain_static_storage):
    topup = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("30.00"), payment_method="grabpay").pk)
    deliver(client, event("payment_intent.payment_failed", payment_intent(topup, status="requires_payment_method")))

    page = player_client.get(f"/wallet/topups/{topup.pk}/?redirect_status=failed").content.decode()

    assert "GrabPay did not approve the payment, or it was cancelled. You have not been charged." in page
    assert "Try again" in page


def test_a_refunded_top_up_offers_the_way_back_not_a_retry(player_client, user, client, plain_static_storage):
    from wallet.models import TopUp

    topup = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("30.00"), payment_method="grabpay").pk)
    TopUp.objects.filter(pk=topup.pk).update(status=TopUp.Status.REFUNDED)

    page = player_client.get(f"/wallet/topups/{topup.pk}/").content.decode()

    assert "Back to your wallet" in page and "Try again" not in page


def test_another_players_return_page_is_404(player_client, plain_static_storage):
    from tests.factories import UserFactory

    topup = fpx_topup(UserFactory())

    assert player_client.get(f"/wallet/topups/{topup.pk}/").status_code == 404
