"""The bracket as the page draws it, from rows already loaded (no queries here).

Elimination brackets become sections of round columns whose slots line up like a printed
bracket (round r of a bracket of size S has S/2^r slots, empty where a BYE removed a match);
round robin and Swiss become standings tables plus a list of rounds. `selectors.bracket_view`
loads the rows and calls these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from tournaments.brackets.formats import Standing, seeding_order, standings_compute
from tournaments.brackets.services.build import match_results
from tournaments.models import Entry, Event, Match

Format = Event.Format
Bracket = Match.Bracket
Source = Match.Source


@dataclass
class SlotView:
    """One side of a match as drawn: an entrant, a BYE, or "Winner of W1-2" until decided."""

    label: str
    entry: Entry | None = None
    seed: int | None = None
    score: int | None = None
    is_winner: bool = False
    is_loser: bool = False
    is_bye: bool = False
    is_tbd: bool = False


@dataclass
class MatchView:
    # None for a first-round BYE, drawn where the match would have been.
    match: Match | None
    a: SlotView
    b: SlotView
    # Connector to the next column: "down" / "up" (meets its sibling half way), "straight", or "".
    joins: str = ""
    # A line in from the previous column (a slot fed by a match of the same section).
    fed: bool = False


@dataclass
class ColumnView:
    title: str
    round: int
    # One entry per bracket position; None where a BYE removed the match.
    slots: list[MatchView | None]
    starts_at: datetime | None = None  # the round's planned start (RoundSchedule)


@dataclass
class SectionView:
    key: str  # the matches' `Match.bracket`
    title: str
    columns: list[ColumnView]

    @property
    def has_times(self) -> bool:
        """Some round has a start time: every column keeps a line for it, so the slots stay aligned."""
        return any(column.starts_at for column in self.columns)


@dataclass
class StandingRow:
    place: int
    entry: Entry
    standing: Standing


@dataclass
class GroupView:
    title: str
    rows: list[StandingRow]
    number: int | None = None  # the round robin group, when there are several


@dataclass
class RoundView:
    title: str
    matches: list[MatchView]
    round: int = 0
    starts_at: datetime | None = None  # the round's planned start (RoundSchedule)


@dataclass
class BracketView:
    event: Event
    format: str = ""
    sections: list[SectionView] = field(default_factory=list)
    groups: list[GroupView] = field(default_factory=list)
    rounds: list[RoundView] = field(default_factory=list)
    # Final places once the event is completed, best first (ties share a place).
    placements: list[Entry] = field(default_factory=list)
    match_count: int = 0
    matches: list[Match] = field(default_factory=list)  # every match, in bracket order
    # Two stages: the playoff after the groups (its format, how many of each group advance, and
    # whether it is drawn yet); `groups`/`rounds` are the group stage's, `sections` the playoff's.
    playoff_format: str = ""
    playoff_advance: int = 0
    playoff_drawn: bool = False
    # Every stage, drawn or planned: {number, format, status, advance} (the public JSON's `stages`).
    stages: list[dict] = field(default_factory=list)
    # The rounds' plans (schedule_selectors.plans_of_events), for the matches' schedules.
    plans: dict | None = None

    @property
    def has_playoff(self) -> bool:
        return bool(self.playoff_format)

    @property
    def playoff_format_label(self) -> str:
        return str(Event.PlayoffFormat(self.playoff_format).label) if self.playoff_format else ""

    @property
    def is_drawn(self) -> bool:
        return self.match_count > 0

    @property
    def is_elimination(self) -> bool:
        return self.format in (Format.SINGLE_ELIMINATION, Format.DOUBLE_ELIMINATION)


# --- Slots


def _slot(match: Match, side: str, keys: dict[int, str], seeds: dict[int, int] | None = None) -> SlotView:
    entry: Entry | None = getattr(match, f"entry_{side}")
    source = getattr(match, f"{side}_source")
    if entry is not None:
        finished = match.winner_id is not None
        return SlotView(
            label=entry.name,
            entry=entry,
            seed=entry.seed if seeds is None else seeds.get(entry.pk),
            score=getattr(match, f"score_{side}"),
            is_winner=finished and match.winner_id == entry.pk,
            is_loser=finished and match.winner_id != entry.pk,
        )
    if source == Source.BYE:
        return SlotView(label=_("BYE"), is_bye=True)
    source_id = getattr(match, f"{side}_source_match_id")
    if source in (Source.WINNER, Source.LOSER) and source_id in keys:
        return SlotView(label=f"{Source(source).label} {keys[source_id]}", is_tbd=True)
    return SlotView(label=_("TBD"), is_tbd=True)


def _view(match: Match, keys: dict[int, str], seeds: dict[int, int] | None = None) -> MatchView:
    return MatchView(match=match, a=_slot(match, "a", keys, seeds), b=_slot(match, "b", keys, seeds))


# --- Elimination


def _winners_title(round_number: int, rounds: int, *, double: bool) -> str:
    from_last = rounds - round_number
    if from_last == 0:
        return _("Winners final") if double else _("Final")
    if from_last == 1:
        return _("Winners semifinals") if double else _("Semifinals")
    if from_last == 2:
        return _("Winners quarterfinals") if double else _("Quarterfinals")
    if double:
        return _("Winners round %(round)s") % {"round": round_number}
    return _("Round %(round)s") % {"round": round_number}


def _byes_fill(
    slots: list[MatchView | None], winners: list[Match], size: int, rounds: int, seeds: dict[int, int] | None
) -> None:
    """Draw the first-round matches a BYE removed as "seed vs BYE", so the top seeds' byes show.

    The generator drops them (the seed enters round 2 directly); their places in the full
    bracket follow `seeding_order`, in which one of each pair is a real seed.
    """
    seeded = {
        (entry.seed if seeds is None else seeds[entry.pk]): entry
        for match in winners
        for entry, source in ((match.entry_a, match.a_source), (match.entry_b, match.b_source))
        if entry is not None and source == Source.SEED
    }
    order = seeding_order(size)
    for index, slot in enumerate(slots):
        seed = min(order[2 * index], order[2 * index + 1])
        if slot is not None or seed not in seeded:
            continue
        entry = seeded[seed]
        slots[index] = MatchView(
            match=None,
            a=SlotView(label=entry.name, entry=entry, seed=seed),
            b=SlotView(label=_("BYE"), is_bye=True),
            joins=("down" if index % 2 == 0 else "up") if rounds > 1 else "",
        )


def _fed_in_section(match: Match, side_of: dict[int, str]) -> bool:
    return any(side_of.get(source) == match.bracket for source in (match.a_source_match_id, match.b_source_match_id))


def elimination_sections(
    event: Event, matches: list[Match], keys: dict[int, str], *, stage_format: str = "", seeds: dict | None = None
) -> list[SectionView]:
    """The sections of one elimination stage; a playoff passes its format and its own seeds."""
    double = (stage_format or event.format) == Format.DOUBLE_ELIMINATION
    side_of = {match.pk: match.bracket for match in matches}
    # Which round of the same section each match feeds (for the connector to the next column).
    feeds: dict[int, int] = {}
    for match in matches:
        for source in (match.a_source_match_id, match.b_source_match_id):
            if source is not None and side_of.get(source) == match.bracket:
                feeds[source] = match.round
    winners = [match for match in matches if match.bracket == Bracket.WINNERS]
    losers = [match for match in matches if match.bracket == Bracket.LOSERS]
    finals = [match for match in matches if match.bracket == Bracket.FINAL]
    rounds = max((match.round for match in winners), default=1)
    size = 2**rounds
    sections = []

    winner_columns = []
    for round_number in range(1, rounds + 1):
        slots: list[MatchView | None] = [None] * (size // 2**round_number)
        for match in winners:
            if match.round == round_number:
                view = _view(match, keys, seeds)
                # Every earlier position is drawn (a match or a bye), so every later match has a line in.
                view.fed = round_number > 1
                if feeds.get(match.pk) == round_number + 1:
                    view.joins = "down" if match.position % 2 else "up"
                slots[match.position - 1] = view
        if round_number == 1:
            _byes_fill(slots, winners, size, rounds, seeds)
        title = _winners_title(round_number, rounds, double=double)
        winner_columns.append(ColumnView(title=title, round=round_number, slots=slots))
    sections.append(SectionView("winners", _("Winners bracket") if double else _("Bracket"), winner_columns))

    if losers:
        base = max(size // 4, 1)
        last = max(match.round for match in losers)
        loser_columns = []
        for round_number in range(1, last + 1):
            span = 2 ** ((round_number - 1) // 2)
            slots = [None] * max(base // span, 1)
            for match in losers:
                if match.round == round_number:
                    view = _view(match, keys, seeds)
                    view.fed = _fed_in_section(match, side_of)
                    if feeds.get(match.pk) == round_number + 1:
                        # Odd rounds meet the drop-ins one to one; even rounds pair up.
                        view.joins = "straight" if round_number % 2 else ("down" if match.position % 2 else "up")
                    slots[match.position - 1] = view
            if any(slots):
                # Numbered as players see the columns: from 1, even when byes emptied the first stored round.
                shown = len(loser_columns) + 1
                title = _("Losers final") if round_number == last else _("Losers round %(round)s") % {"round": shown}
                loser_columns.append(ColumnView(title=title, round=round_number, slots=slots))
        sections.append(SectionView("losers", _("Losers bracket"), loser_columns))

    if finals:
        titles = {"GF": _("Grand final"), "GF-reset": _("Grand final reset"), "3P": _("Third place")}
        columns = [
            ColumnView(title=titles.get(match.key, match.key), round=match.round, slots=[_view(match, keys, seeds)])
            for match in finals
        ]
        sections.append(SectionView("final", _("Third place") if not double else _("Grand final"), columns))
    return sections


# --- Round robin and Swiss


def standings_groups(matches: list[Match], entries: list[Entry]) -> list[GroupView]:
    """The same table the placements come from (tournaments.brackets.services.matches): one
    `standings_compute` over every result, split by group for display."""
    by_seed = {entry.seed: entry for entry in entries}
    ranked = standings_compute(len(entries), match_results(matches)) if entries else []
    group_of: dict[int, int] = {}
    for match in matches:
        for entry_id in (match.entry_a_id, match.entry_b_id):
            if entry_id is not None and match.group is not None:
                group_of[entry_id] = match.group
    group_numbers = sorted(set(group_of.values())) or [None]
    groups = []
    for number in group_numbers:
        rows = [
            standing
            for standing in ranked
            if standing.seed in by_seed and (number is None or group_of.get(by_seed[standing.seed].pk) == number)
        ]
        title = (
            _("Group %(group)s") % {"group": number}
            if number is not None and len(group_numbers) > 1
            else _("Standings")
        )
        groups.append(
            GroupView(
                title=title,
                number=number if len(group_numbers) > 1 else None,
                rows=[
                    StandingRow(place=place, entry=by_seed[standing.seed], standing=standing)
                    for place, standing in enumerate(rows, start=1)
                ],
            )
        )
    return groups


def rounds_of(matches: list[Match], keys: dict[int, str]) -> list[RoundView]:
    by_round: dict[tuple[int, int], list[MatchView]] = {}
    for match in matches:
        by_round.setdefault((match.round, match.group or 0), []).append(_view(match, keys))
    several_groups = len({group for _round, group in by_round}) > 1
    return [
        RoundView(
            title=_round_title(round_number, group if several_groups else None), matches=views, round=round_number
        )
        for (round_number, group), views in sorted(by_round.items())
    ]


def round_times_set(
    stage_number: int, *, sections: list[SectionView], rounds: list[RoundView], plans: dict, event_id: int
) -> None:
    """Each column and round of one stage gets its planned start (`plans`: schedule_selectors.plans_of_events)."""

    def starts_at(bracket: str, round_number: int) -> datetime | None:
        plan = plans.get((event_id, stage_number, bracket, round_number))
        return plan.starts_at if plan is not None else None

    for section in sections:
        for column in section.columns:
            column.starts_at = starts_at(section.key, column.round)
    for round_view in rounds:
        round_view.starts_at = starts_at(Bracket.GROUP, round_view.round)


def _round_title(round_number: int, group: int | None) -> str:
    if group is None:
        return _("Round %(round)s") % {"round": round_number}
    return _("Round %(round)s, group %(group)s") % {"round": round_number, "group": group}


def match_slots(match: Match) -> tuple[SlotView, SlotView]:
    keys = {source.pk: source.key for source in (match.a_source_match, match.b_source_match) if source is not None}
    return _slot(match, "a", keys), _slot(match, "b", keys)
