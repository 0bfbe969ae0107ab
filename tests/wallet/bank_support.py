"""The fake bank (driftwood/dev/fake_bank.py) as a real daphne process, and players ready to withdraw."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from tests import services
from tests.factories import funded_wallet
from wallet.models import Wallet
from wallet.services.bank_accounts import bank_account_set

ACCOUNT_NUMBER = "5140123456789012"
BANK_KEY = "test-bank-key"
# Older than every fraud window: the account was not "just changed".
BANK_SETTLED = timedelta(days=30)


class FakeBank:
    """A fake bank served on a free port; `mode()` and `payouts()` talk to it over HTTP."""

    def __init__(self, *, api_key: str = BANK_KEY, port: int | None = None):
        """`port`: a given one, e.g. where an unreachable bank comes back."""
        port = port or services.free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.api_key = api_key
        daphne = str(Path(sys.executable).parent / "daphne")
        self.process = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(port), "driftwood.dev.fake_bank:application"],
            cwd=services.BASE_DIR,
            env={**os.environ, "BANK_API_KEY": api_key},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        services.wait_for_port(port, self.process)
        self.http = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {api_key}"})

    def mode(self, mode: str, *, reset: bool = False) -> None:
        self.http.post("/_control", json={"mode": mode, "reset": reset}).raise_for_status()

    def payouts(self) -> list[dict]:
        response = self.http.get("/payouts")
        response.raise_for_status()
        return response.json()["payouts"]

    def stop(self) -> None:
        self.http.close()
        services.stop(self.process)


def ready_to_withdraw(user, amount: str, *, account_number: str = ACCOUNT_NUMBER) -> Wallet:
    """A funded wallet with a bank account linked long enough ago not to trip the fraud checks."""
    wallet = funded_wallet(user, amount)
    bank_account_set(user=user, bank_name="Maybank", account_number=account_number, account_holder_name="Ali Bin Abu")
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=wallet.created_at - BANK_SETTLED)
    wallet.refresh_from_db()
    return wallet
