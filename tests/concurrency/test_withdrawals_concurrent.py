"""50 simultaneous withdrawal requests through the API on a wallet that can afford exactly 10."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.concurrency.helpers import run_in_threads
from tests.conftest import bearer_client
from tests.wallet.bank_support import ready_to_withdraw
from wallet.models import LedgerEntry, Withdrawal
from wallet.reconciliation import wallet_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_simultaneous_withdrawals_never_overdraw(user, settings):
    # given 210.00: exactly ten withdrawals of 20.00 + 1.00 fee (rate limits off: one player, 50 requests)
    settings.RATELIMIT_ENABLE = False
    wallet = ready_to_withdraw(user, "210.00")
    clients = [bearer_client(user) for _ in range(50)]

    # when 50 requests arrive at once, each on its own thread and database connection
    responses = run_in_threads(
        50, lambda index: clients[index].post("/api/v1/wallet/withdrawal", {"amount": "20.00"}, format="json")
    )

    # then exactly ten succeed and forty are refused for the balance
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 10 + [400] * 40, responses
    assert {response.json()["code"] for response in responses if response.status_code == 400} == {
        "insufficient_balance"
    }
    # and all 210.00 is on hold, exactly what the ledger says
    wallet.refresh_from_db()
    assert (wallet.current_balance, wallet.usable_balance, wallet.pending_balance) == (
        Decimal("210.00"),
        Decimal("0.00"),
        Decimal("210.00"),
    )
    sums = LedgerEntry.objects.filter(wallet=wallet).aggregate(usable=Sum("amount"), pending=Sum("pending_amount"))
    assert (sums["usable"], sums["pending"]) == (wallet.usable_balance, wallet.pending_balance)
    assert Withdrawal.objects.filter(wallet=wallet).count() == 10
    assert wallet_reconcile().problems == []
    # and the fraud checks counted the requests one after another: from the fifth on, a burst
    statuses_by_time = list(
        Withdrawal.objects.filter(wallet=wallet).order_by("created_at").values_list("status", flat=True)
    )
    assert statuses_by_time == ["pending"] * 4 + ["review"] * 6
