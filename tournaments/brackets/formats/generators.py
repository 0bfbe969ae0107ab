"""Bracket structures for single elimination, double elimination and round robin.

Everything here is pure: entrants are seeds 1..N (the caller maps seeds to entries) and the
result is a plain description of the matches, which the caller turns into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class BracketError(ValueError):
    """The requested bracket cannot be built (too few entrants, bad group count...)."""


class Side(StrEnum):
    WINNERS = "winners"
    LOSERS = "losers"
    FINAL = "final"
    GROUP = "group"


class SlotKind(StrEnum):
    SEED = "seed"
    BYE = "bye"
    WINNER = "winner"
    LOSER = "loser"


@dataclass(frozen=True)
class Slot:
    """Where one side of a match comes from.

    A BYE is a slot that will never be filled, unlike WINNER/LOSER which are "to be decided".
    """

    kind: SlotKind
    seed: int | None = None
    match: str | None = None

    @classmethod
    def of_seed(cls, seed: int) -> Slot:
        return cls(SlotKind.SEED, seed=seed)

    @classmethod
    def bye(cls) -> Slot:
        return cls(SlotKind.BYE)

    @classmethod
    def winner_of(cls, key: str) -> Slot:
        return cls(SlotKind.WINNER, match=key)

    @classmethod
    def loser_of(cls, key: str) -> Slot:
        return cls(SlotKind.LOSER, match=key)

    @property
    def is_bye(self) -> bool:
        return self.kind is SlotKind.BYE

    def __str__(self) -> str:
        if self.kind is SlotKind.SEED:
            return f"seed {self.seed}"
        if self.kind is SlotKind.BYE:
            return "BYE"
        return f"{self.kind.value} of {self.match}"


@dataclass(frozen=True)
class GeneratedMatch:
    key: str
    round: int
    position: int
    side: Side
    slot_a: Slot
    slot_b: Slot
    best_of: int = 1
    # Only the bracket reset: played only if the losers-bracket finalist wins the grand final.
    conditional: bool = False
    group: int | None = None

    @property
    def slots(self) -> tuple[Slot, Slot]:
        return (self.slot_a, self.slot_b)


@dataclass(frozen=True)
class Bye:
    """Seed `seed` sits out round `round` (top seeds in elimination round 1, one per round robin round for odd N)."""

    round: int
    seed: int
    group: int | None = None


@dataclass(frozen=True)
class Bracket:
    format: str
    entrants: int
    matches: tuple[GeneratedMatch, ...]
    byes: tuple[Bye, ...] = ()
    groups: tuple[tuple[int, ...], ...] = field(default=())

    def match(self, key: str) -> GeneratedMatch:
        for match in self.matches:
            if match.key == key:
                return match
        raise KeyError(key)

    def by_key(self) -> dict[str, GeneratedMatch]:
        return {match.key: match for match in self.matches}


def bracket_size(entrants: int) -> int:
    """The smallest power of two that holds `entrants`."""
    size = 1
    while size < entrants:
        size *= 2
    return size


def seeding_order(size: int) -> list[int]:
    """Seeds in bracket order for a power-of-two `size`: 1, 16, 8, 9, ... so the top seeds meet last.

    Built by doubling: each seed s is followed by its first-round opponent size + 1 - s.
    """
    if size < 1 or size & (size - 1):
        raise BracketError("bracket size must be a power of two")
    order = [1]
    current = 1
    while current < size:
        current *= 2
        order = [seed for top in order for seed in (top, current + 1 - top)]
    return order


def _check_entrants(entrants: int, minimum: int = 2) -> None:
    if entrants < minimum:
        raise BracketError(f"at least {minimum} entrants are needed")


def _winners_rounds(size: int) -> int:
    return size.bit_length() - 1


def _full_winners_bracket(entrants: int, best_of: int) -> list[GeneratedMatch]:
    """Every match of a full power-of-two bracket; seeds above `entrants` are BYE slots."""
    size = bracket_size(entrants)
    order = seeding_order(size)
    matches = []
    for position in range(1, size // 2 + 1):
        a, b = order[2 * position - 2], order[2 * position - 1]
        slot_a = Slot.of_seed(a) if a <= entrants else Slot.bye()
        slot_b = Slot.of_seed(b) if b <= entrants else Slot.bye()
        matches.append(GeneratedMatch(f"W1-{position}", 1, position, Side.WINNERS, slot_a, slot_b, best_of))
    for round_number in range(2, _winners_rounds(size) + 1):
        for position in range(1, size // 2**round_number + 1):
            matches.append(
                GeneratedMatch(
                    f"W{round_number}-{position}",
                    round_number,
                    position,
                    Side.WINNERS,
                    Slot.winner_of(f"W{round_number - 1}-{2 * position - 1}"),
                    Slot.winner_of(f"W{round_number - 1}-{2 * position}"),
                    best_of,
                )
            )
    return matches


def _collapse_byes(matches: list[GeneratedMatch]) -> list[GeneratedMatch]:
    """Drop every match that has a BYE slot and rewire its dependants.

    The other slot's entrant advances straight through the dropped match and its "loser" is a BYE,
    so byes ripple into the losers bracket. `matches` must be in dependency order.
    """
    winner_of: dict[str, Slot] = {}
    loser_of: dict[str, Slot] = {}

    def resolve(slot: Slot) -> Slot:
        if slot.kind is SlotKind.WINNER and slot.match in winner_of:
            return winner_of[slot.match]
        if slot.kind is SlotKind.LOSER and slot.match in loser_of:
            return loser_of[slot.match]
        return slot

    kept = []
    for match in matches:
        slot_a, slot_b = resolve(match.slot_a), resolve(match.slot_b)
        if slot_a.is_bye or slot_b.is_bye:
            winner_of[match.key] = slot_b if slot_a.is_bye else slot_a
            loser_of[match.key] = Slot.bye()
        else:
            kept.append(replace(match, slot_a=slot_a, slot_b=slot_b))
    return kept


def _first_round_byes(entrants: int) -> tuple[Bye, ...]:
    size = bracket_size(entrants)
    return tuple(Bye(1, seed) for seed in range(1, size - entrants + 1))


def single_elimination(entrants: int, *, third_place: bool = False, best_of: int = 1) -> Bracket:
    """Single elimination for any N >= 2, top seeds getting the first-round byes.

    Matches keep their place in the full power-of-two bracket (W{round}-{position}, round r position p
    fed by round r-1 positions 2p-1 and 2p), so round 1 has gaps where a bye was; a seed with a bye
    enters round 2 directly as a seed slot. The final is the last winners match; the optional
    third-place match ("3P", side `final`) needs two semifinals, so it exists only for N >= 4.
    """
    _check_entrants(entrants)
    matches = _collapse_byes(_full_winners_bracket(entrants, best_of))
    final_round = _winners_rounds(bracket_size(entrants))
    if third_place and entrants >= 4:
        matches.append(
            GeneratedMatch(
                "3P",
                final_round,
                2,
                Side.FINAL,
                Slot.loser_of(f"W{final_round - 1}-1"),
                Slot.loser_of(f"W{final_round - 1}-2"),
                best_of,
            )
        )
    return Bracket("single_elimination", entrants, tuple(matches), _first_round_byes(entrants))


def _full_losers_bracket(size: int, best_of: int) -> list[GeneratedMatch]:
    """The losers bracket of a full power-of-two double elimination.

    Odd rounds pair survivors among themselves (round 1 pairs the winners-round-1 losers); even round 2j
    meets the survivors with the losers of winners round j+1. Those drops alternate in reverse order so
    that players who just met in the winners bracket are kept apart as long as possible.
    """
    winners_rounds = _winners_rounds(size)
    matches = []
    for position in range(1, size // 4 + 1):
        matches.append(
            GeneratedMatch(
                f"L1-{position}",
                1,
                position,
                Side.LOSERS,
                Slot.loser_of(f"W1-{2 * position - 1}"),
                Slot.loser_of(f"W1-{2 * position}"),
                best_of,
            )
        )
    previous_count = size // 4
    for losers_round in range(2, 2 * (winners_rounds - 1) + 1):
        if losers_round % 2 == 0:
            winners_round = losers_round // 2 + 1
            count = previous_count
            for position in range(1, count + 1):
                drop = count + 1 - position if winners_round % 2 == 0 else position
                matches.append(
                    GeneratedMatch(
                        f"L{losers_round}-{position}",
                        losers_round,
                        position,
                        Side.LOSERS,
                        Slot.winner_of(f"L{losers_round - 1}-{position}"),
                        Slot.loser_of(f"W{winners_round}-{drop}"),
                        best_of,
                    )
                )
        else:
            count = previous_count // 2
            for position in range(1, count + 1):
                matches.append(
                    GeneratedMatch(
                        f"L{losers_round}-{position}",
                        losers_round,
                        position,
                        Side.LOSERS,
                        Slot.winner_of(f"L{losers_round - 1}-{2 * position - 1}"),
                        Slot.winner_of(f"L{losers_round - 1}-{2 * position}"),
                        best_of,
                    )
                )
        previous_count = count
    return matches


def double_elimination(entrants: int, *, bracket_reset: bool = False, best_of: int = 1) -> Bracket:
    """Double elimination for any N >= 2: 2N-2 matches, plus the conditional reset if asked for.

    The winners bracket is `single_elimination`'s. The losers bracket (L{round}-{position}) is shaped
    like the full power-of-two one with byes collapsed, so its first round may be missing. The grand
    final ("GF", side `final`) pits the winners-bracket champion (slot a) against the losers-bracket
    champion (slot b); "GF-reset" is between the GF's winner and loser and is `conditional`: played
    only if slot b won the grand final.
    """
    _check_entrants(entrants)
    size = bracket_size(entrants)
    winners_rounds = _winners_rounds(size)
    full = _full_winners_bracket(entrants, best_of) + _full_losers_bracket(size, best_of)
    winners_final = f"W{winners_rounds}-1"
    losers_champion = (
        Slot.winner_of(f"L{2 * (winners_rounds - 1)}-1") if winners_rounds > 1 else Slot.loser_of(winners_final)
    )
    final_round = winners_rounds + 1
    full.append(
        GeneratedMatch("GF", final_round, 1, Side.FINAL, Slot.winner_of(winners_final), losers_champion, best_of)
    )
    if bracket_reset:
        full.append(
            GeneratedMatch(
                "GF-reset",
                final_round + 1,
                1,
                Side.FINAL,
                Slot.winner_of("GF"),
                Slot.loser_of("GF"),
                best_of,
                conditional=True,
            )
        )
    return Bracket("double_elimination", entrants, tuple(_collapse_byes(full)), _first_round_byes(entrants))


def snake_groups(entrants: int, groups: int) -> tuple[tuple[int, ...], ...]:
    """Split seeds 1..N into `groups` groups snake-style (1..g, then g..1, ...) so groups are balanced."""
    if groups < 1:
        raise BracketError("at least one group is needed")
    members: list[list[int]] = [[] for _ in range(groups)]
    for index in range(entrants):
        lap, offset = divmod(index, groups)
        members[offset if lap % 2 == 0 else groups - 1 - offset].append(index + 1)
    return tuple(tuple(group) for group in members)


def circle_rounds(seeds: tuple[int, ...]) -> list[list[tuple[int, int | None]]]:
    """Circle-method rounds over `seeds`: each pair meets exactly once; None is the BYE for odd counts.

    The first seed stays put while the others rotate; it swaps sides every round so nobody is always
    slot a.
    """
    ring: list[int | None] = list(seeds)
    if len(ring) % 2:
        ring.append(None)
    size = len(ring)
    rounds = []
    for round_index in range(size - 1):
        pairs = []
        for index in range(size // 2):
            a, b = ring[index], ring[size - 1 - index]
            if index == 0 and round_index % 2:
                a, b = b, a
            if a is None:
                a, b = b, a
            pairs.append((a, b))
        rounds.append(pairs)
        ring = [ring[0], ring[-1], *ring[1:-1]]
    return rounds


def round_robin(entrants: int, *, groups: int = 1, best_of: int = 1) -> Bracket:
    """Round robin in `groups` snake-split groups, each scheduled with the circle method.

    Keys are R{round}-{position} for one group and G{group}-R{round}-{position} for several; every
    match has side `group`. Byes (odd-sized groups) are not matches: they are listed in `byes`.
    """
    _check_entrants(entrants)
    split = snake_groups(entrants, groups)
    if any(len(members) < 2 for members in split):
        raise BracketError("every group needs at least 2 entrants")
    matches = []
    byes = []
    for group_number, members in enumerate(split, start=1):
        prefix = f"G{group_number}-" if groups > 1 else ""
        for round_number, pairs in enumerate(circle_rounds(members), start=1):
            position = 0
            for a, b in pairs:
                if b is None:
                    byes.append(Bye(round_number, a, group_number))
                    continue
                position += 1
                matches.append(
                    GeneratedMatch(
                        f"{prefix}R{round_number}-{position}",
                        round_number,
                        position,
                        Side.GROUP,
                        Slot.of_seed(a),
                        Slot.of_seed(b),
                        best_of,
                        group=group_number,
                    )
                )
    return Bracket("round_robin", entrants, tuple(matches), tuple(byes), split)
