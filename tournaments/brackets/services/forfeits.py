"""The schedule's beat (reminders, no-show forfeits proposed) and the organizer's decision on a forfeit.

`match_schedule_sweep` runs every minute. Reminders are claimed first: one `MatchReminder` row per
(match, kind, attempt) under a unique constraint, inserted with ON CONFLICT DO NOTHING in the same
transaction as the notices, so a beat that runs twice, or two at once, reminds nobody twice (the
second waits on the first's claim and finds it taken). A side not checked in by its match's
deadline gets a `ForfeitProposal` (one per match attempt), written under the event's row lock
after the match is read again; the organizer confirms it, which completes the match through
`match_resolve` (the result, advancement and final placements as for any decided match), or
rejects it, which leaves the match open.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from driftwood.core.exceptions import NotFound
from tournaments import notifications
from tournaments.brackets import schedule_notices
from tournaments.brackets.rules import match_permissions
from tournaments.brackets.schedule_selectors import SIDES_KNOWN_AT, match_times, plans_of_events
from tournaments.brackets.services.matches import match_resolve
from tournaments.brackets.services.state import match_locked
from tournaments.exceptions import ForfeitNotPending
from tournaments.models import Event, ForfeitProposal, Match, MatchCheckIn, MatchReminder

Kind = MatchReminder.Kind
# Stored in English with the match's result, read in each reader's language.
FORFEIT_RESOLUTION = gettext_noop("Decided by forfeit: a side did not check in by the deadline.")


def _due_matches(now: datetime) -> list[tuple[Match, object]]:
    """Ready matches of ongoing events whose round has a start time, each with its MatchTimes."""
    plans = plans_of_events(
        Event.objects.filter(status=Event.Status.ONGOING, round_schedules__starts_at__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    if not plans:
        return []
    matches = (
        Match.objects.filter(
            event_id__in={key[0] for key in plans},
            status=Match.Status.READY,
            entry_a__isnull=False,
            entry_b__isnull=False,
        )
        .select_related("event", "entry_a__registration__team", "entry_b__registration__team")
        .annotate(sides_known_at=SIDES_KNOWN_AT, stage_number=F("stage__number"))
        .order_by("pk")
    )
    due = []
    for match in matches:
        plan = plans.get((match.event_id, match.stage_number, match.bracket, match.round))
        times = match_times(plan, match.sides_known_at)
        if times.starts_at is not None:
            due.append((match, times))
    return due


# One statement claims every reminder of a kind; only the rows it inserted are notified.
_CLAIM = f"""
INSERT INTO {MatchReminder._meta.db_table} (match_id, kind, attempt, sent_at)
SELECT due.match_id, %s, due.attempt, %s FROM unnest(%s::bigint[], %s::int[]) AS due(match_id, attempt)
ON CONFLICT (match_id, kind, attempt) DO NOTHING
RETURNING match_id
"""


def _remind(kind: str, due: list[tuple[Match, object]], now: datetime, tell) -> int:
    if not due:
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM,
                [kind, now, [match.pk for match, _times in due], [match.attempt for match, _times in due]],
            )
            claimed = {row[0] for row in cursor.fetchall()}
        for match, times in due:
            if match.pk in claimed:
                tell(match.event, match, times)
    return len(claimed)


def match_schedule_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Remind players whose match check-in opened or whose match starts soon, and propose forfeits
    for sides not checked in by the deadline. Returns how many of each it did."""
    now = now or timezone.now()
    remind_before = timedelta(minutes=settings.MATCH_REMINDER_MINUTES)
    due = _due_matches(now)
    check_in_open = [
        (match, times)
        for match, times in due
        if times.check_in_required and times.check_in_opens_at <= now < times.deadline_at
    ]
    starting = [(match, times) for match, times in due if times.scheduled_at - remind_before <= now < times.starts_at]
    overdue = [match for match, times in due if times.check_in_required and now >= times.deadline_at]
    counts = {
        "check_in_open": _remind(Kind.CHECK_IN_OPEN, check_in_open, now, schedule_notices.match_check_in_open),
        "starting": _remind(Kind.STARTING, starting, now, schedule_notices.match_starting),
        "proposed": 0,
    }
    if overdue:
        checked = set(MatchCheckIn.objects.filter(match__in=overdue).values_list("match_id", "side"))
        proposed = set(ForfeitProposal.objects.filter(match__in=overdue).values_list("match_id", "attempt"))
        for match in overdue:
            missing = not {(match.pk, "a"), (match.pk, "b")} <= checked
            if missing and (match.pk, match.attempt) not in proposed:
                counts["proposed"] += forfeit_propose(match_id=match.pk, now=now) is not None
    counts["withdrawn"] = forfeits_withdraw_stale()
    return counts


