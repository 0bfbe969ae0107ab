"""PostgreSQL itself refuses a bad wallet or a rewritten ledger, even with the ORM bypassed."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from tests.factories import funded_wallet
from wallet.models import LedgerEntry

pytestmark = pytest.mark.django_db


def run_sql(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_usable_balance_cannot_go_negative(user):
    wallet = funded_wallet(user, "10.00")

    with pytest.raises(IntegrityError, match="wallet_usable_not_negative"):
        run_sql(
            "UPDATE wallet_wallet SET usable_balance = -1, current_balance = -1 + pending_balance WHERE id = %s",
            [wallet.pk],
        )


def test_pending_balance_cannot_go_negative(user):
    wallet = funded_wallet(user, "10.00")

    with pytest.raises(IntegrityError, match="wallet_pending_not_negative"):
        run_sql(
            "UPDATE wallet_wallet SET pending_balance = -1, usable_balance = 11 WHERE id = %s",
            [wallet.pk],
        )


def test_current_must_equal_usable_plus_pending(user):
    wallet = funded_wallet(user, "10.00")

    with pytest.raises(IntegrityError, match="wallet_current_is_usable_plus_pending"):
        run_sql("UPDATE wallet_wallet SET current_balance = 999 WHERE id = %s", [wallet.pk])

    wallet.refresh_from_db()
    assert wallet.current_balance == wallet.usable_balance == 10


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE wallet_ledgerentry SET amount = 1000, usable_after = 1000 WHERE wallet_id = %s",
        "DELETE FROM wallet_ledgerentry WHERE wallet_id = %s",
    ],
    ids=["update", "delete"],
)
def test_ledger_rows_cannot_be_updated_or_deleted(user, sql):
    wallet = funded_wallet(user, "10.00")

    with pytest.raises(ProgrammingError, match="Cannot update or delete rows from wallet_ledgerentry"):
        run_sql(sql, [wallet.pk])

    entry = LedgerEntry.objects.get(wallet=wallet)
    assert entry.amount == entry.usable_after == 10
