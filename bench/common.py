"""Shared set-up for benchmarks: a scratch database beside DATABASE_URL, Django on it."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from driftwood.core import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
SERVER_PIDS: dict[str, int] = {}  # URL -> pid of each running `server_process` (bench/cpu.py reads them)


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    return embedded.listening("127.0.0.1", port)


@contextmanager
def server_process(command: list[str], port: int, **env: str):
    """A server process listening on 127.0.0.1:`port` for the block; yields its URL."""
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "driftwood.settings", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{command[0]} did not start")
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}"
        SERVER_PIDS[url] = process.pid
        yield url
    finally:
        SERVER_PIDS.pop(f"http://127.0.0.1:{port}", None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # daphne can linger on connections a load left behind
            process.kill()
            process.wait()


@contextmanager
def daphne_server(application: str = "driftwood.asgi:application", **env: str):
    """Driftwood (or another ASGI `application` path) served by a real daphne process; yields its URL."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), application]
    with server_process(command, port, **env) as url:
        yield url


@contextmanager
def uvicorn_server(application: str = "driftwood.asgi:application", **env: str):
    """The same served by `make serve`'s WebSocket server (uvicorn, driftwood/core/serve.py); yields its URL."""
    from driftwood.core.serve import websocket_server

    port = free_port()
    with server_process(websocket_server("127.0.0.1", port, application), port, **env) as url:
        yield url


def latency_report(label: str, samples: list[float], seconds: float) -> str:
    return (
        f"  {label:<28}: {len(samples) / seconds:7.0f} req/s   p50 {percentile(samples, 0.5) * 1000:6.1f} ms"
        f"   p99 {percentile(samples, 0.99) * 1000:6.1f} ms   ({len(samples)} requests)"
    )
