"""Sentry: off without SENTRY_DSN; with it, events leave scrubbed of bank numbers and secrets."""

import gzip
import json
import subprocess
import sys
import textwrap
import threading

import pytest
import sentry_sdk

from driftwood.observability.errors import FILTERED, scrub_event
from tests import services
from tests.local_http import LocalHttpServer, QuietHandler

ACCOUNT_NUMBER = "1234567890123"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo1fQ.c2lnbmF0dXJl"


def a_captured_event() -> dict:
    """An event as sentry-sdk's Django integration builds it for a failed withdrawal request."""
    return {
        "event_id": "8f4e3a2b1c0d4e5f8a9b0c1d2e3f4a5b",
        "level": "error",
        "logentry": {"message": "payout to %s failed", "params": [ACCOUNT_NUMBER]},
        "exception": {
            "values": [
                {
                    "type": "BankError",
                    "value": f"account {ACCOUNT_NUMBER} refused",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "withdrawal_payout_send",
                                "vars": {
                                    "account_number": ACCOUNT_NUMBER,
                                    "note": "card 4242 4242 4242 4242",
                                    "amount": "50.00",
                                    "password": "hunter2-secret",
                                },
                            }
                        ]
                    },
                }
            ]
        },
        "request": {
            "url": "https://driftwood.my/api/v1/wallet/bank-account",
            "method": "PUT",
            "headers": {"Authorization": f"Bearer {JWT}", "Cookie": "sessionid=s3ss10n", "Accept": "application/json"},
            "cookies": {"sessionid": "s3ss10n"},
            "data": {"account_number": ACCOUNT_NUMBER, "bank_name": "Maybank", "account_holder_name": "Ali Bin Abu"},
        },
        "extra": {"withdrawal": {"bank_account_number": ACCOUNT_NUMBER, "status": "failed"}},
        "breadcrumbs": {"values": [{"message": f"POST to bank for {ACCOUNT_NUMBER}", "data": {"token": JWT}}]},
    }


def test_before_send_removes_bank_numbers_tokens_passwords_and_cookies():
    event = scrub_event(a_captured_event(), {})

    sent = json.dumps(event)
    for secret in (ACCOUNT_NUMBER, "4242 4242 4242 4242", JWT, "hunter2-secret", "s3ss10n", "Ali Bin Abu"):
        assert secret not in sent
    assert event["request"]["headers"]["Authorization"] == FILTERED
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["account_number"] == FILTERED
    # what helps to debug stays
    assert event["exception"]["values"][0]["value"] == f"account {FILTERED} refused"
    assert event["request"]["data"]["bank_name"] == "Maybank"
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["amount"] == "50.00"
    assert event["extra"]["withdrawal"]["status"] == "failed"
    assert event["event_id"] == "8f4e3a2b1c0d4e5f8a9b0c1d2e3f4a5b"


def test_without_a_dsn_nothing_is_sent():
    assert not sentry_sdk.get_client().is_active()


class SentryReceiver(QuietHandler):
    """Sentry's envelope endpoint: keeps each envelope it is sent, decompressed."""

    envelopes: list[str] = []
    received = threading.Event()

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).envelopes.append(body.decode())
        type(self).received.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


CAPTURE = textwrap.dedent(
    f"""
    import logging

    import django
    import sentry_sdk

    django.setup()
    from django.conf import settings

    assert settings.SENTRY_ENABLED


    def withdrawal_payout_send(account_number, amount):
        raise RuntimeError(f"bank refused account {{account_number}}")


    try:
        withdrawal_payout_send("{ACCOUNT_NUMBER}", "50.00")
    except RuntimeError:
        sentry_sdk.capture_exception()
    logging.getLogger("wallet.payouts").error("payout to %s failed", "{ACCOUNT_NUMBER}")
    assert sentry_sdk.flush(timeout=10) is None
    """
)


def test_with_a_dsn_the_settings_turn_sentry_on_and_events_leave_scrubbed(tmp_path):
    SentryReceiver.envelopes = []
    with LocalHttpServer(SentryReceiver) as receiver:
        # when a process with SENTRY_DSN reports an exception and an error logged with a bank number
        finished = subprocess.run(
            [sys.executable, "-c", CAPTURE],
            cwd=services.BASE_DIR,
            env=services.child_env(SENTRY_DSN=f"http://publickey@127.0.0.1:{receiver.port}/42"),
            capture_output=True,
            timeout=60,
        )
    assert finished.returncode == 0, finished.stderr.decode()

    # then both events reached Sentry's endpoint, through sentry-sdk's own transport
    events = [
        json.loads(line)
        for envelope in SentryReceiver.envelopes
        for line in envelope.splitlines()[2::2]  # header, then (item header, item) pairs
        if line.startswith("{")
    ]
    events = [event for event in events if "exception" in event or "logentry" in event]
    assert len(events) == 2, SentryReceiver.envelopes
    # and neither carries the bank number, in the message, the exception or the frame's variables
    sent = "".join(SentryReceiver.envelopes)
    assert ACCOUNT_NUMBER not in sent
    assert FILTERED in sent
    assert "withdrawal_payout_send" in sent  # the stack trace itself was sent
    assert "50.00" in sent


@pytest.mark.parametrize("text", ["payout 2026-12-07 failed", "amount 10000.00", "event 12345 started"])
def test_ordinary_numbers_and_dates_are_kept(text):
    event = scrub_event({"message": text}, {})

    assert event["message"] == text


FAILING_REQUEST = textwrap.dedent(
    f"""
    import django
    import sentry_sdk
    from django.test import Client, override_settings
    from django.urls import path

    django.setup()


    def payout(request):
        account_number = request.POST["account_number"]
        raise RuntimeError(f"bank refused {{account_number}}")


    from driftwood.urls import urlpatterns as site_urlpatterns

    urlpatterns = [path("payout", payout), *site_urlpatterns]  # the error page links home
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        response = Client(raise_request_exception=False).post(
            "/payout",
            {{"account_number": "{ACCOUNT_NUMBER}"}},
            HTTP_AUTHORIZATION="Bearer {JWT}",
            HTTP_COOKIE="sessionid=s3ss10n",
        )
    assert response.status_code == 500
    print(response["X-Request-ID"])
    sentry_sdk.flush(timeout=10)
    """
)


def test_a_failing_request_is_reported_with_its_request_id_and_without_its_secrets():
    SentryReceiver.envelopes = []
    with LocalHttpServer(SentryReceiver) as receiver:
        finished = subprocess.run(
            [sys.executable, "-c", FAILING_REQUEST],
            cwd=services.BASE_DIR,
            env=services.child_env(SENTRY_DSN=f"http://publickey@127.0.0.1:{receiver.port}/42", LOG_LEVEL="CRITICAL"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert finished.returncode == 0, finished.stderr
    request_id = finished.stdout.strip()

    events = [
        json.loads(line)
        for envelope in SentryReceiver.envelopes
        for line in envelope.splitlines()[2::2]
        if line.startswith("{") and '"exception"' in line
    ]
    assert len(events) == 1, SentryReceiver.envelopes
    [event] = events
    assert event["tags"]["request_id"] == request_id
    assert event["exception"]["values"][-1]["value"] == f"bank refused {FILTERED}"
    sent = "".join(SentryReceiver.envelopes)
    for secret in (ACCOUNT_NUMBER, JWT, "s3ss10n"):
        assert secret not in sent
