"""Starting an event: the organizer closes the door, no-shows are dropped and refunded per the
event's policy, the seeds are fixed and the bracket is generated, all in one transaction, so
an event that cannot start (fewer than two entries left) is left exactly as it was."""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from driftwood.core.i18n import lazy_format, lazy_text
from driftwood.core.money import CENTS, format_money
from driftwood.core.stored_text import StoredText
from driftwood.notifications.services import notify
from tournaments import notifications
from tournaments.brackets import notices
from tournaments.brackets.rules import start_refusal
from tournaments.brackets.services.build import stage_generate
from tournaments.brackets.services.seeding import seeds_settle
from tournaments.exceptions import NotEnoughEntries
from tournaments.models import Entry, Event, ParticipantPayment, Registration, Stage
from tournaments.services.checkin import entries_sync
from tournaments.services.events import (
    escrow_wallet,
    event_lock,
    event_require_organizer,
    event_transition,
    waitlist_close,
)
from tournaments.services.refunds import payment_refund


def event_start(*, event_id: int, actor) -> Stage:
    """Start the event (organizer): drop entries that did not check in, seed the rest, generate the bracket."""
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        if (refusal := start_refusal(event)) is not None:
            raise refusal
        entries_sync(event)
        entries = Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).select_related("registration")
        no_shows = [entry for entry in entries if event.check_in_minutes and entry.checked_in_at is None]
        if len(entries) - len(no_shows) < 2:
            raise NotEnoughEntries()
        for entry in no_shows:
            _no_show_drop(event, entry)
        stage = stage_generate(event, seeds_settle(event))
        if event.status == Event.Status.REGISTRATION_OPEN:
            event_transition(event, Event.Status.REGISTRATION_CLOSED)
        event_transition(event, Event.Status.ONGOING)
        waitlist_close(event, reason=lazy_format(gettext_lazy("%(event)s has started."), event=event.name))
        notifications.event_changed(event)
        notifications.event_started(event)
        notices.matches_ready(event, list(stage.matches.all()))
    return stage


def _no_show_drop(event: Event, entry: Entry) -> None:
    """Take the entry out, refund its fee per the event's policy (the rest stays for the
    organizer, settled with the other fees) and tell its players why."""
    registration = Registration.objects.select_for_update().get(pk=entry.registration_id)
    payment = ParticipantPayment.objects.select_for_update().filter(registration=registration).first()
    refund = None
    if payment is not None and payment.status == ParticipantPayment.Status.SUCCEEDED:
        # Rounded down to the sen: the player never gets more back than the policy says.
        refund = (payment.amount * event.no_show_refund_percent / 100).quantize(CENTS, rounding=ROUND_DOWN)
        payment_refund(
            payment=payment,
            escrow=escrow_wallet(event),
            amount=refund,
            reason=StoredText(gettext_noop("no check-in for %(event)s"), event=event.name),
        )
    entry.status, entry.seed = Entry.Status.NO_SHOW, None
    entry.save(update_fields=["status", "seed"])
    players = list(registration.members.values_list("user_id", flat=True))
    registration.status = Registration.Status.CANCELLED if refund is None else Registration.Status.REFUNDED
    registration.ended_at = timezone.now()
    registration.save(update_fields=["status", "ended_at"])
    registration.members.all().delete()
    notify(
        users=players,
        kind="check_in_missed",
        title=lazy_text(lambda: _("Not checked in: %(event)s") % {"event": event.name}),
        body=lazy_text(lambda: _no_show_body(event, refund)),
        url=reverse("tournaments:event_detail", args=[event.pk]),
        data={"event_id": event.pk, "refund": None if refund is None else format_money(refund)},
        key=f"check_in_missed:{event.pk}",
    )


def _no_show_body(event: Event, refund: Decimal | None) -> str:
    dropped = _("Your entry was not checked in when %(event)s started, so it was dropped.") % {"event": event.name}
    if refund is None:
        return dropped
    if refund == 0:
        kept = _("The event's policy keeps the whole entry fee.")
        return f"{dropped} {kept}"
    amount = format_money(refund, style="page")
    back = _("%(amount)s of the entry fee goes back to the wallet or card it was paid from.") % {"amount": amount}
    return f"{dropped} {back}"
