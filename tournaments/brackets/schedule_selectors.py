"""Reading match schedules: a round's plan, what it means for each match (start, check-in, deadline),
who checked in, and the forfeit waiting for the organizer.

A match's own start is its round's start, or later when its sides became known later (the
matches feeding it finished late, or its Swiss round was paired late): a player is never due
before they could know whom they play. Check-in opens `check_in_minutes` before the round's start
and closes at the match's deadline, `deadline_minutes` after the match's own start, when a side not
checked in is proposed for a forfeit (if the organizer rejects it, check-in opens again for it).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, F, Max, OuterRef, Q, Subquery, When
from django.db.models.functions import Greatest

from tournaments.models import Event, ForfeitProposal, Match, MatchCheckIn, RoundSchedule, Stage

PlanKey = tuple[int, int, str, int]  # (event id, stage number, bracket, round)

# When the sides of a match were last known: the latest of the stage's drawing, the matches that
# feed it finishing, and, for matches fed by no match (Swiss and round robin), its previous round
# finishing. PostgreSQL's GREATEST ignores NULLs.
_PREVIOUS_ROUND_DONE = Subquery(
    Match.objects.filter(stage=OuterRef("stage"), bracket=OuterRef("bracket"), round=OuterRef("round") - 1)
    .order_by()
    .values("stage")
    .annotate(done=Max("completed_at"))
    .values("done")[:1]
)
SIDES_KNOWN_AT = Greatest(
    F("stage__created_at"),
    F("a_source_match__completed_at"),
    F("b_source_match__completed_at"),
    Case(When(Q(a_source_match__isnull=True, b_source_match__isnull=True), then=_PREVIOUS_ROUND_DONE)),
)


@dataclass(frozen=True)
class MatchTimes:
    """One match's schedule (all None for a round without a start time)."""

    scheduled_at: datetime | None = None  # the round's start, as the organizer set it
    starts_at: datetime | None = None  # this match's start: later when its sides were known later
    check_in_opens_at: datetime | None = None
    deadline_at: datetime | None = None

    @property
    def check_in_required(self) -> bool:
        return self.check_in_opens_at is not None


NO_TIMES = MatchTimes()


def match_times(plan: RoundSchedule | None, sides_known_at: datetime | None) -> MatchTimes:
    if plan is None or plan.starts_at is None:
        return NO_TIMES
    starts_at = max(plan.starts_at, sides_known_at) if sides_known_at else plan.starts_at
    if not plan.check_in_required:
        return MatchTimes(scheduled_at=plan.starts_at, starts_at=starts_at)
    return MatchTimes(
        scheduled_at=plan.starts_at,
        starts_at=starts_at,
        check_in_opens_at=plan.starts_at - timedelta(minutes=plan.check_in_minutes),
        deadline_at=starts_at + timedelta(minutes=plan.deadline_minutes),
    )


@dataclass
class MatchSchedule:
    """What a match page, the API and the rules read about one match's schedule."""

    times: MatchTimes = NO_TIMES
    # Side ("a"/"b") -> when it checked in.
    checked_in: dict[str, datetime] = field(default_factory=dict)
    forfeit: ForfeitProposal | None = None  # this attempt's proposal, whatever its status

    @property
    def both_checked_in(self) -> bool:
        return "a" in self.checked_in and "b" in self.checked_in

    def check_in_open(self, match: Match, now: datetime) -> bool:
        times = self.times
        return (
            times.check_in_required
            and match.status in Match.PLAYABLE_STATUSES
            and match.entry_a_id is not None
            and match.entry_b_id is not None
            and now >= times.check_in_opens_at
            and not self.check_in_closed(now)
        )

    def check_in_closed(self, now: datetime) -> bool:
        """Check-in closes at the deadline (the beat then proposes a forfeit for a side not in), unless
        the organizer rejected this attempt's forfeit: the match goes on, and the late side may still
        check in so that both may report."""
        deadline_at = self.times.deadline_at
        if deadline_at is None or now < deadline_at:
            return False
        return self.forfeit is None or self.forfeit.status != ForfeitProposal.Status.REJECTED

    def absent(self) -> str | None:
        """Who has not checked in: "a", "b", "both", or None."""
        missing = [side for side in ("a", "b") if side not in self.checked_in]
        if len(missing) == 2:
            return ForfeitProposal.Absent.BOTH
        return missing[0] if missing else None

    def as_json(self) -> dict:
        """The additive fields of a match's JSON (MatchSerializer, match_row)."""
        times, forfeit = self.times, self.forfeit
        return {
            "scheduled_at": times.scheduled_at,
            "starts_at": times.starts_at,
            "check_in_opens_at": times.check_in_opens_at,
            "deadline_at": times.deadline_at,
            "check_in_required": times.check_in_required,
            "checked_in_a_at": self.checked_in.get("a"),
            "checked_in_b_at": self.checked_in.get("b"),
            "forfeit": None
            if forfeit is None
            else {"id": forfeit.pk, "status": forfeit.status, "absent": forfeit.absent},
        }


