"""Property tests for advancing from groups to a playoff (pure, no database): exactly the top K of
each group go through, group winners are seeded first, and group mates meet as late as the bracket
allows; the final places rank the playoff, then the groups."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournaments.brackets.formats import (
    BracketError,
    Result,
    Side,
    bracket_size,
    double_elimination,
    elimination_placements,
    round_robin,
    single_elimination,
    standings_compute,
)
from tournaments.brackets.formats.advance import (
    earliest_meeting,
    playoff_seeding,
    playoff_size,
    two_stage_placements,
)

# A seeded generator rather than st.randoms(): a round robin of 64 needs 4,032 scores, and each
# draw through Hypothesis costs about 20 µs (this file took 5 s of CPU in a full run).
RANDOMS = st.integers(0, 2**32 - 1).map(random.Random)


def latest_possible_meeting(playoff: int, advance: int) -> int:
    """The best any seeding can do: K group mates in a bracket of S, cut into the fewest sections
    (a power of two) that hold one each, meet no earlier than the round that joins two sections."""
    rounds = bracket_size(playoff).bit_length() - 1
    return rounds - (bracket_size(advance).bit_length() - 1) + 1


def play_groups(entrants: int, groups: int, rng: random.Random) -> list[list[int]]:
    """A round robin in `groups` groups with random scores (draws too); each group's seeds, best first,
    ranked by the standings code the engine uses."""
    bracket = round_robin(entrants, groups=groups)
    results = []
    for match in bracket.matches:
        score_a, score_b = rng.randint(0, 2), rng.randint(0, 2)
        results.append(Result(match.slot_a.seed, match.slot_b.seed, score_a, score_b))
    ranked = standings_compute(entrants, results)
    return [[standing.seed for standing in ranked if standing.seed in members] for members in bracket.groups]


@st.composite
def group_stages(draw) -> tuple[int, int, int, random.Random]:
    """Entrants 2-64, a number of groups that gives each at least two, and K with a playoff of 2-32."""
    entrants = draw(st.integers(min_value=2, max_value=64))
    groups = draw(st.integers(min_value=1, max_value=min(entrants // 2, 32)))
    smallest = entrants // groups
    low, high = (2 if groups == 1 else 1), min(smallest, 32 // groups)
    advance = draw(st.integers(min_value=low, max_value=high))
    return entrants, groups, advance, draw(RANDOMS)


@settings(max_examples=200, deadline=None)
@given(group_stages())
def test_exactly_the_top_k_of_each_group_advance_seeded_across_groups(case):
    entrants, groups, advance, rng = case
    # given groups played to the end and ranked by the engine's standings
    tables = play_groups(entrants, groups, rng)

    # when the playoff is seeded from them
    seeds = playoff_seeding(tables, advance)

    # then exactly the top K of each group are in it, once each
    assert len(seeds) == len(set(seeds)) == groups * advance
    assert set(seeds) == {seed for table in tables for seed in table[:advance]}
    # and the r-th placed of every group fill the r-th block of seeds, group winners first in group order
    for rank in range(advance):
        block = seeds[rank * groups : (rank + 1) * groups]
        assert sorted(block) == sorted(table[rank] for table in tables)
    assert seeds[:groups] == [table[0] for table in tables]
    # and no two of a group can meet before the latest round any seeding allows
    position = {entrant: index + 1 for index, entrant in enumerate(seeds)}
    bound = latest_possible_meeting(len(seeds), advance)
    for table in tables:
        for a, b in itertools.combinations(table[:advance], 2):
            assert earliest_meeting(len(seeds), position[a], position[b]) >= bound


@pytest.mark.parametrize(
    ("groups", "advance"),
    [(g, k) for g in range(1, 33) for k in range(1, 33) if 2 <= g * k <= 32],
)
def test_every_playoff_of_2_to_32_keeps_group_mates_apart_in_both_elimination_formats(groups, advance):
    # given G groups sending K each (entrant ids that name their group and place)
    tables = [[(group, rank) for rank in range(advance)] for group in range(groups)]
    seeds = playoff_seeding(tables, advance)
    size = len(seeds)
    bound = latest_possible_meeting(size, advance)
    group_of = {seed: seeds[seed - 1][0] for seed in range(1, size + 1)}

    for bracket in (single_elimination(size), double_elimination(size)):
        # then in the generated bracket no winners-bracket match of a round before the bound can hold
        # two entrants of one group (reachable seeds per match, as the engine feeds them)
        reach: dict[str, set[int]] = {}
        for match in bracket.matches:
            found: set[int] = set()
            for slot in match.slots:
                found |= {slot.seed} if slot.seed is not None else reach.get(slot.match, set())
            reach[match.key] = found
            if match.side is Side.WINNERS and match.round < bound:
                a_side = {slot.seed} if (slot := match.slot_a).seed is not None else reach[slot.match]
                b_side = {slot.seed} if (slot := match.slot_b).seed is not None else reach[slot.match]
                assert not {group_of[s] for s in a_side} & {group_of[s] for s in b_side}, (groups, advance, match)


def test_four_groups_of_two_cross_over_and_meet_again_only_in_the_final():
    tables = [[f"{name}1", f"{name}2"] for name in "ABCD"]

    seeds = playoff_seeding(tables, 2)

    assert seeds == ["A1", "B1", "C1", "D1", "C2", "D2", "A2", "B2"]
    # 1 v 8, 4 v 5, 2 v 7, 3 v 6: every winner meets another group's runner-up
    first_round = single_elimination(8).matches[:4]
    pairs = [{seeds[m.slot_a.seed - 1], seeds[m.slot_b.seed - 1]} for m in first_round]
    assert pairs == [{"A1", "B2"}, {"D1", "C2"}, {"B1", "A2"}, {"C1", "D2"}]


def test_two_groups_cross_over():
    assert playoff_seeding([["A1", "A2"], ["B1", "B2"]], 2) == ["A1", "B1", "A2", "B2"]


@pytest.mark.parametrize(
    ("tables", "advance"),
    [([[1, 2], [3]], 2), ([[1]], 1), ([[1, 2]], 0), ([list(range(65)) for _ in range(2)], 33)],
)
def test_impossible_playoffs_are_refused(tables, advance):
    with pytest.raises(BracketError):
        playoff_size(tables, advance)


@settings(max_examples=200, deadline=None)
@given(group_stages(), st.booleans())
def test_final_places_rank_the_playoff_then_the_groups_by_place(case, double):
    entrants, groups, advance, rng = case
    tables = play_groups(entrants, groups, rng)
    seeds = playoff_seeding(tables, advance)
    bracket = double_elimination(len(seeds)) if double else single_elimination(len(seeds))
    # a playoff played with random winners
    outcomes: dict[str, tuple[int, int]] = {}
    who: dict[str, tuple[int, int]] = {}
    for match in bracket.matches:
        sides = []
        for slot in match.slots:
            if slot.seed is not None:
                sides.append(slot.seed)
            else:
                winner, loser = who[slot.match]
                sides.append(winner if slot.kind.value == "winner" else loser)
        a, b = sides
        result = (a, b) if rng.random() < 0.5 else (b, a)
        outcomes[match.key] = who[match.key] = result
    playoff = [type(place)(seeds[place.seed - 1], place.place) for place in elimination_placements(bracket, outcomes)]

    places = {placement.seed: placement.place for placement in two_stage_placements(playoff, tables, advance)}

    # every entrant has a place; everyone in the playoff is ahead of everyone who stayed in the groups
    assert set(places) == set(range(1, entrants + 1))
    assert min(places.values()) == 1
    out = [seed for table in tables for seed in table[advance:]]
    assert all(places[seed] > len(seeds) for seed in out)
    # and in the groups a better group place is never a worse final place; equal group places tie
    for table_a, table_b in itertools.product(tables, repeat=2):
        for rank_a, seed_a in enumerate(table_a[advance:]):
            for rank_b, seed_b in enumerate(table_b[advance:]):
                assert (rank_a < rank_b) == (places[seed_a] < places[seed_b])


@st.composite
def uneven_groups(draw) -> tuple[list[int], int, random.Random]:
    """Groups of any size from 2 to 64 each (not only the engine's snake split), and K with a playoff of 2-32."""
    count = draw(st.integers(min_value=1, max_value=16))
    sizes = draw(st.lists(st.integers(min_value=2, max_value=64), min_size=count, max_size=count))
    low, high = (2 if count == 1 else 1), min(min(sizes), 32 // count)
    advance = draw(st.integers(min_value=low, max_value=high))
    return sizes, advance, draw(RANDOMS)


@settings(max_examples=40, deadline=None)
@given(uneven_groups())
def test_every_group_size_from_2_to_64_sends_exactly_its_top_k(case):
    sizes, advance, rng = case
    # given groups of these sizes, each a round robin played with random scores and ranked by the engine
    tables, first = [], 1
    for size in sizes:
        members = list(range(first, first + size))
        first += size
        results = [
            Result(a - members[0] + 1, b - members[0] + 1, rng.randint(0, 3), rng.randint(0, 3))
            for a, b in itertools.combinations(members, 2)
        ]
        tables.append([members[0] + standing.seed - 1 for standing in standings_compute(size, results)])

    seeds = playoff_seeding(tables, advance)

    # then the playoff holds exactly each group's top K, winners first, group mates kept apart
    assert sorted(seeds) == sorted(entrant for table in tables for entrant in table[:advance])
    assert seeds[: len(tables)] == [table[0] for table in tables]
    position = {entrant: index + 1 for index, entrant in enumerate(seeds)}
    bound = latest_possible_meeting(len(seeds), advance)
    for table in tables:
        for a, b in itertools.combinations(table[:advance], 2):
            assert earliest_meeting(len(seeds), position[a], position[b]) >= bound
