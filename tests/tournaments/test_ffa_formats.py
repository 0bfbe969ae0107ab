"""Free-for-all arithmetic: points tables, dealing lobbies, validating a lobby's result, standings.

Pure functions, no database. The standings must be a total order under the tie-breaks (total
points, best placement, total kills, last round's placement, seed) for any results at all.
"""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournaments.brackets.formats import BracketError
from tournaments.brackets.formats.ffa import (
    PRESETS,
    FfaResultError,
    LobbyResult,
    PointsTable,
    ffa_lobbies,
    ffa_sort_key,
    ffa_standings,
    lobby_result_check,
    points_table_check,
)


@st.composite
def tournaments(draw):
    """Random entrants, lobby size, rounds and points table, and a valid result for every lobby of
    every round (lobbies dealt at random each round), possibly with the last rounds unplayed."""
    entrants = draw(st.integers(min_value=1, max_value=60))
    lobby_size = draw(st.integers(min_value=2, max_value=30))
    rounds = draw(st.integers(min_value=1, max_value=5))
    played = draw(st.integers(min_value=0, max_value=rounds))
    placement = draw(st.lists(st.integers(min_value=0, max_value=15), min_size=1, max_size=20))
    table = PointsTable(tuple(sorted(placement, reverse=True)), draw(st.integers(min_value=0, max_value=3)))
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    # Few distinct kill counts, so that ties on points and kills are common.
    max_kills = draw(st.integers(min_value=0, max_value=4))
    seeds = list(range(1, entrants + 1))
    results = []
    for round_number in range(1, played + 1):
        order = seeds[:]
        rng.shuffle(order)
        for lobby in ffa_lobbies(order, lobby_size):
            places = list(range(1, len(lobby) + 1))
            rng.shuffle(places)
            for seed, place in zip(lobby, places, strict=True):
                results.append(LobbyResult(seed, round_number, place, rng.randint(0, max_kills)))
    return seeds, results, table