def forfeit_propose(*, match_id: int, now: datetime | None = None) -> ForfeitProposal | None:
    """Propose a forfeit for the match if, read again under the event's lock, it is still ready, past
    its deadline, missing a check-in and without a proposal for this attempt; tell the organizer."""
    now = now or timezone.now()
    with transaction.atomic():
        event, match = match_locked(match_id)
        permissions = match_permissions(match, None)
        schedule = permissions.schedule
        times = schedule.times
        if event.status != Event.Status.ONGOING or match.status != Match.Status.READY:
            return None
        if not times.check_in_required or now < times.deadline_at or schedule.forfeit is not None:
            return None
        absent = schedule.absent()
        if absent is None:
            return None
        proposal = ForfeitProposal.objects.create(
            match=match, attempt=match.attempt, absent=absent, deadline_at=times.deadline_at, proposed_at=now
        )
        schedule_notices.forfeit_proposed(event, match, proposal)
        notifications.bracket_changed(event.pk, match_id=match.pk, forfeit=proposal.pk)
    return proposal


def forfeits_withdraw_stale() -> int:
    """Proposals whose match was settled another way (or reopened into a new attempt) meanwhile."""
    attempt = Subquery(Match.objects.filter(pk=OuterRef("match_id")).values("attempt"))
    stale = ForfeitProposal.objects.filter(status=ForfeitProposal.Status.PROPOSED).filter(
        Q(match__status__in=Match.FINISHED_STATUSES) | ~Q(attempt=attempt)
    )
    return stale.update(status=ForfeitProposal.Status.WITHDRAWN, decided_at=timezone.now())


def _proposal_of(proposal_id: int) -> int:
    match_id = ForfeitProposal.objects.filter(pk=proposal_id).values_list("match_id", flat=True).first()
    if match_id is None:
        raise NotFound(_("Forfeit not found."))
    return match_id


def _decidable(proposal_id: int, match: Match, actor) -> ForfeitProposal:
    """The proposal, locked, if `actor` may decide it and it waits for a decision."""
    permissions = match_permissions(match, actor)
    if not permissions.is_official:
        permissions.require("forfeit")
    proposal = ForfeitProposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != ForfeitProposal.Status.PROPOSED or proposal.attempt != match.attempt:
        raise ForfeitNotPending()
    permissions.require("forfeit")
    return proposal


def _decided(proposal: ForfeitProposal, status: str, actor, *fields: str) -> None:
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", *fields])


def forfeit_confirm(*, proposal_id: int, actor, winner: str | None = None) -> ForfeitProposal:
    """The organizer (or staff) confirms: the side that checked in wins by the games its best-of needs
    to nothing (`winner`, "a" or "b", chooses when neither side checked in), through `match_resolve`."""
    match_id = _proposal_of(proposal_id)
    with transaction.atomic():
        event, match = match_locked(match_id)
        proposal = _decidable(proposal_id, match, actor)
        if proposal.absent == ForfeitProposal.Absent.BOTH:
            if winner not in ("a", "b"):
                raise ValidationError({"winner": [_("Neither side checked in: choose who advances.")]})
        else:
            winner = "b" if proposal.absent == "a" else "a"
        games = match.best_of // 2 + 1
        score_a, score_b = (games, 0) if winner == "a" else (0, games)
        match_resolve(match_id=match.pk, actor=actor, score_a=score_a, score_b=score_b, resolution=FORFEIT_RESOLUTION)
        proposal.status, proposal.decided_by, proposal.decided_at = (
            ForfeitProposal.Status.CONFIRMED,
            actor,
            timezone.now(),
        )
        proposal.winner = match.entry_a if winner == "a" else match.entry_b
        proposal.save(update_fields=["status", "decided_by", "decided_at", "winner"])
        schedule_notices.match_forfeited(event, match, proposal)
    return proposal


def forfeit_reject(*, proposal_id: int, actor) -> ForfeitProposal:
    """The organizer (or staff) rejects: the match stays open, and is not proposed again this attempt."""
    match_id = _proposal_of(proposal_id)
    with transaction.atomic():
        event, match = match_locked(match_id)
        proposal = _decidable(proposal_id, match, actor)
        proposal.status, proposal.decided_by, proposal.decided_at = (
            ForfeitProposal.Status.REJECTED,
            actor,
            timezone.now(),
        )
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        notifications.bracket_changed(event.pk, match_id=match.pk, forfeit=proposal.pk)
    return proposal
