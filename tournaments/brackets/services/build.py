"""Turning the pure generators' descriptions into Stage and Match rows.

`tournaments.brackets.formats` knows nothing about the database: it works on seeds 1..N. Here seeds
become entries, generator keys become rows, and "winner of W1-3" becomes a foreign key, so
advancing a result is a lookup of the matches fed by the one that just finished.
"""

from collections.abc import Sequence
from dataclasses import replace

from django.utils import timezone

from tournaments.brackets.ffa.services import ffa_stage_generate
from tournaments.brackets.formats import (
    Bracket,
    GeneratedMatch,
    Result,
    SlotKind,
    SwissPlayer,
    double_elimination,
    round_robin,
    single_elimination,
    snake_groups,
    swiss_default_rounds,
    swiss_pair_round,
    swiss_players,
)
from tournaments.brackets.formats.advance import FORMATS_WITH_PLAYOFF, MAX_PLAYOFF
from tournaments.brackets.schedule_selectors import planned_best_of
from tournaments.models import Entry, Event, Match, Stage

Format = Event.Format
Status = Match.Status


def stage_options(event: Event, entrants: int) -> dict:
    """The generator options an event's settings mean for `entrants` entries (stored on the stage)."""
    options = {"best_of": event.best_of}
    if event.format == Format.SINGLE_ELIMINATION:
        options["third_place"] = event.third_place_match
    elif event.format == Format.DOUBLE_ELIMINATION:
        options["bracket_reset"] = event.bracket_reset
    elif event.format == Format.ROUND_ROBIN:
        # Every group needs two entrants: fewer groups than asked when too few checked in.
        options["groups"] = max(1, min(event.groups, entrants // 2))
    else:
        # Swiss groups (each paired on its own) when asked for, like round robin's.
        options["groups"] = groups = max(1, min(event.groups, entrants // 2))
        smallest = min(len(group) for group in snake_groups(entrants, groups))
        options["rounds"] = min(event.swiss_rounds or swiss_default_rounds(smallest), smallest - 1 or 1)
    return options


def playoff_plan(event: Event, entrants: int, groups: int) -> dict | None:
    """What the event's playoff settings mean for `entrants` in `groups` groups (None: one stage).

    Like the group count, `advance` shrinks when too few entrants checked in for every group to
    send that many (and when the playoff would pass 64); a playoff of one is no playoff.
    """
    if not event.playoff_format or event.format not in FORMATS_WITH_PLAYOFF:
        return None
    smallest = min(len(group) for group in snake_groups(entrants, groups))
    advance = min(event.playoff_advance, smallest, MAX_PLAYOFF // groups)
    if groups * advance < 2:
        return None
    return {
        "format": event.playoff_format,
        "advance": advance,
        "best_of": event.playoff_best_of,
        "third_place": event.third_place_match,
        "bracket_reset": event.bracket_reset,
    }


def elimination_bracket(stage: Stage, entrants: int) -> Bracket:
    """The pure bracket a single or double elimination stage was generated from (for placements)."""
    options = stage.options
    if stage.format == Format.SINGLE_ELIMINATION:
        return single_elimination(entrants, third_place=options.get("third_place", False), best_of=options["best_of"])
    return double_elimination(entrants, bracket_reset=options.get("bracket_reset", False), best_of=options["best_of"])


def _generated(stage: Stage, entrants: int) -> Sequence[GeneratedMatch]:
    options = stage.options
    if stage.format in (Format.SINGLE_ELIMINATION, Format.DOUBLE_ELIMINATION):
        return elimination_bracket(stage, entrants).matches
    if stage.format == Format.ROUND_ROBIN:
        return round_robin(entrants, groups=options["groups"], best_of=options["best_of"]).matches
    return swiss_round(stage, swiss_players(entrants, []), 1)


def swiss_round(stage: Stage, players: Sequence[SwissPlayer], round_number: int) -> list[GeneratedMatch]:
    """Pair one Swiss round: the whole field, or each snake-split group on its own (keys G{n}-S{r}-{p})."""
    best_of = stage.options["best_of"]
    groups = stage.options.get("groups", 1)  # stages generated before Swiss groups have none: one field
    if groups == 1:
        return list(swiss_pair_round(players, round_number=round_number, best_of=best_of).matches)
    paired = []
    for number, members in enumerate(snake_groups(len(players), groups), start=1):
        field = [player for player in players if player.seed in members]
        for match in swiss_pair_round(field, round_number=round_number, best_of=best_of).matches:
            paired.append(replace(match, key=f"G{number}-{match.key}", group=number))
    return paired


def matches_create(stage: Stage, generated: Sequence[GeneratedMatch], entries: Sequence[Entry]) -> list[Match]:
    """Insert `generated` (in dependency order) for entries in seed order: two queries however many.

    Seed slots are filled at once; a match with both sides known is `ready`; a BYE opposite an
    entrant (Swiss) is a `walkover` won by that entrant.
    """
    by_seed = {index: entry for index, entry in enumerate(entries, start=1)}
    planned = planned_best_of(stage)  # the organizer's best-of per round, when set
    now = timezone.now()
    rows = []
    for generated_match in generated:
        row = Match(
            event_id=stage.event_id,
            stage=stage,
            key=generated_match.key,
            round=generated_match.round,
            position=generated_match.position,
            bracket=generated_match.side.value,
            group=generated_match.group,
            best_of=planned.get((generated_match.side.value, generated_match.round), generated_match.best_of),
            conditional=generated_match.conditional,
            a_source=generated_match.slot_a.kind.value,
            b_source=generated_match.slot_b.kind.value,
        )
        if generated_match.slot_a.kind is SlotKind.SEED:
            row.entry_a = by_seed[generated_match.slot_a.seed]
        if generated_match.slot_b.kind is SlotKind.SEED:
            row.entry_b = by_seed[generated_match.slot_b.seed]
        if row.entry_a and row.entry_b:
            row.status = Status.READY
        elif row.entry_a and generated_match.slot_b.is_bye:
            row.status, row.winner, row.completed_at = Status.WALKOVER, row.entry_a, now
        rows.append(row)
    created = Match.objects.bulk_create(rows)
    by_key = {match.key: match for match in created}
    linked = []
    for generated_match, match in zip(generated, created, strict=True):
        if generated_match.slot_a.match or generated_match.slot_b.match:
            match.a_source_match = by_key.get(generated_match.slot_a.match)
            match.b_source_match = by_key.get(generated_match.slot_b.match)
            linked.append(match)
    Match.objects.bulk_update(linked, ["a_source_match", "b_source_match"])
    return created


def stage_generate(event: Event, entries: Sequence[Entry]) -> Stage:
    """Generate the event's bracket for `entries` (seeds 1..N in order) inside the caller's transaction.

    Swiss generates its first round only; later rounds are paired from the standings as each
    round finishes (`swiss_next_round`). A free-for-all draws its first round's lobbies
    (`tournaments.brackets.ffa`).
    """
    if event.format == Format.FREE_FOR_ALL:
        return ffa_stage_generate(event, entries)
    options = stage_options(event, len(entries))
    # A playoff after the groups (tournaments.brackets.services.stages), planned now, drawn later.
    if plan := playoff_plan(event, len(entries), options.get("groups", 1)):
        options["playoff"] = plan
    stage = Stage.objects.create(event=event, number=1, format=event.format, options=options)
    matches_create(stage, _generated(stage, len(entries)), entries)
    return stage


def stage_delete(event: Event) -> None:
    """Throw away a bracket with no results (reseeding regenerates it)."""
    for stage in Stage.objects.filter(event=event):
        # Sources point at other matches of the stage (PROTECT): unlink before deleting.
        stage.matches.update(a_source_match=None, b_source_match=None)
        stage.matches.all().delete()
        stage.delete()


def match_results(matches: Sequence[Match]) -> list[Result]:
    """Finished group/Swiss matches as the pure standings' Results over seeds (a walkover is a bye)."""
    results = []
    for match in matches:
        if match.status == Status.WALKOVER:
            results.append(Result(match.entry_a.seed, None))
        elif match.status == Status.COMPLETED:
            results.append(Result(match.entry_a.seed, match.entry_b.seed, match.score_a, match.score_b))
    return results


def swiss_next_round(stage: Stage, entries: Sequence[Entry], played: Sequence[Match]) -> list[Match]:
    """Pair and insert the next Swiss round from the finished ones; [] once every round is played."""
    last_round = max(match.round for match in played)
    if last_round >= stage.options["rounds"]:
        return []
    players = swiss_players(len(entries), match_results(played))
    return matches_create(stage, swiss_round(stage, players, last_round + 1), entries)
