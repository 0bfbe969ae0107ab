"""Reads behind the bracket, match and manage pages.

`bracket_view` turns an event's matches into what the page draws: elimination brackets as
sections of round columns whose slots line up like a printed bracket (round r of a bracket
of size S has S/2^r slots, empty where a BYE removed a match), and round robin / Swiss as
standings tables plus a list of rounds. Elimination costs one query, standings formats two (one
more for the final places of a completed event), however many matches there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from tournaments import selectors
from tournaments.brackets.formats import Standing, seeding_order, standings_compute
from tournaments.brackets.services.build import match_results
from tournaments.models import Dispute, Entry, Event, Match, MatchReport, RegistrationMember

Format = Event.Format
Bracket = Match.Bracket
Source = Match.Source
ENTRY_NAMES = ("registration__user", "registration__team")


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


@dataclass
class SectionView:
    key: str
    title: str
    columns: list[ColumnView]


@dataclass
class StandingRow:
    place: int
    entry: Entry
    standing: Standing


@dataclass
class GroupView:
    title: str
    rows: list[StandingRow]


@dataclass
class RoundView:
    title: str
    matches: list[MatchView]


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

    @property
    def is_drawn(self) -> bool:
        return self.match_count > 0

    @property
    def is_elimination(self) -> bool:
        return self.format in (Format.SINGLE_ELIMINATION, Format.DOUBLE_ELIMINATION)


# --- Slots


def _slot(match: Match, side: str, keys: dict[int, str]) -> SlotView:
    entry: Entry | None = getattr(match, f"entry_{side}")
    source = getattr(match, f"{side}_source")
    if entry is not None:
        finished = match.winner_id is not None
        return SlotView(
            label=entry.name,
            entry=entry,
            seed=entry.seed,
            score=getattr(match, f"score_{side}"),
            is_winner=finished and match.winner_id == entry.pk,
            is_loser=finished and match.winner_id != entry.pk,
        )
    if source == Source.BYE:
        return SlotView(label="BYE", is_bye=True)
    source_id = getattr(match, f"{side}_source_match_id")
    if source in (Source.WINNER, Source.LOSER) and source_id in keys:
        return SlotView(label=f"{Source(source).label} {keys[source_id]}", is_tbd=True)
    return SlotView(label="TBD", is_tbd=True)


def _view(match: Match, keys: dict[int, str]) -> MatchView:
    return MatchView(match=match, a=_slot(match, "a", keys), b=_slot(match, "b", keys))


# --- Elimination


def _winners_title(round_number: int, rounds: int, *, double: bool) -> str:
    from_last = rounds - round_number
    prefix = "Winners " if double else ""
    if from_last == 0:
        return f"{prefix}final".capitalize()
    if from_last == 1:
        return f"{prefix}semifinals".capitalize()
    if from_last == 2:
        return f"{prefix}quarterfinals".capitalize()
    return f"{prefix}round {round_number}".capitalize()


def _byes_fill(slots: list[MatchView | None], winners: list[Match], size: int, rounds: int) -> None:
    """Draw the first-round matches a BYE removed as "seed vs BYE", so the top seeds' byes show.

    The generator drops them (the seed enters round 2 directly); their places in the full
    bracket follow `seeding_order`, in which one of each pair is a real seed.
    """
    seeded = {
        entry.seed: entry
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
            b=SlotView(label="BYE", is_bye=True),
            joins=("down" if index % 2 == 0 else "up") if rounds > 1 else "",
        )


def _fed_in_section(match: Match, side_of: dict[int, str]) -> bool:
    return any(side_of.get(source) == match.bracket for source in (match.a_source_match_id, match.b_source_match_id))


def _elimination_sections(event: Event, matches: list[Match], keys: dict[int, str]) -> list[SectionView]:
    double = event.format == Format.DOUBLE_ELIMINATION
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
                view = _view(match, keys)
                # Every earlier position is drawn (a match or a bye), so every later match has a line in.
                view.fed = round_number > 1
                if feeds.get(match.pk) == round_number + 1:
                    view.joins = "down" if match.position % 2 else "up"
                slots[match.position - 1] = view
        if round_number == 1:
            _byes_fill(slots, winners, size, rounds)
        title = _winners_title(round_number, rounds, double=double)
        winner_columns.append(ColumnView(title=title, round=round_number, slots=slots))
    sections.append(SectionView("winners", "Winners bracket" if double else "Bracket", winner_columns))

    if losers:
        base = max(size // 4, 1)
        last = max(match.round for match in losers)
        loser_columns = []
        for round_number in range(1, last + 1):
            span = 2 ** ((round_number - 1) // 2)
            slots = [None] * max(base // span, 1)
            for match in losers:
                if match.round == round_number:
                    view = _view(match, keys)
                    view.fed = _fed_in_section(match, side_of)
                    if feeds.get(match.pk) == round_number + 1:
                        # Odd rounds meet the drop-ins one to one; even rounds pair up.
                        view.joins = "straight" if round_number % 2 else ("down" if match.position % 2 else "up")
                    slots[match.position - 1] = view
            if any(slots):
                title = "Losers final" if round_number == last else f"Losers round {round_number}"
                loser_columns.append(ColumnView(title=title, round=round_number, slots=slots))
        sections.append(SectionView("losers", "Losers bracket", loser_columns))

    if finals:
        titles = {"GF": "Grand final", "GF-reset": "Grand final reset", "3P": "Third place"}
        columns = [
            ColumnView(title=titles.get(match.key, match.key), round=match.round, slots=[_view(match, keys)])
            for match in finals
        ]
        sections.append(SectionView("final", "Third place" if not double else "Grand final", columns))
    return sections


# --- Round robin and Swiss


def _standings(event: Event, matches: list[Match], entries: list[Entry]) -> list[GroupView]:
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
        title = f"Group {number}" if number is not None and len(group_numbers) > 1 else "Standings"
        groups.append(
            GroupView(
                title=title,
                rows=[
                    StandingRow(place=place, entry=by_seed[standing.seed], standing=standing)
                    for place, standing in enumerate(rows, start=1)
                ],
            )
        )
    return groups


def _rounds(matches: list[Match], keys: dict[int, str]) -> list[RoundView]:
    by_round: dict[tuple[int, int], list[MatchView]] = {}
    for match in matches:
        by_round.setdefault((match.round, match.group or 0), []).append(_view(match, keys))
    several_groups = len({group for _round, group in by_round}) > 1
    return [
        RoundView(title=f"Round {round_number}" + (f", group {group}" if several_groups else ""), matches=views)
        for (round_number, group), views in sorted(by_round.items())
    ]


def entries_in_bracket(event: Event) -> QuerySet[Entry]:
    return Entry.objects.filter(event=event, status=Entry.Status.ACTIVE, seed__isnull=False).select_related(
        *ENTRY_NAMES
    )


def bracket_view(event: Event) -> BracketView:
    """Everything the bracket page draws for `event` (empty before the event starts)."""
    matches = list(selectors.matches_of_event(event.pk).select_related("stage"))
    view = BracketView(event=event, format=event.format, match_count=len(matches))
    if not matches:
        return view
    view.format = matches[0].stage.format
    keys = {match.pk: match.key for match in matches}
    if view.is_elimination:
        view.sections = _elimination_sections(event, matches, keys)
    else:
        view.groups = _standings(event, matches, list(entries_in_bracket(event).order_by("seed")))
        view.rounds = _rounds(matches, keys)
    if event.status == Event.Status.COMPLETED:
        view.placements = list(
            Entry.objects.filter(event=event, placement__isnull=False)
            .select_related(*ENTRY_NAMES)
            .order_by("placement", "seed")
        )
    return view


# --- One match


def match_get(*, user, match_id: int) -> Match | None:
    """A match of an event the caller may see, with its sides, sources, reports and disputes loaded."""
    reports = MatchReport.objects.select_related("reported_by").order_by("attempt", "created_at", "pk")
    disputes = Dispute.objects.select_related("opened_by", "resolved_by").order_by("-created_at", "-pk")
    return (
        Match.objects.filter(event__in=selectors.events_visible_to(user))
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
        .prefetch_related(Prefetch("reports", queryset=reports), Prefetch("disputes", queryset=disputes))
        .filter(pk=match_id)
        .first()
    )


def match_slots(match: Match) -> tuple[SlotView, SlotView]:
    keys = {source.pk: source.key for source in (match.a_source_match, match.b_source_match) if source is not None}
    return _slot(match, "a", keys), _slot(match, "b", keys)


def match_to_play(entry: Entry | None) -> Match | None:
    """The entry's earliest match still waiting for a result, if any."""
    if entry is None:
        return None
    return (
        selectors.matches_of_event(entry.event_id)
        .filter(Q(entry_a=entry) | Q(entry_b=entry), status__in=Match.PLAYABLE_STATUSES)
        .first()
    )


