"""The FPX / GrabPay stand-in for development (driftwood/dev/stripe_redirects.py), against localstripe.

Approve and Decline pay or fail the intent at localstripe, which then delivers its signed
webhook; the last test watches that webhook credit the wallet through a real daphne server.
"""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from tests.factories import UserFactory
from tests.services import eventually
from tests.wallet.stripe_support import require_localstripe, stripe_client, webhook_server
from wallet.models import LedgerEntry, TopUp, Wallet
from wallet.services.topups import topup_create, topup_payment_open

SITE = "https://driftwood.example"


@pytest.fixture(autouse=True)
def _stand_in(settings):
    require_localstripe()
    settings.SITE_URL = SITE
    settings.STRIPE_REDIRECT_STAND_IN = True


def opened(user, method: str = "fpx", bank: str = "maybank2u", amount: str = "30.00") -> TopUp:
    topup = topup_create(
        user=user, amount=Decimal(amount), payment_method=method, fpx_bank=bank if method == "fpx" else ""
    )
    return topup_payment_open(topup_id=topup.pk)


def page_path(topup: TopUp) -> str:
    return urlsplit(topup.redirect_url).path


@pytest.mark.django_db
def test_the_bank_page_shows_the_bank_and_the_amount(client, user):
    topup = opened(user)
    client.force_login(user)

    page = client.get(page_path(topup)).content.decode()

    assert page_path(topup) == f"/dev/stripe-redirect/{topup.payment_intent_id}/"
    assert "Maybank2u (test bank)" in page
    assert "RM 30.00" in page
    assert 'value="approve"' in page and 'value="decline"' in page


@pytest.mark.django_db
def test_the_grabpay_page_is_an_e_wallet(client, user):
    topup = opened(user, method="grabpay")
    client.force_login(user)

    page = client.get(page_path(topup)).content.decode()

    assert "GrabPay (test e-wallet)" in page


@pytest.mark.django_db
def test_approve_pays_the_intent_and_goes_back_as_stripe_does(client, user):
    topup = opened(user)
    client.force_login(user)

    response = client.post(page_path(topup), {"decision": "approve"})

    assert response.status_code == 302
    back = urlsplit(response["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{SITE}/wallet/topups/{topup.pk}/"
    assert parse_qs(back.query) == {
        "payment_intent": [topup.payment_intent_id],
        "payment_intent_client_secret": [topup.client_secret],
        "redirect_status": ["succeeded"],
    }
    assert stripe_client().v1.payment_intents.retrieve(topup.payment_intent_id).status == "succeeded"


@pytest.mark.django_db
def test_decline_fails_the_intent_and_a_second_answer_pays_nothing(client, user):
    topup = opened(user, method="grabpay")
    client.force_login(user)

    declined = client.post(page_path(topup), {"decision": "decline"})
    approved_after = client.post(page_path(topup), {"decision": "approve"})

    assert parse_qs(urlsplit(declined["Location"]).query)["redirect_status"] == ["failed"]
    assert parse_qs(urlsplit(approved_after["Location"]).query)["redirect_status"] == ["failed"]
    intent = stripe_client().v1.payment_intents.retrieve(topup.payment_intent_id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error is not None
    assert "already been answered" in client.get(page_path(topup)).content.decode()


@pytest.mark.django_db
def test_someone_elses_payment_is_not_found(client, user):
    topup = opened(UserFactory())
    client.force_login(user)

    assert client.get(page_path(topup)).status_code == 404
    assert client.post(page_path(topup), {"decision": "approve"}).status_code == 404
    assert stripe_client().v1.payment_intents.retrieve(topup.payment_intent_id).status == "requires_payment_method"


@pytest.mark.django_db
def test_without_the_stand_in_the_page_does_not_exist(client, user, settings):
    topup = opened(user)
    client.force_login(user)
    settings.STRIPE_REDIRECT_STAND_IN = False

    assert client.get(page_path(topup)).status_code == 404


@pytest.mark.django_db
def test_a_card_intent_is_not_a_bank_payment(client, user):
    card = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("5.00")).pk)
    client.force_login(user)

    assert client.get(f"/dev/stripe-redirect/{card.payment_intent_id}/").status_code == 404


@pytest.fixture(scope="module")
def stripe_server(django_db_setup):
    with webhook_server(
        STRIPE_SECRET_KEY=settings.STRIPE_SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=settings.STRIPE_WEBHOOK_SECRET,
        SITE_URL=SITE,
    ) as url:
        yield url


@pytest.mark.django_db(transaction=True)
def test_approving_delivers_localstripes_signed_webhook_which_credits_the_wallet(stripe_server, client):
    player = UserFactory()
    topup = opened(player, amount="30.00")
    client.force_login(player)

    client.post(page_path(topup), {"decision": "approve"})

    settled = eventually(lambda: TopUp.objects.get(pk=topup.pk), until=lambda row: row.status != "pending")
    assert settled.status == TopUp.Status.SUCCEEDED
    assert Wallet.objects.get(owner=player).usable_balance == Decimal("30.00")
    assert LedgerEntry.objects.get(wallet__owner=player).description == f"FPX top-up #{topup.pk}"


@pytest.mark.django_db(transaction=True)
def test_declining_delivers_the_failure_and_credits_nothing(stripe_server, client):
    player = UserFactory()
    topup = opened(player, method="grabpay")
    client.force_login(player)

    client.post(page_path(topup), {"decision": "decline"})

    settled = eventually(lambda: TopUp.objects.get(pk=topup.pk), until=lambda row: row.status != "pending")
    assert settled.status == TopUp.Status.FAILED
    assert Wallet.objects.get(owner=player).usable_balance == Decimal("0.00")
    assert not LedgerEntry.objects.exists()
