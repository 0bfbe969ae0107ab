"""Property tests for final placements (pure, no database)."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournaments.brackets.formats import (
    Bracket,
    BracketError,
    Placement,
    Result,
    Side,
    Slot,
    SlotKind,
    Standing,
    bracket_size,
    double_elimination,
    elimination_placements,
    round_robin,
    single_elimination,
    standings_compute,
    standings_placements,
    swiss_default_rounds,
    swiss_pair_round,
    swiss_players,
)

SIZES = range(2, 65)
# A handful of random tournaments per (size, option): 126 cases each, so the whole file stays quick.
PER_SIZE = settings(max_examples=6, deadline=None)
# A seeded generator rather than st.randoms(): a 64-entrant round robin needs thousands of draws.
RANDOMS = st.integers(0, 2**32 - 1).map(random.Random)


def play(bracket: Bracket, rng: random.Random) -> dict[str, tuple[int, int]]:
    """Random results in dependency order; the reset is skipped when slot a won the grand final."""
    outcomes: dict[str, tuple[int, int]] = {}
    slot_a_of: dict[str, int] = {}

    def entrant(slot: Slot) -> int:
        assert slot.kind is not SlotKind.BYE, "byes are collapsed out of the generated matches"
        if slot.kind is SlotKind.SEED:
            return slot.seed
        winner, loser = outcomes[slot.match]
        return winner if slot.kind is SlotKind.WINNER else loser

    for match in bracket.matches:
        if match.conditional and outcomes["GF"][0] == slot_a_of["GF"]:
            continue
        a, b = entrant(match.slot_a), entrant(match.slot_b)
        slot_a_of[match.key] = a
        outcomes[match.key] = (a, b) if rng.random() < 0.5 else (b, a)
    return outcomes


def places_of(placements: list[Placement]) -> dict[int, int]:
    return {placement.seed: placement.place for placement in placements}


def assert_full_ranking(placements: list[Placement], entrants: int) -> None:
    """Every seed once, sorted by (place, seed), one winner, and a tie of n on place p is followed by p + n."""
    assert sorted(placement.seed for placement in placements) == list(range(1, entrants + 1))
    assert placements == sorted(placements, key=lambda placement: (placement.place, placement.seed))
    sizes = Counter(placement.place for placement in placements)
    assert sizes[1] == 1
    places = sorted(sizes)
    assert places[0] == 1
    for place, following in itertools.pairwise(places):
        assert following == place + sizes[place]
    assert places[-1] + sizes[places[-1]] == entrants + 1


def assert_eliminator_places_better(bracket: Bracket, outcomes: dict[str, tuple[int, int]], places) -> None:
    """Whoever beat someone in the match that ended their run finished strictly above them."""
    last_match = {}
    for match in bracket.matches:
        if match.key in outcomes:
            for seed in outcomes[match.key]:
                last_match[seed] = match.key
    for key, (winner, loser) in outcomes.items():
        if last_match[loser] == key:
            assert places[winner] < places[loser], f"{winner} beat {loser} in {key}"


# --- single elimination ------------------------------------------------------------------------------


@pytest.mark.parametrize("third_place", [False, True])
@pytest.mark.parametrize("entrants", SIZES)
@PER_SIZE
@given(rng=RANDOMS)
def test_single_elimination_placements(entrants, third_place, rng):
    bracket = single_elimination(entrants, third_place=third_place)
    outcomes = play(bracket, rng)

    placements = elimination_placements(bracket, outcomes)

    assert_full_ranking(placements, entrants)
    places = places_of(placements)
    winners_matches = [match for match in bracket.matches if match.side is Side.WINNERS]
    final = winners_matches[-1]
    champion, runner_up = outcomes[final.key]
    assert places[champion] == 1
    assert places[runner_up] == 2
    assert champion not in {loser for _, loser in outcomes.values()}, "the champion never lost"
    assert_eliminator_places_better(bracket, outcomes, places)
    # 2^k + 1 for everyone who lost before the final: 3rd (semis), 5th (quarters), 9th...
    size = bracket_size(entrants)
    for match in winners_matches[:-1]:
        loser = outcomes[match.key][1]
        if "3P" not in outcomes or loser not in outcomes["3P"]:
            assert places[loser] == size // 2**match.round + 1
    if "3P" in outcomes:
        assert (places[outcomes["3P"][0]], places[outcomes["3P"][1]]) == (3, 4)
    elif entrants >= 4:
        assert sorted(places.values())[2:4] == [3, 3]


@pytest.mark.parametrize(
    ("entrants", "third_place", "expected"),
    [
        (2, False, [1, 2]),
        (3, True, [1, 2, 3]),
        (4, False, [1, 2, 3, 3]),
        (4, True, [1, 2, 3, 4]),
        (5, False, [1, 2, 3, 3, 5]),
        (8, False, [1, 2, 3, 3, 5, 5, 5, 5]),
        (8, True, [1, 2, 3, 4, 5, 5, 5, 5]),
        (12, False, [1, 2, 3, 3, 5, 5, 5, 5, 9, 9, 9, 9]),
    ],
)
def test_single_elimination_place_table(entrants, third_place, expected):
    bracket = single_elimination(entrants, third_place=third_place)

    placements = elimination_placements(bracket, play(bracket, random.Random(entrants)))

    assert [placement.place for placement in placements] == expected


def test_single_elimination_worked_example():
    bracket = single_elimination(4, third_place=True)
    # W1-1 is 1 v 4, W1-2 is 2 v 3: the underdogs win both semifinals
    outcomes = {"W1-1": (4, 1), "W1-2": (3, 2), "W2-1": (3, 4), "3P": (2, 1)}

    assert elimination_placements(bracket, outcomes) == [
        Placement(3, 1),
        Placement(4, 2),
        Placement(2, 3),
        Placement(1, 4),
    ]


# --- double elimination ------------------------------------------------------------------------------


@pytest.mark.parametrize("reset", [False, True])
@pytest.mark.parametrize("entrants", SIZES)
@PER_SIZE
@given(rng=RANDOMS)
def test_double_elimination_placements(entrants, reset, rng):
    bracket = double_elimination(entrants, bracket_reset=reset)
    outcomes = play(bracket, rng)

    placements = elimination_placements(bracket, outcomes)

    assert_full_ranking(placements, entrants)
    places = places_of(placements)
    deciding = "GF-reset" if "GF-reset" in outcomes else "GF"
    champion, runner_up = outcomes[deciding]
    assert places[champion] == 1
    assert places[runner_up] == 2
    losses = Counter(loser for _, loser in outcomes.values())
    assert losses[champion] <= 1
    assert_eliminator_places_better(bracket, outcomes, places)
    # Everyone else lost twice, the second time in the losers bracket; a later round is a better place
    # and the same round is the same place.
    knocked_out = {}
    for match in bracket.matches:
        if match.side is Side.LOSERS:
            knocked_out[outcomes[match.key][1]] = match.round
    assert set(knocked_out) == set(range(1, entrants + 1)) - {champion, runner_up}
    assert all(losses[seed] == 2 for seed in knocked_out)
    assert {places[seed] for seed in knocked_out}.isdisjoint({1, 2})
    for x, y in itertools.permutations(knocked_out, 2):
        if knocked_out[x] > knocked_out[y]:
            assert places[x] < places[y]
        elif knocked_out[x] == knocked_out[y]:
            assert places[x] == places[y]
    # The last losers round sends its loser home in 3rd.
    if entrants >= 3:
        assert places[outcomes[[m for m in bracket.matches if m.side is Side.LOSERS][-1].key][1]] == 3
    # The ranking only depends on the results: with the reset unplayed, it is the no-reset bracket's.
    if reset and "GF-reset" not in outcomes:
        assert elimination_placements(double_elimination(entrants), outcomes) == placements


@pytest.mark.parametrize(
    ("entrants", "expected"),
    [
        (2, [1, 2]),
        (3, [1, 2, 3]),
        (4, [1, 2, 3, 4]),
        (5, [1, 2, 3, 4, 5]),
        (6, [1, 2, 3, 4, 5, 5]),
        (7, [1, 2, 3, 4, 5, 5, 7]),
        (8, [1, 2, 3, 4, 5, 5, 7, 7]),
        (12, [1, 2, 3, 4, 5, 5, 7, 7, 9, 9, 9, 9]),
        (16, [1, 2, 3, 4, 5, 5, 7, 7, *[9] * 4, *[13] * 4]),
        (32, [1, 2, 3, 4, 5, 5, 7, 7, *[9] * 4, *[13] * 4, *[17] * 8, *[25] * 8]),
    ],
)
@pytest.mark.parametrize("reset", [False, True])
def test_double_elimination_place_table(entrants, reset, expected):
    bracket = double_elimination(entrants, bracket_reset=reset)

    placements = elimination_placements(bracket, play(bracket, random.Random(entrants)))

    assert [placement.place for placement in placements] == expected


def test_double_elimination_reset_decides_the_title():
    bracket = double_elimination(2, bracket_reset=True)
    # 1 wins the winners final, 2 comes back through the grand final and the reset
    outcomes = {"W1-1": (1, 2), "GF": (2, 1), "GF-reset": (2, 1)}

    assert elimination_placements(bracket, outcomes) == [Placement(2, 1), Placement(1, 2)]
    # without a reset, the losers-bracket champion wins the title in the grand final itself
    assert elimination_placements(double_elimination(2), {"W1-1": (1, 2), "GF": (2, 1)}) == [
        Placement(2, 1),
        Placement(1, 2),
    ]


# --- bad results -------------------------------------------------------------------------------------


def finished(bracket: Bracket, seed: int = 0) -> dict[str, tuple[int, int]]:
    return play(bracket, random.Random(seed))


def grand_final_won_by(slot: str, entrants: int = 8) -> dict[str, tuple[int, int]]:
    bracket = double_elimination(entrants, bracket_reset=True)
    for seed in itertools.count():
        outcomes = finished(bracket, seed)
        if ("GF-reset" in outcomes) == (slot == "b"):
            return outcomes
    raise AssertionError  # pragma: no cover


@pytest.mark.parametrize(
    ("bracket", "spoil"),
    [
        # a match left unplayed
        (single_elimination(8), lambda outcomes: outcomes.pop("W2-1")),
        (single_elimination(8, third_place=True), lambda outcomes: outcomes.pop("3P")),
        (double_elimination(8), lambda outcomes: outcomes.pop("L3-1")),
        (double_elimination(8), lambda outcomes: outcomes.pop("GF")),
        # a winner who was not in that match
        (single_elimination(8), lambda outcomes: outcomes.update({"W1-1": (2, 1)})),
        (double_elimination(8), lambda outcomes: outcomes.update({"W1-1": (1, 1)})),
        # the favourite wins a first-round match it lost in the results below it
        (single_elimination(4), lambda outcomes: outcomes.update({"W1-1": outcomes["W1-1"][::-1]})),
        # a key that is not in this bracket
        (single_elimination(4), lambda outcomes: outcomes.update({"L1-1": (1, 2)})),
        # not a (winner, loser) pair
        (single_elimination(4), lambda outcomes: outcomes.update({"W2-1": (1,)})),
    ],
)
def test_incomplete_or_inconsistent_results_are_refused(bracket, spoil):
    outcomes = finished(bracket)
    spoil(outcomes)

    with pytest.raises(BracketError):
        elimination_placements(bracket, outcomes)


def test_the_reset_is_required_exactly_when_slot_b_won_the_grand_final():
    bracket = double_elimination(8, bracket_reset=True)

    needed = grand_final_won_by("b")
    del needed["GF-reset"]
    with pytest.raises(BracketError):
        elimination_placements(bracket, needed)

    not_needed = grand_final_won_by("a")
    grand_final = not_needed["GF"]
    not_needed["GF-reset"] = grand_final
    with pytest.raises(BracketError):
        elimination_placements(bracket, not_needed)


def test_other_formats_are_not_elimination_brackets():
    bracket = round_robin(4)
    outcomes = {match.key: (match.slot_a.seed, match.slot_b.seed) for match in bracket.matches}

    with pytest.raises(BracketError):
        elimination_placements(bracket, outcomes)


# --- round robin and Swiss ---------------------------------------------------------------------------


def score(rng: random.Random) -> tuple[int, int]:
    return rng.choice([(2, 0), (0, 2), (2, 1), (1, 2), (1, 1)])


def assert_distinct_places(placements: list[Placement], entrants: int) -> None:
    assert [placement.place for placement in placements] == list(range(1, entrants + 1))
    assert sorted(placement.seed for placement in placements) == list(range(1, entrants + 1))


@pytest.mark.parametrize("entrants", SIZES)
@settings(max_examples=3, deadline=None)
@given(rng=RANDOMS)
def test_round_robin_placements_across_groups(entrants, rng):
    for groups in range(1, min(4, entrants // 2) + 1):
        bracket = round_robin(entrants, groups=groups)
        results = [Result(m.slot_a.seed, m.slot_b.seed, *score(rng)) for m in bracket.matches]

        # one table over every group's results ranks the whole field
        standings = standings_compute(entrants, results)
        placements = standings_placements(standings)

        assert_distinct_places(placements, entrants)
        assert [(p.seed, p.place) for p in placements] == [(s.seed, s.place) for s in standings]


@pytest.mark.parametrize("entrants", SIZES)
@settings(max_examples=3, deadline=None)
@given(rng=RANDOMS)
def test_swiss_placements(entrants, rng):
    results: list[Result] = []
    for round_number in range(1, swiss_default_rounds(entrants) + 1):
        paired = swiss_pair_round(swiss_players(entrants, results), round_number=round_number)
        for match in paired.matches:
            if match.slot_b.is_bye:
                results.append(Result(match.slot_a.seed, None))
            else:
                results.append(Result(match.slot_a.seed, match.slot_b.seed, *score(rng)))

    standings = standings_compute(entrants, results)
    placements = standings_placements(standings)

    assert_distinct_places(placements, entrants)
    points = {standing.seed: standing.points for standing in standings}
    assert all(points[a.seed] >= points[b.seed] for a, b in itertools.pairwise(placements))


def test_standings_placements_sorts_by_place_and_refuses_glued_group_tables():
    shuffled = [Standing(3, place=2), Standing(1, place=3), Standing(2, place=1)]

    assert standings_placements(shuffled) == [Placement(2, 1), Placement(3, 2), Placement(1, 3)]
    # two groups ranked separately: places 1 and 2 twice
    glued = [Standing(1, place=1), Standing(3, place=2), Standing(2, place=1), Standing(4, place=2)]
    with pytest.raises(BracketError):
        standings_placements(glued)
    with pytest.raises(BracketError):
        standings_placements([Standing(1, place=1), Standing(1, place=2)])
