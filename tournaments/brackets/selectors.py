"""Reads behind the bracket, match and manage pages, with their rows loaded in a fixed number of queries.

`bracket_view` loads an event's matches and hands them to `drawing` (elimination costs two
queries, the matches and the rounds' plans, standings formats three, and one more for the final
places of a completed event, however many matches there are).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from driftwood.core.compiled import CompiledQuery
from tournaments import selectors
from tournaments.brackets.drawing import (
    BracketView,
    elimination_sections,
    round_times_set,
    rounds_of,
    standings_groups,
)
from tournaments.brackets.rules import match_permissions
from tournaments.brackets.schedule_selectors import match_schedule, match_schedules, plans_of_events
from tournaments.brackets.services.stages import STAGE_TABLES, stage_seeds
from tournaments.models import Dispute, Entry, Event, Match, MatchReport, Stage

ENTRY_NAMES = ("registration__user", "registration__team")


def entries_in_bracket(event: Event) -> QuerySet[Entry]:
    return Entry.objects.filter(event=event, status=Entry.Status.ACTIVE, seed__isnull=False).select_related(
        *ENTRY_NAMES
    )


def bracket_view(event: Event) -> BracketView:
    """Everything the bracket page draws for `event` (empty before the event starts).

    An event played in two stages draws the group stage's tables and rounds, then the playoff's
    bracket (`sections`), or says who will reach it while the groups are played.
    """
    matches = list(selectors.matches_of_event(event.pk).select_related("stage"))
    # Stage by stage (a later stage's rows are created after the earlier's), bracket order within.
    matches.sort(key=lambda match: match.stage.number)
    view = BracketView(event=event, format=event.format, match_count=len(matches), matches=matches)
    if not matches:
        return view
    first = matches[0].stage
    view.format = first.format
    keys = {match.pk: match.key for match in matches}
    if plan := first.options.get("playoff"):
        view.playoff_format, view.playoff_advance = plan["format"], plan["advance"]
    group_stage = [match for match in matches if match.stage_id == first.pk]
    playoff = [match for match in matches if match.stage_id != first.pk]
    view.plans = plans = plans_of_events([event.pk])  # each round's start, drawn over its column
    if view.is_elimination:
        view.sections = elimination_sections(event, matches, keys)
        round_times_set(first.number, sections=view.sections, rounds=[], plans=plans, event_id=event.pk)
    else:
        view.groups = standings_groups(group_stage, list(entries_in_bracket(event).order_by("seed")))
        view.rounds = rounds_of(group_stage, keys)
        round_times_set(first.number, sections=[], rounds=view.rounds, plans=plans, event_id=event.pk)
    if playoff:
        stage = playoff[0].stage
        view.playoff_drawn = True
        seeds = stage_seeds(stage, [])
        view.sections = elimination_sections(event, playoff, keys, stage_format=stage.format, seeds=seeds)
        round_times_set(stage.number, sections=view.sections, rounds=[], plans=plans, event_id=event.pk)
    view.stages = _stage_summaries(matches, first.options.get("playoff"))
    if event.status == Event.Status.COMPLETED:
        view.placements = list(
            Entry.objects.filter(event=event, placement__isnull=False)
            .select_related(*ENTRY_NAMES)
            .order_by("placement", "seed")
        )
    return view


def _stage_summaries(matches: list[Match], plan: dict | None) -> list[dict]:
    """The stages of the drawn matches (and the playoff still planned), from rows already loaded."""
    stages: dict[int, dict] = {}
    for match in matches:
        stage = match.stage
        summary = stages.setdefault(
            stage.number,
            {"number": stage.number, "format": stage.format, "status": "completed", "advance": None},
        )
        summary["advance"] = stage.options.get("advance")
        if not match.is_finished:
            summary["status"] = "ongoing"
    if plan and len(stages) == 1:
        stages[2] = {"number": 2, "format": plan["format"], "status": "planned", "advance": plan["advance"]}
    return [stages[number] for number in sorted(stages)]


def public_event_get(event_id: int) -> Event | None:
    """A published event (any state but draft) as anyone sees it: the public bracket and the embed."""
    return selectors.events_visible_to(None).select_related("game").filter(pk=event_id).first()


# --- One match


def _match_with_sides(events: QuerySet[Event], match_id: int) -> QuerySet[Match]:
    return (
        Match.objects.filter(event__in=events)
        .select_related(
            "event__organizer",
            "event__game",
            "stage",
            "a_source_match",
            "b_source_match",
            "entry_a__registration__user",
            "entry_a__registration__team",
            "entry_b__registration__user",
            "entry_b__registration__team",
        )
        .filter(pk=match_id)[:1]
    )


# Read on every match page and report: compiled once (driftwood/core/compiled.py), one per kind of
# caller (which events they may see is part of the SQL), the nine joins are no longer built again
# each time (7.9 -> 4.3 ms of CPU for the whole read). A player stands in by id: `events_visible_to`
# keeps the rule.
_MATCH_FOR_ANYONE = CompiledQuery(
    lambda match_id: _match_with_sides(selectors.events_visible_to(None), match_id), "match_id"
)
_MATCH_FOR_PLAYER = CompiledQuery(
    lambda match_id, user_id: _match_with_sides(selectors.events_visible_to(get_user_model()(pk=user_id)), match_id),
    "match_id",
    "user_id",
)


def match_get(*, user, match_id: int) -> Match | None:
    """A match of an event the caller may see, with its sides, sources, reports and disputes loaded."""
    if user is not None and user.is_authenticated:
        match = _MATCH_FOR_PLAYER.one(match_id=match_id, user_id=user.pk)
    else:
        match = _MATCH_FOR_ANYONE.one(match_id=match_id)
    if match is None:
        return None
    reports = MatchReport.objects.select_related("reported_by").order_by("attempt", "created_at", "pk")
    disputes = Dispute.objects.select_related("opened_by", "resolved_by").order_by("-created_at", "-pk")
    prefetch_related_objects([match], Prefetch("reports", queryset=reports), Prefetch("disputes", queryset=disputes))
    match.schedule_loaded = match_schedule(match.pk)  # what `match_permissions` reads of it
    return match


def match_to_play(entry: Entry | None) -> Match | None:
    """The entry's earliest match still waiting for a result, if any."""
    if entry is None:
        return None
    return (
        selectors.matches_of_event(entry.event_id)
        .filter(Q(entry_a=entry) | Q(entry_b=entry), status__in=Match.PLAYABLE_STATUSES)
        .first()
    )