def plans_of_events(event_ids: Iterable[int]) -> dict[PlanKey, RoundSchedule]:
    plans = RoundSchedule.objects.filter(event_id__in=list(event_ids))
    return {(plan.event_id, plan.stage_number, plan.bracket, plan.round): plan for plan in plans}


def plan_key(match: Match, stage_number: int) -> PlanKey:
    return (match.event_id, stage_number, match.bracket, match.round)


def planned_best_of(stage) -> dict[tuple[str, int], int]:
    """(bracket, round) -> the best-of the organizer set for rounds of `stage` (matches drawn or paired
    after the plan take it)."""
    plans = RoundSchedule.objects.filter(event_id=stage.event_id, stage_number=stage.number, best_of__isnull=False)
    return {(plan.bracket, plan.round): plan.best_of for plan in plans}


def match_schedules(
    match_ids: Iterable[int], *, plans: dict[PlanKey, RoundSchedule] | None = None
) -> dict[int, MatchSchedule]:
    """Each match's schedule, for a page of matches: four queries however many (two for an event whose
    rounds were never planned; none when the caller read the event's `plans` already and there are none)."""
    match_ids = list(match_ids)
    if not match_ids or plans == {}:  # no round was ever planned: nobody can have checked in, nothing proposed
        return {match_id: MatchSchedule() for match_id in match_ids}
    rows = list(
        Match.objects.filter(pk__in=match_ids)
        .order_by()
        .values("pk", "event_id", "stage__number", "bracket", "round", "attempt")
        .annotate(sides_known_at=SIDES_KNOWN_AT)
    )
    if plans is None:
        plans = plans_of_events({row["event_id"] for row in rows})
    if not plans:
        return {row["pk"]: MatchSchedule() for row in rows}
    schedules = {}
    for row in rows:
        plan = plans.get((row["event_id"], row["stage__number"], row["bracket"], row["round"]))
        schedules[row["pk"]] = MatchSchedule(times=match_times(plan, row["sides_known_at"]))
    for check_in in MatchCheckIn.objects.filter(match_id__in=match_ids).only("match_id", "side", "checked_in_at"):
        schedules[check_in.match_id].checked_in[check_in.side] = check_in.checked_in_at
    attempts = {row["pk"]: row["attempt"] for row in rows}
    for proposal in ForfeitProposal.objects.filter(match_id__in=match_ids):
        if proposal.attempt == attempts[proposal.match_id]:
            schedules[proposal.match_id].forfeit = proposal
    return schedules


def match_schedule(match_id: int) -> MatchSchedule:
    return match_schedules([match_id]).get(match_id, MatchSchedule())


def event_rounds(event: Event) -> list[dict]:
    """The rounds of the event's drawn stages (and the Swiss rounds still to be paired, and every
    round of a free-for-all), each with its stage's format and its plan (None when the organizer set
    none)."""
    rounds = {}
    for row in (
        Match.objects.filter(event=event)
        .order_by()
        .values("stage__number", "stage__format", "stage__options", "bracket", "round")
        .distinct()
    ):
        rounds[(row["stage__number"], row["bracket"], row["round"])] = row
    if event.format == Event.Format.FREE_FOR_ALL:  # lobbies, not matches: every round from the start
        for stage in Stage.objects.filter(event=event, format=Event.Format.FREE_FOR_ALL):
            for number in range(1, int(stage.options.get("rounds", 0)) + 1):
                rounds[(stage.number, Match.Bracket.GROUP, number)] = {"stage__format": stage.format}
    for row in list(rounds.values()):
        if row["stage__format"] == Event.Format.SWISS:
            for later in range(row["round"] + 1, int(row["stage__options"].get("rounds", 0)) + 1):
                rounds.setdefault((row["stage__number"], row["bracket"], later), {**row, "round": later})
    plans = plans_of_events([event.pk])
    order = {bracket: index for index, bracket in enumerate(Match.Bracket.values)}
    listed = []
    for stage_number, bracket, round_number in sorted(rounds, key=lambda key: (key[0], order[key[1]], key[2])):
        listed.append(
            {
                "stage": stage_number,
                "bracket": bracket,
                "round": round_number,
                "plan": plans.get((event.pk, stage_number, bracket, round_number)),
                "format": rounds[(stage_number, bracket, round_number)]["stage__format"],
            }
        )
    return listed


_FORFEIT_SIDES = (
    "match__entry_a__registration__user",
    "match__entry_a__registration__team",
    "match__entry_b__registration__user",
    "match__entry_b__registration__team",
    "winner__registration__user",
    "winner__registration__team",
)


def forfeits_of_event(event_id: int, *, status: str = ForfeitProposal.Status.PROPOSED):
    """The organizer's queue: proposals waiting for a decision (or decided ones), oldest first, with
    their match's sides."""
    return (
        ForfeitProposal.objects.filter(match__event_id=event_id, status=status)
        .select_related(*_FORFEIT_SIDES)
        .order_by("proposed_at", "pk")
    )


def forfeit_get(proposal_id: int) -> ForfeitProposal:
    return ForfeitProposal.objects.select_related(*_FORFEIT_SIDES).get(pk=proposal_id)
