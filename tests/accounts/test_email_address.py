"""E-mail verification after sign-up and e-mail change by a link to the new address (issue 16)."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from driftwood.accounts.models import User
from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD, UserFactory, funded_wallet

pytestmark = pytest.mark.usefixtures("commit_hooks_run", "eager_mail")

LINK = re.compile(r"http://testserver\.example(/accounts/email/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def link_in(subject: str) -> str:
    (message,) = [message for message in mail.outbox if message.subject == subject]
    return LINK.search(message.body).group(1)


def confirm(client, path: str):
    return client.post(path, follow=True)


def test_a_new_player_confirms_the_address_by_the_link_sent_at_sign_up(client, db):
    signed_up = APIClient().post(
        "/api/v1/auth/register", {"username": "aiman", "email": "aiman@example.com", "password": TEST_PASSWORD}
    )
    user = User.objects.get(pk=signed_up.json()["id"])
    me = bearer_client(user)
    assert me.get("/api/v1/me").json()["email_verified"] is False
    path = link_in("Confirm your e-mail address for Driftwood")

    # a mail scanner opening the link changes nothing; the button does
    page = client.get(path)
    assert "Make <strong>aiman@example.com</strong> the address" in page.text
    assert me.get("/api/v1/me").json()["email_verified"] is False
    assert "Thank you: aiman@example.com is confirmed." in confirm(client, path).text

    assert me.get("/api/v1/me").json()["email_verified"] is True
    assert "This link was already used" in client.get(path).text


def test_the_banner_asks_until_the_address_is_confirmed_and_sends_the_link_again(client, db):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)

    page = client.get("/events/")
    assert "Confirm your e-mail address: we sent a link to" in page.text
    again = client.post("/accounts/email/verify/", {"next": "/events/"}, follow=True)
    assert f"We sent the link again to {user.email}." in again.text
    confirm(client, link_in("Confirm your e-mail address for Driftwood"))

    assert "Confirm your e-mail address: we sent a link to" not in client.get("/events/").text


def test_withdrawals_need_a_confirmed_address(db):
    user = UserFactory(email_verified_at=None)
    funded_wallet(user, "100.00")

    response = bearer_client(user).post("/api/v1/wallet/withdrawal", {"amount": "20.00"}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "email_unverified")


def test_an_address_changes_only_when_the_link_sent_to_it_is_opened(client, db):
    user = UserFactory(username="siti", email="siti@example.com")
    api = bearer_client(user)

    asked = api.post("/api/v1/me/email", {"email": "Siti.New@Example.com", "password": TEST_PASSWORD}, format="json")

    assert asked.status_code == 202
    assert api.get("/api/v1/me").json()["email"] == "siti@example.com"
    assert [message.to for message in mail.outbox] == [["Siti.New@example.com"], ["siti@example.com"]]
    path = link_in("Confirm your new e-mail address for Driftwood")
    confirm(client, path)
    me = api.get("/api/v1/me").json()
    assert (me["email"], me["email_verified"]) == ("Siti.New@example.com", True)
    # the same link again, or an older one, changes nothing more
    assert "This link was already used" in client.get(path).text


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("new@example.com", "not-my-password", "password"),
        ("SITI@example.com", TEST_PASSWORD, "email"),
        ("taken@example.com", TEST_PASSWORD, "email"),
    ],
)
def test_an_address_change_needs_the_password_and_a_free_new_address(db, email, password, field):
    user = UserFactory(username="siti", email="siti@example.com")
    UserFactory(email="taken@example.com")

    response = bearer_client(user).post("/api/v1/me/email", {"email": email, "password": password}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, [field])
    assert mail.outbox == []


def test_an_expired_or_forged_link_is_refused(client, db, monkeypatch):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    client.post("/accounts/email/verify/")
    path = link_in("Confirm your e-mail address for Driftwood")
    token = path.split("/")[-2]

    forged = client.get(path.replace(token, token[:-3] + "abc"))
    assert (forged.status_code, "This link no longer works" in forged.text) == (400, True)
    # a day has passed (the link's age is now over its validity)
    monkeypatch.setattr("driftwood.accounts.email_address.LINK_VALID_SECONDS", -1)
    expired = client.post(path)

    assert expired.status_code == 400
    user.refresh_from_db()
    assert not user.email_verified