def dispute_get(*, dispute_id: int) -> Dispute | None:
    return (
        Dispute.objects.select_related(
            "match__event", "match__entry_a__registration__team", "match__entry_b__registration__team"
        )
        .filter(pk=dispute_id)
        .first()
    )


def dispute_evidence_get(*, user, dispute_id: int) -> Dispute | None:
    """The dispute, if `user` may see its evidence: the organizer, staff or a player of the match."""
    if user is None or not user.is_authenticated:
        return None
    dispute = dispute_get(dispute_id=dispute_id)
    if dispute is None:
        return None
    return dispute if match_permissions(dispute.match, user).can_see_disputes else None


def dispute_ids_with_evidence() -> list[int]:
    """Every dispute that has a stored file, oldest first (for `quarantine_evidence`)."""
    return list(Dispute.objects.exclude(evidence="").order_by("pk").values_list("pk", flat=True))


# --- Organizer's page


def manage_entries(event: Event) -> list[Entry]:
    """Every entry of the event, seeded first in seed order, with who checked it in."""
    return list(
        Entry.objects.filter(event=event)
        .select_related(*ENTRY_NAMES, "checked_in_by")
        .order_by("status", "seed", "registration__created_at", "pk")
    )


def manage_matches(event: Event) -> list[Match]:
    """Every match of the event in bracket order, for the organizer's list, with what
    `match_permissions` reads loaded (the event, the open disputes, the schedules): six queries however many."""
    open_disputes = Prefetch("disputes", queryset=Dispute.objects.filter(status=Dispute.Status.OPEN))
    matches = list(selectors.matches_of_event(event.pk).prefetch_related(open_disputes))
    schedules = match_schedules(match.pk for match in matches)
    for match in matches:
        match.event = event
        match.schedule_loaded = schedules[match.pk]
    return matches


def round_shown(match: Match) -> int:
    """The match's round as the bracket page numbers it: a losers bracket counts its rounds from 1
    over the rounds that have matches (byes can empty the first stored round); others as stored."""
    if match.bracket != Match.Bracket.LOSERS:
        return match.round
    return (
        Match.objects.filter(stage_id=match.stage_id, bracket=Match.Bracket.LOSERS, round__lte=match.round)
        .values("round")
        .distinct()
        .count()
    )


# --- Stages


@dataclass
class StageRow:
    """One stage as the stages API shows it: played, under way, or planned (not drawn yet)."""

    number: int
    format: str
    status: str
    best_of: int
    advance: int | None = None
    match_count: int = 0
    # The group stage's tables, best first ([{"group": n, "entries": [...]}]); a playoff's entrants in seed order.
    groups: list[dict] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    options: dict = field(default_factory=dict)


def event_stages(event: Event) -> list[StageRow]:
    """The event's stages in order, with the playoff still to be drawn as `planned` (none before
    the start): three queries however many matches."""
    stages = list(Stage.objects.filter(event=event).order_by("number"))
    if not stages:
        return []
    matches = list(selectors.matches_of_event(event.pk))
    entries = list(entries_in_bracket(event).order_by("seed"))
    by_id = {entry.pk: entry for entry in entries}
    rows = []
    for stage in stages:
        played = [match for match in matches if match.stage_id == stage.pk]
        finished = bool(played) and all(match.is_finished for match in played)
        if stage.format == Event.Format.FREE_FOR_ALL:  # lobbies, not matches: done when the event is
            finished = event.status == Event.Status.COMPLETED
        row = StageRow(
            number=stage.number,
            format=stage.format,
            status="completed" if finished else "ongoing",
            best_of=stage.options.get("best_of", 1),
            advance=stage.options.get("advance"),
            match_count=len(played),
            options=stage.options,
        )
        if "seeds" in stage.options:
            row.entries = [by_id[entry_id] for entry_id in stage.options["seeds"]]
        elif stage.format in STAGE_TABLES:
            tables = STAGE_TABLES[stage.format](entries, played)
            row.groups = [{"group": number, "entries": table} for number, table in enumerate(tables, start=1)]
        rows.append(row)
    plan = stages[-1].options.get("playoff")
    if plan:
        rows.append(
            StageRow(
                number=stages[-1].number + 1,
                format=plan["format"],
                status="planned",
                best_of=plan["best_of"],
                advance=plan["advance"],
                options=plan,
            )
        )
    return rows
