"""Shared set-up for benchmarks: a scratch database beside DATABASE_URL, Django on it."""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def scratch_database(suffix: str) -> str:
    """Drop and create `<database>_<suffix>` on the DATABASE_URL server; return its URL."""
    url = os.environ["DATABASE_URL"]
    name = f"{urlsplit(url).path.lstrip('/') or 'driftwood'}_{suffix}"
    with psycopg.connect(conninfo(_with_database(url, "postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return _with_database(url, name)


def conninfo(url: str) -> str:
    """psycopg accepts URLs, but not the `?host=/socket/dir` form's empty host with a path-like value."""
    return url.replace("postgres://", "postgresql://", 1)


def django_on(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "driftwood.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Stopwatch:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
