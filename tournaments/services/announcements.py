"""Organizer announcements: a few words to everyone in an event, at most a few an hour.

Each announcement is a row (the event page lists them), a notification for every entrant, and a
pinned message in the event's chat room (through `chat.services`), all in one transaction: the
room's sockets and the e-mails hear of it only after the commit.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chat import services as chat_services
from driftwood.core.exceptions import RateLimited
from driftwood.core.text import text_problem
from tournaments import organizer_notices
from tournaments.exceptions import InvalidStatus
from tournaments.models import Announcement, Event
from tournaments.services.events import event_lock, event_require_organizer

Status = Event.Status
# From publication until the event is over (after completion too: prize news, thanks).
ANNOUNCING_STATUSES = (Status.REGISTRATION_OPEN, Status.REGISTRATION_CLOSED, Status.ONGOING, Status.COMPLETED)
PER_HOUR = 3
WINDOW = timedelta(hours=1)


def announcement_refusal(event: Event) -> InvalidStatus | None:
    """Why the organizer cannot announce anything in this event now (the pages hide the form then)."""
    if event.status not in ANNOUNCING_STATUSES:
        return InvalidStatus(_("Announcements go out once the event is published, and not after it is cancelled."))
    return None


def _clean(value, *, field: str, limit: int, multiline: bool) -> str:
    text = (value or "").strip().replace("\r\n", "\n") if isinstance(value, str) else ""
    problem = _("Write something.") if not text else text_problem(text, multiline=multiline)
    if problem is None and len(text) > limit:
        problem = _("At most %(limit)s characters.") % {"limit": limit}
    if problem:
        raise ValidationError({field: [problem]})
    return text


def _require_quota(event: Event) -> None:
    """At most PER_HOUR in any hour per event (counted under the event's row lock, so exactly)."""
    recent = list(
        Announcement.objects.filter(event=event, created_at__gt=timezone.now() - WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) >= PER_HOUR:
        retry_after = max(int((recent[0] + WINDOW - timezone.now()).total_seconds()) + 1, 1)
        minutes = -(-retry_after // 60)
        raise RateLimited(
            ngettext(
                "At most %(limit)s announcements an hour per event: the next can go out in %(minutes)s minute.",
                "At most %(limit)s announcements an hour per event: the next can go out in %(minutes)s minutes.",
                minutes,
            )
            % {"limit": PER_HOUR, "minutes": minutes},
            retry_after=retry_after,
        )


def announcement_post(*, event_id: int, actor, title: str, body: str) -> Announcement:
    """The organizer tells every entrant something: a notification each and a pinned chat message."""
    title = _clean(title, field="title", limit=Announcement.TITLE_MAX_LENGTH, multiline=False)
    body = _clean(body, field="body", limit=Announcement.BODY_MAX_LENGTH, multiline=True)
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        refusal = announcement_refusal(event)
        if refusal is not None:
            raise refusal
        _require_quota(event)
        message = chat_services.announcement_pin(event_id=event.pk, organizer=actor, text=f"{title}\n\n{body}")
        announcement = Announcement.objects.create(
            event=event, author=actor, title=title, body=body, chat_message_id=message.pk
        )
        organizer_notices.event_announced(announcement)
    return announcement
