"""Final placements: who came 1st, 2nd, 3rd... once every match of a bracket is decided.

Pure like the generators: seeds and match keys in, one Placement per seed out. Ties share a place and
the next place skips over them (1, 2, 3, 3, 5, 5, 5, 5), so the entrants on place p fill prize
positions p..p+n-1 (see tournaments.prizes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .generators import Bracket, BracketError, GeneratedMatch, Side, Slot, SlotKind
from .standings import Standing


@dataclass(frozen=True)
class Placement:
    seed: int
    place: int


def _outcome(outcomes: Mapping[str, tuple[int, int]], key: str) -> tuple[int, int]:
    try:
        winner, loser = outcomes[key]
    except KeyError:
        raise BracketError(f"no result for {key}") from None
    except (TypeError, ValueError):
        raise BracketError(f"the result of {key} must be (winner_seed, loser_seed)") from None
    return winner, loser


def _replay(bracket: Bracket, outcomes: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Check every outcome against who could actually be in that match; the played ones, in bracket order.

    Slots are resolved from earlier outcomes, so a winner who was not in the match (or already out) is
    caught. The conditional reset must be played exactly when slot b won the match it repeats.
    """
    unknown = sorted(set(outcomes) - {match.key for match in bracket.matches})
    if unknown:
        raise BracketError(f"results for matches not in this bracket: {', '.join(unknown)}")
    played: dict[str, tuple[int, int]] = {}
    slot_a_of: dict[str, int] = {}

    def entrant(slot: Slot) -> int:
        if slot.kind is SlotKind.SEED and slot.seed is not None:
            return slot.seed
        if slot.kind in (SlotKind.WINNER, SlotKind.LOSER) and slot.match in played:
            winner, loser = played[slot.match]
            return winner if slot.kind is SlotKind.WINNER else loser
        raise BracketError(f"{slot} is never decided")

    for match in bracket.matches:
        if match.conditional and not _reset_needed(match, played, slot_a_of):
            if match.key in outcomes:
                raise BracketError(f"{match.key} should not have been played: slot a won {match.slot_a.match}")
            continue
        a, b = entrant(match.slot_a), entrant(match.slot_b)
        winner, loser = _outcome(outcomes, match.key)
        if {winner, loser} != {a, b}:
            raise BracketError(f"{match.key} is {a} vs {b}, not {winner} beating {loser}")
        slot_a_of[match.key] = a
        played[match.key] = (winner, loser)
    return played


def _reset_needed(match: GeneratedMatch, played: dict[str, tuple[int, int]], slot_a_of: dict[str, int]) -> bool:
    # The reset replays `slot_a.match` (the grand final) and only happens if its slot b won it.
    repeated = match.slot_a.match
    if repeated not in played:
        raise BracketError(f"{match.key} depends on {repeated}, which has no result")
    return played[repeated][0] != slot_a_of[repeated]


def _knocked_out_by_round(bracket: Bracket, played: dict[str, tuple[int, int]], side: Side) -> list[list[int]]:
    """Losers of `side` matches grouped by round, latest round (best placed) first."""
    by_round: dict[int, list[int]] = {}
    for match in bracket.matches:
        if match.side is side:
            by_round.setdefault(match.round, []).append(played[match.key][1])
    return [sorted(by_round[round_number]) for round_number in sorted(by_round, reverse=True)]


def _single_groups(bracket: Bracket, played: dict[str, tuple[int, int]]) -> list[list[int]]:
    final = max((match for match in bracket.matches if match.side is Side.WINNERS), key=lambda match: match.round)
    champion, runner_up = played[final.key]
    groups = [[champion], [runner_up]]
    # The third-place match (side `final`) splits the two semifinal losers; without it they share 3rd.
    for match in bracket.matches:
        if match.side is Side.FINAL:
            groups += [[played[match.key][0]], [played[match.key][1]]]
    placed = {seed for group in groups for seed in group}
    for group in _knocked_out_by_round(bracket, played, Side.WINNERS):
        remaining = [seed for seed in group if seed not in placed]
        if remaining:
            groups.append(remaining)
    return groups


def _double_groups(bracket: Bracket, played: dict[str, tuple[int, int]]) -> list[list[int]]:
    # The deciding match is the last final played: the reset if it happened, else the grand final.
    deciding = [match for match in bracket.matches if match.side is Side.FINAL and match.key in played][-1]
    champion, runner_up = played[deciding.key]
    # Everyone else went out with a losers-bracket loss; a later losers round is a better place.
    return [[champion], [runner_up], *_knocked_out_by_round(bracket, played, Side.LOSERS)]


def _rank(groups: Iterable[list[int]]) -> list[Placement]:
    placements = []
    place = 1
    for group in groups:
        placements += [Placement(seed, place) for seed in group]
        place += len(group)
    return placements


def elimination_placements(bracket: Bracket, outcomes: Mapping[str, tuple[int, int]]) -> list[Placement]:
    """Placements of a finished single or double elimination bracket, sorted by (place, seed).

    `outcomes` maps the key of every played match to (winner_seed, loser_seed); the conditional
    "GF-reset" is left out when slot a won the grand final. The winner of the deciding match (the final,
    or the grand final / its reset) is 1st and its loser 2nd. Single elimination: the third-place match
    decides 3rd and 4th, otherwise both semifinal losers are 3rd; everyone else shares the place after
    those who got past the round they lost in (5th-8th, 9th-16th...). Double elimination: the rest are
    ranked by the losers round that knocked them out, later first, and share a place within a round.

    Raises BracketError for another format, a missing result, or a result that names someone who could
    not be in that match.
    """
    played = _replay(bracket, outcomes)
    if bracket.format == "single_elimination":
        groups = _single_groups(bracket, played)
    elif bracket.format == "double_elimination":
        groups = _double_groups(bracket, played)
    else:
        raise BracketError(f"{bracket.format} is not an elimination bracket")
    placements = _rank(groups)
    if sorted(placement.seed for placement in placements) != list(range(1, bracket.entrants + 1)):
        raise BracketError("the results do not place every entrant exactly once")
    return sorted(placements, key=lambda placement: (placement.place, placement.seed))


def standings_placements(standings: list[Standing]) -> list[Placement]:
    """Placements from `standings_compute` (round robin or Swiss), sorted by place.

    Those standings already give every place from 1 to N exactly once. For a round robin played in
    several groups, the caller ranks across groups with one `standings_compute` over all the results
    (seeds are unique across groups); per-group tables glued together repeat places and are refused.
    """
    seeds = [standing.seed for standing in standings]
    if len(set(seeds)) != len(seeds):
        raise BracketError("a seed appears twice in the standings")
    if sorted(standing.place for standing in standings) != list(range(1, len(standings) + 1)):
        raise BracketError("standings must give places 1..N exactly once")
    return sorted((Placement(standing.seed, standing.place) for standing in standings), key=lambda p: p.place)
