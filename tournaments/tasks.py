"""Tournament background work. Tasks load rows and call services or the outside world."""

import logging

from celery import shared_task

from driftwood.celery import ExternalServiceTask

logger = logging.getLogger("driftwood.tournaments")


@shared_task(bind=True, base=ExternalServiceTask, name="tournaments.tasks.organizer_notify")
def organizer_notify(self, *, registration_id: int) -> None:
    from tournaments.models import Registration

    registration = Registration.objects.select_related("event__organizer", "user", "team").get(pk=registration_id)
    event, organizer = registration.event, registration.event.organizer
    if organizer.email:
        from django.core.mail import EmailMessage

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


@shared_task(name="tournaments.tasks.registrations_close")
def registrations_close() -> int:
    from tournaments.services.events import registrations_close_due

    return registrations_close_due()


@shared_task(name="tournaments.tasks.process_results")
def process_results() -> int:
    from tournaments.services.results import results_process_due

    return results_process_due()