def plays_in(match: Match, user) -> bool:
    """Whether `user` is on either side's roster (any team member, not only the captain)."""
    if user is None or not user.is_authenticated:
        return False
    registrations = [entry.registration_id for entry in (match.entry_a, match.entry_b) if entry is not None]
    return RegistrationMember.objects.filter(registration_id__in=registrations, user=user).exists()


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
    match = dispute.match
    if user.is_staff or match.event.organizer_id == user.pk or plays_in(match, user):
        return dispute
    return None


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


def matches_needing_attention(event: Event) -> list[Match]:
    """Disputed matches, and matches with an open dispute, for the organizer."""
    disputed = Dispute.objects.filter(match__event=event, status=Dispute.Status.OPEN).values("match_id")
    return list(selectors.matches_of_event(event.pk).filter(Q(status=Match.Status.DISPUTED) | Q(pk__in=disputed)))


def bracket_has_results(event: Event) -> bool:
    """Whether any match was reported or played (reseeding is refused from then on)."""
    played = (Match.Status.REPORTED, Match.Status.COMPLETED, Match.Status.DISPUTED)
    return Match.objects.filter(event=event, status__in=played).exists()


def matches_completed(event: Event) -> list[Match]:
    return list(selectors.matches_of_event(event.pk).filter(status=Match.Status.COMPLETED))
