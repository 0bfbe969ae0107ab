"""Socket tests on the test's own transaction, instead of real commits and a TRUNCATE after each test.

A test drives its sockets from `async_to_sync`, so asgiref runs every thread-sensitive call (all of
`database_sync_to_async`) on the test's own thread, hence on its database connection. Channels
closes "old" connections around each such call, which inside the test's transaction would drop it:
that is skipped here, and on-commit callbacks run as after a real commit (`commit_hooks_run`).
Database work a consumer did from any other thread would not see the test's rows, so the tests
would fail rather than pass unchecked.

Tests where another process or thread must see the rows (real servers, races) keep
`django_db(transaction=True)`.
"""

import channels.db
import pytest

# What a socket test waits for a handshake or a frame: the answer is what is tested, not its
# speed (Channels' 1 s default ran out on a busy machine running the suite).
WAIT_SECONDS = 10


@pytest.fixture
def socket_db(commit_hooks_run, monkeypatch):
    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
