"""Notification tasks (queue `high`): e-mail leaves the building here, nowhere else."""

import logging

from celery import shared_task
from django.core.mail import EmailMessage

from driftwood.celery import ExternalServiceTask

logger = logging.getLogger("driftwood.notifications")


@shared_task(bind=True, base=ExternalServiceTask, name="driftwood.notifications.tasks.send_email")
def send_email(self, *, to: list[str], subject: str, body: str) -> int:
    """Send one message through the configured e-mail backend; returns how many were sent.

    Retried with backoff on any error (SMTP down, timeouts). A worker lost after sending but
    before acknowledging redelivers the task, so a recipient may rarely get a duplicate.
    """
    sent = EmailMessage(subject=subject, body=body, to=to).send()
    logger.info("task %s sent %d e-mail(s) to %d recipient(s)", self.request.id, sent, len(to))
    return sent
