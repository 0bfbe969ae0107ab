"""Large races take turns across the workers (tests/concurrency/helpers.py): while one runs, its
lock on the maintenance database is held, so another worker's large race waits for it."""

import pytest
from django.db import connection

from tests.concurrency.helpers import LARGE_RACE, LARGE_RACE_LOCK, LARGE_RACE_UNLOCK, run_in_threads

pytestmark = pytest.mark.django_db
TRY_LOCK = LARGE_RACE_LOCK.replace("pg_advisory_lock", "pg_try_advisory_lock")


def _another_worker_could_start_a_large_race(_index: int) -> bool:
    """What a large race on another worker would find: whether it could take the lock now."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(TRY_LOCK)
        [[taken]] = cursor.fetchall()
        if taken:
            cursor.execute(LARGE_RACE_UNLOCK)
        return taken


def test_while_a_large_race_runs_no_other_can_start():
    assert run_in_threads(LARGE_RACE, _another_worker_could_start_a_large_race) == [False] * LARGE_RACE


def test_a_small_race_leaves_the_turn_free():
    # Two threads trying at once: one of them may find the other's brief hold, never both.
    assert True in run_in_threads(2, _another_worker_could_start_a_large_race)


def test_once_a_large_race_ends_the_next_can_start():
    run_in_threads(LARGE_RACE, lambda _index: None)
    assert _another_worker_could_start_a_large_race(0) is True
