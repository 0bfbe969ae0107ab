"""Tournament background work the beat runs. Tasks load rows and call services.

The tasks notifications queue (the organizer's e-mail, the activity trail) are
`tournaments.notification_tasks`: services use notifications, so they cannot live here beside
the tasks that call services.
"""

from celery import shared_task

from tournaments.brackets.services.forfeits import match_schedule_sweep
from tournaments.services.checkin import checkins_announce
from tournaments.services.entry_payments import entry_payments_expire_abandoned
from tournaments.services.events import registrations_close_due
from tournaments.services.registrations import waitlist_sweep
from tournaments.services.results import results_process_due


@shared_task(name="tournaments.tasks.registrations_close")
def registrations_close() -> int:
    return registrations_close_due()


@shared_task(name="tournaments.tasks.process_results")
def process_results() -> int:
    return results_process_due()


@shared_task(name="tournaments.tasks.waitlist_sweep")
def waitlist_sweep_task() -> int:
    """Held seats past their deadline go back, and free seats to the waitlists."""
    return waitlist_sweep()


@shared_task(name="tournaments.tasks.checkins_announce")
def checkins_announce_task() -> int:
    """Every minute (beat): players hear that their event's check-in has opened."""
    return checkins_announce()


@shared_task(name="tournaments.tasks.entry_payments_expire", acks_late=True)
def entry_payments_expire() -> int:
    """Every 5 minutes (beat): FPX entry fees left unpaid past PAYMENT_ABANDON_MINUTES are cancelled
    at Stripe and their pending entries end."""
    return entry_payments_expire_abandoned()


@shared_task(name="tournaments.tasks.match_schedule_sweep")
def match_schedule_sweep_task() -> dict[str, int]:
    """Every minute (beat): match check-in and start reminders (each once), no-show forfeits proposed."""
    return match_schedule_sweep()
