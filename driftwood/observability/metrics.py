"""Driftwood's Prometheus series, recorded where they happen (requests, cache reads, sockets,
tasks); `collectors` adds what is read at scrape time (business figures, queue depths).

Several processes serve one site (gunicorn workers, daphne, Celery workers and their children).
With PROMETHEUS_MULTIPROC_DIR set, each writes its series to files in that directory and
`/metrics` adds them up (prometheus_client's multiprocess mode). Files are named by host name and
pid, so containers sharing one directory never collide. A process that stops marks itself dead
(its live gauges, e.g. open sockets, stop counting); its counters stay, as Prometheus expects.
"""

import atexit
import os
import socket

from prometheus_client import values
from prometheus_client.multiprocess import mark_process_dead

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
_HOST = socket.gethostname()


def process_identifier(pid: int | None = None) -> str:
    return f"{_HOST}_{pid or os.getpid()}"


if MULTIPROC_DIR:
    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)
    # A previous process with the same host name and pid (a restarted container) left its live
    # gauges behind: they are not ours.
    mark_process_dead(process_identifier(), MULTIPROC_DIR)

from prometheus_client import Counter, Gauge, Histogram  # noqa: E402 (after the value class is chosen)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0, 1, 2, 5, 10, 20, 50, 100, 200)

http_request_duration = Histogram(
    "driftwood_http_request_duration_seconds",
    "HTTP requests by route pattern, method and status: rate from _count, latency from the buckets.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
http_request_db_queries = Histogram(
    "driftwood_http_request_db_queries",
    "Database queries one HTTP request ran, by route pattern and method.",
    ["route", "method"],
    buckets=QUERY_BUCKETS,
)
cache_gets = Counter(
    "driftwood_cache_gets_total",
    "Cache reads by result (hit, miss); the hit ratio is hit / (hit + miss).",
    ["result"],
)
websocket_connections = Gauge(
    "driftwood_websocket_connections",
    "Open WebSocket connections by route.",
    ["route"],
    multiprocess_mode="livesum",
)
websocket_connections_opened = Counter(
    "driftwood_websocket_connections_opened_total", "WebSocket connections accepted, by route.", ["route"]
)
websocket_messages = Counter(
    "driftwood_websocket_messages_total",
    "WebSocket frames by route and direction (in: from clients, out: to clients).",
    ["route", "direction"],
)
celery_tasks = Counter(
    "driftwood_celery_tasks_total",
    "Celery tasks finished, by task name and state (success, failure, retry).",
    ["task", "state"],
)
celery_task_duration = Histogram(
    "driftwood_celery_task_duration_seconds",
    "Celery task run time by task name.",
    ["task"],
    buckets=(*LATENCY_BUCKETS, 30.0, 60.0, 300.0),
)


def count_cache_get(hit: bool, count: int = 1) -> None:
    if count:
        cache_gets.labels("hit" if hit else "miss").inc(count)


def process_dead(identifier: str | None = None) -> None:
    """Forget a process's live gauges (gunicorn's child_exit, Celery's child shutdown, exit)."""
    if MULTIPROC_DIR:
        mark_process_dead(identifier or process_identifier(), MULTIPROC_DIR)


if MULTIPROC_DIR:
    atexit.register(process_dead)
