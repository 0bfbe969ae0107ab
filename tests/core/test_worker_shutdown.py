"""A deploy stops a Celery worker with SIGTERM and, past its grace period, SIGKILL.

Real workers (Celery's prefork pool, as in production) run a real task, `card_refund_send`, from
Redis. The test pauses it where it hurts most: Stripe (localstripe, behind `StripeProxy`) has
made the refund, and the worker waits for the refund's row, which the test holds locked, to
record it. Then:
- SIGTERM (warm shutdown): the task finishes, its outcome is committed, the worker exits 0;
- SIGKILL: nothing was recorded; the task, acknowledged late (LATE_ACK_TASKS), is redelivered to
  the next worker, which refunds nothing twice (the same idempotency key) and records it once.
"""

import json
import uuid
from decimal import Decimal

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from driftwood.celery import LATE_ACK_TASKS
from tests import services
from tests.factories import UserFactory
from tests.wallet.stripe_proxy import StripeProxy
from tests.wallet.stripe_support import paid_intent, refunds_at_stripe, require_localstripe
from tests.workers import Worker
from wallet.models import CardRefund
from wallet.services.balances import wallet_get_or_create
from wallet.services.card_refunds import card_refund_request

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
TASK = "wallet.tasks.card_refund_send"
State = CardRefund.State


@pytest.fixture
def stripe():
    """localstripe behind a proxy that honours idempotency keys as Stripe does; the workers use it."""
    services.require_redis()
    with StripeProxy(require_localstripe()) as proxy:
        yield proxy


class RowLock:
    """A row locked FOR UPDATE by another database session, until `release()`."""

    def __init__(self, model, pk: int) -> None:
        self.session = psycopg.connect(services.test_database_url())
        self.session.execute(f"SELECT 1 FROM {model._meta.db_table} WHERE id = %s FOR UPDATE", [pk])
        self.pid = self.session.info.backend_pid

    def release(self) -> None:
        self.session.rollback()
        self.session.close()


def sessions_waiting_on(pid: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
        return [row[0] for row in cursor.fetchall()]


def session_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def queued(queue: str = "high") -> list[str]:
    """The task names waiting in a queue (kombu keeps a Redis list per queue)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(raw)["headers"]["task"] for raw in client.lrange(queue, 0, -1)]


def unacknowledged() -> list[str]:
    """The task names Redis holds as delivered to a worker but not acknowledged."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(raw)[0]["headers"]["task"] for raw in client.hvals("unacked")]


def owed_refund(amount: str) -> tuple[CardRefund, str]:
    """A paid card payment and a refund of it owed: committed, so its send task is queued in Redis."""
    intent = paid_intent(amount)
    with transaction.atomic():
        refund = card_refund_request(
            source=None,
            payer_wallet=wallet_get_or_create(user=UserFactory()),
            payment_intent_id=intent,
            amount=Decimal(amount),
            idempotency_key=f"shutdown-{uuid.uuid4().hex[:12]}",
            description="Card refund: test",
            metadata={"test": True},
        )
    assert queued() == [TASK]
    return refund, intent


def test_the_refund_sender_acknowledges_late():
    assert TASK in LATE_ACK_TASKS


def test_sigterm_lets_the_running_task_finish_and_commit_then_the_worker_exits_0(stripe, tmp_path):
    # given a refund owed, and a worker that has refunded at Stripe and waits for the refund's row
    refund, intent = owed_refund("25.00")
    lock = RowLock(CardRefund, refund.pk)
    worker = Worker(tmp_path, "worker", STRIPE_API_BASE=stripe.url)
    try:
        worker.wait_for(lambda: sessions_waiting_on(lock.pid), "the task waiting for the refund's row")
        assert refunds_at_stripe(intent) == [2500]

        # when the deploy sends SIGTERM, and the worker has taken it as a warm shutdown
        worker.process.terminate()
        worker.wait_for(lambda: "worker: Warm shutdown" in worker.log(), "the warm shutdown")
        assert worker.process.poll() is None

        # then the task finishes once it can, and the worker exits cleanly after it
        lock.release()
        assert worker.process.wait(timeout=30) == 0, worker.log()
    finally:
        worker.stop()

    # and what the task did is committed: the refund recorded once, refunded once
    refund.refresh_from_db()
    assert (refund.state, refund.attempts) == (State.SUCCEEDED, 1)
    assert refunds_at_stripe(intent) == [2500]
    assert f"Task {TASK}[" in worker.log() and "succeeded" in worker.log()
    assert unacknowledged() == [] and queued() == []


def test_a_late_ack_task_of_a_killed_worker_is_redelivered_and_done_once(stripe, tmp_path):
    # given a worker killed (SIGKILL) after Stripe refunded, before the refund was recorded
    refund, intent = owed_refund("30.00")
    lock = RowLock(CardRefund, refund.pk)
    first = Worker(tmp_path, "first", STRIPE_API_BASE=stripe.url)
    try:
        [task_session] = first.wait_for(lambda: sessions_waiting_on(lock.pid), "the task waiting for the refund's row")
        assert refunds_at_stripe(intent) == [3000]
        first.kill()
    finally:
        first.stop()
    lock.release()
    assert not services.eventually(lambda: session_alive(task_session), until=lambda alive: not alive), (
        "the killed task's database session is still there"
    )

    # then nothing was recorded, and Redis still holds the task as unacknowledged
    refund.refresh_from_db()
    assert (refund.state, refund.attempts) == (State.REQUESTED, 0)
    assert unacknowledged() == [TASK]

    # when the next worker starts
    second = Worker(tmp_path, "second", app="tests.core.redelivery_worker", STRIPE_API_BASE=stripe.url)
    try:
        second.wait_for(lambda: CardRefund.objects.get(pk=refund.pk).state == State.SUCCEEDED, "the redelivered refund")
        second.wait_for(lambda: not unacknowledged(), "the redelivered task acknowledged")
        second.process.terminate()
        assert second.process.wait(timeout=30) == 0, second.log()
    finally:
        second.stop()

    # then it ran the task again: Stripe answered the same idempotency key with the first refund,
    # so the card got its money back once, and the refund is recorded once
    refund.refresh_from_db()
    assert (refund.state, refund.attempts) == (State.SUCCEEDED, 1)
    assert refunds_at_stripe(intent) == [3000]
    # (the second worker puts back what it has held over a second, so on a slow machine it may run
    # the task twice: the refund is still made and recorded once)
    assert stripe.replayed and set(stripe.replayed) == {"/v1/refunds"}
    assert f"Task {TASK}[" in second.log()
