"""What the world hears about events: in-app notifications (in the caller's transaction), then live
updates on `event_{id}`, e-mails and tasks, all after commit."""

import logging
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from driftwood.core import redis_outage
from driftwood.core.i18n import lazy_join, lazy_text
from driftwood.core.money import format_money
from driftwood.core.times import malaysia_time
from driftwood.notifications.services import notify
from tournaments import webhooks
from tournaments.models import Event, ParticipantPayment, Registration, RegistrationMember
from tournaments.notification_tasks import activity_log

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
    _organizer_tell(registration)
    webhooks.registration_changed(registration)
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
        notify(
            users=[registration.registered_by_id],
            kind="registration_confirmed",
            title=lazy_text(lambda: _("You're in: %(event)s") % {"event": event.name}),
            body=lazy_text(
                lambda: (
                    _("Your registration for %(event)s is confirmed. It starts %(when)s.")
                    % {"event": event.name, "when": malaysia_time(event.starts_at)}
                )
            ),
            url=reverse("tournaments:event_detail", args=[event.pk]),
            data={"event_id": event.pk, "registration_id": registration.pk},
            key=f"registration_confirmed:{registration.pk}",
        )


def _organizer_tell(registration: Registration) -> None:
    """The organizer hears of every entry change in app; by e-mail several at once come as one digest."""
    event = registration.event
    who = registration.team.name if registration.team_id else registration.registered_by.public_name
    names = {"event": event.name, "who": who}
    notify(
        users=[event.organizer_id],
        kind="entry_update",
        title=lazy_text(
            lambda: (
                _("%(event)s: %(who)s is %(status)s") % {**names, "status": registration.get_status_display().lower()}
            )
        ),
        body=lazy_text(
            lambda: (
                _("%(who)s is now %(status)s in %(event)s.")
                % {**names, "status": registration.get_status_display().lower()}
            )
        ),
        url=reverse("tournaments:event_manage", args=[event.pk]),
        data={"event_id": event.pk, "registration_id": registration.pk, "status": registration.status},
        key=f"entry_update:{registration.pk}:{registration.status}",
    )


def _cancelled_body(event: Event, refund: tuple[str, Decimal] | None) -> str:
    cancelled = _("%(event)s was cancelled by its organizer.") % {"event": event.name}
    if refund is None and event.entry_fee == 0:
        return cancelled
    if refund is None:
        return " ".join([cancelled, _("Entry fees go back to whoever paid them, less any cancellation penalty.")])
    method, amount = refund
    if amount == 0:
        return " ".join([cancelled, _("The cancellation penalty kept the whole entry fee you paid.")])
    if method == ParticipantPayment.Method.WALLET:
        refunded = _("%(amount)s of the entry fee you paid is back in your wallet.")
    elif method == ParticipantPayment.Method.FPX:
        refunded = _("%(amount)s of the entry fee you paid is being refunded to your bank account.")
    else:
        refunded = _("%(amount)s of the entry fee you paid is being refunded to your card.")
    return f"{cancelled} {refunded % {'amount': format_money(amount, style='page')}}"


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
    for refund, user_ids in outcomes.items():
        body = lazy_text(partial(_cancelled_body, event, refund))
        notify(
            users=user_ids,
            kind="event_cancelled",
            title=lazy_text(lambda: _("Cancelled: %(event)s") % {"event": event.name}),
            body=body,
            url=reverse("tournaments:event_detail", args=[event.pk]),
            data={
                "event_id": event.pk,
                "refund": {"method": refund[0], "amount": format_money(refund[1])} if refund else None,
            },
            key=f"event_cancelled:{event.pk}",
        )


def payment_failed(payment_intent_id: str) -> None:
    logger.info("card entry fee failed for %s; the entry stays pending for another attempt", payment_intent_id)


def waitlist_promoted(registration: Registration) -> None:
    """A seat freed and the waitlisted entry took it: paid from the wallet, or held for a card payer."""
    event = registration.event
    fee = format_money(event.entry_fee, style="page")
    names = {"event": event.name, "fee": fee}
    if registration.seat_held_until is not None:
        title = lazy_text(
            lambda: (
                _("A seat is yours at %(event)s: pay by %(when)s")
                % {**names, "when": malaysia_time(registration.seat_held_until)}
            )
        )
        body = lazy_text(
            lambda: (
                _(
                    "A seat opened. Pay the %(fee)s entry fee by card on the event page before then, "
                    "or it goes to the next in line."
                )
                % names
            )
        )
    else:
        title = lazy_text(lambda: _("You're in: %(event)s") % names)
        if event.entry_fee:
            body = lazy_text(
                lambda: (
                    _("A seat opened and your entry took it. Your entry fee of %(fee)s was paid from your wallet.")
                    % names
                )
            )
        else:
            body = lazy_text(lambda: _("A seat opened and your entry took it."))
    _tell_waitlisted(registration, kind="waitlist_promoted", title=title, body=body)
    webhooks.registration_changed(registration)  # confirmed now, or later by its card payment


def waitlist_hold_expired(registration: Registration) -> None:
    event = registration.event
    body = lazy_text(
        lambda: _("The seat held for you was not paid for in time and went to the next in line. Join again any time.")
    )
    title = lazy_text(lambda: _("Seat released at %(event)s") % {"event": event.name})
    _tell_waitlisted(registration, kind="waitlist_skipped", title=title, body=body)
    _broadcast_on_commit(event.pk, change="registration", registration_id=registration.pk, status=event.status)


