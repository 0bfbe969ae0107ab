"""Tasks that deliver what `tournaments.notifications` sends after commit: the activity trail.

They live apart from `tournaments.tasks` because services use notifications and notifications
queue these, while the tasks there call services. Their names keep the `tournaments.tasks.`
prefix, so routes and messages already queued still match; workers import this module through
Celery's `imports` (driftwood/celery.py).
"""

import logging

from celery import shared_task

logger = logging.getLogger("driftwood.tournaments")


@shared_task(name="tournaments.tasks.activity_log")
def activity_log(*, user_id: int, action: str, event_id: int) -> None:
    """The activity trail ops read in the logs (one structured line per registration change)."""
    logger.info("activity user=%s action=%s event=%s", user_id, action, event_id)
