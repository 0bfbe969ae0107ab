"""Bank payouts: the one place money leaves Driftwood for a player's bank account.

The payout reference is our withdrawal id and the bank keeps the first answer it gave for
a reference, so asking again (a retry, a second approval after a crash) can never pay twice.
A refusal, a timeout or any transport error is reported as "not accepted" with a reason;
nothing here raises for the bank's sake, and no reason or log line carries the account number.
"""

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import httpx
from django.conf import settings

from driftwood.core.money import format_money

logger = logging.getLogger("driftwood.wallet.bank")
# A bank may quote the account in its refusal; long digit runs never reach our rows or logs.
_LONG_NUMBER = re.compile(r"\d{6,}")


@dataclass(frozen=True)
class PayoutResult:
    accepted: bool
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


class HttpBankClient:
    """`POST {base_url}/payouts` with a bearer key; the reference doubles as the Idempotency-Key."""

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
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": reference}
        try:
            response = httpx.post(f"{self.base_url}/payouts", json=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            reason = f"The bank did not answer within {self.timeout:g} seconds."
            logger.warning("payout %s: %s", reference, reason)
            return PayoutResult(accepted=False, reference=reference, reason=reason)
        except httpx.HTTPError as exc:
            reason = f"The bank could not be reached ({type(exc).__name__})."
            logger.warning("payout %s: %s", reference, reason)
            return PayoutResult(accepted=False, reference=reference, reason=reason)
        return self._result(reference, response)

    @staticmethod
    def _result(reference: str, response: httpx.Response) -> PayoutResult:
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.is_success and answer.get("status") == "accepted":
            logger.info("payout %s accepted by the bank", reference)
            return PayoutResult(accepted=True, reference=reference)
        reason = str(answer.get("reason") or f"The bank answered HTTP {response.status_code}.")
        reason = _LONG_NUMBER.sub("****", reason)[:255]
        logger.warning("payout %s not accepted: %s", reference, reason)
        return PayoutResult(accepted=False, reference=reference, reason=reason)


def bank_client() -> BankClient:
    return HttpBankClient(
        base_url=settings.BANK_API_URL, api_key=settings.BANK_API_KEY, timeout=settings.BANK_API_TIMEOUT_SECONDS
    )
