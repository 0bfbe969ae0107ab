"""Check-in: who will actually play. Entries mirror the confirmed registrations until the
event starts; any player on a roster (not only the captain) may check their entry in, so a
team is not dropped because its captain is late."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.utils import timezone

from tournaments import notifications
from tournaments.brackets.rules import NOT_STARTED
from tournaments.exceptions import CheckInClosed, NotRegistered
from tournaments.models import Entry, Event, Registration, RegistrationMember
from tournaments.services.events import event_lock


def entries_sync(event: Event) -> None:
    """One ACTIVE entry per confirmed registration (the caller holds the event's row lock).

    Only before the start: once the bracket exists its entries must not move, and a dropped
    no-show keeps its entry as the record of why it was refunded.
    """
    if event.status not in NOT_STARTED:
        return
    Entry.objects.filter(event=event).exclude(registration__status=Registration.Status.CONFIRMED).delete()
    missing = Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED, entry__isnull=True
    ).order_by("created_at", "pk")  # entries numbered in registration order, whatever the plan
    Entry.objects.bulk_create(Entry(event=event, registration=registration) for registration in missing)


def entries_refresh(*, event_id: int) -> None:
    """Bring the entries up to date before showing them (lists, the manage page); a no-op once started."""
    if not Event.objects.filter(pk=event_id, status__in=NOT_STARTED).exists():
        return
    with transaction.atomic():
        entries_sync(event_lock(event_id))


def check_in_window(event: Event) -> tuple[datetime | None, bool]:
    """(when check-in opens, whether it is open now); (None, False) for an event without check-in.

    It stays open until the organizer actually starts the event, even past `starts_at`: a
    late start must not drop players who turn up in the meantime.
    """
    if event.check_in_minutes == 0:
        return None, False
    opens_at = event.starts_at - timedelta(minutes=event.check_in_minutes)
    return opens_at, event.status in NOT_STARTED and timezone.now() >= opens_at


def entry_check_in(*, event_id: int, actor) -> Entry:
    """Check in the entry `actor` plays in; checking in again changes nothing."""
    with transaction.atomic():
        event = event_lock(event_id)
        member = RegistrationMember.objects.filter(
            event=event, user=actor, registration__status=Registration.Status.CONFIRMED
        ).first()
        if member is None:
            raise NotRegistered()
        _opens_at, is_open = check_in_window(event)
        if not is_open:
            raise CheckInClosed()
        entries_sync(event)
        entry = Entry.objects.select_for_update().get(registration_id=member.registration_id)
        if entry.checked_in_at is None:
            entry.checked_in_at = timezone.now()
            entry.checked_in_by = actor
            entry.save(update_fields=["checked_in_at", "checked_in_by"])
            notifications.bracket_changed(event.pk, checked_in=entry.pk)
    return entry


# Events whose check-in opened longer ago than this are not announced any more (the beat was down).
CHECK_IN_ANNOUNCE_WITHIN = timedelta(hours=6)


def checkins_announce(*, now: datetime | None = None) -> int:
    """Tell the players of every event whose check-in has opened (each once: the notices are keyed
    by event, so the minutely beat repeats nothing). Returns how many events were looked at."""
    now = now or timezone.now()
    opens_at = ExpressionWrapper(
        F("starts_at") - F("check_in_minutes") * timedelta(minutes=1), output_field=DateTimeField()
    )
    due = (
        Event.objects.filter(status__in=NOT_STARTED, check_in_minutes__gt=0)
        .annotate(opens_at=opens_at)
        .filter(opens_at__lte=now, opens_at__gt=now - CHECK_IN_ANNOUNCE_WITHIN)
        .order_by("pk")
    )
    events = list(due)
    for event in events:
        with transaction.atomic():
            notifications.checkin_opened(event)
    return len(events)
