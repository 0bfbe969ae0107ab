"""gunicorn settings for Driftwood's HTTP (WSGI) processes; `--bind` comes from the command line.

Threads, not only processes: a request mostly waits on PostgreSQL, Redis or Stripe, and threads
share one process's memory and connection pool. Measured on 2 cores (issue 15): 2 workers x 4
threads served twice what daphne or 2 uvicorn workers did for the same app.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
# Slow clients are the proxy's problem (nginx buffers them); a request past this is stuck.
timeout = int(os.environ.get("WEB_TIMEOUT_SECONDS", "30"))
graceful_timeout = 30
keepalive = 5
# Each worker listens on its own socket and the kernel spreads new connections over them. On
# one shared socket the first worker to wake took most of a burst of keep-alive connections
# and the other idled: 16 clients got 500 or 1,100 req/s from run to run (bench/http.py).
reuse_port = True
# Recycle workers now and then so a slow leak cannot grow forever; jitter keeps them apart.
# Rarely: a restart drops the worker's keep-alive connections and its warm state (pooled
# connections, prepared statements, querysets built once). At 10,000 the bench's load
# recycled a worker every ~13 s and halved its throughput each time (issue 15).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "1000000"))
max_requests_jitter = max_requests // 10
# Load the app once in the arbiter: workers fork with Django already set up.
preload_app = True
# Requests are logged once, by Driftwood's RequestObservabilityMiddleware (JSON with LOG_FORMAT=json).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# X-Forwarded-* are honoured only from the proxy in front (TRUSTED_PROXIES, as Django does).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"


def pre_fork(server, worker):
    """The preloaded app's objects are frozen in the arbiter before each fork: the workers' garbage
    collector never scans them, and their pages stay shared (driftwood/core/gc_freeze.py)."""
    from driftwood.core.gc_freeze import freeze_startup_objects

    freeze_startup_objects()


def child_exit(server, worker):
    """A worker that stopped no longer counts in /metrics' live gauges (PROMETHEUS_MULTIPROC_DIR)."""
    from driftwood.observability.metrics import process_dead, process_identifier

    process_dead(process_identifier(worker.pid))
