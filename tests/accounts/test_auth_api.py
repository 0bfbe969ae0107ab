import pytest

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
        "display_name": user.display_name,
        "is_staff": False,
        "subscription_tier": "free",
        "starred_user_ids": [],
    }
