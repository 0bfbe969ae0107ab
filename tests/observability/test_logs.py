"""One JSON line per request and per task, tied together by the request id."""

import json
import logging
import re

import pytest
import redis

from driftwood.core.tasks import purge_expired_idempotency_keys
from driftwood.observability.context import request_id_var
from driftwood.observability.logs import ContextFilter, TextFormatter, logging_config
from tests.factories import EventFactory, funded_wallet
from tests.observability.support import json_log_lines
from wallet.models import LedgerEntry

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


def _lines(lines: list[dict], logger: str) -> list[dict]:
    return [line for line in lines if line["logger"] == logger]


def test_a_request_gets_an_id_in_its_response_and_one_json_line(jwt_client, user):
    with json_log_lines() as lines:
        response = jwt_client.get("/api/v1/me")

    request_id = response["X-Request-ID"]
    assert HEX_ID.fullmatch(request_id)
    [line] = _lines(lines, "driftwood.requests")
    assert line["request_id"] == request_id
    assert line["user_id"] == user.pk
    assert (line["event"], line["method"], line["route"], line["path"], line["status"]) == (
        "request",
        "GET",
        "/api/v1/me",
        "/api/v1/me",
        200,
    )
    assert line["duration_ms"] >= 0 and line["db_queries"] >= 1
    assert line["level"] == "INFO" and line["ts"].endswith("Z")
    assert line["message"].startswith("GET /api/v1/me 200 ")


def test_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_client_cannot_choose_its_request_id(client, settings):
    settings.TRUSTED_PROXIES = []

    response = client.get("/healthz", HTTP_X_REQUEST_ID="chosen-by-the-client-123")

    assert response["X-Request-ID"] != "chosen-by-the-client-123"
    assert HEX_ID.fullmatch(response["X-Request-ID"])


def test_a_trusted_proxy_passes_its_request_id_on(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's REMOTE_ADDR

    with json_log_lines() as lines:
        response = client.get("/healthz", HTTP_X_REQUEST_ID="5f0c1e9a2b3d4c5e6f708192a3b4c5d6")
    malformed = client.get("/healthz", HTTP_X_REQUEST_ID="two words\nand a line")

    assert response["X-Request-ID"] == "5f0c1e9a2b3d4c5e6f708192a3b4c5d6"
    assert _lines(lines, "driftwood.requests")[0]["request_id"] == "5f0c1e9a2b3d4c5e6f708192a3b4c5d6"
    assert HEX_ID.fullmatch(malformed["X-Request-ID"])


def test_a_money_action_logs_its_ledger_transaction_with_the_request_id(jwt_client, user, commit_hooks_run):
    event = EventFactory(entry_fee="5.00")
    funded_wallet(user, "20.00")

    with json_log_lines() as lines:
        response = jwt_client.post(f"/api/v1/events/{event.pk}/join", {"payment_method": "wallet"}, format="json")

    assert response.status_code == 201, response.content
    fee = LedgerEntry.objects.get(wallet__owner=user, transaction_type="entry_fee")
    [ledger] = _lines(lines, "driftwood.wallet.ledger")
    assert ledger["ledger_transaction_id"] == fee.ledger_transaction_id
    assert ledger["transaction_type"] == "entry_fee"
    assert ledger["request_id"] == response["X-Request-ID"]
    assert ledger["user_id"] == user.pk
    assert f"user:{user.pk}" in ledger["wallets"]


def test_tasks_queued_during_a_request_carry_its_id_in_their_headers(settings):
    # given the broker (this test's Redis database) and a request being served
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    token = request_id_var.set("0123456789abcdef0123456789abcdef")
    try:
        # when it queues a task
        sent = purge_expired_idempotency_keys.delay()
    finally:
        request_id_var.reset(token)

    # then the message waiting in the queue carries the request id in its headers
    [message] = [json.loads(raw) for raw in broker.lrange("low", 0, -1)]
    assert message["headers"]["id"] == sent.id
    assert message["headers"]["driftwood_request_id"] == "0123456789abcdef0123456789abcdef"


def test_a_task_run_in_process_logs_one_line_with_the_request_id(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # Celery reads Django's settings live
    token = request_id_var.set("fedcba9876543210fedcba9876543210")
    try:
        with json_log_lines() as lines:
            purge_expired_idempotency_keys.delay()
    finally:
        request_id_var.reset(token)

    [line] = _lines(lines, "driftwood.tasks")
    assert line["request_id"] == "fedcba9876543210fedcba9876543210"
    assert (line["event"], line["task"], line["state"]) == (
        "task",
        "driftwood.core.tasks.purge_expired_idempotency_keys",
        "success",
    )
    assert line["duration_ms"] >= 0
    assert request_id_var.get() is None


def test_plain_text_stays_available_for_development():
    record = logging.LogRecord("driftwood.requests", logging.INFO, __file__, 1, "GET /healthz 200", (), None)
    token = request_id_var.set("abc123abc123abc1")
    try:
        ContextFilter().filter(record)
    finally:
        request_id_var.reset(token)

    line = TextFormatter().format(record)

    assert line.endswith(" INFO driftwood.requests [abc123abc123abc1] GET /healthz 200")
    assert logging_config(log_format="text", level="INFO")["formatters"]["line"]["()"] is TextFormatter
    with pytest.raises(ValueError):
        logging_config(log_format="xml", level="INFO")


@pytest.mark.urls("tests.core.urls")
def test_djangos_own_line_for_a_failed_request_carries_its_id(jwt_client, user):
    with json_log_lines() as lines:
        response = jwt_client.get("/api/v1/test/fail")

    assert response.status_code == 500
    [django_line] = _lines(lines, "django.request")
    assert django_line["request_id"] == response["X-Request-ID"]
    assert django_line["user_id"] == user.pk
    [unhandled] = _lines(lines, "driftwood.api")
    assert unhandled["request_id"] == response["X-Request-ID"]
    assert "deliberate failure" in unhandled["exc"]
