"""Playing the bracket: score reports, disputes, the organizer's word, and advancing results.

Every write takes the event's row lock first (the same lock joins, check-in and start take), so
two reports of one match, or of two matches feeding the same next match, are applied one after
the other and the bracket is never half-advanced.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from driftwood.core.compiled import fields_save, instance_insert, instances_fields_save
from driftwood.core.i18n import lazy_format
from tournaments import notifications
from tournaments.brackets import notices
from tournaments.brackets.formats import BracketError, PairingImpossible
from tournaments.brackets.rules import OFFICIAL_SIDES, RESULT_STATUSES, match_permissions
from tournaments.brackets.services import stages
from tournaments.brackets.services.build import swiss_next_round
from tournaments.brackets.services.state import match_locked
from tournaments.evidence import kind_of_file, stored_name
from tournaments.exceptions import InvalidScore, InvalidStatus, ReopenRefused, UnsupportedFile
from tournaments.models import Dispute, Entry, Event, Match, MatchReport, Stage
from tournaments.services.events import event_transition
from tournaments.services.results import event_completed_settle

Status = Match.Status
Side = MatchReport.Side


# --- Scores


def _validate_score(match: Match, score_a: int, score_b: int) -> None:
    if score_a < 0 or score_b < 0:
        raise InvalidScore(_("Scores cannot be negative."))
    if score_a == score_b and match.bracket != Match.Bracket.GROUP:
        raise InvalidScore(_("An elimination match needs a winner: the scores cannot be level."))
    if match.best_of > 1:
        needed = match.best_of // 2 + 1
        if max(score_a, score_b) > needed or (score_a != score_b and max(score_a, score_b) != needed):
            names = {"best_of": match.best_of, "needed": needed}
            raise InvalidScore(_("Best of %(best_of)s: the winner takes %(needed)s games.") % names)


def _report_add(match: Match, *, side: str, actor, score_a: int, score_b: int) -> MatchReport:
    """A new version of this side's report; earlier ones stay as they were."""
    latest = max((row["version"] for row in match.report_rows if row["side"] == side), default=0)
    report = MatchReport(
        match=match,
        attempt=match.attempt,
        side=side,
        version=latest + 1,
        score_a=score_a,
        score_b=score_b,
        reported_by=actor,
    )
    return instance_insert(report)


def _latest_score(match: Match, side: str) -> tuple[int, int] | None:
    """The score in this side's latest report of the match's attempt, if it reported."""
    rows = [row for row in match.report_rows if row["side"] == side]
    if not rows:
        return None
    latest = max(rows, key=lambda row: row["version"])
    return latest["score_a"], latest["score_b"]


# --- Advancing and rolling back


def _settle(event: Event, match: Match, score_a: int, score_b: int, *, resolved_by, resolution: str) -> None:
    """Complete `match` with this score, advance its winner (and loser), close its disputes."""
    match.score_a, match.score_b = score_a, score_b
    match.winner = match.entry_a if score_a > score_b else match.entry_b if score_b > score_a else None
    match.status = Status.COMPLETED
    match.completed_at = timezone.now()
    fields_save(match, ["score_a", "score_b", "winner", "status", "completed_at", "updated_at"])
    if match.has_open_dispute:
        Dispute.objects.filter(match=match, status=Dispute.Status.OPEN).update(
            status=Dispute.Status.RESOLVED, resolution=resolution, resolved_by=resolved_by, resolved_at=timezone.now()
        )
        match.has_open_dispute = False
    finished_before = sum(dependant.is_finished for dependant in match.dependants)
    waiting = [dependant for dependant in match.dependants if dependant.status == Status.PENDING]
    for dependant in match.dependants:
        if dependant.conditional and match.winner_id == match.entry_a_id:
            # The winners-bracket champion won the grand final: no reset.
            dependant.status = Status.SKIPPED
        else:
            for slot in ("a", "b"):
                if getattr(dependant, f"{slot}_source_match_id") == match.pk:
                    fed = match.winner if getattr(dependant, f"{slot}_source") == Match.Source.WINNER else match.loser
                    setattr(dependant, f"entry_{slot}", fed)
            if dependant.entry_a_id and dependant.entry_b_id and dependant.status == Status.PENDING:
                dependant.status = Status.READY
    _dependants_save(match.dependants)
    notices.match_completed(event, match, made_ready=[dep for dep in waiting if dep.status == Status.READY])
    if match.others_unfinished is not None:
        match.others_unfinished += finished_before - sum(dependant.is_finished for dependant in match.dependants)
    _stage_progress(event, match)


