"""Password reset by e-mailed link and password change, over the API and the pages (issue 16)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("commit_hooks_run", "eager_mail")

NEW_PASSWORD = "kopi-o-kosong-42"
LINK = re.compile(r"http://testserver\.example/accounts/password/reset/(?P<uid>[\w-]+)/(?P<token>[\w-]+)/")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver.example"


@pytest.fixture
def player(db):
    return UserFactory(username="siti", email="siti@example.com")


def reset_link_in_mail() -> re.Match:
    (message,) = [message for message in mail.outbox if message.subject == "Reset your Driftwood password"]
    return LINK.search(message.body)


def log_in(password: str) -> int:
    return APIClient().post("/api/v1/auth/login", {"username": "siti", "password": password}).status_code


def test_a_reset_is_accepted_alike_for_any_address_and_mails_only_an_account(api_client, player):
    unknown = api_client.post("/api/v1/auth/password/reset", {"email": "nobody@example.com"})
    assert (unknown.status_code, mail.outbox) == (202, [])

    known = api_client.post("/api/v1/auth/password/reset", {"email": "SITI@example.com"})
    assert known.status_code == 202
    assert [message.to for message in mail.outbox] == [["siti@example.com"]]
    assert reset_link_in_mail() is not None
    assert "60 minutes" in mail.outbox[0].body


def test_a_reset_link_sets_the_password_once(api_client, player):
    api_client.post("/api/v1/auth/password/reset", {"email": "siti@example.com"})
    link = reset_link_in_mail()
    body = {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD}

    assert api_client.post("/api/v1/auth/password/reset/confirm", body).status_code == 200
    assert (log_in(NEW_PASSWORD), log_in(TEST_PASSWORD)) == (200, 401)
    # the same link again
    again = api_client.post("/api/v1/auth/password/reset/confirm", {**body, "new_password": "another-one-77"})
    assert (again.status_code, again.json()["code"]) == (400, "invalid_token")
    assert log_in(NEW_PASSWORD) == 200
    assert "was changed" in mail.outbox[-1].subject


def test_a_reset_link_expires_after_an_hour(api_client, player, monkeypatch):
    api_client.post("/api/v1/auth/password/reset", {"email": "siti@example.com"})
    link = reset_link_in_mail()
    later = default_token_generator._now() + timedelta(minutes=61)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    body = {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD}
    response = api_client.post("/api/v1/auth/password/reset/confirm", body)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_token")
    assert log_in(TEST_PASSWORD) == 200


@pytest.mark.parametrize(("uid", "token"), [("MQ", "nonsense-token"), ("!!", "x"), ("OTk5OTk5", "abc-def")])
def test_a_made_up_link_is_refused(api_client, player, uid, token):
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    response = api_client.post("/api/v1/auth/password/reset/confirm", body)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_token")


def test_a_weak_new_password_is_refused_and_the_link_still_works(api_client, player):
    api_client.post("/api/v1/auth/password/reset", {"email": "siti@example.com"})
    link = reset_link_in_mail()

    weak = api_client.post(
        "/api/v1/auth/password/reset/confirm", {"uid": link["uid"], "token": link["token"], "new_password": "12345678"}
    )
    assert (weak.status_code, weak.json()["code"], list(weak.json()["errors"])) == (400, "invalid", ["new_password"])
    body = {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD}
    good = api_client.post("/api/v1/auth/password/reset/confirm", body)
    assert good.status_code == 200


def test_a_banned_player_gets_no_reset_mail(api_client, player):
    player.is_active = False
    player.save(update_fields=["is_active"])

    assert api_client.post("/api/v1/auth/password/reset", {"email": "siti@example.com"}).status_code == 202
    assert mail.outbox == []


def test_one_inbox_gets_at_most_five_reset_mails_an_hour(api_client, player, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anon": "100/m"}
    for _ in range(7):
        assert api_client.post("/api/v1/auth/password/reset", {"email": "siti@example.com"}).status_code == 202

    assert len(mail.outbox) == 5


def test_a_password_change_revokes_every_other_token_and_session(player, client):
    old_tokens = RefreshToken.for_user(player)
    other_device = APIClient()
    other_device.credentials(HTTP_AUTHORIZATION=f"Bearer {old_tokens.access_token}")
    client.force_login(player)  # a browser session elsewhere
    assert other_device.get("/api/v1/me").status_code == 200

    changed = other_device.post(
        "/api/v1/auth/password/change", {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert changed.status_code == 200
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {changed.json()['access']}")
    assert fresh.get("/api/v1/me").status_code == 200
    assert other_device.get("/api/v1/me").status_code == 401
    refreshed = APIClient().post("/api/v1/auth/refresh", {"refresh": str(old_tokens)})
    assert (refreshed.status_code, refreshed.json()["code"]) == (401, "token_invalid")
    assert APIClient().post("/api/v1/auth/refresh", {"refresh": changed.json()["refresh"]}).status_code == 200
    assert client.get("/wallet/").status_code == 302  # the browser session was logged out
    assert log_in(NEW_PASSWORD) == 200
    assert [message.subject for message in mail.outbox] == ["Your Driftwood password was changed"]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [("wrong-password-1", NEW_PASSWORD, "old_password"), (TEST_PASSWORD, TEST_PASSWORD, "new_password")],
)
def test_a_password_change_needs_the_current_password_and_a_new_one(jwt_client, old, new, field):
    response = jwt_client.post("/api/v1/auth/password/change", {"old_password": old, "new_password": new})

    assert (response.status_code, list(response.json()["errors"])) == (400, [field])
    assert mail.outbox == []


def test_anonymous_clients_cannot_change_a_password(api_client):
    response = api_client.post("/api/v1/auth/password/change", {"old_password": "a", "new_password": "b"})

    assert response.status_code == 401


# --- Pages


def test_the_reset_pages_take_a_player_from_the_link_to_a_new_password(client, player):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").text
    sent = client.post("/accounts/password/reset/", {"email": "siti@example.com"}, follow=True)
    assert "Check your e-mail" in sent.text
    link = reset_link_in_mail()

    # the link moves its token into the session, out of the address bar
    form_page = client.get(link.group(0).removeprefix("http://testserver.example"), follow=True)
    assert form_page.redirect_chain[-1][0].endswith("/set-password/")
    assert "Choose a new password" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert "Password saved" in done.text
    assert log_in(NEW_PASSWORD) == 200
    spent = client.get(link.group(0).removeprefix("http://testserver.example"), follow=True)
    assert "This link no longer works" in spent.text


def test_the_change_page_keeps_this_session_and_ends_the_others(client, player):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(player)
    client.force_login(player)

    wrong = client.post(
        "/accounts/password/change/",
        {"old_password": "not-it-at-all", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert "That is not your current password." in wrong.text
    changed = client.post(
        "/accounts/password/change/",
        {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
        follow=True,
    )

    assert "Your other devices were logged out." in changed.text
    assert client.get("/wallet/").status_code == 200
    assert elsewhere.get("/wallet/").status_code == 302
