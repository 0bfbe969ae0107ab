import time

import pytest
from django.test import override_settings

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
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_unreachable(client):
    # given a cache nothing listens for (restored before the fixtures clear the real one)
    with override_settings(CACHES=UNREACHABLE_CACHE):
        started = time.monotonic()

        # when the load balancer asks
        response = client.get("/healthz")

    # then it answers quickly that this process is degraded
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error"}
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
