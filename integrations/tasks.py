"""Webhook background work. The delivery rows are the durable truth: a lost task only delays a
delivery, as the sweep finds every pending one that is due."""

from celery import shared_task
from django.utils import timezone

from driftwood.core import redis_outage


@shared_task(name="integrations.tasks.webhook_deliver", acks_late=True)
def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt at a delivery (queued on commit of its happening, by a replay, or by the sweep);
    after a failure worth retrying, the next attempt is queued for when it is due."""
    from integrations.services.sending import webhook_delivery_send

    delivery = webhook_delivery_send(delivery_id=delivery_id)
    if delivery is None:
        return "not_due"
    if delivery.status == delivery.Status.PENDING:
        wait = max((delivery.next_attempt_at - timezone.now()).total_seconds(), 0)
        redis_outage.enqueue(webhook_deliver, countdown=wait, delivery_id=delivery_id)
    return delivery.status


@shared_task(name="integrations.tasks.webhooks_sweep", acks_late=True)
def webhooks_sweep() -> int:
    """Every minute: queue every pending delivery that is due (a lost or never-queued task, an
    attempt whose worker died). Returns how many were queued."""
    from integrations.services.sending import webhook_deliveries_due

    due = webhook_deliveries_due()
    for delivery_id in due:
        redis_outage.enqueue(webhook_deliver, delivery_id=delivery_id)
    return len(due)
