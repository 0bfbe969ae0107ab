"""What an organizer may write on an event, and when: the one home of these rules.

`event_values_check` holds the numbers and dates of any event together (a draft's or a published
one's); `edit_refusal` and `edit_locks` say what of a published event may still change, which the
service enforces and the edit page shows (locked fields disabled, with the reason);
`past_dates` is the rule that a published event's dates lie ahead.
"""

from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tournaments.brackets.formats.advance import FORMATS_WITH_PLAYOFF, MAX_PLAYOFF
from tournaments.exceptions import InvalidStatus
from tournaments.models import Event, Registration

Status = Event.Status
# What a published event keeps open to change until it starts, whoever has joined: its words,
# its stream and its times (the prize pool and, once anyone joined, the money and the bracket's
# shape are what players signed up for).
OPEN_AFTER_PUBLISH = (
    "name",
    "tier",
    "description",
    "stream_url",
    "starts_at",
    "registration_closes_at",
    "check_in_minutes",
)
# The changes entrants are told about: the times they act on.
MATERIAL_FIELDS = ("starts_at", "registration_closes_at", "check_in_minutes")
DATE_FIELDS = ("starts_at", "registration_closes_at")
EDITABLE_STATUSES = (Status.DRAFT, Status.REGISTRATION_OPEN, Status.REGISTRATION_CLOSED)
# Whoever holds (or waits for) a seat has joined: their fee, format and bracket size are fixed.
JOINED_STATUSES = (*Registration.ACTIVE_STATUSES, Registration.Status.WAITLISTED)
PRIZE_POOL_HELD = gettext_lazy("Held from your wallet since publishing; it cannot change.")
JOINED = gettext_lazy("Locked: players have joined.")
REGISTRATION_OVER = gettext_lazy("Registration has closed.")


def edit_refusal(event: Event, *, allow_published: bool) -> InvalidStatus | None:
    """Why the event cannot be edited at all now, or None. Without `allow_published` only a draft
    can (the API's PATCH, as the contract has it)."""
    if not allow_published:
        return None if event.status == Status.DRAFT else InvalidStatus(_("Only a draft can be edited."))
    if event.status not in EDITABLE_STATUSES:
        return InvalidStatus(_("An event can be edited only until it starts."))
    return None


def has_joiners(event: Event) -> bool:
    return Registration.objects.filter(event=event, status__in=JOINED_STATUSES).exists()


def edit_locks(event: Event, fields) -> dict[str, str]:
    """Which of `fields` cannot change on `event` now, each with the reason (a draft locks nothing)."""
    if event.status == Status.DRAFT:
        return {}
    fields = set(fields)
    locks = {"prize_pool": PRIZE_POOL_HELD} if "prize_pool" in fields else {}
    if event.status != Status.REGISTRATION_OPEN and "registration_closes_at" in fields:
        locks["registration_closes_at"] = REGISTRATION_OVER
    shape = sorted(fields.difference(OPEN_AFTER_PUBLISH, locks))
    if shape and has_joiners(event):
        locks.update(dict.fromkeys(shape, JOINED))
    return locks


def past_dates(event: Event, fields=DATE_FIELDS) -> list[str]:
    """The dates among `fields` that are not in the future (a published event's must be)."""
    now = timezone.now()
    return [field for field in fields if getattr(event, field) <= now]


def _stream_url_problem(url: str) -> str | None:
    if url and urlsplit(url).scheme not in ("http", "https"):
        return _("A web address starting with https:// (or http://).")
    return None


def _playoff_check(values: dict, errors: dict[str, list[str]]) -> None:
    """A playoff follows groups; every group sends the same number; 2 to 64 reach it."""
    if not values.get("playoff_format"):
        return
    if values.get("format") not in FORMATS_WITH_PLAYOFF:
        errors["playoff_format"] = [_("A playoff follows a round robin or Swiss group stage.")]
        return
    groups = values.get("groups", 1)
    advance = values.get("playoff_advance", 2)
    participants = values.get("max_participants", 2)
    if groups * advance < 2:
        errors["playoff_advance"] = [_("At least two entries must reach the playoff.")]
    elif groups * advance > min(MAX_PLAYOFF, participants):
        limit = min(MAX_PLAYOFF, participants)
        errors["playoff_advance"] = [_("At most %(limit)s entries can reach the playoff.") % {"limit": limit}]
    elif advance > participants // groups:
        errors["playoff_advance"] = [_("A group cannot send more entries than it has.")]
    if values.get("playoff_best_of", 1) % 2 == 0:
        errors["playoff_best_of"] = [_("Best of an odd number of games (1, 3, 5...) so every match has a winner.")]


def event_values_check(values: dict) -> None:
    """Raise ValidationError (field by field) unless an event with these values makes sense."""
    errors: dict[str, list[str]] = {}
    distribution = values.get("prize_distribution") or []
    if not isinstance(distribution, list) or not all(
        isinstance(share, (int, Decimal)) and not isinstance(share, bool) and share > 0 for share in distribution
    ):
        errors["prize_distribution"] = [_("A list of positive percentages for 1st, 2nd, ...")]
    elif distribution and sum(Decimal(share) for share in distribution) != 100:
        errors["prize_distribution"] = [_("The percentages must add up to 100.")]
    elif values.get("prize_pool", 0) > 0 and not distribution:
        errors["prize_distribution"] = [_("Say how the prize pool is shared (e.g. [60, 30, 10]).")]
    if len(distribution) > values.get("max_participants", 0):
        errors.setdefault("prize_distribution", []).append(_("More prize places than participants."))
    if values.get("is_solo", True) and values.get("team_size", 1) != 1:
        errors["team_size"] = [_("Solo events have a team size of 1.")]
    if values.get("max_participants", 2) < 2:
        errors["max_participants"] = [_("At least 2 participants.")]
    starts_at: datetime | None = values.get("starts_at")
    closes_at: datetime | None = values.get("registration_closes_at")
    if starts_at and closes_at and closes_at > starts_at:
        errors["registration_closes_at"] = [_("Registration must close before the event starts.")]
    if values.get("best_of", 1) % 2 == 0:
        errors["best_of"] = [_("Best of an odd number of games (1, 3, 5...) so every match has a winner.")]
    if values.get("format") in FORMATS_WITH_PLAYOFF and values.get("groups", 1) * 2 > values.get("max_participants", 2):
        errors["groups"] = [_("Every group needs at least two participants.")]
    _playoff_check(values, errors)
    for field in ("entry_fee", "prize_pool"):
        if values.get(field, 0) < 0:
            errors[field] = [_("Cannot be negative.")]
    stream_problem = _stream_url_problem(values.get("stream_url") or "")
    if stream_problem:
        errors["stream_url"] = [stream_problem]
    if errors:
        raise ValidationError(errors)
