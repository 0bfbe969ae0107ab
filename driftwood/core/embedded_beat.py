"""The beat's schedule inside the web process, for `make run` only.

Without Redis there is no broker, so no Celery worker or beat process: tasks run eagerly in
the process that sends them. A separate beat process would then run them against its own
in-process cache, so the schedule (owed card refunds, payout retries, closing registrations,
results) runs in a daemon thread of the one daphne process instead.
"""

import os

from django.conf import settings

ENV_FLAG = "DRIFTWOOD_EMBEDDED_BEAT"


def embedded_beat_start():
    """Start the beat thread when `make run` asked for it (and tasks run eagerly); else None."""
    if os.environ.get(ENV_FLAG) != "true" or not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from celery.beat import EmbeddedService

    from driftwood.celery import app

    schedule = settings.BASE_DIR / ".data" / "celerybeat-schedule"
    schedule.parent.mkdir(exist_ok=True)
    service = EmbeddedService(app, thread=True, schedule_filename=str(schedule))
    service.start()
    return service
