"""Events played in stages: a group stage (round robin or Swiss) and then a playoff.

The plan is data on the first stage's row: when the event starts, the event's playoff settings
are copied into `Stage.options["playoff"]` by `build.playoff_plan` (`{format, advance, best_of,
third_place, bracket_reset}`), so editing the event later changes nothing under way. When the
last group match finishes, the playoff is drawn at once in the same transaction (as Swiss pairs
its next round): stage 2, seeded across the groups (`formats.advance.playoff_seeding`), with the
group tables it was seeded from kept in its options (`groups`: entry ids per group, best first;
`seeds`: entry ids in playoff seed order). Its placements, then the group tables, give the final
places. Reopening a group match throws the playoff away while none of it has been played.

Nothing here is specific to the group format: any stage whose matches give standings can carry a
playoff plan, and a stage of any format can be numbered after another.
"""

from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext as _

from tournaments.brackets.formats import (
    Placement,
    elimination_placements,
    standings_compute,
    standings_placements,
)
from tournaments.brackets.formats.advance import playoff_seeding, two_stage_placements
from tournaments.brackets.rules import RESULT_STATUSES
from tournaments.brackets.services.build import elimination_bracket, match_results, matches_create
from tournaments.exceptions import ReopenRefused
from tournaments.models import Entry, Event, Match, Stage

Format = Event.Format
ELIMINATION_FORMATS = (Format.SINGLE_ELIMINATION, Format.DOUBLE_ELIMINATION)


def group_tables(entries: Sequence[Entry], matches: Sequence[Match]) -> list[list[Entry]]:
    """Each group's entries, best first: one `standings_compute` over every result (seeds are
    unique across groups, and head-to-head and Buchholz only count opponents in the same group),
    split by group. A stage without groups (Swiss in one field) is one table."""
    by_seed = {entry.seed: entry for entry in entries}
    ranked = standings_compute(len(entries), match_results(matches))
    group_of: dict[int, int | None] = {}
    for match in matches:
        for entry_id in (match.entry_a_id, match.entry_b_id):
            if entry_id is not None:
                group_of[entry_id] = match.group
    numbers = sorted({group for group in group_of.values() if group is not None}) or [None]
    return [
        [by_seed[standing.seed] for standing in ranked if group_of.get(by_seed[standing.seed].pk) == number]
        for number in numbers
    ]


# How each format that a playoff can follow ranks its groups: (entries, the stage's matches) -> each
# group's entries, best first (formats.advance.FORMATS_WITH_PLAYOFF lists the same formats).
STAGE_TABLES = {Format.ROUND_ROBIN: group_tables, Format.SWISS: group_tables}


def playoff_generate(event: Event, stage: Stage, entries: Sequence[Entry], matches: Sequence[Match]) -> Stage:
    """Generate the playoff after `stage` (its groups all played), inside the caller's transaction."""
    plan = stage.options["playoff"]
    tables = [[entry.pk for entry in table] for table in STAGE_TABLES[stage.format](entries, matches)]
    seeds = playoff_seeding(tables, plan["advance"])
    options = {"best_of": plan["best_of"], "advance": plan["advance"], "groups": tables, "seeds": seeds}
    if plan["format"] == Format.SINGLE_ELIMINATION:
        options["third_place"] = plan["third_place"]
    else:
        options["bracket_reset"] = plan["bracket_reset"]
    playoff = Stage.objects.create(event=event, number=stage.number + 1, format=plan["format"], options=options)
    by_id = {entry.pk: entry for entry in entries}
    matches_create(playoff, elimination_bracket(playoff, len(seeds)).matches, [by_id[pk] for pk in seeds])
    return playoff


def stage_seeds(stage: Stage, entries: Sequence[Entry]) -> dict[int, int]:
    """Entry id -> its seed in this stage: the playoff's own seeds, else the event's."""
    if "seeds" in stage.options:
        return {entry_id: seed for seed, entry_id in enumerate(stage.options["seeds"], start=1)}
    return {entry.pk: entry.seed for entry in entries}


def stage_placements(stage: Stage, entries: Sequence[Entry], matches: Sequence[Match]) -> dict[int, int]:
    """Entry id -> final place, once every match of the event's last stage is finished."""
    if stage.format not in ELIMINATION_FORMATS:
        places = standings_placements(standings_compute(len(entries), match_results(matches)))
        by_seed = {entry.seed: entry.pk for entry in entries}
        return {by_seed[placement.seed]: placement.place for placement in places}
    seed_of = stage_seeds(stage, entries)
    outcomes = {
        match.key: (seed_of[match.winner_id], seed_of[match.loser_id])
        for match in matches
        if match.status == Match.Status.COMPLETED
    }
    places = elimination_placements(elimination_bracket(stage, len(seed_of)), outcomes)
    entry_of = {seed: entry_id for entry_id, seed in seed_of.items()}
    # Placements over entry ids from here on (the pure code only needs distinct ints).
    by_entry = [Placement(entry_of[placement.seed], placement.place) for placement in places]
    if "groups" in stage.options:
        by_entry = two_stage_placements(by_entry, stage.options["groups"], stage.options["advance"])
    return {placement.seed: placement.place for placement in by_entry}


def later_stages_discard(match: Match) -> None:
    """A result of `match` changes: the stages generated from its stage go (and are generated
    again when it finishes), refused once one of their matches has been played."""
    later = list(Stage.objects.filter(event_id=match.event_id, number__gt=match.stage.number))
    if not later:
        return
    played = (
        Match.objects.filter(stage__in=later)
        .filter(Q(status__in=RESULT_STATUSES) | Q(reports__isnull=False))
        .order_by("stage__number", "pk")
        .first()
    )
    if played is not None:
        raise ReopenRefused(_("%(key)s has already been played.") % {"key": played.key})
    for stage in later:
        stage.matches.update(a_source_match=None, b_source_match=None)
        stage.matches.all().delete()
        stage.delete()
