"""HTTP serving: `make serve`'s web process (gunicorn with deploy/gunicorn.conf.py) against a
bare gunicorn of the same app (same workers and threads, no settings file) and against one
daphne (`make run`'s server, the topology before issue 15), in one run on one database, all
three with pooled database connections. Load from wrk (Debian's `wrk`), 16 and 64
connections, 4 endpoints.

Targets per endpoint and client count: served >= 0.9 x bare gunicorn, and >= 3 x one daphne.
Rate limits are off in all three (the bench would otherwise measure 429s).

    make bench BENCH=http
"""

import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from bench.common import django_on, free_port, scratch_database, server_process

DURATION_SECONDS = 3
ROUNDS = 3  # per figure, taking turns
CLIENTS = (16, 64)
WORKERS, THREADS = 2, 4
TARGET_VS_BARE, TARGET_VS_DAPHNE = 0.9, 3.0
BIN = Path(sys.executable).parent


def seed() -> tuple[int, str]:
    """The events bench's data (1,000 open events, the first 200 with 8 players), and the first
    player's wallet funded; returns an event id and that player's access token."""
    from rest_framework_simplejwt.tokens import AccessToken

    from bench import events
    from driftwood.accounts.models import User
    from tournaments.models import Event
    from wallet.services.balances import ADJUSTMENTS, system_account, wallet_credit, wallet_get_or_create

    events.seed()
    player = User.objects.get(username="p_0")
    wallet_credit(
        wallet=wallet_get_or_create(user=player),
        amount=Decimal("100.00"),
        source=system_account(ADJUSTMENTS),
        transaction_type="adjustment",
        description="Bench funds",
    )
    return Event.objects.order_by("pk").values_list("pk", flat=True).first(), str(AccessToken.for_user(player))


def wrk(url: str, clients: int, token: str, seconds: int = DURATION_SECONDS) -> float:
    """Requests per second; fails on any non-2xx answer or socket error."""
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-H", f"Authorization: Bearer {token}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors for {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


@contextmanager
def servers():
    """name -> base URL for the three servers of the same app."""
    from driftwood.core.serve import processes

    env = {"RATELIMIT_ENABLE": "false", "WEB_WORKERS": str(WORKERS), "WEB_THREADS": str(THREADS)}
    env["LOG_LEVEL"] = "WARNING"
    port = free_port()
    served = processes("127.0.0.1", port, free_port())["web (gunicorn)"]
    bare_port = free_port()
    bare = [str(BIN / "gunicorn"), "-w", str(WORKERS), "--threads", str(THREADS), "-b", f"127.0.0.1:{bare_port}"]
    daphne_port = free_port()
    daphne = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(daphne_port), "driftwood.asgi:application"]
    with (
        server_process(served.command, port, **env, **served.env) as served_url,
        server_process([*bare, "driftwood.wsgi:application"], bare_port, **env, **served.env) as bare_url,
        server_process(daphne, daphne_port, **env, **served.env) as daphne_url,
    ):
        yield {"served": served_url, "bare gunicorn": bare_url, "one daphne": daphne_url}


def main() -> int:
    if shutil.which("wrk") is None:
        print("bench http needs wrk: apt-get install wrk")
        return 1
    django_on(scratch_database("bench_http"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    event_id, token = seed()
    paths = ["/healthz", "/api/v1/events?limit=20", f"/api/v1/events/{event_id}", "/api/v1/wallet"]
    misses = 0
    with servers() as urls:
        for url in urls.values():  # warm up every worker, thread and pooled connection on each path
            for path in paths:
                wrk(f"{url}{path}", max(CLIENTS), token, seconds=2)
        print(f"HTTP, {WORKERS} workers x {THREADS} threads, {ROUNDS} turns of {DURATION_SECONDS} s per figure (req/s)")
        print(f"  {'endpoint':<28} {'clients':>7} {'served':>8} {'bare':>8} {'daphne':>8} {'/bare':>6} {'/daphne':>8}")
        for path in paths:
            for clients in CLIENTS:
                rate = dict.fromkeys(urls, 0.0)
                # The servers take turns, ROUNDS times: a neighbour's burst or a lucky spread of
                # connections falls on all of them rather than on one figure.
                for _ in range(ROUNDS):
                    for name, url in urls.items():
                        rate[name] += wrk(f"{url}{path}", clients, token) / ROUNDS
                vs_bare = rate["served"] / rate["bare gunicorn"]
                vs_daphne = rate["served"] / rate["one daphne"]
                missed = vs_bare < TARGET_VS_BARE or vs_daphne < TARGET_VS_DAPHNE
                misses += missed
                print(
                    f"  {path:<28} {clients:>7} {rate['served']:>8.0f} {rate['bare gunicorn']:>8.0f} "
                    f"{rate['one daphne']:>8.0f} {vs_bare:>6.2f} {vs_daphne:>8.2f}{'  MISS' if missed else ''}"
                )
    print(f"  targets: served >= {TARGET_VS_BARE} x bare gunicorn and >= {TARGET_VS_DAPHNE} x one daphne")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
