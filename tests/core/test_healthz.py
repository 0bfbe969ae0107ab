import time

import pytest
from django.conf import settings
from django.test import override_settings

from driftwood.core import health

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "redis": "ok" if settings.REDIS_URL else "not used",
        "redis_fallbacks": 0,
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_200_degraded_when_the_cache_is_unreachable(client):
    # given a cache nothing listens for (restored before the fixtures clear the real one)
    with override_settings(CACHES=UNREACHABLE_CACHE, REDIS_URL=UNREACHABLE_CACHE["default"]["LOCATION"]):
        started = time.monotonic()

        # when the load balancer asks
        response = client.get("/healthz")

    # then it answers quickly that this process is degraded, but serving (Redis down is survived)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert (body["database"], body["cache"], body["redis"]) == ("ok", "error", "down")
    assert body["redis_fallbacks"] >= 1
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    # given a database that does not answer
    monkeypatch.setattr(health, "_database_ok", lambda: False)

    # when the load balancer asks
    response = client.get("/healthz")

    # then this process cannot serve
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "error"


@pytest.mark.django_db
def test_readyz_is_200_while_the_database_answers_even_with_redis_down(client):
    with override_settings(CACHES=UNREACHABLE_CACHE, REDIS_URL=UNREACHABLE_CACHE["default"]["LOCATION"]):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: False)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error"}


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