def _dependants_save(dependants: list[Match]) -> None:
    """One UPDATE for all of them (none when there are none)."""
    now = timezone.now()
    for dependant in dependants:
        dependant.updated_at = now
    instances_fields_save(dependants, ["entry_a", "entry_b", "status", "updated_at"])


def _stage_progress(event: Event, match: Match) -> None:
    """After a result: pair the next Swiss round when one finishes, complete the event after the last match."""
    stage = match.stage
    if match.others_unfinished is None:
        # Rolled back first (`_rollback`): ask the database.
        if stage.matches.exclude(status__in=Match.FINISHED_STATUSES).exists():
            return
    elif match.others_unfinished > 0:
        return
    matches = list(stage.matches.select_related("entry_a", "entry_b"))
    entries = list(_active_entries(event))
    if stage.format == Event.Format.SWISS:
        try:
            if paired := swiss_next_round(stage, entries, matches):
                notices.matches_ready(event, paired)
                return
        except PairingImpossible:
            # Every remaining pairing would be a rematch: the standings so far are final.
            pass
    if stage.options.get("playoff"):
        # The groups are played: the playoff is drawn from their tables now.
        playoff = stages.playoff_generate(event, stage, entries, matches)
        notices.playoff_drawn(event, stage, playoff)
        return
    _event_complete(event, stage, entries, matches)


def _active_entries(event: Event):
    return Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).order_by("seed")


def _event_complete(event: Event, stage: Stage, entries: list[Entry], matches: list[Match]) -> None:
    try:
        places = stages.stage_placements(stage, entries, matches)
    except BracketError as error:  # pragma: no cover - the generators guarantee a full bracket
        raise InvalidStatus(_("The bracket cannot be ranked: %(error)s") % {"error": error}) from error
    for entry in entries:
        entry.placement = places.get(entry.pk)
    instances_fields_save(entries, ["placement"])
    event_transition(event, Event.Status.COMPLETED)
    event_completed_settle(event)


def _rollback(event: Event, match: Match) -> None:
    """Undo `match`'s advancement so it can be played again; refused once anything it fed was played."""
    if event.prizes_paid_at is not None:
        raise InvalidStatus(_("Prizes are paid: the results are final."))
    # A dependant with a result (or a report) has been played.
    played = [dependant for dependant in match.dependants if dependant.status in RESULT_STATUSES or dependant.reported]
    later = Match.objects.none()
    if match.stage.format == Event.Format.SWISS:
        # A later Swiss round was paired from this result: it goes, and is paired again.
        later = Match.objects.filter(stage=match.stage, round__gt=match.round)
        played += [other for other in later if other.status in RESULT_STATUSES or other.reports.exists()]
    if played:
        raise ReopenRefused(_("%(key)s has already been played.") % {"key": played[0].key})
    stages.later_stages_discard(match)
    later.delete()
    for dependant in match.dependants:
        for slot in ("a", "b"):
            if getattr(dependant, f"{slot}_source_match_id") == match.pk or dependant.conditional:
                setattr(dependant, f"entry_{slot}", None)
        dependant.status = Status.PENDING
    _dependants_save(match.dependants)
    # The unfinished matches counted with the match no longer hold (a skipped bracket reset is
    # pending again, later Swiss rounds are gone): a result settled after this counts afresh.
    match.others_unfinished = None
    if event.status == Event.Status.COMPLETED:
        # Inside the dispute window the last result can still change: the event is live again.
        event.status, event.completed_at = Event.Status.ONGOING, None
        event.save(update_fields=["status", "completed_at", "updated_at"])
        Entry.objects.filter(event=event).update(placement=None)
        notifications.event_changed(event)


# --- Operations


