"""Wallet hot path: 8 workers debiting ONE wallet, through the service vs raw psycopg.

Both sides run the same transaction (one statement that locks the wallet row, changes its
balances and appends a ledger row; then commit) for the same time on the same PostgreSQL; the ratio is service
throughput / raw throughput. Afterwards each side's wallet must equal its opening balance
minus exactly what its ledger says was debited (no lost update).

    make bench            # or: DATABASE_URL=... python -m bench.wallet
"""

import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

from bench.common import conninfo, django_on, scratch_database

WORKERS = 8
SECONDS = 5.0
OPENING = Decimal("1000000.00")
AMOUNT = Decimal("0.01")


def run_workers(work) -> int:
    """Run `work(stop_at)` in WORKERS threads; return the total operations they report."""
    stop_at = time.monotonic() + SECONDS
    counts = [0] * WORKERS

    def runner(index: int) -> None:
        counts[index] = work(stop_at)

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def service_side(wallet) -> int:
    from django.db import connection

    from wallet.models import LedgerEntry
    from wallet.services.balances import wallet_debit

    def work(stop_at: float) -> int:
        done = 0
        while time.monotonic() < stop_at:
            wallet_debit(wallet=wallet, amount=AMOUNT, transaction_type=LedgerEntry.Type.ENTRY_FEE, description="bench")
            done += 1
        connection.close()
        return done

    return run_workers(work)


def raw_side(url: str, wallet_id: int) -> int:
    """The baseline: wallet_debit's own statement, same parameters, no ORM around it."""
    import psycopg

    from wallet.services.balances import APPLY_CHANGE_SQL

    def work(stop_at: float) -> int:
        done = 0
        with psycopg.connect(conninfo(url)) as conn:
            while time.monotonic() < stop_at:
                with conn.transaction():
                    row = conn.execute(
                        APPLY_CHANGE_SQL,
                        {
                            "wallet": wallet_id,
                            "usable": -AMOUNT,
                            "pending": Decimal(0),
                            "type": "entry_fee",
                            "description": "bench",
                            "metadata": "{}",
                            "now": datetime.now(UTC),
                        },
                    ).fetchone()
                    assert row is not None, "overdrawn"
                done += 1
        return done

    return run_workers(work)


def check_no_lost_update(wallet, operations: int) -> None:
    from django.db.models import Sum

    wallet.refresh_from_db()
    debited = -(wallet.ledger.filter(description="bench").aggregate(total=Sum("amount"))["total"] or 0)
    assert wallet.ledger.filter(description="bench").count() == operations, "ledger rows != operations"
    assert wallet.usable_balance == OPENING - debited == OPENING - operations * AMOUNT, "lost update"


def main() -> None:
    url = scratch_database("bench")
    django_on(url)
    from driftwood.accounts.models import User
    from wallet.models import LedgerEntry
    from wallet.services.balances import ADJUSTMENTS, system_account, wallet_credit, wallet_get_or_create

    wallets = []
    for name in ("bench_service", "bench_raw"):
        wallet = wallet_get_or_create(user=User.objects.create_user(username=name, email=f"{name}@example.com"))
        wallet_credit(
            wallet=wallet,
            amount=OPENING,
            source=system_account(ADJUSTMENTS),
            transaction_type=LedgerEntry.Type.ADJUSTMENT,
            description="open",
        )
        wallets.append(wallet)
    service_wallet, raw_wallet = wallets

    raw_ops = raw_side(url, raw_wallet.pk)
    service_ops = service_side(service_wallet)
    check_no_lost_update(service_wallet, service_ops)
    check_no_lost_update(raw_wallet, raw_ops)

    print(f"hot-wallet debits, {WORKERS} workers, {SECONDS:.0f} s each, one wallet row")
    print(f"  raw psycopg     : {raw_ops / SECONDS:8.0f} debits/s")
    print(f"  wallet_debit()  : {service_ops / SECONDS:8.0f} debits/s")
    print(f"  ratio           : {service_ops / raw_ops:.2f}  (target >= 0.60)  lost updates: 0")


if __name__ == "__main__":
    main()
