"""Embedded mode: run or test Driftwood with nothing installed but Python.

    python -m driftwood.core.embedded run            # make run
    python -m driftwood.core.embedded test [ARGS]    # make test (ARGS go to pytest)
    python -m driftwood.core.embedded bench [NAMES]  # make bench (bench/<name>.py, default all)
    python -m driftwood.core.embedded manage ARGS    # manage.py ARGS on the embedded database (make backup)

Whatever the environment does not provide is started here and stopped on exit:
PostgreSQL from the pip-installed `pgserver` (data kept in ./.data/postgres) when
DATABASE_URL is unset, `localstripe` when STRIPE_API_BASE is unset, and (for `run`) the fake
bank payout API when BANK_API_URL is unset. The translation catalogues are compiled first
(`driftwood.core.catalogues`). Redis is optional for `run` and `test`:
without REDIS_URL the settings fall back to in-process cache, channel layer and eager
Celery. `bench` measures production's components, so it starts a `redis-server` from PATH
when REDIS_URL is unset (as `make serve` does). Deliberately free of Django imports: it
prepares the environment Django reads.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from driftwood.core.catalogues import compile_all as compile_translations

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = BASE_DIR / ".data"
BIN_DIR = Path(sys.executable).parent
DATABASE_NAME = "driftwood"
LOCALSTRIPE_PORT = int(os.environ.get("LOCALSTRIPE_PORT", "8420"))
# settings.STRIPE_WEBHOOK_SECRET's default (this module runs before Django is set up).
DEV_WEBHOOK_SECRET = "whsec_driftwood_dev"
BENCH_HELPERS = {"__init__", "bracket_play", "common", "cpu", "urls"}
FAKE_BANK_PORT = int(os.environ.get("FAKE_BANK_PORT", "8430"))


def log(message: str) -> None:
    print(f"[driftwood] {message}", flush=True)


def listening(host: str, port: int) -> bool:
    """Whether something accepts connections on host:port."""
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0 and not connected_to_itself(probe)


def connected_to_itself(probe: socket.socket) -> bool:
    """A probe of a closed port in the ephemeral range can connect to itself when the kernel picks
    that very port as its source (TCP simultaneous open): no listener, yet the connect succeeds."""
    return probe.getsockname() == probe.getpeername()


def _wait_for_port(host: str, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(host, port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {host}:{port} after {timeout:.0f}s")


@contextmanager
def embedded_postgres():
    """Start pgserver on ./.data/postgres and export DATABASE_URL for its unix socket."""
    import pgserver

    pgdata = DATA_DIR / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = server.get_uri().split("host=", 1)[1]
    os.environ["DATABASE_URL"] = f"postgres://postgres@/{DATABASE_NAME}?host={quote(socket_dir)}"
    log(f"embedded PostgreSQL running (data in {pgdata})")
    try:
        yield
    finally:
        server.cleanup()
        log("embedded PostgreSQL stopped")


def _require_free(port: int, name: str) -> None:
    # Otherwise the readiness check would see whatever already listens there and call it ours.
    if listening("127.0.0.1", port):
        raise SystemExit(f"[driftwood] port {port} is in use, so {name} cannot start: stop what runs there.")


@contextmanager
def background(name: str, command: list[str], *, port: int | None = None, quiet: bool = False, env=None):
    """Run a helper process for the duration of the block (`env`: variables added to ours)."""
    if port is not None:
        _require_free(port, name)
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(command, stdout=output, stderr=output, env={**os.environ, **(env or {})})
    try:
        if port is not None:
            _wait_for_port("127.0.0.1", port)
        log(f"{name} running" + (f" on 127.0.0.1:{port}" if port else ""))
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log(f"{name} stopped")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_localstripe(stack: ExitStack, *, port: int, from_scratch: bool = False) -> None:
    """localstripe on `port` until `stack` closes; STRIPE_API_BASE points at it."""
    command = [str(BIN_DIR / "localstripe"), "--port", str(port)]
    if from_scratch:
        # Every localstripe saves its state to one shared /tmp file; tests must not load
        # another run's (possibly half-written) state.
        command.append("--from-scratch")
    stack.enter_context(background("localstripe", command, port=port, quiet=True))
    os.environ["STRIPE_API_BASE"] = f"http://127.0.0.1:{port}"


def start_services(stack: ExitStack, *, localstripe: bool) -> bool:
    """Start what the environment lacks; True if localstripe was started here."""
    if not os.environ.get("DATABASE_URL"):
        stack.enter_context(embedded_postgres())
    if localstripe and not os.environ.get("STRIPE_API_BASE"):
        start_localstripe(stack, port=LOCALSTRIPE_PORT)
        return True
    return False


def start_redis(stack: ExitStack, *, purpose: str) -> None:
    """A `redis-server` from PATH on a free port until `stack` closes (nothing saved to disk);
    REDIS_URL points at it. For `purpose` (the command that needs it), which says so if it is missing."""
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit(f"[driftwood] {purpose} needs Redis: set REDIS_URL or install redis-server.")
    port = free_port()
    data = DATA_DIR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data)]
    command += ["--save", "", "--appendonly", "no"]
    stack.enter_context(background("redis", command, port=port, quiet=True))
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"


def send_stripe_webhooks_to(url: str) -> None:
    """Tell our localstripe to deliver signed events to `url` (Stripe's dashboard does this for real)."""
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
    body = urlencode({"url": url, "secret": secret}).encode()
    endpoint = f"{os.environ['STRIPE_API_BASE']}/_config/webhooks/driftwood"
    with urlopen(Request(endpoint, data=body, method="POST"), timeout=10):
        log(f"localstripe sends webhooks to {url}")


def start_fake_bank(stack: ExitStack) -> None:
    """The bank is out of reach in development: payouts go to the fake bank (driftwood/dev/fake_bank.py)."""
    command = [str(BIN_DIR / "daphne"), "-b", "127.0.0.1", "-p", str(FAKE_BANK_PORT)]
    application = "driftwood.dev.fake_bank:application"
    stack.enter_context(background("fake bank", [*command, application], port=FAKE_BANK_PORT, quiet=True))
    os.environ["BANK_API_URL"] = f"http://127.0.0.1:{FAKE_BANK_PORT}"


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True)


