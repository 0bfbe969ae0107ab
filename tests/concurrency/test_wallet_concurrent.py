"""Real threads against PostgreSQL: no lost update, no overdraft, no deadlock."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.concurrency.helpers import run_in_threads
from tests.factories import UserFactory, funded_wallet, wallet_spend
from wallet.exceptions import InsufficientBalance
from wallet.models import LedgerEntry
from wallet.services.balances import wallet_transfer

pytestmark = pytest.mark.django_db(transaction=True)
Type = LedgerEntry.Type


def test_concurrent_debits_never_overdraw_or_lose_an_update(user):
    wallet = funded_wallet(user, "100.00")

    outcomes = run_in_threads(
        25,
        lambda _: wallet_spend(wallet, "7.00", description="x"),
    )

    succeeded = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, InsufficientBalance)]
    assert (len(succeeded), len(refused)) == (14, 11)  # 14 x 7.00 = 98.00 of 100.00
    wallet.refresh_from_db()
    assert wallet.usable_balance == Decimal("2.00")
    assert LedgerEntry.objects.filter(wallet=wallet).aggregate(total=Sum("amount"))["total"] == Decimal("2.00")
    assert sorted(entry.usable_after for entry in succeeded) == [Decimal("2.00") + 7 * n for n in range(14)]


def test_opposite_transfers_at_once_do_not_deadlock(user):
    first = funded_wallet(user, "500.00")
    second = funded_wallet(UserFactory(), "500.00")

    def transfer(index: int):
        source, destination = (first, second) if index % 2 else (second, first)
        return wallet_transfer(
            source=source,
            destination=destination,
            amount=Decimal("1.00"),
            transaction_type=Type.REFUND,
            description="x",
        )

    outcomes = run_in_threads(20, transfer)

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.usable_balance, second.usable_balance) == (Decimal("500.00"), Decimal("500.00"))
    assert LedgerEntry.objects.filter(transaction_type=Type.REFUND).count() == 40
