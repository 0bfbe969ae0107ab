"""Real processes for tests: daphne servers on the test database, Celery workers, service checks."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from driftwood.core import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a developer machine; fail in CI, where it must exist."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        require(False, f"Redis at {url} is unreachable: {exc}")
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        if embedded.listening("127.0.0.1", port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {timeout}s")


def test_database_url() -> str:
    """DATABASE_URL for the database pytest-django created, for child processes."""
    return database_url(connection.settings_dict["NAME"])


def database_url(name: str) -> str:
    """DATABASE_URL for database `name` on the tests' PostgreSQL server."""
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    if params["HOST"].startswith("/"):  # unix socket (the embedded server)
        return f"postgres://{auth}@/{name}?host={quote(params['HOST'])}"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{auth}@{params['HOST']}{port}/{name}"


def child_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "DJANGO_SETTINGS_MODULE": "driftwood.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def start_daphne(**env_overrides: str) -> tuple[subprocess.Popen, str]:
    """A real ASGI server (daphne, `make run`'s) on a free port, on the test database.

    Its log goes to a file, not a pipe: a server kept for a whole session would fill a pipe
    nobody reads and block on its next log line. `server_log(process)` reads it (a failing
    browser test prints it)."""
    port = free_port()
    daphne = str(Path(sys.executable).parent / "daphne")
    return _start_server(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "driftwood.asgi:application"], port, env_overrides
    )


def websocket_server(host: str, port: int):
    """The WebSocket server's command and environment as `make serve` (driftwood/core/serve.py) runs
    it, whichever server that is (uvicorn since issue #15): tests of its behaviour follow a change of
    server."""
    from driftwood.core import serve

    [process] = [process for name, process in serve.processes(host, 0, port).items() if name.startswith("websockets")]
    return process


def websocket_server_stopped_cleanly(process: subprocess.Popen) -> bool:
    """After SIGTERM and `wait()`: daphne exits 0; uvicorn finishes its shutdown (its log's last
    word) and then re-raises the signal, so its status says what stopped it (-SIGTERM)."""
    if any(Path(arg).name == "uvicorn" for arg in process.args):
        return process.returncode == -signal.SIGTERM and "Finished server process" in server_log(process)
    return process.returncode == 0


def start_websocket_server(port: int | None = None, **env_overrides: str) -> tuple[subprocess.Popen, str]:
    """The WebSocket server as `make serve` runs it, on the test database, on `port` (a free one
    unless given: a restart takes its predecessor's). It serves the pages too (the same ASGI app)."""
    port = port or free_port()
    server = websocket_server("127.0.0.1", port)
    return _start_server(server.command, port, {**server.env, **env_overrides})


def _start_server(command: list[str], port: int, env_overrides: dict[str, str]) -> tuple[subprocess.Popen, str]:
    log = tempfile.NamedTemporaryFile(prefix=f"asgi-{port}-", suffix=".log", delete=False)  # noqa: SIM115
    with log:  # the server keeps its own descriptor
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            # Its own address is where links and payment return pages point (SITE_URL).
            env=child_env(**{"SITE_URL": f"http://127.0.0.1:{port}", **env_overrides}),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    _server_logs[process.pid] = Path(log.name)
    try:
        wait_for_port(port, process)
    except RuntimeError:
        process.kill()
        process.wait()
        raise RuntimeError(server_log(process)) from None
    return process, f"http://127.0.0.1:{port}"


_server_logs: dict[int, Path] = {}


def server_log(process: subprocess.Popen, *, last: int = 20_000) -> str:
    """The end of what a server started by `start_daphne` or `start_websocket_server` logged."""
    path = _server_logs.get(process.pid)
    if path is None or not path.exists():
        return ""
    return path.read_bytes()[-last:].decode(errors="replace")


def stop(process: subprocess.Popen, *, at_once: bool = False) -> None:
    """Stop a server started here and delete its log; `at_once` kills it where its graceful stop is
    not under test (a terminated daphne takes a second or two to wind down)."""
    if process.poll() is None:
        if at_once:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log = _server_logs.pop(process.pid, None)
    if log is not None:
        log.unlink(missing_ok=True)


def eventually(read, *, until, timeout: float = 10.0):
    """Poll `read()` until `until(value)` holds or `timeout` seconds pass; the last value read
    (a webhook arrives about a second after a payment)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not until(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value
