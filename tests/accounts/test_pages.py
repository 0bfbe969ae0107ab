"""The server-rendered account pages, home and error pages, through Django's test client."""

import pytest
from django.contrib.auth import get_user
from django.test import Client, RequestFactory

from driftwood.accounts.models import User
from driftwood.core.views import server_error
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"
PROFILE_URL = "/accounts/profile/"


def signup_data(**overrides):
    data = {
        "username": "Aiman_01",
        "email": "aiman@example.com",
        "display_name": "Aiman",
        "password": TEST_PASSWORD,
        "password_confirm": TEST_PASSWORD,
    }
    data.update(overrides)
    return data


def test_home_invites_visitors_to_sign_up(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "MYR wallet" in page
    assert f'href="{SIGNUP_URL}"' in page
    assert f'href="{LOGIN_URL}"' in page


def test_home_welcomes_back_a_logged_in_player(client):
    client.force_login(UserFactory(username="mei_ling", display_name="Mei Ling"))

    page = client.get("/").content.decode()

    assert "Welcome back, <span" in page
    assert "Mei Ling" in page
    assert f'href="{SIGNUP_URL}"' not in page


def test_signup_creates_the_user_and_logs_them_in(client):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="Aiman_01")
    assert user.email == "aiman@example.com"
    assert user.display_name == "Aiman"
    assert user.check_password(TEST_PASSWORD)
    assert get_user(client).pk == user.pk
    home = client.get("/").content.decode()
    assert "Welcome to Driftwood, Aiman!" in home


def test_signup_with_a_username_taken_in_another_case_shows_an_error_and_creates_nothing(client):
    UserFactory(username="mei_ling")

    response = client.post(SIGNUP_URL, signup_data(username="MEI_LING", email="other@example.com"))

    assert response.status_code == 200
    assert "That username is taken." in response.content.decode()
    assert User.objects.count() == 1
    assert not get_user(client).is_authenticated


def test_signup_with_mismatched_passwords_shows_an_error_and_creates_nothing(client):
    response = client.post(SIGNUP_URL, signup_data(password_confirm="something-else-entirely"))

    assert response.status_code == 200
    assert "The two passwords do not match." in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_a_weak_password_shows_the_validator_message(client):
    response = client.post(SIGNUP_URL, signup_data(password="12345678", password_confirm="12345678"))

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    assert not User.objects.exists()


def test_login_redirects_home_and_shows_the_username_in_the_navigation(client):
    UserFactory(username="mei_ling")

    response = client.post(LOGIN_URL, {"username": "mei_ling", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert '<span class="nav-username">mei_ling</span>' in page
    assert f'action="{LOGOUT_URL}"' in page


def test_login_with_a_wrong_password_shows_the_error(client):
    UserFactory(username="mei_ling")

    response = client.post(LOGIN_URL, {"username": "mei_ling", "password": "not-the-password"})

    assert response.status_code == 200
    assert "Invalid username or password." in response.content.decode()
    assert not get_user(client).is_authenticated


def test_an_inactive_user_cannot_log_in_and_hears_why_only_with_the_right_password(client):
    UserFactory(username="banned_player", is_active=False)  # disabled by hand in admin: no sanction

    wrong = client.post(LOGIN_URL, {"username": "banned_player", "password": "not-the-password"})
    right = client.post(LOGIN_URL, {"username": "banned_player", "password": TEST_PASSWORD})

    assert "Invalid username or password." in wrong.content.decode()
    assert right.status_code == 200
    assert "Your account is banned. Reason: The account was disabled by the staff." in right.content.decode()
    assert not get_user(client).is_authenticated


def test_login_shares_the_failed_attempt_limit_and_answers_429(client):
    UserFactory(username="mei_ling")
    for _ in range(5):
        client.post(LOGIN_URL, {"username": "mei_ling", "password": "wrong-guess"})

    response = client.post(LOGIN_URL, {"username": "mei_ling", "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed log-in attempts. Try again later." in response.content.decode()
    assert not get_user(client).is_authenticated


def test_login_follows_a_local_next_url(client):
    UserFactory(username="mei_ling")

    response = client.post(
        f"{LOGIN_URL}?next={PROFILE_URL}", {"username": "mei_ling", "password": TEST_PASSWORD, "next": PROFILE_URL}
    )

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_login_ignores_a_next_url_leaving_the_site(client, target):
    UserFactory(username="mei_ling")

    response = client.post(LOGIN_URL, {"username": "mei_ling", "password": TEST_PASSWORD, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_form_enforces_csrf():
    UserFactory(username="mei_ling")
    browser = Client(enforce_csrf_checks=True)

    forged = browser.post(LOGIN_URL, {"username": "mei_ling", "password": TEST_PASSWORD})
    browser.get(LOGIN_URL)
    token = browser.cookies["csrftoken"].value
    genuine = browser.post(LOGIN_URL, {"username": "mei_ling", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert genuine.status_code == 302
    assert get_user(browser).username == "mei_ling"


def test_logout_by_get_is_not_allowed(client, user):
    client.force_login(user)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert get_user(client).pk == user.pk


def test_logout_by_post_logs_out(client, user):
    client.force_login(user)

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not get_user(client).is_authenticated
    assert "You have logged out." in client.get("/").content.decode()


def test_profile_requires_login(client):
    response = client.get(PROFILE_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={PROFILE_URL}"


def test_profile_shows_the_account(client):
    user = UserFactory(username="mei_ling", email="mei@example.com", display_name="Mei Ling")
    client.force_login(user)

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "mei@example.com" in page
    assert 'value="Mei Ling"' in page


def test_profile_updates_the_display_name(client, user):
    client.force_login(user)

    response = client.post(PROFILE_URL, {"display_name": "  Harimau Malaya  "})

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    user.refresh_from_db()
    assert user.display_name == "Harimau Malaya"
    page = client.get(PROFILE_URL).content.decode()
    assert "Profile saved." in page
    assert 'value="Harimau Malaya"' in page


def test_profile_refuses_a_display_name_that_is_too_long(client, user):
    client.force_login(user)
    before = user.display_name

    response = client.post(PROFILE_URL, {"display_name": "x" * 51})

    assert response.status_code == 200
    assert "Ensure this value has at most 50 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == before


def test_missing_page_is_an_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


def test_missing_api_path_is_a_json_404_envelope(client):
    response = client.get("/api/v1/nope")

    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found", "path": "/api/v1/nope"}


def test_server_error_page_renders_without_request_context():
    request = RequestFactory().get("/some/page/")

    response = server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "nav-account" not in page


def test_profile_saves_whether_strangers_may_message(client, user):
    client.force_login(user)

    client.post(PROFILE_URL, {"display_name": "Mei", "allow_messages_from_anyone": "on"})
    user.refresh_from_db()
    accepting = user.allow_messages_from_anyone
    client.post(PROFILE_URL, {"display_name": "Mei"})
    user.refresh_from_db()

    assert (accepting, user.allow_messages_from_anyone) == (True, False)
