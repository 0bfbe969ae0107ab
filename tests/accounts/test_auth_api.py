import jwt
import pytest
from rest_framework_simplejwt.tokens import AccessToken

from driftwood.accounts.models import User
from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_register_creates_user_and_returns_public_fields(api_client):
    response = api_client.post(
        "/api/v1/auth/register", {"username": "Aiman_01", "email": "aiman@example.com", "password": TEST_PASSWORD}
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "username": "Aiman_01", "email": "aiman@example.com"}


def test_login_returns_tokens_that_authenticate_me(api_client):
    user = UserFactory(username="mei_ling")

    tokens = api_client.post("/api/v1/auth/login", {"username": "MEI_LING", "password": TEST_PASSWORD}).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/me")

    assert me.status_code == 200
    assert me.json() == {
        "id": user.pk,
        "username": "mei_ling",
        "email": user.email,
        "email_verified": True,
        "display_name": user.display_name,
        "is_staff": False,
        "subscription_tier": "free",
        "starred_user_ids": [],
    }


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [
        ("MEI_LING", "new@example.com", "username"),
        ("someone_new", "MEI@EXAMPLE.COM", "email"),
    ],
)
def test_register_refuses_case_insensitive_duplicates(api_client, username, email, field):
    UserFactory(username="mei_ling", email="mei@example.com")

    response = api_client.post(
        "/api/v1/auth/register", {"username": username, "email": email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("username", ["ab", "a" * 31, "has space", "dash-ed", "émile"])
def test_register_refuses_bad_usernames(api_client, username):
    response = api_client.post(
        "/api/v1/auth/register", {"username": username, "email": "x@example.com", "password": TEST_PASSWORD}
    )

    assert response.status_code == 400
    assert "username" in response.json()["errors"]


def test_register_applies_django_password_validators(api_client):
    response = api_client.post(
        "/api/v1/auth/register", {"username": "newbie", "email": "newbie@example.com", "password": "12345678"}
    )

    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not User.objects.filter(username="newbie").exists()


def test_refresh_issues_a_working_access_token(api_client):
    user = UserFactory()
    refresh = api_client.post("/api/v1/auth/login", {"username": user.username, "password": TEST_PASSWORD}).json()[
        "refresh"
    ]

    access = api_client.post("/api/v1/auth/refresh", {"refresh": refresh}).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    assert api_client.get("/api/v1/me").json()["id"] == user.pk


def test_refresh_refuses_an_access_token(api_client, user):
    access = str(AccessToken.for_user(user))

    response = api_client.post("/api/v1/auth/refresh", {"refresh": access})

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_access_token_cannot_be_signed_with_another_algorithm(api_client, user):
    forged = jwt.encode({"token_type": "access", "user_id": str(user.pk), "exp": 9999999999, "jti": "x"}, "", "none")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert api_client.get("/api/v1/me").status_code == 401


def test_me_reports_premium_and_staff(user):
    user.subscription_tier = User.SubscriptionTier.PREMIUM
    user.is_staff = True
    user.save()

    body = bearer_client(user).get("/api/v1/me").json()

    assert body["subscription_tier"] == "premium"
    assert body["is_staff"] is True


def test_register_lists_every_invalid_field_at_once(api_client):
    UserFactory(username="mei_ling")

    taken_and_weak = api_client.post(
        "/api/v1/auth/register", {"username": "MEI_LING", "email": "new@example.com", "password": "12345678"}
    )
    malformed_and_weak = api_client.post(
        "/api/v1/auth/register", {"username": "new_player", "email": "not-an-address", "password": "password"}
    )

    assert (taken_and_weak.status_code, sorted(taken_and_weak.json()["errors"])) == (400, ["password", "username"])
    assert sorted(malformed_and_weak.json()["errors"]) == ["email", "password"]


@pytest.mark.parametrize("body", [["a", "list"], {"username": ["x"], "password": {"a": 1}}, {"password": "x" * 5000}])
def test_register_answers_a_hostile_body_with_the_envelope(api_client, body):
    response = api_client.post("/api/v1/auth/register", body, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
