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


def new_transaction(cursor, description: str = "by hand") -> int:
    cursor.execute(
        "INSERT INTO wallet_ledgertransaction (transaction_type, description, currency, metadata, created_at) "
        "VALUES ('adjustment', %s, 'MYR', '{}', now()) RETURNING id",
        [description],
    )
    return cursor.fetchone()[0]


def add_leg(cursor, transaction_id: int, wallet_id: int, amount: str) -> None:
    cursor.execute(
        "INSERT INTO wallet_ledgerentry (ledger_transaction_id, wallet_id, transaction_type, amount, pending_amount, "
        "description, metadata, created_at) VALUES (%s, %s, 'adjustment', %s, 0, 'by hand', '{}', now())",
        [transaction_id, wallet_id, amount],
    )


def checked_at_commit(write) -> None:
    """Run `write` in a transaction and reach its commit point (the deferred triggers' moment)."""
    with transaction.atomic(), connection.cursor() as cursor:
        write(cursor)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do; the test's outer transaction stays


def outside_account():
    from wallet.services.balances import ADJUSTMENTS, system_account

    return system_account(ADJUSTMENTS)


def test_an_unbalanced_transaction_is_refused_by_the_database(user):
    wallet, world = funded_wallet(user, "10.00"), outside_account()
    before = LedgerEntry.objects.count()

    def write(cursor):
        header = new_transaction(cursor)
        add_leg(cursor, header, world.pk, "-5.00")
        add_leg(cursor, header, wallet.pk, "4.99")

    with pytest.raises(IntegrityError, match=r"does not balance: its legs sum to -0\.01"):
        checked_at_commit(write)

    assert LedgerEntry.objects.count() == before


def test_a_transaction_of_one_leg_is_refused_by_the_database(user):
    world = outside_account()

    def write(cursor):
        add_leg(cursor, new_transaction(cursor), world.pk, "5.00")

    with pytest.raises(IntegrityError, match="needs two or more"):
        checked_at_commit(write)


def test_a_leg_added_later_to_a_balanced_transaction_is_refused(user):
    wallet = funded_wallet(user, "10.00")
    header = LedgerEntry.objects.get(wallet=wallet).ledger_transaction_id

    with pytest.raises(IntegrityError, match="does not balance"):
        checked_at_commit(lambda cursor: add_leg(cursor, header, wallet.pk, "1.00"))


def test_a_balanced_transaction_written_by_hand_is_accepted(user):
    wallet, world = funded_wallet(user, "10.00"), outside_account()

    def write(cursor):
        header = new_transaction(cursor)
        add_leg(cursor, header, world.pk, "-5.00")
        add_leg(cursor, header, wallet.pk, "5.00")

    checked_at_commit(write)

    assert LedgerEntry.objects.filter(wallet=wallet).count() == 2


@pytest.mark.parametrize(
    "sql",
    ["UPDATE wallet_ledgertransaction SET description = 'rewritten'", "DELETE FROM wallet_ledgertransaction"],
    ids=["update", "delete"],
)
def test_ledger_transactions_cannot_be_updated_or_deleted(user, sql):
    funded_wallet(user, "10.00")

    with pytest.raises(ProgrammingError, match="Cannot update or delete rows from wallet_ledgertransaction"):
        run_sql(sql, [])


def test_outside_world_accounts_cannot_hold_a_stored_balance():
    world = outside_account()

    with pytest.raises(IntegrityError, match="wallet_external_keeps_no_balance"):
        run_sql("UPDATE wallet_wallet SET usable_balance = 5, current_balance = 5 WHERE id = %s", [world.pk])


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_unbalanced_transaction_at_a_real_commit(user):
    wallet, world = funded_wallet(user, "10.00"), outside_account()

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cursor:
        header = new_transaction(cursor)
        add_leg(cursor, header, world.pk, "-99.00")
        add_leg(cursor, header, wallet.pk, "1.00")

    assert LedgerEntry.objects.filter(wallet=wallet).count() == 1
