"""Withdrawal API under load: 16 concurrent clients (each its own player) POSTing
`/api/v1/wallet/withdrawal` to a real daphne server, with `/healthz` (one trivial query)
on the same server in the same run as the baseline.

Prints p50/p99 latency and throughput of both, and checks afterwards that every player's
balances agree with their ledger (reconcile) and that each 201 became exactly one hold.

    make bench BENCH=withdrawals
"""

import logging
import threading
import time
from decimal import Decimal

import httpx

from bench.common import daphne_server, django_on, latency_report, scratch_database

CLIENTS = 16
REQUESTS_PER_CLIENT = 40


def players(count: int) -> list[str]:
    """Funded players with bank accounts; returns their access tokens."""
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from driftwood.accounts.models import User
    from wallet.models import LedgerEntry
    from wallet.services.balances import ADJUSTMENTS, system_account, wallet_credit, wallet_get_or_create
    from wallet.services.bank_accounts import bank_account_set

    tokens = []
    for index in range(count):
        # Withdrawals are for players who confirmed their e-mail address.
        user = User.objects.create_user(
            username=f"bench_{index}", email=f"bench_{index}@example.com", email_verified_at=timezone.now()
        )
        wallet_credit(
            wallet=wallet_get_or_create(user=user),
            amount=Decimal("100000.00"),
            source=system_account(ADJUSTMENTS),
            transaction_type=LedgerEntry.Type.ADJUSTMENT,
            description="bench funds",
        )
        bank_account_set(
            user=user, bank_name="Maybank", account_number=f"1234567890{index:04d}", account_holder_name="Bench Player"
        )
        tokens.append(str(RefreshToken.for_user(user).access_token))
    return tokens


def hammer(url: str, tokens: list[str], request) -> tuple[list[float], float, list[int]]:
    """Each client sends REQUESTS_PER_CLIENT requests back to back; returns latencies, wall time, statuses."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client(token: str) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            for _ in range(REQUESTS_PER_CLIENT):
                started = time.perf_counter()
                status = request(http)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses.append(status)

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, statuses


def main() -> None:
    url = scratch_database("bench_withdrawals")
    django_on(url)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    tokens = players(CLIENTS)
    # Limits off: this measures the endpoint, not the throttle refusing a benchmark.
    with daphne_server(DATABASE_URL=url, RATELIMIT_ENABLE="false", LOG_LEVEL="WARNING") as server:
        health, health_seconds, _ = hammer(server, tokens, lambda http: http.get("/healthz").status_code)
        withdrawals, seconds, statuses = hammer(
            server, tokens, lambda http: http.post("/api/v1/wallet/withdrawal", json={"amount": "10.00"}).status_code
        )

    from wallet.models import Withdrawal
    from wallet.reconciliation import wallet_reconcile

    created = statuses.count(201)
    assert created == len(statuses), f"not every request was accepted: {sorted(set(statuses))}"
    assert Withdrawal.objects.count() == created, "a 201 without its withdrawal row (or the reverse)"
    report = wallet_reconcile()
    assert report.ok, report.problems

    print(f"withdrawal API, {CLIENTS} concurrent clients x {REQUESTS_PER_CLIENT} requests, one daphne process")
    print(latency_report("GET /healthz (baseline)", health, health_seconds))
    print(latency_report("POST /wallet/withdrawal", withdrawals, seconds))
    print(f"  {created} withdrawals held, reconcile clean")


if __name__ == "__main__":
    main()
