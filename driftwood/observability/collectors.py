"""What `/metrics` reads at scrape time: Driftwood's business figures from PostgreSQL and the
Celery queue depths from the broker.

Bounded: the database part is a handful of aggregates over indexes (wallet.selectors.money_metrics,
tournaments.selectors.metrics), in one read-only transaction under a statement timeout, and the
answer is reused for METRICS_CACHE_SECONDS so that several scrapers cost one computation per
process. A part that fails (database or broker down) is left out and counted in
`driftwood_metrics_scrape_errors`, so the rest of the page still answers.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from driftwood.celery import app as celery_app
from tournaments.selectors.metrics import entry_metrics
from wallet.selectors import money_metrics

logger = logging.getLogger("driftwood.metrics")

WINDOW = timedelta(hours=24)
QUEUES = ("high", "default", "low")


def _families_by_status(name: str, documentation: str, label: str, rows: dict) -> list[GaugeMetricFamily]:
    count = GaugeMetricFamily(name, documentation, labels=[label])
    amount = GaugeMetricFamily(f"{name}_amount_myr", f"{documentation} Amount in MYR.", labels=[label])
    for key, (rows_count, rows_amount) in sorted(rows.items()):
        count.add_metric([key], rows_count)
        amount.add_metric([key], float(rows_amount))
    return [count, amount]


def business_families() -> list[GaugeMetricFamily]:
    since = timezone.now() - WINDOW
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # a read-only transaction, none of whose statements may run for long
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
                timeout = str(settings.METRICS_DB_TIMEOUT_MS)
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])
        money = money_metrics(since=since)
        entries = entry_metrics(since=since)
    families = [
        *_families_by_status(
            "driftwood_topups", "Top-ups opened in the last 24 h, by status.", "status", money["topups"]
        ),
        *_families_by_status(
            "driftwood_card_refunds",
            "Card refunds: open ones (requested, sent, failed) whatever their age, succeeded ones of the last 24 h.",
            "state",
            money["card_refunds"],
        ),
        *_families_by_status(
            "driftwood_withdrawals",
            "Withdrawals: open ones (pending, review, processing) whatever their age, finished ones of the last 24 h.",
            "status",
            money["withdrawals"],
        ),
        GaugeMetricFamily(
            "driftwood_withdrawal_processing_oldest_seconds",
            "Age of the oldest withdrawal still processing (0 when none); alert past an hour.",
            value=money["oldest_processing_seconds"],
        ),
    ]
    joins = GaugeMetricFamily(
        "driftwood_joins", "Event registrations made in the last 24 h, by status.", labels=["status"]
    )
    for status, count in sorted(entries["joins"].items()):
        joins.add_metric([status], count)
    prize_count, prize_amount = entries["prizes_paid"]
    families += [
        joins,
        GaugeMetricFamily("driftwood_prizes_paid", "Prize payouts of the last 24 h.", value=prize_count),
        GaugeMetricFamily(
            "driftwood_prizes_paid_amount_myr", "Prize money paid in the last 24 h, in MYR.", value=float(prize_amount)
        ),
    ]
    last = money["last_reconcile"]
    if last is not None:
        families += [
            GaugeMetricFamily(
                "driftwood_reconcile_difference_myr",
                "Money the books and the outside world disagreed by at the last reconciliation; must be 0.",
                value=float(last["difference"]),
            ),
            GaugeMetricFamily(
                "driftwood_reconcile_problems",
                "Differences the last reconciliation found (wallets, ledger, outside world); must be 0.",
                value=len(last["problems"]),
            ),
            GaugeMetricFamily(
                "driftwood_reconcile_last_run_timestamp_seconds",
                "When the last reconciliation ran (Unix time).",
                value=last["finished_at"].timestamp(),
            ),
        ]
    return families


def queue_families() -> list[GaugeMetricFamily]:
    depth = GaugeMetricFamily("driftwood_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"])
    with celery_app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.REDIS_SOCKET_TIMEOUT)
        channel = connection.default_channel
        for queue in QUEUES:
            # Not passive: kombu's Redis transport only knows a queue a worker declared; this one
            # declares it the same way (nothing is created in Redis), and reads its length.
            depth.add_metric([queue], channel.queue_declare(queue=queue, durable=True).message_count)
    return [depth]


PARTS = {"business": business_families, "celery_queues": queue_families}


class ScrapeTimeCollector:
    """A prometheus_client collector: the families above, each part reused for a few seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[float, list]] = {}
        self._errors = dict.fromkeys(PARTS, 0)

    def _part(self, name: str) -> list:
        now = time.monotonic()
        cached_at, families = self._cached.get(name, (None, None))
        if cached_at is not None and now - cached_at < settings.METRICS_CACHE_SECONDS:
            return families
        try:
            families = PARTS[name]()
        except Exception:
            logger.exception("metrics: the %s figures could not be read", name)
            self._errors[name] += 1
            return []
        self._cached[name] = (now, families)
        return families

    def collect(self):
        with self._lock:
            for name in PARTS:
                yield from self._part(name)
            errors = GaugeMetricFamily(
                "driftwood_metrics_scrape_errors",
                "Scrape-time parts that failed since this process started (business, celery_queues).",
                labels=["part"],
            )
            for name, count in self._errors.items():
                errors.add_metric([name], count)
            yield errors
