"""Property tests for prize money arithmetic (pure, no database)."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tournaments.brackets.formats import Placement, Slot, SlotKind, double_elimination, elimination_placements
from tournaments.prizes import PrizeSplit, position_amounts, prize_amounts, split_evenly

SEN = Decimal("0.01")
FAST = settings(max_examples=300, deadline=None)

amounts = st.integers(0, 10_000_000).map(lambda sen: Decimal(sen).scaleb(-2))


@st.composite
def distributions(draw) -> list[int]:
    """Positive whole percentages summing to 100: the gaps between sorted cut points in 1..99."""
    cuts = draw(st.lists(st.integers(1, 99), unique=True, max_size=11).map(sorted))
    return [b - a for a, b in itertools.pairwise([0, *cuts, 100])]


@st.composite
def rankings(draw, max_entrants: int = 24) -> list[Placement]:
    """A full ranking with random ties (1, 2, 2, 4...) over seeds in a random order, listed shuffled."""
    entrants = draw(st.integers(0, max_entrants))
    seeds = draw(st.permutations(range(1, entrants + 1)))
    placements = []
    place = 1
    while len(placements) < entrants:
        size = draw(st.integers(1, entrants - len(placements)))
        placements += [Placement(seed, place) for seed in seeds[place - 1 : place - 1 + size]]
        place += size
    return draw(st.permutations(placements))


def prize(split: PrizeSplit, seed: int) -> Decimal:
    return split.by_seed.get(seed, Decimal("0.00"))


def is_sen(amount: Decimal) -> bool:
    return amount == amount.quantize(SEN) and amount.as_tuple().exponent == -2


# --- split_evenly ------------------------------------------------------------------------------------


@FAST
@given(amount=amounts, parts=st.integers(1, 50))
def test_split_evenly_adds_up_and_is_as_even_as_sen_allow(amount, parts):
    shares = split_evenly(amount, parts)

    assert len(shares) == parts
    assert sum(shares) == amount
    assert all(is_sen(share) and share >= 0 for share in shares)
    assert max(shares) - min(shares) <= SEN
    assert shares == sorted(shares, reverse=True), "the odd sen go to the first shares"


@pytest.mark.parametrize(
    ("amount", "parts", "expected"),
    [
        ("10.00", 3, ["3.34", "3.33", "3.33"]),
        ("0.02", 3, ["0.01", "0.01", "0.00"]),
        ("0.00", 2, ["0.00", "0.00"]),
        ("7", 1, ["7.00"]),
        ("100.01", 2, ["50.01", "50.00"]),
    ],
)
def test_split_evenly_examples(amount, parts, expected):
    assert split_evenly(Decimal(amount), parts) == [Decimal(share) for share in expected]


@pytest.mark.parametrize(
    ("amount", "parts"),
    [(Decimal("-0.01"), 2), (Decimal("1.005"), 2), (Decimal("NaN"), 2), (Decimal("1.00"), 0), (1.5, 2)],
)
def test_split_evenly_refuses_bad_input(amount, parts):
    with pytest.raises(ValueError):
        split_evenly(amount, parts)


# --- position amounts --------------------------------------------------------------------------------


@FAST
@given(pool=amounts, distribution=distributions())
def test_positions_add_up_and_only_first_place_gets_the_rounding(pool, distribution):
    positions = position_amounts(pool, distribution)

    assert len(positions) == len(distribution)
    assert sum(positions) == pool
    assert all(is_sen(amount) for amount in positions)
    exact = [pool * pct / 100 for pct in distribution]
    # 2nd and below: the exact share rounded down; 1st: at least its exact share, and fewer extra sen
    # than there are positions
    for amount, share in zip(positions[1:], exact[1:], strict=True):
        assert share - SEN < amount <= share
    assert exact[0] <= positions[0] < exact[0] + SEN * len(distribution)


def test_position_amounts_with_decimal_percentages():
    assert position_amounts(Decimal("100.00"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    # 10.01 * 33.33% = 3.336.. and * 33.34% = 3.337..: 3.33 each, and the 2 sen left over go to 1st
    assert position_amounts(Decimal("10.01"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("3.35"),
        Decimal("3.33"),
        Decimal("3.33"),
    ]


@pytest.mark.parametrize(
    "distribution",
    [[60, 30], [60, 30, 10, 0], [110, -10], [True, 99], [50.0, 50], [Decimal("NaN")], []],
)
def test_bad_distributions_are_refused(distribution):
    with pytest.raises(ValueError):
        position_amounts(Decimal("100.00"), distribution)


def test_a_zero_pool_needs_no_distribution():
    assert position_amounts(Decimal("0.00"), []) == []
    assert prize_amounts(Decimal("0.00"), [], [Placement(1, 1), Placement(2, 2)]) == PrizeSplit({}, Decimal("0.00"))


# --- prize amounts -----------------------------------------------------------------------------------


@FAST
@given(pool=amounts, distribution=distributions(), placements=rankings())
def test_prizes_conserve_the_pool_and_split_ties_fairly(pool, distribution, placements):
    split = prize_amounts(pool, distribution, placements)

    # not a sen created or lost, nobody negative, only winners listed
    assert sum(split.by_seed.values()) + split.unawarded == pool
    assert all(is_sen(amount) and amount > 0 for amount in split.by_seed.values())
    assert is_sen(split.unawarded) and split.unawarded >= 0
    assert set(split.by_seed) <= {placement.seed for placement in placements}
    # deterministic, whatever order the placements come in
    assert prize_amounts(pool, distribution, placements) == split
    assert prize_amounts(pool, distribution, sorted(placements, key=lambda p: -p.seed)) == split

    positions = [*position_amounts(pool, distribution), *[Decimal("0.00")] * len(placements)]
    ties: dict[int, list[int]] = {}
    for placement in placements:
        ties.setdefault(placement.place, []).append(placement.seed)
    for place, seeds in ties.items():
        shares = [prize(split, seed) for seed in sorted(seeds)]
        # a tie on place p shares positions p..p+n-1, within a sen of each other, better seed first
        assert sum(shares) == sum(positions[place - 1 : place - 1 + len(seeds)])
        assert max(shares) - min(shares) <= SEN
        assert shares == sorted(shares, reverse=True)
    # what nobody reached is handed back, and only that
    assert split.unawarded == sum(positions[len(placements) : len(distribution)])


@FAST
@given(pool=amounts, distribution=distributions(), placements=rankings())
def test_with_falling_percentages_a_better_place_never_wins_less(pool, distribution, placements):
    distribution.sort(reverse=True)

    split = prize_amounts(pool, distribution, placements)

    for better, worse in itertools.permutations(placements, 2):
        if better.place < worse.place:
            assert prize(split, better.seed) >= prize(split, worse.seed)


@pytest.mark.parametrize(
    ("pool", "distribution", "places", "expected", "unawarded"),
    [
        # seeds are listed in place order below: seed k has the k-th place of `places`
        ("100.00", [60, 30, 10], [1, 2, 3, 3], ["60.00", "30.00", "5.00", "5.00"], "0.00"),
        ("10.00", [50, 30, 20], [1, 1, 1], ["3.34", "3.33", "3.33"], "0.00"),
        ("100.00", [50, 30, 20], [1, 2], ["50.00", "30.00"], "20.00"),
        ("100.00", [70, 30], [1, 2, 3, 3], ["70.00", "30.00", None, None], "0.00"),
        ("100.00", [50, 30, 20], [1, 2, 2], ["50.00", "25.00", "25.00"], "0.00"),
        # three-way tie for 2nd over 30 + 20 + 0: 50.00 in thirds
        ("100.00", [50, 30, 20], [1, 2, 2, 2], ["50.00", "16.67", "16.67", "16.66"], "0.00"),
        # 0.01 * 60% and * 40% both round down to 0: the sen goes to 1st
        ("0.01", [60, 40], [1, 2], ["0.01", None], "0.00"),
        ("0.05", [34, 33, 33], [1, 1, 1], ["0.02", "0.02", "0.01"], "0.00"),
        ("55.55", [100], [1, 2], ["55.55", None], "0.00"),
        ("100.00", [60, 30, 10], [], [], "100.00"),
    ],
)
def test_prize_examples(pool, distribution, places, expected, unawarded):
    placements = [Placement(seed, place) for seed, place in enumerate(places, start=1)]

    split = prize_amounts(Decimal(pool), distribution, placements)

    assert split.by_seed == {
        seed: Decimal(amount) for seed, amount in enumerate(expected, start=1) if amount is not None
    }
    assert split.unawarded == Decimal(unawarded)


def test_odd_sen_of_a_tie_go_to_the_lower_seed_numbers_not_the_listing_order():
    placements = [Placement(9, 1), Placement(4, 1), Placement(7, 1)]

    split = prize_amounts(Decimal("10.00"), [100], placements)

    assert split.by_seed == {4: Decimal("3.34"), 7: Decimal("3.33"), 9: Decimal("3.33")}
    assert list(split.by_seed) == [4, 7, 9]


@pytest.mark.parametrize(
    "places",
    [
        [(1, 2), (2, 3)],  # nobody first
        [(1, 1), (2, 1), (3, 2)],  # a tie for 1st is followed by 3rd, not 2nd
        [(1, 1), (2, 3)],  # 2nd is missing
        [(1, 1), (1, 2)],  # a seed placed twice
    ],
)
def test_placements_that_are_not_a_ranking_are_refused(places):
    with pytest.raises(ValueError):
        prize_amounts(Decimal("100.00"), [60, 40], [Placement(seed, place) for seed, place in places])


def test_a_real_double_elimination_ranking_pays_out_the_whole_pool():
    rng = random.Random(7)
    bracket = double_elimination(13)
    outcomes: dict[str, tuple[int, int]] = {}

    def entrant(slot: Slot) -> int:
        if slot.kind is SlotKind.SEED:
            return slot.seed
        winner, loser = outcomes[slot.match]
        return winner if slot.kind is SlotKind.WINNER else loser

    for match in bracket.matches:
        a, b = entrant(match.slot_a), entrant(match.slot_b)
        outcomes[match.key] = (a, b) if rng.random() < 0.5 else (b, a)
    placements = elimination_placements(bracket, outcomes)

    split = prize_amounts(Decimal("1234.56"), [40, 25, 15, 10, 6, 4], placements)

    # 1st: 493.824 -> 493.82 plus the 2 sen the rounding down left over; 5th is a tie over the 6% and
    # 4% positions (74.07 + 49.38 = 123.45), the odd sen to the lower seed
    assert [p.place for p in placements][:7] == [1, 2, 3, 4, 5, 5, 7]
    assert [split.by_seed[p.seed] for p in placements[:6]] == [
        Decimal("493.84"),
        Decimal("308.64"),
        Decimal("185.18"),
        Decimal("123.45"),
        Decimal("61.73"),
        Decimal("61.72"),
    ]
    assert len(split.by_seed) == 6
    assert split.unawarded == 0
