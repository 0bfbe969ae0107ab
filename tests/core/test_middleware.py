import logging

import pytest
from django.utils import timezone

from tests.factories import funded_wallet

pytestmark = pytest.mark.django_db


def test_every_response_carries_its_processing_time(client):
    response = client.get("/healthz")

    assert float(response["X-Process-Time"]) >= 0


def test_requests_are_logged_with_method_path_status_and_user(jwt_client, user, caplog):
    with caplog.at_level(logging.INFO, logger="driftwood.requests"):
        jwt_client.get("/api/v1/me")

    record = next(r for r in caplog.records if r.name == "driftwood.requests")
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("GET /api/v1/me 200 ")
    assert f"user={user.pk}" in record.getMessage()


def test_slow_requests_are_warned_about(client, settings, caplog):
    settings.SLOW_REQUEST_SECONDS = 0

    with caplog.at_level(logging.INFO, logger="driftwood.requests"):
        client.get("/healthz")

    record = next(r for r in caplog.records if r.name == "driftwood.requests")
    assert record.levelno == logging.WARNING
    assert record.getMessage().endswith(" slow")


def test_cors_allows_only_listed_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.driftwood.my"]

    allowed = client.options(
        "/api/v1/auth/login",
        HTTP_ORIGIN="https://app.driftwood.my",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="idempotency-key, content-type",
    )
    refused = client.options(
        "/api/v1/auth/login", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://app.driftwood.my"
    assert "idempotency-key" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in refused


def test_api_datetimes_are_utc_while_the_site_keeps_malaysian_time(jwt_client, user):
    funded_wallet(user, "1.00")

    created_at = jwt_client.get("/api/v1/wallet/transactions").json()["results"][0]["created_at"]

    assert created_at.endswith("Z")
    assert timezone.get_current_timezone_name() == "Asia/Kuala_Lumpur"
