import pytest

from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


def login(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_sixth_failed_login_for_a_username_is_429_even_with_the_right_password(api_client):
    user = UserFactory()
    for _ in range(5):
        assert login(api_client, user.username, "wrong").status_code == 401

    blocked = login(api_client, user.username, "wrong")
    right_password = login(api_client, user.username, TEST_PASSWORD)

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    assert 1 <= int(blocked["Retry-After"]) <= 60
    assert right_password.status_code == 429


def test_username_lock_ignores_case(api_client):
    UserFactory(username="siti")
    for attempt in range(5):
        login(api_client, "SITI" if attempt % 2 else "siti", "wrong")

    assert login(api_client, "Siti", TEST_PASSWORD).status_code == 429


def test_other_usernames_are_not_locked(api_client):
    victim, bystander = UserFactory(), UserFactory()
    for _ in range(6):
        login(api_client, victim.username, "wrong")

    assert login(api_client, bystander.username, TEST_PASSWORD).status_code == 200


def test_thirty_players_logging_in_from_one_ip_all_succeed(api_client):
    players = UserFactory.create_batch(30)

    statuses = [login(api_client, player.username, TEST_PASSWORD).status_code for player in players]

    assert statuses == [200] * 30


def test_twenty_failures_from_one_ip_block_that_ip(api_client):
    players = UserFactory.create_batch(21)
    for player in players[:20]:
        assert login(api_client, player.username, "wrong").status_code == 401

    assert login(api_client, players[20].username, TEST_PASSWORD).status_code == 429
    assert login(api_client, players[20].username, TEST_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_spoofed_forwarded_for_does_not_reset_the_count(api_client):
    user = UserFactory()
    for attempt in range(5):
        login(api_client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")

    response = login(api_client, user.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_spoofed_forwarded_for_does_not_dodge_the_ip_limit(api_client):
    players = UserFactory.create_batch(21)
    for index, player in enumerate(players[:20]):
        login(api_client, player.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{index}")

    response = login(api_client, players[20].username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_forwarded_for_is_believed_from_a_trusted_proxy(api_client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    players = UserFactory.create_batch(21)
    for player in players[:20]:
        login(api_client, player.username, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.1")

    other_client = login(api_client, players[20].username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.2")
    same_client = login(api_client, players[20].username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert other_client.status_code == 200
    assert same_client.status_code == 429


def test_banned_user_cannot_log_in_and_their_token_stops_working(api_client):
    user = UserFactory()
    client = bearer_client(user)
    assert client.get("/api/v1/me").status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    refused = login(api_client, user.username, TEST_PASSWORD)
    assert (refused.status_code, refused.json()["code"]) == (403, "account_suspended")  # the contract's Additions
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_banned_user_cannot_refresh(api_client):
    user = UserFactory()
    refresh = login(api_client, user.username, TEST_PASSWORD).json()["refresh"]
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = api_client.post("/api/v1/auth/refresh", {"refresh": refresh})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("tier", "rate_setting"),
    [("staff", "staff"), ("premium", "premium"), ("free", "user")],
)
def test_tiers_have_their_own_limits(settings, tier, rate_setting):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staff": "5/m", "premium": "4/m", "user": "3/m"}
    user = UserFactory(is_staff=tier == "staff", subscription_tier="premium" if tier == "premium" else "free")
    client = bearer_client(user)
    allowed = int(settings.RATE_LIMITS[rate_setting].split("/")[0])

    statuses = [client.get("/api/v1/me").status_code for _ in range(allowed + 1)]

    assert statuses == [200] * allowed + [429]


def test_anonymous_callers_are_limited_per_ip(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "anon": "2/m"}
    body = {"refresh": "not-a-token"}

    statuses = [api_client.post("/api/v1/auth/refresh", body).status_code for _ in range(3)]
    elsewhere = api_client.post("/api/v1/auth/refresh", body, REMOTE_ADDR="10.1.1.1").status_code

    assert statuses == [401, 401, 429]
    assert elsewhere == 401


@pytest.mark.urls("tests.core.urls")
def test_money_scope_limits_money_moving_posts(jwt_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "money": "2/m"}

    statuses = [jwt_client.post("/api/v1/test/effects", {"note": str(n)}).status_code for n in range(3)]

    assert statuses == [201, 201, 429]
    assert jwt_client.get("/api/v1/me").status_code == 200
