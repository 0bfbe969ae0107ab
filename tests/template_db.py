"""Each worker's test database is a copy of one migrated template, not migrated afresh.

Migrating the ~100 migrations took each pytest-xdist worker 5-8 s alone and 15 s when all of them
did it at once on two cores. The first worker to arrive migrates a template database (under a
PostgreSQL advisory lock; the others wait for it), and every worker's database is created from it
by `CREATE DATABASE ... TEMPLATE`, a file copy; Django's own migrate on the copy then finds
nothing to do. The template's name carries a digest of every migration file, so a run after a
migration changed builds a new one (and drops the old), while other runs reuse it.
"""

import hashlib
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from tests import services

BASE_DIR = Path(__file__).resolve().parents[1]


def migration_files() -> list[Path]:
    """The project's apps' migration files (at the top level and under driftwood/; installed
    packages' never change within a checkout)."""
    files = {
        path
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(BASE_DIR) and "site-packages" not in Path(app.path).parts
        for path in (Path(app.path) / "migrations").glob("*.py")
    }
    return sorted(files)


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in migration_files():
        digest.update(path.relative_to(BASE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def use_template() -> str:
    """Make sure the migrated template exists; the test database is then created from it."""
    prefix = f"test_{settings.DATABASES['default']['NAME']}_tpl_"
    template = prefix + migrations_digest()
    with connection._nodb_cursor() as cursor:  # on the server's maintenance database
        # one lock per template name: runs on other databases do not wait for this one
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
        try:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
            existing = {name for (name,) in cursor.fetchall()}
            if template not in existing:
                _build(cursor, template)
            for stale in existing - {template}:
                _drop(cursor, stale)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [prefix])
    settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = template
    return template


def _build(cursor, template: str) -> None:
    # Built under another name and renamed when complete: an interrupted build is never used.
    building = template + "_new"
    _drop(cursor, building)
    cursor.execute(f'CREATE DATABASE "{building}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=services.child_env(DATABASE_URL=services.database_url(building)),
        check=True,
    )
    cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')


def _drop(cursor, name: str) -> None:
    # Another run may still be copying an old template: it stays until a later run.
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
    if cursor.fetchone()[0] == 0:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def commit_without_waiting_for_the_disk() -> None:
    """`synchronous_commit = off` on the test database: a COMMIT returns before its WAL is flushed
    (2.4 -> 0.3 ms per committed transaction here). A crash of PostgreSQL could lose the last
    moments of a test run, nothing else; what the tests prove about transactions is unchanged."""
    with connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        cursor.execute("SET synchronous_commit = off")


def disconnect_others() -> None:
    """End every other session on the test database (their tests are over): PostgreSQL would wait
    up to 5 s for sessions that threads and servers left behind before dropping it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()
