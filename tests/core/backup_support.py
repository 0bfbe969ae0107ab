"""Scratch databases and table snapshots for the backup / restore tests."""

import os
import subprocess
import sys

import psycopg
from django.db import connection

from tests.services import BASE_DIR, child_env, database_url

# Every balance, ledger row and chat message, and the money records reconcile compares them with.
TABLES = (
    "wallet_wallet",
    "wallet_ledgertransaction",
    "wallet_ledgerentry",
    "wallet_topup",
    "wallet_withdrawal",
    "wallet_cardrefund",
    "chat_chatroom",
    "chat_chatmessage",
    "tournaments_registration",
)


def _connect(name: str) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        autocommit=True,
    )


def scratch_database_name(label: str) -> str:
    """`<the configured database>_<label>_<worker>`: each run's scratch database, beside the test ones."""
    base = connection.settings_dict["NAME"].removeprefix("test_")
    return f"{base}_{label}"[:63]


def create_empty_database(name: str) -> str:
    with _connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return database_url(name)


def drop_database(name: str) -> None:
    with _connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def snapshot(name: str) -> dict[str, list[tuple]]:
    """Every row of TABLES in database `name`, in id order."""
    with _connect(name) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in TABLES}


def reconcile_in(name: str) -> subprocess.CompletedProcess:
    """`manage.py wallet_reconcile` in its own process, against database `name`."""
    env = child_env(DATABASE_URL=database_url(name), LOG_LEVEL="WARNING")
    env.pop("PYTEST_XDIST_WORKER", None)
    command = [sys.executable, str(BASE_DIR / "manage.py"), "wallet_reconcile"]
    return subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120)


def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
