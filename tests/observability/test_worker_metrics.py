"""A task that fails in a real Celery worker is counted, and /metrics on a web process shows it:
the worker's pool child writes `driftwood_celery_tasks_total{state="failure"}` into
PROMETHEUS_MULTIPROC_DIR, and the web process adds every process's files up at scrape time."""

import httpx
import pytest

from tests import services
from tests.observability.support import METRICS_TOKEN, samples, value
from tests.workers import Worker
from wallet import tasks
from wallet.models import CardRefund

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
TASK = "wallet.tasks.card_refund_send"


def test_a_task_failing_in_a_worker_is_counted_on_the_metrics_page(tmp_path):
    services.require_redis()
    directory = tmp_path / "metrics"
    directory.mkdir()
    web, url = services.start_daphne(PROMETHEUS_MULTIPROC_DIR=str(directory), METRICS_TOKEN=METRICS_TOKEN)
    worker = Worker(tmp_path, "worker", PROMETHEUS_MULTIPROC_DIR=str(directory))

    def page() -> dict:
        response = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10)
        assert response.status_code == 200, response.text
        return samples(response.text)

    def failures(scraped: dict) -> float | None:
        return value(scraped, "driftwood_celery_tasks_total", task=TASK, state="failure")

    try:
        # given nothing failed yet
        assert failures(page()) is None

        # when a real task fails in the worker: the refund it is asked to send does not exist
        missing = (CardRefund.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
        tasks.card_refund_send.apply_async(kwargs={"card_refund_id": missing})
        worker.wait_for(lambda: failures(page()), "the failure on /metrics")

        # then the page counts one failure of that task, and no success
        scraped = page()
        assert failures(scraped) == 1
        assert value(scraped, "driftwood_celery_tasks_total", task=TASK, state="success") is None
        assert value(scraped, "driftwood_celery_task_duration_seconds_count", task=TASK) == 1
        assert "CardRefund.DoesNotExist" in worker.log()
    finally:
        worker.stop()
        services.stop(web)
