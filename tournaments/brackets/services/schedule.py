"""The organizer's round plan (start, best-of, match check-in and its deadline) and each side's
check-in to a match. Every write takes the event's row lock, as every bracket write does."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tournaments import notifications
from tournaments.brackets import schedule_notices
from tournaments.brackets.rules import NOT_STARTED, RESULT_STATUSES, match_permissions
from tournaments.brackets.schedule_selectors import event_rounds, match_schedule
from tournaments.brackets.services.state import match_locked
from tournaments.exceptions import InvalidStatus, RoundScheduleLocked
from tournaments.models import Event, ForfeitProposal, Match, MatchCheckIn, RoundSchedule, Stage
from tournaments.services.events import event_lock, event_require_organizer

PLANNABLE = (*NOT_STARTED, Event.Status.DRAFT, Event.Status.ONGOING)
MAX_MINUTES = 24 * 60
MAX_NUMBER = 1000  # stages and rounds (no bracket comes near)


def _validate_plan(
    *, stage: int, bracket: str, round_number: int, best_of: int | None, check_in: int, deadline: int
) -> None:
    errors = {}
    if not 1 <= stage <= MAX_NUMBER:
        errors["stage"] = [_("This event has no such stage.")]
    if bracket not in Match.Bracket.values:
        errors["bracket"] = [_("Not a bracket of this event.")]
    if not 1 <= round_number <= MAX_NUMBER:
        errors["round"] = [_("Rounds are numbered from 1.")]
    if best_of is not None and best_of not in (1, 3, 5, 7, 9):
        errors["best_of"] = [_("Best of 1, 3, 5, 7 or 9.")]
    for name, minutes in (("check_in_minutes", check_in), ("deadline_minutes", deadline)):
        if not 0 <= minutes <= MAX_MINUTES:
            errors[name] = [_("Between 0 and %(most)s minutes.") % {"most": MAX_MINUTES}]
    if errors:
        raise ValidationError(errors)


def _round_matches(event: Event, stage_number: int, bracket: str, round_number: int):
    return Match.objects.filter(event=event, stage__number=stage_number, bracket=bracket, round=round_number)


def _best_of_apply(event: Event, stage_number: int, bracket: str, round_number: int, best_of: int | None) -> None:
    """The round's matches take the new best-of; refused once one of them has a result or a report."""
    matches = _round_matches(event, stage_number, bracket, round_number)
    if best_of is None:
        stage = Stage.objects.filter(event=event, number=stage_number).first()
        best_of = stage.options.get("best_of", event.best_of) if stage else event.best_of
    changing = matches.exclude(best_of=best_of)
    # A walkover (a bye) has no games: only a reported, played or disputed match locks the best-of.
    if changing.filter(Q(status__in=RESULT_STATUSES) | Q(reports__isnull=False)).exists():
        raise RoundScheduleLocked()
    changing.exclude(status__in=Match.FINISHED_STATUSES).update(best_of=best_of, updated_at=timezone.now())


def _lobby_round_check(best_of: int | None, check_in_minutes: int) -> None:
    """A free-for-all round is played in lobbies, not matches: it takes a start time only."""
    message = _("A free-for-all round has a start time only (no best-of, no match check-in).")
    if best_of is not None:
        raise ValidationError({"best_of": [message]})
    if check_in_minutes:
        raise ValidationError({"check_in_minutes": [message]})


def round_schedule_set(
    *,
    event_id: int,
    actor,
    bracket: str,
    round: int,
    stage_number: int = 1,
    starts_at: datetime | None = None,
    best_of: int | None = None,
    check_in_minutes: int = 0,
    deadline_minutes: int = 15,
) -> RoundSchedule:
    """Set one round's plan (organizer or staff). A drawn stage's round must exist; the best-of
    applies at once to its matches not yet played, and to Swiss rounds when they are paired."""
    _validate_plan(
        stage=stage_number,
        bracket=bracket,
        round_number=round,
        best_of=best_of,
        check_in=check_in_minutes,
        deadline=deadline_minutes,
    )
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor, staff_allowed=True)
        if event.status not in PLANNABLE:
            raise InvalidStatus(_("The rounds of a finished event cannot be planned."))
        if Stage.objects.filter(event=event, number=stage_number).exists():
            known = {(row["stage"], row["bracket"], row["round"]): row["format"] for row in event_rounds(event)}
            if (stage_number, bracket, round) not in known:
                raise ValidationError({"round": [_("This stage has no such round.")]})
            if known[(stage_number, bracket, round)] == Event.Format.FREE_FOR_ALL:
                _lobby_round_check(best_of, check_in_minutes)
            else:
                _best_of_apply(event, stage_number, bracket, round, best_of)
        plan, _created = RoundSchedule.objects.update_or_create(
            event=event,
            stage_number=stage_number,
            bracket=bracket,
            round=round,
            defaults={
                "starts_at": starts_at,
                "best_of": best_of,
                "check_in_minutes": check_in_minutes,
                "deadline_minutes": deadline_minutes,
                "updated_by": actor,
            },
        )
        notifications.bracket_changed(event.pk, round_schedule=plan.pk)
    return plan


def match_check_in(*, match_id: int, actor) -> Match:
    """A player of the match (any member of a team's roster) checks their side in; again changes
    nothing. When both sides are then in, a forfeit proposed meanwhile is withdrawn."""
    with transaction.atomic():
        event, match = match_locked(match_id)
        permissions = match_permissions(match, actor)
        permissions.require("check_in")
        side = permissions.roster_side
        if side not in permissions.schedule.checked_in:
            entry = match.entry_a if side == "a" else match.entry_b
            check_in = MatchCheckIn.objects.create(match=match, side=side, entry=entry, checked_in_by=actor)
            _proposal_update(match)
            schedule_notices.match_checked_in(event, match, check_in)
            notifications.bracket_changed(event.pk, match_id=match.pk, checked_in=side)
    return match


def _proposal_update(match: Match) -> None:
    """A side that checks in late: the proposal pending for this attempt names only who is still
    missing, or is withdrawn when nobody is."""
    schedule = match_schedule(match.pk)
    proposal = schedule.forfeit
    if proposal is None or proposal.status != ForfeitProposal.Status.PROPOSED:
        return
    absent = schedule.absent()
    if absent is None:
        proposal.status, proposal.decided_at = ForfeitProposal.Status.WITHDRAWN, timezone.now()
        proposal.save(update_fields=["status", "decided_at"])
    elif absent != proposal.absent:
        proposal.absent = absent
        proposal.save(update_fields=["absent"])