def match_report(*, match_id: int, actor, score_a: int, score_b: int) -> Match:
    """A side reports its score (or the organizer enters the result).

    Both sides' latest reports agreeing, or the organizer's, completes the match; a side whose
    report contradicts the other's turns the match `disputed` until someone changes their report
    or the organizer resolves it.
    """
    with transaction.atomic():
        event, match = match_locked(match_id)
        permissions = match_permissions(match, actor)
        permissions.require("report")
        role = permissions.role
        _validate_score(match, score_a, score_b)
        report = _report_add(match, side=role, actor=actor, score_a=score_a, score_b=score_b)
        if role in OFFICIAL_SIDES:
            was_disputed = match.status == Status.DISPUTED or match.has_open_dispute
            _settle(event, match, score_a, score_b, resolved_by=actor, resolution=notices.ENTERED_BY_ORGANIZER)
            if was_disputed:
                notices.dispute_resolved(
                    event, match, decision_id=report.pk, resolution=gettext_lazy(notices.ENTERED_BY_ORGANIZER)
                )
        else:
            other = _latest_score(match, Side.B if role == Side.A else Side.A)
            if other is None:
                match.status = Status.REPORTED
                fields_save(match, ["status", "updated_at"])
                notices.result_reported(event, match, side=role, report_id=report.pk, score_a=score_a, score_b=score_b)
            elif other == (score_a, score_b):
                _settle(event, match, score_a, score_b, resolved_by=actor, resolution=notices.BOTH_AGREED)
            else:
                match.status = Status.DISPUTED
                fields_save(match, ["status", "updated_at"])
                notices.dispute_opened(event, match, why=gettext_lazy("The two sides reported different scores."))
        notifications.bracket_changed(event.pk, match_id=match.pk)
    return match


def match_resolve(*, match_id: int, actor, score_a: int, score_b: int, resolution: str = "") -> Match:
    """The organizer (or staff) decides the score; open disputes close with `resolution`.

    On a completed match the same score just closes the disputes (the result stands); a different
    one replaces the result, which is allowed only while nothing it fed has been played.
    """
    with transaction.atomic():
        event, match = match_locked(match_id)
        permissions = match_permissions(match, actor)
        permissions.require("resolve")
        role = permissions.role
        _validate_score(match, score_a, score_b)
        resolution = resolution.strip() or notices.RESOLVED_BY_ORGANIZER
        decision = _report_add(match, side=role, actor=actor, score_a=score_a, score_b=score_b)
        was_disputed = match.status == Status.DISPUTED or match.has_open_dispute
        if match.status == Status.COMPLETED and (match.score_a, match.score_b) == (score_a, score_b):
            if match.has_open_dispute:
                Dispute.objects.filter(match=match, status=Dispute.Status.OPEN).update(
                    status=Dispute.Status.RESOLVED, resolution=resolution, resolved_by=actor, resolved_at=timezone.now()
                )
        else:
            if match.status == Status.COMPLETED:
                _rollback(event, match)
            _settle(event, match, score_a, score_b, resolved_by=actor, resolution=resolution)
        if was_disputed:
            notices.dispute_resolved(event, match, decision_id=decision.pk, resolution=gettext_lazy(resolution))
        notifications.bracket_changed(event.pk, match_id=match.pk)
    return match


def match_reopen(*, match_id: int, actor) -> Match:
    """Make a completed match playable again (organizer or staff), rolling back what it advanced."""
    with transaction.atomic():
        event, match = match_locked(match_id)
        match_permissions(match, actor).require("reopen")
        _rollback(event, match)
        match.status, match.winner, match.score_a, match.score_b = Status.READY, None, None, None
        match.completed_at = None
        match.attempt += 1
        match.save(update_fields=["status", "winner", "score_a", "score_b", "completed_at", "attempt", "updated_at"])
        notifications.bracket_changed(event.pk, match_id=match.pk)
    return match


def dispute_open(*, match_id: int, actor, reason: str, evidence=None) -> Dispute:
    """A player of the match contests the reported (or completed) result, optionally with a file."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong with the result.")]})
    kind = None
    if evidence is not None:
        if evidence.size > settings.DISPUTE_EVIDENCE_MAX_BYTES:
            limit = settings.DISPUTE_EVIDENCE_MAX_BYTES // (1024 * 1024)
            raise ValidationError({"evidence": [_("Evidence files are limited to %(limit)s MB.") % {"limit": limit}]})
        kind = kind_of_file(evidence)
        if kind is None:
            raise UnsupportedFile(errors={"evidence": [UnsupportedFile.default_message]})
    with transaction.atomic():
        event, match = match_locked(match_id)
        permissions = match_permissions(match, actor)
        permissions.require("dispute")
        dispute = Dispute(match=match, opened_by=actor, reason=reason)
        if kind is not None:
            dispute.evidence.save(stored_name(evidence.name, kind), evidence, save=False)
            dispute.evidence_type = kind.content_type
        dispute.save()
        if match.status == Status.REPORTED:
            match.status = Status.DISPUTED
            match.save(update_fields=["status", "updated_at"])
        disputes = gettext_lazy("%(username)s disputes the result: %(reason)s")
        why = lazy_format(disputes, username=actor.username, reason=reason[:200])
        notices.dispute_opened(event, match, why=why, by_side=permissions.role)
        notifications.bracket_changed(event.pk, match_id=match.pk)
    return dispute
