"""Bank payouts: the one place money leaves Driftwood for a player's bank account.

The payout reference is our withdrawal id and the bank's idempotency key: the bank keeps the
first answer it gave for a reference, so sending it again (a retry, a second worker) can
never pay twice.

Every answer is one of three outcomes. `accepted` and `refused` are definite. Anything else
is `unknown` and must never be read as a refusal: the bank may have paid. That covers a
timeout, any transport error (the request may have left before the connection broke), a 5xx,
408/409/425/429 (the bank says "not now", not "no") and an answer we cannot read. A status
lookup adds `not_found`: the bank has no payout under that reference.

Nothing here raises for the bank's sake, and no reason or log line carries the account number.
"""

import functools
import logging
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol
from urllib.parse import quote

import httpx
from django.conf import settings

from driftwood.core.money import format_money

logger = logging.getLogger("driftwood.wallet.bank")
# A bank may quote the account in its refusal; long digit runs never reach our rows or logs.
_LONG_NUMBER = re.compile(r"\d{6,}")
# 4xx answers that say "try again later" rather than "no".
_NOT_NOW = frozenset({408, 409, 425, 429})


@functools.cache
def _http_client(pid: int) -> httpx.Client:
    """One pool of connections per process (a forked worker builds its own): a client per call
    loaded the CA certificates (30 ms) and opened a new connection every time."""
    return httpx.Client()


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNKNOWN = "unknown"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class PayoutResult:
    outcome: Outcome
    reference: str
    reason: str = ""


class BankClient(Protocol):
    def payout(
        self,
        *,
        reference: str,
        amount: Decimal,
        account_number: str,
        account_holder_name: str,
        bank_name: str,
    ) -> PayoutResult: ...

    def payout_status(self, *, reference: str) -> PayoutResult: ...


def _redacted(reason: str) -> str:
    return _LONG_NUMBER.sub("****", reason)[:255]


def _answer(response: httpx.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class HttpBankClient:
    """`POST {base_url}/payouts` and `GET {base_url}/payouts/{reference}` with a bearer key."""

    def __init__(self, *, base_url: str, api_key: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def payout(
        self,
        *,
        reference: str,
        amount: Decimal,
        account_number: str,
        account_holder_name: str,
        bank_name: str,
    ) -> PayoutResult:
        body = {
            "reference": reference,
            "amount": format_money(amount),
            "currency": "MYR",
            "account_number": account_number,
            "account_holder_name": account_holder_name,
            "bank_name": bank_name,
        }
        response = self._request("POST", "/payouts", reference, json=body, headers={"Idempotency-Key": reference})
        if isinstance(response, PayoutResult):
            return response
        return self._result(reference, response, lookup=False)

    def payout_status(self, *, reference: str) -> PayoutResult:
        response = self._request("GET", f"/payouts/{quote(reference, safe='')}", reference)
        if isinstance(response, PayoutResult):
            return response
        return self._result(reference, response, lookup=True)

    def _request(
        self, method: str, path: str, reference: str, *, json: dict | None = None, headers: dict | None = None
    ) -> httpx.Response | PayoutResult:
        """The bank's response, or an `unknown` result when none came back."""
        headers = {"Authorization": f"Bearer {self.api_key}", **(headers or {})}
        try:
            return _http_client(os.getpid()).request(
                method, f"{self.base_url}{path}", json=json, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException:
            reason = f"The bank did not answer within {self.timeout:g} seconds."
        except httpx.HTTPError as exc:
            reason = f"The bank could not be reached ({type(exc).__name__})."
        logger.warning("payout %s: %s %s, outcome unknown: %s", reference, method, path, reason)
        return PayoutResult(Outcome.UNKNOWN, reference, reason)

    @staticmethod
    def _result(reference: str, response: httpx.Response, *, lookup: bool) -> PayoutResult:
        answer, code = _answer(response), response.status_code
        status = answer.get("status")
        reason = _redacted(str(answer.get("reason") or f"The bank answered HTTP {code}."))
        if response.is_success and status in (Outcome.ACCEPTED, Outcome.REFUSED):
            outcome = Outcome(status)
        elif lookup:
            # Only the bank's own "no such payout" counts; any other answer means we could not look.
            outcome = Outcome.NOT_FOUND if code == 404 and status == Outcome.NOT_FOUND else Outcome.UNKNOWN
        elif response.is_client_error and (status == Outcome.REFUSED or code not in _NOT_NOW):
            outcome = Outcome.REFUSED
        else:
            outcome = Outcome.UNKNOWN
        log = logger.info if outcome in (Outcome.ACCEPTED, Outcome.NOT_FOUND) else logger.warning
        log("payout %s: %s%s", reference, outcome, "" if outcome == Outcome.ACCEPTED else f": {reason}")
        return PayoutResult(outcome, reference, "" if outcome == Outcome.ACCEPTED else reason)


def bank_client() -> BankClient:
    return HttpBankClient(
        base_url=settings.BANK_API_URL, api_key=settings.BANK_API_KEY, timeout=settings.BANK_API_TIMEOUT_SECONDS
    )