def waitlist_skipped(registration: Registration, *, reason: str) -> None:
    """`reason`: a lazy text (a domain error's message), read in the player's language."""
    event = registration.event
    body = lazy_text(
        lambda: (
            _(
                "A seat opened, but your entry could not take it (%(reason)s). "
                "You are off the waitlist; join again any time."
            )
            % {"reason": reason}
        )
    )
    title = lazy_text(lambda: _("Missed a seat at %(event)s") % {"event": event.name})
    _tell_waitlisted(registration, kind="waitlist_skipped", title=title, body=body)


def waitlist_closed(registration: Registration, *, reason: str) -> None:
    """Registration is over with the entry still waiting (nothing was charged)."""
    event = registration.event
    body = lazy_join([reason, gettext_lazy("No seat freed up for your entry on the waitlist; nothing was charged.")])
    title = lazy_text(lambda: _("No seat at %(event)s") % {"event": event.name})
    _tell_waitlisted(registration, kind="waitlist_closed", title=title, body=body)


def _tell_waitlisted(registration: Registration, *, kind: str, title: str, body: str) -> None:
    player, event = registration.registered_by, registration.event
    data = {"event_id": event.pk, "registration_id": registration.pk}
    url = reverse("tournaments:event_detail", args=[event.pk])
    # Each waitlist turn is its own happening: the entry's status and hold say which one.
    key = f"{kind}:{registration.pk}:{registration.seat_held_until or registration.status}"
    notify(users=[player], kind=kind, title=title, body=body, url=url, data=data, key=key)


def _entrants(event: Event):
    """The players of the event's confirmed entries (team rosters included), as a subquery."""
    confirmed = RegistrationMember.objects.filter(event=event, registration__status=Registration.Status.CONFIRMED)
    return confirmed.values_list("user_id", flat=True)


def _tell_entrants(event: Event, *, kind: str, title: str, body: str) -> None:
    url = reverse("tournaments:event_detail", args=[event.pk])
    notify(
        users=_entrants(event),
        kind=kind,
        title=title,
        body=body,
        url=url,
        data={"event_id": event.pk},
        key=f"{kind}:{event.pk}",
    )


def checkin_opened(event: Event) -> None:
    _tell_entrants(
        event,
        kind="checkin_open",
        title=lazy_text(lambda: _("Check in now: %(event)s") % {"event": event.name}),
        body=lazy_text(
            lambda: (
                _("Check-in is open until the start, %(when)s. Entries not checked in are dropped.")
                % {"when": malaysia_time(event.starts_at)}
            )
        ),
    )


def event_started(event: Event) -> None:
    _tell_entrants(
        event,
        kind="event_started",
        title=lazy_text(lambda: _("%(event)s has started") % {"event": event.name}),
        body=lazy_text(lambda: _("The bracket is out: good luck!")),
    )


def event_completed(event: Event) -> None:
    webhooks.event_completed(event)
    _tell_entrants(
        event,
        kind="event_completed",
        title=lazy_text(lambda: _("%(event)s is over") % {"event": event.name}),
        body=lazy_text(lambda: _("The final standings are on the event page.")),
    )


def _tell_winners(event: Event, shares: dict[tuple[int, Decimal], list[int]], *, kind: str, say, data: dict) -> None:
    """Each winner their share ({(place, share): user ids}; those with the same place and share
    share one INSERT). `say(place, amount)` gives the title and body, in the active language."""
    for (place, share), user_ids in shares.items():
        amount = format_money(share, style="page")
        notify(
            users=user_ids,
            kind=kind,
            # Worded in each winner's language: `say` runs once per language (driftwood.core.i18n).
            title=lazy_text(partial(lambda place, amount: say(place, amount)[0], place, amount)),
            body=lazy_text(partial(lambda place, amount: say(place, amount)[1], place, amount)),
            url=reverse("tournaments:event_detail", args=[event.pk]),
            data={"event_id": event.pk, "place": place, "amount": format_money(share), **data},
            key=f"{kind}:{event.pk}",
        )


def prizes_held(event: Event, shares: dict[tuple[int, Decimal], list[int]], *, until) -> None:
    """Winners learn their prize and when it is paid: when the dispute window ends."""

    def say(place: int, amount: str) -> tuple[str, str]:
        title = _("Prize won: %(amount)s for place %(place)s in %(event)s") % {
            "amount": amount,
            "place": place,
            "event": event.name,
        }
        body = _("It reaches your wallet when the dispute window ends, %(when)s, unless disputed.") % {
            "when": malaysia_time(until)
        }
        return title, body

    _tell_winners(event, shares, kind="prize_held", say=say, data={"paid_after": until.isoformat()})


def prizes_paid(event: Event, shares: dict[tuple[int, Decimal], list[int]]) -> None:
    webhooks.prizes_paid(event)

    def say(place: int, amount: str) -> tuple[str, str]:
        title = _("Prize paid: %(event)s") % {"event": event.name}
        body = _("Place %(place)s in %(event)s: %(amount)s is now in your wallet.") % {
            "place": place,
            "event": event.name,
            "amount": amount,
        }
        return title, body

    _tell_winners(event, shares, kind="prize_paid", say=say, data={})
