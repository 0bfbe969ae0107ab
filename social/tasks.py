"""Social background work. Tasks only call services."""

from celery import shared_task


@shared_task(name="social.tasks.suspensions_lift")
def suspensions_lift() -> int:
    from social.moderation import suspensions_lift as lift

    return lift()
