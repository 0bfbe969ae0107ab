"""Run the same work in many real threads at once, each on its own database connection."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# PostgreSQL accepts 100 connections here (CI's server as it comes). A race opens one per thread, so
# two large races on two workers at once (50 threads each), beside the servers other tests run,
# were refused ("too many clients already"): large ones take turns across the workers.
LARGE_RACE = 10
LARGE_RACE_LOCK = "SELECT pg_advisory_lock(hashtext('driftwood-tests-large-race'))"
LARGE_RACE_UNLOCK = "SELECT pg_advisory_unlock(hashtext('driftwood-tests-large-race'))"


@contextmanager
def _one_large_race_at_a_time(count: int) -> Iterator[None]:
    if count < LARGE_RACE:
        yield
        return
    # The workers' own databases are separate, and advisory locks are per database: take it on the
    # server's maintenance database, which they share (as tests/template_db.py does).
    with connection._nodb_cursor() as cursor:
        cursor.execute(LARGE_RACE_LOCK)
        try:
            yield
        finally:
            cursor.execute(LARGE_RACE_UNLOCK)


def run_in_threads(count: int, work) -> list:
    """Start `count` threads at one barrier; return what each returned or raised, in order."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(count)]
    with _one_large_race_at_a_time(count):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return outcomes
