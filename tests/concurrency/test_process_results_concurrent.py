"""Paying results from several workers at once: every prize and fee leaves escrow exactly once."""

import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from tests import services
from tests.concurrency.helpers import run_in_threads
from tests.factories import players_joined
from tests.tournaments.test_results_payout import finish, published_event
from tournaments.models import Event, PrizePayout
from tournaments.services.events import escrow_wallet
from tournaments.services.results import results_process_due
from wallet.models import LedgerEntry, Wallet
from wallet.reconciliation import wallet_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def due_events(count: int) -> list[tuple[Event, list]]:
    """`count` completed events past the dispute window: 3 players at 10.00, a 30.00 pool shared 70/30."""
    events = []
    for _ in range(count):
        event = published_event(prize_pool="30.00", distribution=[70, 30])
        players = players_joined(event, 3)
        finish(event, [1, 2, 3])
        events.append((event, players))
    return events


def assert_each_paid_once(events: list[tuple[Event, list]]) -> None:
    for event, players in events:
        assert dict(PrizePayout.objects.filter(event=event).values_list("user_id", "amount")) == {
            players[0].pk: Decimal("21.00"),
            players[1].pk: Decimal("9.00"),
        }
        assert [Wallet.objects.get(owner=player).usable_balance for player in players] == [
            Decimal("21.00"),
            Decimal("9.00"),
            Decimal("0.00"),
        ]
        assert Wallet.objects.get(owner=event.organizer).usable_balance == Decimal("27.00")
        assert escrow_wallet(event).current_balance == Decimal("0.00")
    prizes = LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.PRIZE, amount__gt=0)
    assert prizes.count() == 2 * len(events)
    assert prizes.aggregate(total=Sum("amount"))["total"] == Decimal("30.00") * len(events)
    assert wallet_reconcile().ok


def test_four_threads_running_the_job_at_once_pay_each_event_once():
    events = due_events(3)

    outcomes = run_in_threads(4, lambda _: results_process_due())

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert sum(outcomes) == 3
    assert_each_paid_once(events)


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Activity is read once per transaction unless the snapshot is dropped.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_two_process_results_commands_at_once_pay_each_event_once():
    # given due events, and the first one's row held so both commands queue up on it
    events = due_events(4)
    first = events[0][0]
    commands = []
    try:
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=first.pk)
            commands = [
                subprocess.Popen(
                    [sys.executable, "manage.py", "process_results"],
                    cwd=services.BASE_DIR,
                    env=services.child_env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            deadline = time.monotonic() + 60
            while _waiting_on_locks() < 2:
                assert all(command.poll() is None for command in commands), [c.communicate() for c in commands]
                assert time.monotonic() < deadline, "the commands never reached the event lock"
                time.sleep(0.05)
        # when the row is released both race for every event
        outputs = [command.communicate(timeout=120) for command in commands]
    finally:
        for command in commands:
            services.stop(command)

    # then between them they paid each event exactly once
    assert [command.returncode for command in commands] == [0, 0], outputs
    paid = [int(stdout.split()[3]) for stdout, _stderr in outputs]
    assert sum(paid) == 4, outputs
    assert_each_paid_once(events)
