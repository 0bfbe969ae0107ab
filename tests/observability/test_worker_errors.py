"""Sentry's Celery integration in a real worker: a task that fails there is reported, tagged with the
request id its log line carries, and scrubbed like every event."""

import json

import pytest

from driftwood.observability.errors import FILTERED
from tests import services
from tests.local_http import LocalHttpServer
from tests.observability.test_errors import SentryReceiver
from tests.workers import Worker
from wallet import tasks

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
TASK = "wallet.tasks.card_refund_send"
# Looks like a bank account number (8+ digits): what the scrubber removes wherever it appears.
BANK_LIKE_ID = 9876543210123


def sent_events() -> list[dict]:
    return [
        json.loads(line)
        for envelope in SentryReceiver.envelopes
        for line in envelope.splitlines()[2::2]  # header, then (item header, item) pairs
        if line.startswith("{")
    ]


def task_lines(log: str) -> list[dict]:
    return [
        json.loads(raw)
        for raw in log.splitlines()
        if raw.startswith("{") and json.loads(raw).get("event") == "task" and json.loads(raw).get("task") == TASK
    ]


def test_a_task_failing_in_a_worker_reaches_sentry_with_its_request_id_and_scrubbed(tmp_path):
    services.require_redis()
    SentryReceiver.envelopes = []
    with LocalHttpServer(SentryReceiver) as receiver:
        dsn = f"http://publickey@127.0.0.1:{receiver.port}/42"
        worker = Worker(tmp_path, "worker", SENTRY_DSN=dsn, LOG_FORMAT="json", LOG_LEVEL="INFO")
        try:
            # when a real task fails in the worker (the refund it is asked to send does not exist)
            tasks.card_refund_send.apply_async(kwargs={"card_refund_id": BANK_LIKE_ID})
            [event] = worker.wait_for(
                lambda: [event for event in sent_events() if "exception" in event], "the task's error at Sentry"
            )
            # (the worker sends the error while it handles the failure, and writes the task's log line
            # after it: both are waited for before the worker is stopped)
            [line] = worker.wait_for(lambda: task_lines(worker.log()), "the task's log line")
        finally:
            worker.stop()

    # then Sentry got the exception, named after the task, with the request id of the task's log line
    assert line["state"] == "failure"
    assert event["exception"]["values"][-1]["type"] == "CardRefund.DoesNotExist"
    assert event["transaction"] == TASK
    assert event["tags"]["request_id"] == line["request_id"]
    # and the task's arguments (and the frames' variables holding them) left scrubbed
    assert event["extra"]["celery-job"]["kwargs"] == FILTERED
    assert str(BANK_LIKE_ID) not in "".join(SentryReceiver.envelopes)