@settings(max_examples=300, deadline=None)
@given(tournaments())
def test_standings_are_a_total_order_under_the_tie_breaks(case):
    # given random results of a free-for-all
    seeds, results, table = case

    # when the standings are computed
    standings = ffa_standings(seeds, results, table)

    # then every seed has exactly one place, 1..N, no ties
    assert sorted(standing.seed for standing in standings) == seeds
    assert [standing.place for standing in standings] == list(range(1, len(seeds) + 1))

    # and each standing's numbers are what its results say
    last_round = max((result.round for result in results), default=None)
    for standing in standings:
        own = [result for result in results if result.seed == standing.seed]
        assert standing.points == sum(table.points(result.placement, result.kills) for result in own)
        assert standing.kills == sum(result.kills for result in own)
        assert standing.best_placement == min((result.placement for result in own), default=None)
        last = [result.placement for result in own if result.round == last_round]
        assert standing.last_placement == (last[0] if last else None)

    # and consecutive entrants are strictly ordered by the tie-breaks, in their order of priority
    keys = [
        ffa_sort_key(
            seed=standing.seed,
            points=standing.points,
            best_placement=standing.best_placement,
            kills=standing.kills,
            last_placement=standing.last_placement,
        )
        for standing in standings
    ]
    assert all(earlier < later for earlier, later in itertools.pairwise(keys))
    for better, worse in itertools.pairwise(standings):
        assert better.points >= worse.points
        if better.points == worse.points:
            assert (better.best_placement or 10**9) <= (worse.best_placement or 10**9)

    # and the order does not depend on the order the results arrive in
    shuffled = results[:]
    random.Random(len(results)).shuffle(shuffled)
    assert ffa_standings(seeds, shuffled, table) == standings


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.integers(min_value=2, max_value=100))
def test_lobbies_hold_everyone_once_and_differ_by_one_at_most(entrants, lobby_size):
    lobbies = ffa_lobbies(list(range(1, entrants + 1)), lobby_size)
    assert sorted(seed for lobby in lobbies for seed in lobby) == list(range(1, entrants + 1))
    assert all(len(lobby) <= lobby_size for lobby in lobbies)
    assert max(map(len, lobbies)) - min(map(len, lobbies)) <= 1
    assert len(lobbies) == -(-entrants // lobby_size)


def test_forty_solos_in_lobbies_of_twenty_are_dealt_snake_wise():
    first, second = ffa_lobbies(list(range(1, 41)), 20)
    assert first[:4] == [1, 4, 5, 8] and second[:4] == [2, 3, 6, 7]
    assert len(first) == len(second) == 20


def test_the_tie_breaks_apply_in_order():
    # given four entrants on 11 points each (10, 6, 5 for 1st to 3rd, 1 a kill) and two who never played
    table = PointsTable((10, 6, 5), 1)
    results = [
        LobbyResult(1, 1, 1, 1),  # 11 + 0: best placement 1st
        LobbyResult(1, 2, 4, 0),
        LobbyResult(2, 1, 2, 0),  # 6 + 5: best 2nd, no kills, 3rd in the last round
        LobbyResult(2, 2, 3, 0),
        LobbyResult(3, 1, 3, 0),  # 5 + 6: best 2nd, no kills, 2nd in the last round
        LobbyResult(3, 2, 2, 0),
        LobbyResult(4, 1, 2, 1),  # 7 + 4: best 2nd, 5 kills
        LobbyResult(4, 2, 4, 4),
    ]

    # when they are ranked
    standings = ffa_standings([1, 2, 3, 4, 5, 6], results, table)

    # then best placement, kills, the last round and the seed decide, in that order
    assert {standing.points for standing in standings[:4]} == {11}
    assert [standing.seed for standing in standings] == [1, 4, 3, 2, 5, 6]


def test_the_last_round_breaks_a_tie_of_points_best_placement_and_kills():
    table = PointsTable((5, 3, 1), 0)
    results = [LobbyResult(1, 1, 1, 0), LobbyResult(1, 2, 3, 0), LobbyResult(2, 1, 3, 0), LobbyResult(2, 2, 1, 0)]
    assert [standing.seed for standing in ffa_standings([1, 2], results, table)] == [2, 1]


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([(1, 1, 0), (1, 2, 0), (2, 3, 0)], "duplicate"),
        ([(1, 1, 0), (2, 2, 0)], "entrants"),
        ([(1, 1, 0), (2, 2, 0), (4, 3, 0)], "entrants"),
        ([(1, 1, 0), (2, 1, 0), (3, 2, 0)], "placements"),
        ([(1, 0, 0), (2, 1, 0), (3, 2, 0)], "placements"),
        ([(1, 1, 0), (2, 2, 0), (3, 4, 0)], "placements"),
        ([(1, 1, 0), (2, 2, -1), (3, 3, 0)], "kills"),
    ],
)
def test_a_lobby_result_is_checked(rows, problem):
    with pytest.raises(FfaResultError) as raised:
        lobby_result_check({1, 2, 3}, rows)
    assert raised.value.problem == problem


def test_a_valid_lobby_result_passes():
    lobby_result_check({1, 2, 3}, [(3, 1, 5), (1, 2, 0), (2, 3, 1)])


def test_presets_are_valid_tables_and_points_follow_them():
    for table in PRESETS.values():
        assert points_table_check(table.placement, table.per_kill) == table
    pubg = PRESETS["pubg_mobile"]
    assert pubg.points(1, 4) == 14
    assert pubg.points(9, 2) == 2  # past the table: kills only


@pytest.mark.parametrize(
    ("placement", "per_kill"),
    [((), 1), ((5, 6), 1), ((5, -1), 1), ((5,), -1), ((1001,), 1), (tuple(range(101, 0, -1)), 1), ((True,), 1)],
)
def test_a_bad_points_table_is_refused(placement, per_kill):
    with pytest.raises(BracketError):
        points_table_check(placement, per_kill)
