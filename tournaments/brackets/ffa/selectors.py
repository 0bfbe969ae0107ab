"""Reads of a free-for-all: its settings, its lobbies round by round, and the standings, loaded in a
fixed number of queries however many entrants and lobbies there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from tournaments.brackets.ffa.models import FreeForAllSettings, Lobby, LobbySlot
from tournaments.brackets.ffa.rules import may_enter_results, runs_event
from tournaments.brackets.formats.ffa import FfaStanding, LobbyResult, PointsTable, ffa_standings
from tournaments.models import Entry, Event, Match, RoundSchedule, Stage

ENTRY_NAMES = ("entry__registration__user", "entry__registration__team")


def ffa_settings_of(event: Event) -> FreeForAllSettings:
    """The event's free-for-all settings, or the defaults (unsaved) if the organizer never chose any."""
    found = FreeForAllSettings.objects.filter(event=event).first()
    if found is not None:
        return found
    return FreeForAllSettings(event=event, lobby_size=100 if event.is_solo else 25)


def ffa_stage(event_id: int) -> Stage | None:
    return Stage.objects.filter(event_id=event_id, format=Event.Format.FREE_FOR_ALL).order_by("number").first()


def points_table(stage: Stage) -> PointsTable:
    return PointsTable(tuple(stage.options["placement_points"]), stage.options["kill_points"])


@dataclass
class StandingRow:
    entry: Entry
    standing: FfaStanding
    # Points per round of the view, None where the entry has no result (the page's round columns).
    cells: list[int | None] = field(default_factory=list)


@dataclass
class RoundView:
    number: int
    lobbies: list[Lobby]
    starts_at: datetime | None = None  # the organizer's plan for the round (RoundSchedule)

    @property
    def is_closed(self) -> bool:
        return all(lobby.is_closed for lobby in self.lobbies)


@dataclass
class FfaView:
    event: Event
    stage: Stage | None
    # Before the start: the settings the stage will be drawn with.
    settings: FreeForAllSettings | None = None
    table: PointsTable | None = None
    rounds: list[RoundView] = field(default_factory=list)
    standings: list[StandingRow] = field(default_factory=list)

    @property
    def rounds_total(self) -> int:
        return self.stage.options["rounds"] if self.stage else 0

    @property
    def current_round(self) -> RoundView | None:
        """The round being played: the first one not closed (None once all are)."""
        return next((round_view for round_view in self.rounds if not round_view.is_closed), None)


def lobbies_of(stage: Stage, *, round_number: int | None = None) -> list[Lobby]:
    """The stage's lobbies in round and number order, each with its host and its slots (entries'
    names loaded, best placement first, then seed): two queries."""
    slots = LobbySlot.objects.select_related(*ENTRY_NAMES).order_by("placement", "entry__seed")
    lobbies = Lobby.objects.filter(stage=stage).select_related("host", "results_entered_by")
    if round_number is not None:
        lobbies = lobbies.filter(round=round_number)
    return list(lobbies.prefetch_related(Prefetch("slots", queryset=slots)).order_by("round", "number"))


def standings_of(stage: Stage, lobbies: list[Lobby], entries: list[Entry]) -> list[StandingRow]:
    """Standings over every result entered so far (closed rounds and those still open)."""
    table = points_table(stage)
    by_id = {entry.pk: entry for entry in entries}
    by_seed = {entry.seed: entry for entry in entries}
    results = [
        LobbyResult(seed=by_id[slot.entry_id].seed, round=lobby.round, placement=slot.placement, kills=slot.kills)
        for lobby in lobbies
        for slot in lobby.slots.all()
        if slot.placement is not None
    ]
    standings = ffa_standings(sorted(by_seed), results, table)
    return [StandingRow(entry=by_seed[standing.seed], standing=standing) for standing in standings]


def ffa_view(event: Event) -> FfaView:
    """Everything the bracket page and the API show of a free-for-all (empty before the start)."""
    stage = ffa_stage(event.pk)
    if stage is None:
        return FfaView(event=event, stage=None, settings=ffa_settings_of(event))
    lobbies = lobbies_of(stage)
    entries = list(
        Entry.objects.filter(event=event, status=Entry.Status.ACTIVE, seed__isnull=False)
        .select_related("registration__user", "registration__team")
        .order_by("seed")
    )
    table = points_table(stage)
    for lobby in lobbies:
        for slot in lobby.slots.all():
            slot.points = None if slot.placement is None else table.points(slot.placement, slot.kills)
    rounds: dict[int, list[Lobby]] = {}
    for lobby in lobbies:
        rounds.setdefault(lobby.round, []).append(lobby)
    standings = standings_of(stage, lobbies, entries)
    starts = dict(
        RoundSchedule.objects.filter(event=event, stage_number=stage.number, bracket=Match.Bracket.GROUP).values_list(
            "round", "starts_at"
        )
    )
    for row in standings:
        row.cells = [row.standing.round_points.get(number) for number in sorted(rounds)]
    return FfaView(
        event=event,
        stage=stage,
        table=table,
        rounds=[
            RoundView(number=number, lobbies=round_lobbies, starts_at=starts.get(number))
            for number, round_lobbies in sorted(rounds.items())
        ],
        standings=standings,
    )


def ffa_stage_summaries(view: FfaView) -> list[dict]:
    """The free-for-all's one stage as the public JSON's `stages` lists stages (none before the start)."""
    if view.stage is None:
        return []
    status = "completed" if view.event.status == Event.Status.COMPLETED else "ongoing"
    return [{"number": view.stage.number, "format": view.stage.format, "status": status, "advance": None}]


def lobby_to_play(entry: Entry | None) -> Lobby | None:
    """The entry's lobby in the round being played (its first round not closed; the lobby's host
    loaded): what the event page tells its player. One query."""
    if entry is None:
        return None
    slot = (
        LobbySlot.objects.filter(entry=entry, lobby__closed_at__isnull=True)
        .select_related("lobby__host")
        .order_by("lobby__round")
        .first()
    )
    return slot.lobby if slot is not None else None


def lobby_get(*, lobby_id: int) -> Lobby | None:
    """A lobby with its stage's event (and organizer) and its slots, for entering results."""
    slots = LobbySlot.objects.select_related(*ENTRY_NAMES).order_by("placement", "entry__seed")
    return (
        Lobby.objects.select_related("stage__event__organizer", "stage__event__game", "host")
        .prefetch_related(Prefetch("slots", queryset=slots))
        .filter(pk=lobby_id)
        .first()
    )


def ffa_context(event: Event, user=None) -> dict:
    """What the bracket page's free-for-all part draws: the view (None for other formats), and
    which lobbies `user` may enter results for (any as organizer or staff, else those they host)."""
    if event.format != Event.Format.FREE_FOR_ALL:
        return {"ffa": None}
    view = ffa_view(event)
    runs = runs_event(event, user)
    open_lobbies = [lobby for round_view in view.rounds for lobby in round_view.lobbies if not lobby.is_closed]
    enterable = {lobby.pk for lobby in open_lobbies if may_enter_results(event, lobby, user)}
    if event.status != Event.Status.ONGOING:
        enterable = set()
    return {"ffa": view, "ffa_runs": runs, "ffa_enterable": enterable}
