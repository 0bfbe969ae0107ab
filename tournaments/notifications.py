"""What the world hears about events: live updates on `event_{id}`, e-mails and tasks, all after commit."""

import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from driftwood.notifications.services import email_send
from tournaments.models import Event, Registration

logger = logging.getLogger("driftwood.tournaments")


def event_group(event_id: int) -> str:
    return f"event_{event_id}"


def _broadcast(event_id: int, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(event_group(event_id), {"type": "event.update", **payload})


def _counts(event_id: int) -> dict:
    active = Registration.objects.filter(event_id=event_id)
    return {
        "confirmed_count": active.filter(status=Registration.Status.CONFIRMED).count(),
        "pending_count": active.filter(status=Registration.Status.PENDING).count(),
    }


def _broadcast_on_commit(event_id: int, **payload) -> None:
    transaction.on_commit(lambda: _broadcast(event_id, {"event_id": event_id, **payload, **_counts(event_id)}))


def event_changed(event: Event) -> None:
    _broadcast_on_commit(event.pk, change="status", status=event.status)


def registration_changed(registration: Registration) -> None:
    from tournaments import tasks

    event = registration.event
    _broadcast_on_commit(event.pk, change="registration", registration_id=registration.pk, status=event.status)
    transaction.on_commit(partial(tasks.organizer_notify.delay, registration_id=registration.pk))
    transaction.on_commit(
        partial(
            tasks.activity_log.delay,
            user_id=registration.registered_by_id,
            action=registration.status,
            event_id=event.pk,
        )
    )
    if registration.status == Registration.Status.CONFIRMED:
        email_send(
            to=[registration.registered_by.email],
            subject=f"You're in: {event.name}",
            body=f"Your registration for {event.name} is confirmed. It starts {event.starts_at:%d %b %Y %H:%M %Z}.",
        )


def event_cancelled(event: Event, refunds: dict) -> None:
    _broadcast_on_commit(event.pk, change="status", status=event.status)
    players = Registration.objects.filter(event=event, status=Registration.Status.CANCELLED)
    emails = {registration.registered_by.email for registration in players.select_related("registered_by")}
    for email in sorted(emails):
        email_send(
            to=[email],
            subject=f"Cancelled: {event.name}",
            body=f"{event.name} was cancelled by its organizer. Any entry fee you paid is refunded "
            "(less the cancellation penalty, if any); see your wallet history.",
        )


def payment_failed(payment_intent_id: str) -> None:
    logger.info("card entry fee failed for %s; the entry stays pending for another attempt", payment_intent_id)
