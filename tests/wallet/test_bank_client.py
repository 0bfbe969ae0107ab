"""How the bank client reads the bank's answers: accepted and refused are definite; anything
else (a timeout, a transport error, a 5xx, "not now", an unreadable answer) is unknown."""

import json
import logging
from decimal import Decimal

import httpx
import pytest

from driftwood.dev.fake_bank import REFUSAL_REASON
from tests.wallet.bank_support import ACCOUNT_NUMBER
from wallet.bank import Outcome, bank_client

ACCEPTED, REFUSED, UNKNOWN, NOT_FOUND = Outcome.ACCEPTED, Outcome.REFUSED, Outcome.UNKNOWN, Outcome.NOT_FOUND


def _bank_answers(monkeypatch, status: int, body) -> None:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    monkeypatch.setattr(httpx.Client, "request", lambda *args, **kwargs: httpx.Response(status, content=content))


def _bank_raises(monkeypatch, error: Exception) -> None:
    def request(*args, **kwargs):
        raise error

    monkeypatch.setattr(httpx.Client, "request", request)


def _payout():
    return bank_client().payout(
        reference="42",
        amount=Decimal("50.00"),
        account_number=ACCOUNT_NUMBER,
        account_holder_name="Ali Bin Abu",
        bank_name="Maybank",
    )


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, {"status": "accepted", "reference": "42"}, ACCEPTED),
        (200, {"status": "refused", "reason": "Closed account"}, REFUSED),
        (422, {"status": "refused", "reason": "Closed account"}, REFUSED),
        (400, {"error": "amount must be positive"}, REFUSED),
        (401, {"error": "unauthorized"}, REFUSED),
        (409, {"status": "refused", "reason": "Duplicate"}, REFUSED),
        (408, {}, UNKNOWN),
        (409, {"error": "request in progress"}, UNKNOWN),
        (425, {}, UNKNOWN),
        (429, {"error": "slow down"}, UNKNOWN),
        (500, {"status": "refused"}, UNKNOWN),
        (502, "<html>Bad gateway</html>", UNKNOWN),
        (503, {"status": "unavailable"}, UNKNOWN),
        (200, "OK", UNKNOWN),
        (200, ["accepted"], UNKNOWN),
        (200, {"status": "queued"}, UNKNOWN),
        (302, {}, UNKNOWN),
    ],
)
def test_payout_answers_are_accepted_refused_or_unknown(monkeypatch, status, body, outcome):
    _bank_answers(monkeypatch, status, body)

    assert _payout().outcome == outcome


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.WriteError("broken pipe"),
    ],
)
def test_no_answer_at_all_is_unknown_never_a_refusal(monkeypatch, error):
    _bank_raises(monkeypatch, error)

    result = _payout()

    assert result.outcome == UNKNOWN
    assert result.reason.startswith(("The bank could not be reached", "The bank did not answer within"))


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, {"status": "accepted", "reference": "42"}, ACCEPTED),
        (200, {"status": "refused", "reason": "Closed account"}, REFUSED),
        (404, {"status": "not_found", "reference": "42"}, NOT_FOUND),
        (404, {"error": "not_found"}, UNKNOWN),  # a 404 without the bank's own "no such payout"
        (401, {"error": "unauthorized"}, UNKNOWN),
        (422, {"status": "refused"}, UNKNOWN),
        (503, {}, UNKNOWN),
        (200, "garbage", UNKNOWN),
    ],
)
def test_status_lookups_are_definite_only_when_the_bank_says_so(monkeypatch, status, body, outcome):
    _bank_answers(monkeypatch, status, body)

    assert bank_client().payout_status(reference="42").outcome == outcome


def test_the_account_number_never_reaches_a_reason_or_a_log_line(monkeypatch, caplog):
    _bank_answers(monkeypatch, 422, {"status": "refused", "reason": f"Account {ACCOUNT_NUMBER} is closed"})

    with caplog.at_level(logging.DEBUG, logger="driftwood.wallet.bank"):
        result = _payout()

    assert (result.outcome, result.reason) == (REFUSED, "Account **** is closed")
    assert ACCOUNT_NUMBER not in caplog.text


def test_the_fake_bank_answers_lookups_by_reference(fake_bank):
    client = bank_client()
    assert client.payout_status(reference="7").outcome == NOT_FOUND

    assert _payout().outcome == ACCEPTED
    fake_bank.mode("refuse")
    refused = client.payout(
        reference="43", amount=Decimal("10.00"), account_number="1234567890", account_holder_name="A", bank_name="B"
    )

    assert refused.outcome == REFUSED
    assert client.payout_status(reference="42").outcome == ACCEPTED
    assert (client.payout_status(reference="43").outcome, client.payout_status(reference="43").reason) == (
        REFUSED,
        REFUSAL_REASON,
    )
    assert [payout["reference"] for payout in fake_bank.payouts()] == ["42"]
    fake_bank.mode("503")
    assert client.payout_status(reference="42").outcome == UNKNOWN
