"""Wallet hot path: 8 workers debiting ONE wallet, through the service vs raw psycopg.

Both sides run the same double-entry movement (one statement that locks the wallet row,
changes its balances, writes the ledger transaction, the wallet's leg and the outside-world
account's leg; committed on its own, the deferred balance checks firing at that commit) for
the same time on the same PostgreSQL, in alternating slices (raw, service, service, raw, ...)
so that a neighbour's load on a shared machine falls on both; the ratio is service throughput /
raw throughput (target >= 0.80; exits non-zero on a miss).
Afterwards each side's wallet must equal its opening balance minus exactly what its ledger
says was debited (no lost update), and the ledger must sum to zero.

    make bench            # or: DATABASE_URL=... python -m bench.wallet
"""

import sys
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

from bench.common import conninfo, django_on, scratch_database

WORKERS = 8
SECONDS = 5.0  # per side, in SLICES alternating slices
SLICES = 6
TARGET = 0.80
OPENING = Decimal("1000000.00")
AMOUNT = Decimal("0.01")


def run_workers(work) -> int:
    """Run `work(stop_at)` in WORKERS threads for one slice; return the total operations they report."""
    stop_at = time.monotonic() + SECONDS / SLICES
    counts = [0] * WORKERS

    def runner(index: int) -> None:
        counts[index] = work(stop_at)

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def service_side(wallet, destination):
    from django.db import connection

    from wallet.models import LedgerEntry
    from wallet.services.balances import wallet_debit

    def work(stop_at: float) -> int:
        done = 0
        while time.monotonic() < stop_at:
            wallet_debit(
                wallet=wallet,
                amount=AMOUNT,
                destination=destination,
                transaction_type=LedgerEntry.Type.ENTRY_FEE,
                description="bench",
            )
            done += 1
        connection.close()
        return done

    return lambda: run_workers(work)


def raw_side(url: str, wallet_id: int, destination_id: int):
    """The baseline: wallet_debit's own statement, same parameters, no ORM around it."""
    import psycopg

    from wallet.services.balances import first_leg_sql

    sql = first_leg_sql(outside_legs=1)

    def work(stop_at: float) -> int:
        done = 0
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            while time.monotonic() < stop_at:
                row = conn.execute(
                    sql,
                    {
                        "wallet": wallet_id,
                        "usable": -AMOUNT,
                        "pending": Decimal(0),
                        "o0_wallet": destination_id,
                        "o0_amount": AMOUNT,
                        "type": "entry_fee",
                        "description": "bench",
                        "metadata": "{}",
                        "now": datetime.now(UTC),
                    },
                ).fetchone()
                assert row is not None, "overdrawn"
                done += 1
        return done

    return lambda: run_workers(work)


def check_no_lost_update(wallet, operations: int) -> None:
    from django.db.models import Sum

    from wallet.models import LedgerEntry

    totals = LedgerEntry.objects.aggregate(usable=Sum("amount"), pending=Sum("pending_amount"))
    assert totals["usable"] + totals["pending"] == 0, "the ledger does not sum to zero"
    wallet.refresh_from_db()
    debited = -(wallet.ledger.filter(description="bench").aggregate(total=Sum("amount"))["total"] or 0)
    assert wallet.ledger.filter(description="bench").count() == operations, "ledger rows != operations"
    assert wallet.usable_balance == OPENING - debited == OPENING - operations * AMOUNT, "lost update"


def main() -> int:
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

    destination = system_account(ADJUSTMENTS)
    raw, service = raw_side(url, raw_wallet.pk, destination.pk), service_side(service_wallet, destination)
    done = {raw: 0, service: 0}
    for index in range(SLICES):
        for side in (raw, service) if index % 2 == 0 else (service, raw):
            done[side] += side()
    raw_ops, service_ops = done[raw], done[service]
    check_no_lost_update(service_wallet, service_ops)
    check_no_lost_update(raw_wallet, raw_ops)

    print(f"hot-wallet debits, {WORKERS} workers, {SECONDS:.0f} s each in {SLICES} alternating slices, one wallet row")
    print(f"  raw psycopg     : {raw_ops / SECONDS:8.0f} debits/s")
    print(f"  wallet_debit()  : {service_ops / SECONDS:8.0f} debits/s")
    ratio = service_ops / raw_ops
    print(f"  ratio           : {ratio:.2f}  (target >= {TARGET:.2f})  lost updates: 0")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
