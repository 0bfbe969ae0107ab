"""What the world hears about events: in-app notifications (in the caller's transaction), then live
updates on `event_{id}`, e-mails and tasks, all after commit."""

import logging
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.urls import reverse

from driftwood.accounts.models import User
from driftwood.core import redis_outage
from driftwood.core.money import format_money
from driftwood.core.times import malaysia_time
from driftwood.notifications.services import email_send, notifications_create_many
from tournaments.models import Event, ParticipantPayment, Registration
from tournaments.notification_tasks import activity_log, organizer_notify

logger = logging.getLogger("driftwood.tournaments")


def event_group(event_id: int) -> str:
    return f"event_{event_id}"


def _broadcast(event_id: int, payload: dict) -> None:
    redis_outage.group_send(event_group(event_id), {"type": "event.update", **payload})


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


def bracket_changed(event_id: int, **payload) -> None:
    """A match changed: open bracket and match pages re-render their part."""
    transaction.on_commit(lambda: _broadcast(event_id, {"event_id": event_id, "change": "bracket", **payload}))


def registration_changed(registration: Registration) -> None:
    event = registration.event
    _broadcast_on_commit(event.pk, change="registration", registration_id=registration.pk, status=event.status)
    transaction.on_commit(partial(redis_outage.enqueue, organizer_notify, registration_id=registration.pk))
    transaction.on_commit(
        partial(
            redis_outage.enqueue,
            activity_log,
            user_id=registration.registered_by_id,
            action=registration.status,
            event_id=event.pk,
        )
    )
    if registration.status == Registration.Status.CONFIRMED:
        email_send(
            to=[registration.registered_by.email],
            subject=f"You're in: {event.name}",
            body=f"Your registration for {event.name} is confirmed. It starts {malaysia_time(event.starts_at)}.",
        )


def _cancelled_body(event: Event, refund: tuple[str, Decimal] | None) -> str:
    cancelled = f"{event.name} was cancelled by its organizer."
    if refund is None and event.entry_fee == 0:
        return cancelled
    if refund is None:
        return f"{cancelled} Entry fees go back to whoever paid them, less any cancellation penalty."
    method, amount = refund
    if amount == 0:
        return f"{cancelled} The cancellation penalty kept the whole entry fee you paid."
    where = "is back in your wallet" if method == ParticipantPayment.Method.WALLET else "is being refunded to your card"
    return f"{cancelled} {format_money(amount, style='page')} of the entry fee you paid {where}."


def event_cancelled(event: Event, refunds: dict, *, participants: Iterable[int]) -> None:
    """Tell everyone on a cancelled roster, in the cancelling transaction; payers also learn their refund.

    `refunds` is event_cancel's {payer_id: {method: amount}}. Players with the same outcome share
    one INSERT, so a cancellation costs a query per distinct refund, not per player.
    """
    _broadcast_on_commit(event.pk, change="status", status=event.status)
    outcomes: dict[tuple[str, Decimal] | None, list[int]] = {}
    for user_id in participants:
        refund = next(iter(refunds[user_id].items())) if user_id in refunds else None
        outcomes.setdefault(refund, []).append(user_id)
    emails = dict(User.objects.filter(pk__in=[u for ids in outcomes.values() for u in ids]).values_list("pk", "email"))
    for refund, user_ids in outcomes.items():
        body = _cancelled_body(event, refund)
        notifications_create_many(
            users=user_ids,
            kind="event_cancelled",
            title=f"Cancelled: {event.name}",
            body=body,
            url=reverse("tournaments:event_detail", args=[event.pk]),
            data={
                "event_id": event.pk,
                "refund": {"method": refund[0], "amount": format_money(refund[1])} if refund else None,
            },
        )
        for user_id in user_ids:
            if emails.get(user_id):
                email_send(to=[emails[user_id]], subject=f"Cancelled: {event.name}", body=body)


def payment_failed(payment_intent_id: str) -> None:
    logger.info("card entry fee failed for %s; the entry stays pending for another attempt", payment_intent_id)


def waitlist_promoted(registration: Registration) -> None:
    """A seat freed and the waitlisted entry took it: paid from the wallet, or held for a card payer."""
    event = registration.event
    fee = format_money(event.entry_fee, style="page")
    if registration.seat_held_until is not None:
        title = f"A seat is yours at {event.name}: pay by {malaysia_time(registration.seat_held_until)}"
        body = (
            f"A seat opened. Pay the {fee} entry fee by card on the event page before then, "
            "or it goes to the next in line."
        )
    else:
        paid = f" Your entry fee of {fee} was paid from your wallet." if event.entry_fee else ""
        title, body = f"You're in: {event.name}", f"A seat opened and your entry took it.{paid}"
    _tell_waitlisted(registration, kind="waitlist_promoted", title=title, body=body)


def waitlist_hold_expired(registration: Registration) -> None:
    event = registration.event
    body = "The seat held for you was not paid for in time and went to the next in line. Join again any time."
    _tell_waitlisted(registration, kind="waitlist_skipped", title=f"Seat released at {event.name}", body=body)
    _broadcast_on_commit(event.pk, change="registration", registration_id=registration.pk, status=event.status)


def waitlist_skipped(registration: Registration, *, reason: str) -> None:
    event = registration.event
    body = f"A seat opened, but your entry could not take it ({reason}). You are off the waitlist; join again any time."
    _tell_waitlisted(registration, kind="waitlist_skipped", title=f"Missed a seat at {event.name}", body=body)


def waitlist_closed(registration: Registration, *, reason: str) -> None:
    """Registration is over with the entry still waiting (nothing was charged)."""
    event = registration.event
    body = f"{reason} No seat freed up for your entry on the waitlist; nothing was charged."
    _tell_waitlisted(registration, kind="waitlist_closed", title=f"No seat at {event.name}", body=body)


def _tell_waitlisted(registration: Registration, *, kind: str, title: str, body: str) -> None:
    player, event = registration.registered_by, registration.event
    data = {"event_id": event.pk, "registration_id": registration.pk}
    url = reverse("tournaments:event_detail", args=[event.pk])
    notifications_create_many(users=[player], kind=kind, title=title, body=body, url=url, data=data)
    email_send(to=[player.email], subject=title, body=f"Hi {player.public_name},\n\n{body}")
