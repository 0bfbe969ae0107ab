"""Every row of the contract's error table, as the JSON envelope, with DEBUG off."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def assert_envelope(response, status: int, code: str, path: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["path"] == path
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_400_lists_field_errors(api_client):
    response = api_client.post("/api/v1/auth/register", {"username": "x", "email": "nope", "password": ""})

    body = assert_envelope(response, 400, "invalid", "/api/v1/auth/register")
    assert set(body["errors"]) == {"username", "email", "password"}
    assert all(isinstance(message, str) for messages in body["errors"].values() for message in messages)


def test_400_for_malformed_json(api_client):
    response = api_client.post("/api/v1/auth/login", data="{not json", content_type="application/json")

    assert_envelope(response, 400, "invalid", "/api/v1/auth/login")


def test_401_without_credentials(api_client):
    response = api_client.get("/api/v1/me")

    assert_envelope(response, 401, "not_authenticated", "/api/v1/me")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_401_for_expired_token(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_envelope(api_client.get("/api/v1/me"), 401, "token_expired", "/api/v1/me")


def test_401_for_tampered_token(api_client, user):
    header, payload, signature = str(AccessToken.for_user(user)).split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tampered}")

    assert_envelope(api_client.get("/api/v1/me"), 401, "token_invalid", "/api/v1/me")


def test_401_for_wrong_password(api_client, user):
    response = api_client.post("/api/v1/auth/login", {"username": user.username, "password": "wrong"})

    assert_envelope(response, 401, "invalid_credentials", "/api/v1/auth/login")


def test_403_for_authenticated_but_not_allowed(jwt_client):
    assert_envelope(jwt_client.get("/api/v1/test/staff-only"), 403, "permission_denied", "/api/v1/test/staff-only")


def test_403_for_session_post_without_csrf(session_client):
    response = session_client.post("/api/v1/test/effects", {"note": "x"})

    assert_envelope(response, 403, "permission_denied", "/api/v1/test/effects")


def test_404_for_unknown_api_path(api_client):
    assert_envelope(api_client.get("/api/v1/no/such/thing"), 404, "not_found", "/api/v1/no/such/thing")


def test_405_for_wrong_method(api_client):
    response = api_client.get("/api/v1/auth/login")

    assert_envelope(response, 405, "method_not_allowed", "/api/v1/auth/login")
    assert "POST" in response["Allow"]


def test_409_for_a_domain_conflict(jwt_client):
    assert_envelope(jwt_client.post("/api/v1/test/conflict", {}), 409, "conflict", "/api/v1/test/conflict")


def test_429_with_retry_after(jwt_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "user": "2/m"}
    for _ in range(2):
        assert jwt_client.get("/api/v1/me").status_code == 200

    response = jwt_client.get("/api/v1/me")

    assert_envelope(response, 429, "rate_limited", "/api/v1/me")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_500_is_an_envelope_without_traceback(jwt_client, caplog):
    response = jwt_client.get("/api/v1/test/fail")

    body = assert_envelope(response, 500, "server_error", "/api/v1/test/fail")
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["message"] == "Internal server error."
    assert "deliberate failure" in caplog.text  # logged for us, not shown to the caller


def test_500_stays_json_with_debug_on(jwt_client, settings):
    settings.DEBUG = True

    assert_envelope(jwt_client.get("/api/v1/test/fail"), 500, "server_error", "/api/v1/test/fail")


def test_trailing_slash_is_optional_for_posts(api_client, user):
    for path in ("/api/v1/auth/login", "/api/v1/auth/login/"):
        response = api_client.post(path, {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 200, path
        assert set(response.json()) == {"access", "refresh"}


def test_session_and_bearer_both_reach_endpoints(session_client, user):
    assert session_client.get("/api/v1/me").json()["id"] == user.pk
    assert bearer_client(user).get("/api/v1/me").json()["id"] == user.pk


@pytest.mark.urls("driftwood.urls")
@pytest.mark.parametrize("host", ["", "evil.example", "bad host"])
def test_400_for_a_disallowed_host_is_an_envelope(api_client, host):
    # Found by schemathesis: an empty Host header got Django's HTML 400 page from the API.
    response = api_client.get("/api/v1/chat/rooms", HTTP_HOST=host)

    assert_envelope(response, 400, "invalid", "/api/v1/chat/rooms")


@pytest.mark.urls("driftwood.urls")
def test_400_for_a_disallowed_host_on_a_page_stays_plain(client):
    response = client.get("/events/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
