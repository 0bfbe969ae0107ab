"""Notification tasks (queue `high`): e-mail and pushes leave the building here, nowhere else."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from driftwood.celery import ExternalServiceTask
from driftwood.notifications import delivery
from driftwood.notifications.models import Notification
from driftwood.notifications.push import push_sender

logger = logging.getLogger("driftwood.notifications")


@shared_task(bind=True, base=ExternalServiceTask, name="driftwood.notifications.tasks.send_email")
def send_email(self, *, to: list[str], subject: str, body: str) -> int:
    """Send one message through the configured e-mail backend; returns how many were sent.

    Retried with backoff on any error (SMTP down, timeouts). Acknowledged on receipt: a worker lost
    mid-send loses the message rather than sending it twice.
    """
    sent = EmailMessage(subject=subject, body=body, to=to).send()
    logger.info("task %s sent %d e-mail(s) to %d recipient(s)", self.request.id, sent, len(to))
    return sent


@shared_task(bind=True, base=ExternalServiceTask, name="driftwood.notifications.tasks.notification_emails_send")
def notification_emails_send(self, *, user_id: int) -> int:
    """The player's waiting notification e-mails, as one message or a digest (retried on SMTP errors)."""
    return delivery.emails_send(user_id=user_id)


@shared_task(name="driftwood.notifications.tasks.notification_emails_sweep")
def notification_emails_sweep(*, limit: int = 1000) -> int:
    """Every few minutes (beat): queue the e-mails whose task was lost (broker down at commit)."""
    overdue = timezone.now() - timedelta(seconds=settings.NOTIFICATION_EMAIL_DELAY_SECONDS + 120)
    user_ids = list(
        Notification.objects.filter(email_pending=True, created_at__lt=overdue)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()[:limit]
    )
    for user_id in user_ids:
        notification_emails_send.delay(user_id=user_id)
    return len(user_ids)


@shared_task(name="driftwood.notifications.tasks.notifications_deliver")
def notifications_deliver(*, notification_ids: list[int], email_user_ids: list[int]) -> None:
    """What new notifications send beyond the live frames, fanned out here rather than on the request
    path (each message sent costs the web process a broker round trip and Celery's message building;
    this way a happening costs it one): each e-mailed player's e-mail task after the digest window,
    and the pushes now."""
    delay = settings.NOTIFICATION_EMAIL_DELAY_SECONDS
    for user_id in email_user_ids:
        notification_emails_send.apply_async(kwargs={"user_id": user_id}, countdown=delay)
    notifications_push.delay(notification_ids=notification_ids)


@shared_task(bind=True, base=ExternalServiceTask, name="driftwood.notifications.tasks.notifications_push")
def notifications_push(self, *, notification_ids: list[int]) -> int:
    """Push new notifications to the devices of players who do not have the site open; a push that
    failed is retried (only those), with backoff. Returns how many pushes this attempt sent."""
    user_ids = list(Notification.objects.filter(pk__in=notification_ids).values_list("user_id", flat=True).distinct())
    pushes = delivery.notification_pushes(notification_ids, online=delivery.users_online(user_ids))
    failed = delivery.devices_push(pushes, sender=push_sender())
    if failed:
        retry_ids = [int(push.data["notification_id"]) for push in failed]
        countdown = get_exponential_backoff_interval(
            factor=int(max(1.0, self.retry_backoff)),
            retries=self.request.retries,
            maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )
        raise self.retry(kwargs={"notification_ids": retry_ids}, countdown=countdown)
    return len(pushes)
