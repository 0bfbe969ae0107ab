"""Celery application: three queues, routing by task, retries for outside calls."""

import os

from celery import Celery, Task
from celery.backends.redis import RedisBackend
from celery.schedules import crontab
from kombu import Queue

from driftwood.observability import celery_hooks  # noqa: F401 (request ids, task log lines and metrics)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "driftwood.settings")


class SendOnlyRedisBackend(RedisBackend):
    """The Redis result backend, minus the subscription to each task's result when it is sent.

    Nothing here waits on a result it sent (AsyncResult.get() still subscribes when called). The
    subscription made every send from a web process hold a result channel open, and with Redis
    down it made each send retry for about 20 s before failing.
    """

    def on_task_call(self, producer, task_id):
        return {}


app = Celery("driftwood")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.loader.override_backends = {
    "redis": f"{__name__}:SendOnlyRedisBackend",
    "rediss": f"{__name__}:SendOnlyRedisBackend",
}
app.conf.update(
    task_queues=(Queue("high"), Queue("default"), Queue("low")),
    task_default_queue="default",
    # Task modules beside autodiscovery's `<app>.tasks`, imported by every worker.
    imports=("tournaments.notification_tasks",),
    # Routing by task: user-facing latency (mail, push) goes high, housekeeping low.
    task_routes={
        "driftwood.notifications.tasks.*": {"queue": "high"},
        "driftwood.core.tasks.*": {"queue": "low"},
        "tournaments.tasks.activity_log": {"queue": "low"},
        "tournaments.tasks.process_results": {"queue": "low"},
        "chat.tasks.message_push": {"queue": "high"},
        "social.tasks.suspensions_lift": {"queue": "low"},
        "chat.tasks.archive_chat": {"queue": "low"},
        # Money owed to the outside world goes first.
        "wallet.tasks.card_refund_send": {"queue": "high"},
        "wallet.tasks.card_refunds_retry": {"queue": "high"},
        "wallet.tasks.withdrawal_payout_retry": {"queue": "high"},
        "wallet.tasks.withdrawals_processing_sweep": {"queue": "high"},
        "wallet.tasks.wallet_reconcile": {"queue": "low"},
        "integrations.tasks.webhook_deliver": {"queue": "default"},
        "integrations.tasks.webhooks_sweep": {"queue": "default"},
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    # Crontab schedules (the 02:00 chat archive) read in Malaysian time.
    timezone="Asia/Kuala_Lumpur",
    beat_schedule={
        "purge-expired-idempotency-keys": {
            "task": "driftwood.core.tasks.purge_expired_idempotency_keys",
            "schedule": 3600.0,
        },
        "process-due-results": {
            "task": "tournaments.tasks.process_results",
            "schedule": 600.0,
        },
        "close-due-registrations": {
            "task": "tournaments.tasks.registrations_close",
            "schedule": 300.0,
        },
        "send-overdue-notification-emails": {
            "task": "driftwood.notifications.tasks.notification_emails_sweep",
            "schedule": 300.0,
        },
        "announce-open-check-ins": {
            "task": "tournaments.tasks.checkins_announce",
            "schedule": 60.0,
        },
        "sweep-match-schedules": {
            "task": "tournaments.tasks.match_schedule_sweep",
            "schedule": 60.0,
        },
        "sweep-waitlists": {
            "task": "tournaments.tasks.waitlist_sweep",
            "schedule": 60.0,
        },
        "withdrawal-fraud-scan": {
            "task": "wallet.tasks.fraud_scan",
            "schedule": 600.0,
        },
        "lift-ended-suspensions": {
            "task": "social.tasks.suspensions_lift",
            "schedule": 300.0,
        },
        "retry-owed-card-refunds": {
            "task": "wallet.tasks.card_refunds_retry",
            "schedule": 60.0,
        },
        "expire-abandoned-payments": {
            "task": "wallet.tasks.topups_expire",
            "schedule": 300.0,
        },
        "expire-abandoned-entry-payments": {
            "task": "tournaments.tasks.entry_payments_expire",
            "schedule": 300.0,
        },
        "retry-processing-withdrawals": {
            "task": "wallet.tasks.withdrawals_processing_sweep",
            "schedule": 60.0,
        },
        "retry-due-webhooks": {
            "task": "integrations.tasks.webhooks_sweep",
            "schedule": 60.0,
        },
        "reconcile-wallets": {
            "task": "wallet.tasks.wallet_reconcile",
            "schedule": crontab(hour=3, minute=0),
        },
        "archive-old-chat-messages": {
            "task": "chat.tasks.archive_chat",
            "schedule": crontab(hour=2, minute=0),
        },
    },
)
app.autodiscover_tasks()


class ExternalServiceTask(Task):
    """Base for tasks that talk to the outside world (SMTP, FCM, Firestore): failures are retried with
    jittered exponential backoff. Acknowledged on receipt unless the task says otherwise (see
    LATE_ACK_TASKS): a redelivered e-mail or push reaches a person twice."""

    autoretry_for = (Exception,)
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


# The tasks acknowledged only once they finish (`acks_late=True`), so that a worker killed mid-task
# (a deploy past its stop_grace_period, a crash) has the task redelivered. Each is idempotent: a
# second run does no harm. Every other task is acknowledged on receipt: lost with its worker, and
# either the beat finds its rows again (sweeps, refunds, payouts) or what it did is not worth a
# duplicate (e-mails, pushes). tests/core/test_task_acks.py keeps this list and the tasks in step.
LATE_ACK_TASKS = {
    "driftwood.core.tasks.purge_expired_idempotency_keys": "deletes expired rows: nothing left the second time",
    "wallet.tasks.fraud_scan": "re-checks open withdrawals: the same flags",
    "wallet.tasks.card_refund_send": "Stripe's idempotency key per refund: Stripe refunds once",
    "wallet.tasks.card_refunds_retry": "re-sends owed refunds by their idempotency keys",
    "wallet.tasks.topups_expire": "cancels at Stripe by key topup-<id>-cancel; cancelled rows are skipped",
    "wallet.tasks.withdrawal_payout_retry": "the bank is asked for the reference first; paid once per reference",
    "wallet.tasks.withdrawals_processing_sweep": "retries what is due, by the same references",
    "tournaments.tasks.entry_payments_expire": "cancels at Stripe by key; cancelled rows are skipped",
    "integrations.tasks.webhook_deliver": "the delivery row decides: a delivered or not-yet-due one is skipped",
    "integrations.tasks.webhooks_sweep": "queues due deliveries; a second queueing finds them not due",
    "chat.tasks.message_mirror_write": "overwrites the same Firestore document",
}