def stop_on_sigterm() -> None:
    # `kill` (or a supervisor) should stop the helpers too, as Ctrl-C does: unwind the ExitStack.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def run() -> int:
    stop_on_sigterm()
    compile_translations()
    os.environ.setdefault("DJANGO_DEBUG", "true")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    # Links in e-mails and payment return pages (FPX, GrabPay) point at this server unless told otherwise.
    os.environ.setdefault("SITE_URL", f"http://{host}:{port}")
    with ExitStack() as stack:
        if start_services(stack, localstripe=True):
            send_stripe_webhooks_to(f"http://{host}:{port}/api/v1/payments/stripe/webhook")
        if not os.environ.get("BANK_API_URL"):
            start_fake_bank(stack)
        manage("migrate", "--no-input")
        manage("seed_demo")
        if not os.environ.get("REDIS_URL"):
            # No broker, no beat process: daphne runs the schedule itself (core/embedded_beat.py).
            os.environ["DRIFTWOOD_EMBEDDED_BEAT"] = "true"
        # Under ASGI each request runs on a new thread, so a connection kept per thread
        # (CONN_MAX_AGE) is never used again: daphne takes its connections from a pool, as
        # `make serve`'s web processes do, instead of starting a PostgreSQL backend per request.
        pooled = {"DATABASE_POOL": os.environ.get("DATABASE_POOL", "true")}
        server = stack.enter_context(
            background(
                "daphne",
                [str(BIN_DIR / "daphne"), "-b", host, "-p", str(port), "driftwood.asgi:application"],
                port=port,
                env=pooled,
            )
        )
        log(f"Driftwood is ready at http://{host}:{port}/  (API docs /api/docs/, admin /admin/). Ctrl-C stops.")
        try:
            return server.wait()
        except KeyboardInterrupt:
            log("stopping")
            return 0


def _parallel(pytest_args: list[str]) -> list[str]:
    """One pytest-xdist worker per core plus one, unless the arguments choose (`-n 0` runs in
    this process). The extra worker fills the time the others spend waiting on a browser, a
    server or PostgreSQL: on 2 cores about 18% of the run was idle with two workers and 2-3%
    with three, while four cost more than they gained. At most 8: tests/parallel.py gives each
    worker two of Redis's 16 databases."""
    chosen = any(arg.startswith(("-n", "--numprocesses", "--dist")) or arg == "no:xdist" for arg in pytest_args)
    workers = min(len(os.sched_getaffinity(0)) + 1, 8)
    return pytest_args if chosen else ["-n", str(workers), "--dist", "worksteal", *pytest_args]


def test(pytest_args: list[str]) -> int:
    stop_on_sigterm()
    compile_translations()
    with ExitStack() as stack:
        # Each test process starts its own localstripe (tests/parallel.py).
        start_services(stack, localstripe=False)
        # Test data need not survive a crash: commits (thousands, with the transactional tests)
        # stop waiting for the WAL flush. libpq reads PGOPTIONS, so helper processes follow too.
        env = {**os.environ, "PGOPTIONS": f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off".strip()}
        # pytest caches its assertion-rewritten test modules as bytecode (git ignores them);
        # without the cache every worker rewrites ~150 modules on every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        pytest = subprocess.Popen([sys.executable, "-m", "pytest", *_parallel(pytest_args)], env=env)
        while True:
            try:
                return pytest.wait()
            except KeyboardInterrupt:
                continue  # Ctrl-C reaches pytest too; the services stop once it has ended


def bench(names: list[str]) -> int:
    """Run the benchmarks in bench/ (all, or those named) against PostgreSQL and Redis."""
    names = names or sorted(path.stem for path in (BASE_DIR / "bench").glob("*.py") if path.stem not in BENCH_HELPERS)
    compile_translations()
    with ExitStack() as stack:
        start_services(stack, localstripe=False)
        if not os.environ.get("REDIS_URL"):
            # As in production: the channel layer, cache and broker on Redis. Without it, a score
            # report's broadcasts went through the in-memory layer, each on a new thread and event
            # loop (async_to_sync), and the brackets bench timed that instead (0.15 against 0.24).
            start_redis(stack, purpose="make bench")
        # After the services: the embedded PostgreSQL exports its DATABASE_URL as it starts.
        env = {**os.environ, "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}  # figures, not request logs
        for name in names:
            log(f"benchmark {name}")
            result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BASE_DIR, env=env)
            if result.returncode:
                return result.returncode
    return 0


def manage_command(args: list[str]) -> int:
    """`manage.py ARGS` against DATABASE_URL, or the embedded PostgreSQL (started for it if need be)."""
    with ExitStack() as stack:
        start_services(stack, localstripe=False)
        return subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args]).returncode


def main(argv: list[str]) -> int:
    commands = {
        "run": lambda: run(),
        "test": lambda: test(argv[1:]),
        "bench": lambda: bench(argv[1:]),
        "manage": lambda: manage_command(argv[1:]),
    }
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
