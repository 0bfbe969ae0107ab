"""`make serve`: Driftwood's production topology on one machine, without Docker.

    python -m driftwood.core.serve

- HTTP: gunicorn (WSGI, deploy/gunicorn.conf.py): WEB_WORKERS processes x WEB_THREADS threads
  on PORT (8000). The measured choice: twice daphne's or uvicorn's requests per second here.
- WebSockets: uvicorn (websockets' protocol implementation) on WS_PORT (PORT + 1), the command
  `websocket_server()` gives (compose and the benchmarks run the same). Pages open their sockets at
  WEBSOCKET_ORIGIN, set here to that port; in production a proxy serves both under one origin
  (deploy/nginx.conf).
- Celery: one worker per queue (high, default, low) and the one beat.
- Metrics: every process writes to one PROMETHEUS_MULTIPROC_DIR (.data/metrics, emptied at start),
  so /metrics on the web port covers them all (it needs METRICS_TOKEN, or DJANGO_DEBUG).
- PostgreSQL and Redis from DATABASE_URL / REDIS_URL; without them, the embedded PostgreSQL and a
  `redis-server` from PATH on a free port. localstripe and the fake bank when STRIPE_API_BASE /
  BANK_API_URL are unset, as `make run` does. SEED_DEMO=true loads the demo data.

Ctrl-C (or SIGTERM) stops all of it; if any process dies, the rest are stopped too and the
exit status says so, so a supervisor can restart the set.
"""

import os
import shutil
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

from driftwood.core import embedded
from driftwood.core.embedded import BIN_DIR, DATA_DIR, background, log, manage

CELERY_QUEUES = {"high": 2, "default": 2, "low": 1}  # queue -> worker concurrency


def _metrics_directory() -> None:
    """Every process writes its Prometheus series into one directory that /metrics adds up
    (driftwood/observability/metrics.py); emptied first, as prometheus_client asks between runs."""
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or DATA_DIR / "metrics")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


class Process(NamedTuple):
    command: list[str]
    port: int | None = None  # waited for before the next process starts
    env: dict[str, str] = {}


def websocket_server(host: str, port: int, application: str = "driftwood.asgi:application") -> list[str]:
    """The WebSocket server's command: uvicorn with the `websockets` implementation. Measured per
    delivered chat frame it costs two thirds of daphne's CPU (bench/chat_cpu.py: Twisted adds and
    removes an epoll writer around every frame, and autobahn formats a debug line for each). As
    daphne did: no compression (browsers offer it; it would cost CPU on every frame), no rewriting
    of the client address from proxy headers, no access log (sessions are logged by the app), no
    ASGI lifespan (Channels has none). On SIGTERM the sockets are closed (1012) within 10 s. A
    handshake may take 10 s (the websockets library's limit): a socket is accepted once subscribed,
    and after a restart every page reconnects at once."""
    return [
        *[str(BIN_DIR / "uvicorn"), "--host", host, "--port", str(port)],
        *["--ws", "websockets", "--ws-per-message-deflate", "false", "--no-proxy-headers", "--no-server-header"],
        *["--no-access-log", "--lifespan", "off", "--timeout-graceful-shutdown", "10"],
        application,
    ]


def processes(host: str, port: int, ws_port: int) -> dict[str, Process]:
    """The topology: name -> process."""
    # Web processes keep a pool of connections (DATABASE_POOL_MIN..MAX each); Celery's children
    # open one per task, as in the compose file.
    pooled = {"DATABASE_POOL": os.environ.get("DATABASE_POOL", "true")}
    celery = [str(BIN_DIR / "celery"), "-A", "driftwood"]
    topology = {
        "web (gunicorn)": Process(
            [
                str(BIN_DIR / "gunicorn"),
                "--config",
                str(embedded.BASE_DIR / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"{host}:{port}",
                "driftwood.wsgi:application",
            ],
            port,
            pooled,
        ),
        "websockets (uvicorn)": Process(websocket_server(host, ws_port), ws_port, pooled),
    }
    for queue, concurrency in CELERY_QUEUES.items():
        topology[f"worker {queue}"] = Process(
            [
                *celery,
                "worker",
                "--queues",
                queue,
                "--hostname",
                f"{queue}@%h",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "WARNING",
            ]
        )
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone with DATABASE_URL set has none yet
    schedule = DATA_DIR / "celerybeat-schedule"
    topology["beat"] = Process([*celery, "beat", "--schedule", str(schedule), "--loglevel", "WARNING"])
    return topology


def serve() -> int:
    embedded.stop_on_sigterm()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    ws_port = int(os.environ.get("WS_PORT", str(port + 1)))
    os.environ.setdefault("WEBSOCKET_ORIGIN", f"ws://{host}:{ws_port}")
    with ExitStack() as stack:
        stand_ins = embedded.start_services(stack, localstripe=True)
        if stand_ins:
            embedded.send_stripe_webhooks_to(f"http://{host}:{port}/api/v1/payments/stripe/webhook")
        if not os.environ.get("REDIS_URL"):
            embedded.start_redis(stack, purpose="make serve")
        if not os.environ.get("BANK_API_URL"):
            embedded.start_fake_bank(stack)
            stand_ins = True
        if stand_ins or os.environ.get("SEED_DEMO", "").lower() == "true":
            # localstripe's card step, the fake bank and the demo data are development tools.
            os.environ.setdefault("DRIFTWOOD_DEV_TOOLS", "true")
        manage("migrate", "--no-input", "--verbosity", "0")
        _metrics_directory()
        if os.environ.get("SEED_DEMO", "").lower() == "true":
            manage("seed_demo")
        running = {
            name: stack.enter_context(background(name, process.command, port=process.port, env=process.env))
            for name, process in processes(host, port, ws_port).items()
        }
        # On the way out, signal every process at once; each one's own exit then waits for it.
        stack.callback(lambda: [process.terminate() for process in running.values() if process.poll() is None])
        log(f"Driftwood is serving at http://{host}:{port}/ (WebSockets on {ws_port}). Ctrl-C stops.")
        try:
            while True:
                for name, process in running.items():
                    if process.poll() is not None:
                        log(f"{name} exited with {process.returncode}: stopping the rest")
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            log("stopping")
            return 0


if __name__ == "__main__":
    sys.exit(serve())
