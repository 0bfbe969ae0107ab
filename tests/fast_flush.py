"""Empty the tables after a transactional test with DELETE instead of Django's TRUNCATE.

Django's `flush` TRUNCATEs every table in one statement, which makes PostgreSQL swap in new files
for each of them: 0.4-1.5 s per test on this machine (the suite has about a hundred such tests),
and it waits for every other connection's locks. DELETE of the few rows a test wrote takes a
millisecond. The result is the same as Django's flush followed by its post_migrate signal: every
table empty except content types and permissions, which the signal would recreate at once (kept,
they also keep their ids, which the browser tests' long-lived servers cache).
"""

from functools import cache

from django.db import connections, transaction
from django.test import TransactionTestCase

# What `flush`'s post_migrate signal recreates straight after emptying them.
KEPT_TABLES = frozenset({"django_content_type", "auth_permission"})

_delete_sql: dict[str, str] = {}


def _statement(alias: str) -> str:
    if alias not in _delete_sql:
        connection = connections[alias]
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        quote = connection.ops.quote_name
        _delete_sql[alias] = "; ".join(f"DELETE FROM {quote(table)}" for table in sorted(set(tables) - KEPT_TABLES))
    return _delete_sql[alias]


@cache
def _is_superuser(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


def flush_by_delete(alias: str) -> None:
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # Replica mode skips user triggers (the ledger is append-only by trigger) and foreign-key
        # checks, both moot when every row goes.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(_statement(alias))


def install(monkeypatch) -> None:
    """Use flush_by_delete for TransactionTestCase (pytest-django's `transaction=True`) when the
    database role may set replica mode (a superuser, as in CI and the embedded PostgreSQL)."""
    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self):
        aliases = list(self._databases_names(include_mirrors=False))
        if self.available_apps is not None or not all(_is_superuser(alias) for alias in aliases):
            return original(self)
        for alias in aliases:
            flush_by_delete(alias)

    monkeypatch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
