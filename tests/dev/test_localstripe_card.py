"""The development card step for localstripe (driftwood/dev/localstripe_card.py), against localstripe."""

from decimal import Decimal

import pytest

from tests.factories import UserFactory
from tests.wallet.stripe_support import require_localstripe
from wallet.services.topups import topup_create, topup_payment_open

pytestmark = pytest.mark.django_db
URL = "/dev/localstripe-card/"
VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
THREE_D_SECURE = {**VISA, "number": "4000002760003184"}


@pytest.fixture
def shim_on(settings):
    require_localstripe()
    settings.STRIPE_LOCAL_CARD_SHIM = True


def post(client, client_secret: str, card: dict):
    return client.post(URL, {"client_secret": client_secret, "card": card}, content_type="application/json")


def test_a_plain_card_is_charged(client, user, shim_on):
    topup = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("25.00")).pk)
    client.force_login(user)

    response = post(client, topup.client_secret, VISA)

    assert response.status_code == 200
    assert response.json() == {"id": topup.payment_intent_id, "status": "succeeded"}


def test_a_3d_secure_card_waits_for_the_prompt(client, user, shim_on):
    topup = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("25.00")).pk)
    client.force_login(user)

    response = post(client, topup.client_secret, THREE_D_SECURE)

    assert response.json()["status"] == "requires_action"


def test_someone_elses_payment_is_unknown(client, user, shim_on):
    topup = topup_payment_open(topup_id=topup_create(user=UserFactory(), amount=Decimal("25.00")).pk)
    client.force_login(user)

    response = post(client, topup.client_secret, VISA)

    assert response.status_code == 404


def test_a_wrong_secret_is_unknown(client, user, shim_on):
    topup = topup_payment_open(topup_id=topup_create(user=user, amount=Decimal("25.00")).pk)
    client.force_login(user)

    response = post(client, f"{topup.payment_intent_id}_secret_guess", VISA)

    assert response.status_code == 404


def test_it_does_not_exist_with_real_stripe(client, user, settings):
    settings.STRIPE_LOCAL_CARD_SHIM = False
    client.force_login(user)

    assert post(client, "pi_x_secret_y", VISA).status_code == 404


def test_it_needs_a_logged_in_player_and_csrf(user, shim_on):
    from django.test import Client

    anonymous = Client()
    assert post(anonymous, "pi_x_secret_y", VISA).status_code == 302
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(user)
    assert post(checked, "pi_x_secret_y", VISA).status_code == 403


def test_bad_bodies_are_400(client, user, shim_on):
    client.force_login(user)

    response = client.post(URL, "not json", content_type="application/json")

    assert response.status_code == 400
