"""Standings and placements for round robin and Swiss."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .generators import BracketError
from .swiss import SwissPlayer


class Tiebreak(StrEnum):
    BUCHHOLZ = "buchholz"
    DIFFERENCE = "difference"


@dataclass(frozen=True)
class Result:
    """A finished match between seeds a and b; b None is a bye (a walkover win for a).

    The higher score wins; equal scores are a draw.
    """

    a: int
    b: int | None
    score_a: int = 0
    score_b: int = 0


@dataclass
class Standing:
    seed: int
    place: int = 0
    points: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    # Game/map difference over real matches (byes add nothing).
    difference: int = 0
    buchholz: int = 0
    had_bye: bool = False
    opponents: list[int] = field(default_factory=list)


def _tally(
    entrants: int, results: Iterable[Result], win: int, draw: int
) -> tuple[dict[int, Standing], dict[tuple[int, int], int]]:
    table = {seed: Standing(seed) for seed in range(1, entrants + 1)}
    # head_to_head[(x, y)]: points x took from its matches against y.
    head_to_head: dict[tuple[int, int], int] = {}
    for result in results:
        seeds = (result.a,) if result.b is None else (result.a, result.b)
        if any(seed not in table for seed in seeds) or result.a == result.b:
            raise BracketError(f"result {result} names an unknown seed")
        a = table[result.a]
        if result.b is None:
            a.had_bye = True
            a.wins += 1
            a.points += win
            continue
        b = table[result.b]
        a.opponents.append(b.seed)
        b.opponents.append(a.seed)
        a.difference += result.score_a - result.score_b
        b.difference += result.score_b - result.score_a
        if result.score_a == result.score_b:
            gained_a = gained_b = draw
            a.draws += 1
            b.draws += 1
        elif result.score_a > result.score_b:
            gained_a, gained_b = win, 0
            a.wins += 1
            b.losses += 1
        else:
            gained_a, gained_b = 0, win
            a.losses += 1
            b.wins += 1
        a.points += gained_a
        b.points += gained_b
        head_to_head[(a.seed, b.seed)] = head_to_head.get((a.seed, b.seed), 0) + gained_a
        head_to_head[(b.seed, a.seed)] = head_to_head.get((b.seed, a.seed), 0) + gained_b
    for standing in table.values():
        standing.buchholz = sum(table[opponent].points for opponent in standing.opponents)
    return table, head_to_head


def standings_compute(
    entrants: int,
    results: Iterable[Result],
    *,
    tiebreak: Tiebreak = Tiebreak.BUCHHOLZ,
    win: int = 3,
    draw: int = 1,
) -> list[Standing]:
    """Rank seeds 1..N: points, then head-to-head, then the tiebreak, then the better seed.

    Head-to-head is the points each player took from the others on the same points (a mini-league,
    applied once), so every place from 1 to N is given exactly once and the order is deterministic.
    """
    table, head_to_head = _tally(entrants, results, win, draw)
    level: dict[int, list[int]] = {}
    for standing in table.values():
        level.setdefault(standing.points, []).append(standing.seed)

    def mini_league(standing: Standing) -> int:
        return sum(head_to_head.get((standing.seed, other), 0) for other in level[standing.points])

    def key(standing: Standing) -> tuple[int, int, int, int]:
        second = standing.buchholz if tiebreak is Tiebreak.BUCHHOLZ else standing.difference
        return (-standing.points, -mini_league(standing), -second, standing.seed)

    ranked = sorted(table.values(), key=key)
    for place, standing in enumerate(ranked, start=1):
        standing.place = place
    return ranked


def swiss_players(entrants: int, results: Iterable[Result], *, win: int = 3, draw: int = 1) -> list[SwissPlayer]:
    """The input `swiss_pair_round` needs, tallied from the results so far."""
    table, _ = _tally(entrants, results, win, draw)
    return [
        SwissPlayer(standing.seed, standing.points, frozenset(standing.opponents), standing.had_bye)
        for standing in table.values()
    ]
