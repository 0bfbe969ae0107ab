"""Tasks that deliver what `tournaments.notifications` sends after commit: the organizer's e-mail
and the activity trail.

They live apart from `tournaments.tasks` because services use notifications and notifications
queue these, while the tasks there call services. Their names keep the `tournaments.tasks.`
prefix, so routes and messages already queued still match; workers import this module through
Celery's `imports` (driftwood/celery.py).
"""

import logging

from celery import shared_task
from django.core.mail import EmailMessage

from driftwood.celery import ExternalServiceTask
from tournaments.models import Registration

logger = logging.getLogger("driftwood.tournaments")


@shared_task(bind=True, base=ExternalServiceTask, name="tournaments.tasks.organizer_notify")
def organizer_notify(self, *, registration_id: int) -> None:
    registration = Registration.objects.select_related("event__organizer", "user", "team").get(pk=registration_id)
    event, organizer = registration.event, registration.event.organizer
    if organizer.email:
        who = registration.team or registration.user
        EmailMessage(
            subject=f"{event.name}: {who} is {registration.get_status_display().lower()}",
            body=f"{who} is now {registration.get_status_display().lower()} in {event.name}.",
            to=[organizer.email],
        ).send()


@shared_task(name="tournaments.tasks.activity_log")
def activity_log(*, user_id: int, action: str, event_id: int) -> None:
    """The activity trail ops read in the logs (one structured line per registration change)."""
    logger.info("activity user=%s action=%s event=%s", user_id, action, event_id)
