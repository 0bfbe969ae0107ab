"""Prize money arithmetic: pure Decimal in whole sen (0.01), no database.

Everything here conserves money to the sen: the amounts handed out plus what is left over always add
up to exactly what came in. Internally amounts are integers of sen so no rounding can creep in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from tournaments.brackets.formats.placements import Placement

SEN = Decimal("0.01")


@dataclass(frozen=True)
class PrizeSplit:
    # seed -> prize, only for seeds that win something, best place first.
    by_seed: dict[int, Decimal]
    # Money for prize positions nobody reached (fewer entrants than positions): back to the organizer.
    unawarded: Decimal


def _to_sen(amount: Decimal, name: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise ValueError(f"{name} must be a Decimal, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite amount >= 0")
    sen = value.scaleb(2)
    if sen != sen.to_integral_value():
        raise ValueError(f"{name} must be a whole number of sen")
    return int(sen)


def _from_sen(sen: int) -> Decimal:
    return Decimal(sen).scaleb(-2).quantize(SEN)


def _split_sen(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + 1 if index < extra else base for index in range(parts)]


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` in `parts` shares that add up to it exactly and differ by at most 0.01.

    The odd sen go to the first shares, so the caller decides who gets them by the order it uses
    (e.g. team members by user id). Raises ValueError for a negative or sub-sen amount or parts < 1.
    """
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise ValueError("parts must be an integer >= 1")
    return [_from_sen(share) for share in _split_sen(_to_sen(amount, "amount"), parts)]


def _percentages(distribution: Sequence[int | Decimal]) -> list[Fraction]:
    shares = []
    for share in distribution:
        if isinstance(share, bool) or not isinstance(share, Decimal | int) or not Decimal(share).is_finite():
            raise ValueError("percentages must be integers or Decimals")
        if share <= 0:
            raise ValueError("percentages must be positive")
        shares.append(Fraction(share))
    if shares and sum(shares) != 100:
        raise ValueError("percentages must add up to 100")
    return shares


def _position_sen(pool: Decimal, distribution: Sequence[int | Decimal]) -> list[int]:
    pool_sen = _to_sen(pool, "pool")
    shares = _percentages(distribution)
    if not shares:
        if pool_sen:
            raise ValueError("a prize pool needs a distribution")
        return []
    amounts = [math.floor(pool_sen * share / 100) for share in shares]
    # Rounding every position down leaves fewer sen than positions; 1st place takes them. That is
    # deterministic and nobody else ends up below their exact share rounded down.
    amounts[0] += pool_sen - sum(amounts)
    return amounts


def position_amounts(pool: Decimal, distribution: Sequence[int | Decimal]) -> list[Decimal]:
    """What prize positions 1st, 2nd, ... are worth: pool * pct / 100 rounded down to the sen, with
    the sen left over by the rounding added to 1st. Adds up to `pool` exactly.

    `distribution` is percentages (ints or Decimals, each > 0) summing to 100; it may be empty only
    for a zero pool. Raises ValueError otherwise.
    """
    return [_from_sen(amount) for amount in _position_sen(pool, distribution)]


def _tie_groups(placements: Sequence[Placement]) -> list[tuple[int, list[int]]]:
    """(place, seeds best seed first) per place; the places must be 1, then each p + size of the tie at p."""
    seeds = [placement.seed for placement in placements]
    if len(set(seeds)) != len(seeds):
        raise ValueError("a seed is placed twice")
    by_place: dict[int, list[int]] = {}
    for placement in placements:
        by_place.setdefault(placement.place, []).append(placement.seed)
    groups = []
    expected = 1
    for place in sorted(by_place):
        if place != expected:
            raise ValueError(f"place {place} follows a tie that ends at {expected - 1}")
        groups.append((place, sorted(by_place[place])))
        expected += len(by_place[place])
    return groups


def prize_amounts(pool: Decimal, distribution: Sequence[int | Decimal], placements: Sequence[Placement]) -> PrizeSplit:
    """Share `pool` out by placement: sum(by_seed) + unawarded == pool, exactly.

    Position k is worth `position_amounts(pool, distribution)[k - 1]` (0 past the distribution). The n
    entrants tied on place p hold positions p..p+n-1 and split their total evenly, the odd sen going to
    the lower seed numbers first. Positions below the last placed entrant are `unawarded`. `placements`
    must be a full ranking (1, 2, 3, 3, 5...: what `elimination_placements` and `standings_placements`
    return); raises ValueError otherwise or for a bad pool or distribution.
    """
    positions = _position_sen(pool, distribution)
    by_seed: dict[int, Decimal] = {}
    awarded = 0
    for place, seeds in _tie_groups(placements):
        total = sum(positions[place - 1 : place - 1 + len(seeds)])
        awarded += total
        for seed, share in zip(seeds, _split_sen(total, len(seeds)), strict=True):
            if share:
                by_seed[seed] = _from_sen(share)
    return PrizeSplit(by_seed, _from_sen(sum(positions) - awarded))


def event_prize_split(event, placements: Sequence[Placement]) -> PrizeSplit:
    """`prize_amounts` for an event's pool and distribution (what the payout and every preview of it use)."""
    return prize_amounts(event.prize_pool, [Decimal(str(share)) for share in event.prize_distribution], placements)
