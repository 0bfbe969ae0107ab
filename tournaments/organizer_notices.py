"""The organizer's word to the entrants: a published event's times moved, or an announcement.
Each entrant is told once, in the organizer's transaction, through `notify` (in-app and e-mail)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from driftwood.core.i18n import lazy_text
from driftwood.core.times import malaysia_time
from driftwood.notifications.services import notify
from tournaments.models import Announcement, Event, Registration, RegistrationMember


def _entrant_ids(event: Event, *, besides) -> list[int]:
    """Every player of the event's confirmed and pending entries (team members too), `besides` aside."""
    players = RegistrationMember.objects.filter(event=event, registration__status__in=Registration.ACTIVE_STATUSES)
    return list(players.exclude(user=besides).values_list("user_id", flat=True).distinct())


def _check_in_words(minutes: int) -> str:
    if not minutes:
        return _("none")
    return ngettext(
        "opens %(minutes)s minute before the start", "opens %(minutes)s minutes before the start", minutes
    ) % {"minutes": minutes}


def _change_lines(event: Event, before: dict) -> list[str]:
    lines = []
    if "starts_at" in before:
        lines.append(
            _("Starts %(when)s (was %(was)s).")
            % {"when": malaysia_time(event.starts_at), "was": malaysia_time(before["starts_at"])}
        )
    if "registration_closes_at" in before:
        was = malaysia_time(before["registration_closes_at"])
        lines.append(
            _("Registration closes %(when)s (was %(was)s).")
            % {"when": malaysia_time(event.registration_closes_at), "was": was}
        )
    if "check_in_minutes" in before:
        now, was = _check_in_words(event.check_in_minutes), _check_in_words(before["check_in_minutes"])
        lines.append(_("Check-in: %(now)s (was %(was)s).") % {"now": now, "was": was})
    return lines


def event_updated(event: Event, *, before: dict, actor) -> None:
    """The organizer moved a published event's times (`before`: the old value of each field that
    changed): each entrant is told once, with every change, in Malaysia time."""
    user_ids = _entrant_ids(event, besides=actor)
    if not user_ids:
        return
    if "starts_at" in before:
        title = lazy_text(lambda: _("New start time: %(event)s") % {"event": event.name})
    else:
        title = lazy_text(lambda: _("Changed: %(event)s") % {"event": event.name})
    body = lazy_text(lambda: " ".join(_change_lines(event, before)))
    url = reverse("tournaments:event_detail", args=[event.pk])
    data = {"event_id": event.pk, "changed": sorted(before)}
    # Each edit is its own happening (a second edit later tells everyone again).
    key = f"event_updated:{event.pk}:{event.updated_at.isoformat()}"
    notify(users=user_ids, kind="event_updated", title=title, body=body, url=url, data=data, key=key)


def event_announced(announcement: Announcement) -> None:
    """An organizer's announcement: each entrant is told once (in-app and by e-mail)."""
    event = announcement.event
    user_ids = _entrant_ids(event, besides=announcement.author_id)
    title = f"{event.name}: {announcement.title}"
    url = reverse("tournaments:event_detail", args=[event.pk]) + "#announcements"
    data = {"event_id": event.pk, "announcement_id": announcement.pk}
    notify(
        users=user_ids,
        kind="event_announcement",
        title=title,
        body=announcement.body,
        url=url,
        data=data,
        key=f"event_announcement:{announcement.pk}",
    )
