"""Free-for-all (battle royale): lobbies, points per placement and per kill, standings across rounds.

Pure like the other formats: seeds in, lobbies and standings out. A round puts every entrant in
one lobby; each lobby's result is a placement (1..n, each once) and a kill count per entrant; the
points table turns them into points. Standings order entrants by total points, then best single
placement, then total kills, then the placement in the last round played, then seed: a total
order, so the final places are 1..N with no ties.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .generators import BracketError

T = TypeVar("T")

MAX_LOBBY_SIZE = 100
MAX_ROUNDS = 20
MAX_POINTS = 1000


class FfaResultError(BracketError):
    """A lobby's result that cannot stand; `problem` names what: "duplicate", "entrants",
    "placements" or "kills"."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class PointsTable:
    """Points for 1st, 2nd, ... (places past the end score 0) and for each kill."""

    placement: tuple[int, ...]
    per_kill: int = 1

    def points(self, placement: int, kills: int) -> int:
        return self.placement_points(placement) + kills * self.per_kill

    def placement_points(self, placement: int) -> int:
        return self.placement[placement - 1] if 1 <= placement <= len(self.placement) else 0


# Standard tables: PUBG Mobile's esports scoring (PMPL/PMGC since 2021), Free Fire's (FFWS) and
# Apex Legends' (ALGS), each with 1 point a kill.
PRESETS: dict[str, PointsTable] = {
    "pubg_mobile": PointsTable((10, 6, 5, 4, 3, 2, 1, 1), 1),
    "free_fire": PointsTable((12, 9, 8, 7, 6, 5, 4, 3, 2, 1), 1),
    "apex": PointsTable((12, 9, 7, 5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1), 1),
}
DEFAULT_PRESET = "pubg_mobile"


def points_table_check(placement: Sequence[int], per_kill: int) -> PointsTable:
    """A table from an organizer's numbers: 1 to 100 whole, non-negative placement points that never
    grow from one place to the next (a better place never earns less), and 0..1000 a kill."""
    values = tuple(placement)
    if not 1 <= len(values) <= MAX_LOBBY_SIZE:
        raise BracketError(f"a points table has 1 to {MAX_LOBBY_SIZE} places")
    if any(isinstance(value, bool) or not isinstance(value, int) for value in (*values, per_kill)):
        raise BracketError("points are whole numbers")
    if any(not 0 <= value <= MAX_POINTS for value in (*values, per_kill)):
        raise BracketError(f"points are between 0 and {MAX_POINTS}")
    if any(later > earlier for earlier, later in itertools.pairwise(values)):
        raise BracketError("a better place never earns fewer points")
    return PointsTable(values, per_kill)


def lobby_count(entrants: int, lobby_size: int) -> int:
    if entrants < 1 or lobby_size < 2:
        raise BracketError("a free-for-all needs entrants and lobbies of at least 2")
    return math.ceil(entrants / lobby_size)


def ffa_lobbies(order: Sequence[T], lobby_size: int) -> list[list[T]]:
    """Deal `order` (seeds, best first) into as few lobbies as `lobby_size` allows, snake-wise
    (1st, 2nd, ..., kth, then kth, ..., 1st), so lobbies differ by one entrant at most and the
    strong ones are spread over them."""
    count = lobby_count(len(order), lobby_size)
    lobbies: list[list[T]] = [[] for _ in range(count)]
    for index, seed in enumerate(order):
        lap, offset = divmod(index, count)
        lobbies[offset if lap % 2 == 0 else count - 1 - offset].append(seed)
    return lobbies


@dataclass(frozen=True)
class LobbyResult:
    """One entrant's result in one round: its placement in its lobby and its kills."""

    seed: int
    round: int
    placement: int
    kills: int


def lobby_result_check(seeds: Iterable[int], rows: Iterable[tuple[int, int, int]]) -> None:
    """`rows` (seed, placement, kills) name every seed of the lobby once, their placements are
    1..n each once, and kills are >= 0; FfaResultError says what is wrong otherwise."""
    expected, rows = set(seeds), list(rows)
    named = [seed for seed, _placement, _kills in rows]
    if len(set(named)) != len(named):
        raise FfaResultError("duplicate", "an entrant is listed twice")
    if set(named) != expected:
        raise FfaResultError("entrants", "every entrant of the lobby needs a result, and only they")
    if sorted(placement for _seed, placement, _kills in rows) != list(range(1, len(rows) + 1)):
        raise FfaResultError("placements", f"placements must be 1 to {len(rows)}, each once")
    if any(kills < 0 for _seed, _placement, kills in rows):
        raise FfaResultError("kills", "kills cannot be negative")


@dataclass(frozen=True)
class FfaStanding:
    seed: int
    place: int
    points: int
    placement_points: int
    kills: int
    rounds_played: int
    best_placement: int | None
    last_placement: int | None
    # Points per round played (round -> points).
    round_points: Mapping[int, int]

    @property
    def kill_points(self) -> int:
        return self.points - self.placement_points


def ffa_sort_key(
    *, seed: int, points: int, best_placement: int | None, kills: int, last_placement: int | None
) -> tuple:
    """The standings' order: more points, better best placement, more kills, better placement in
    the last round, lower seed. Unplayed placements sort last."""
    never = math.inf
    return (
        -points,
        never if best_placement is None else best_placement,
        -kills,
        never if last_placement is None else last_placement,
        seed,
    )


def ffa_standings(seeds: Iterable[int], results: Iterable[LobbyResult], table: PointsTable) -> list[FfaStanding]:
    """Every seed's standing over `results`, best first, places 1..N (no ties).

    "Last round" is the latest round anyone has a result in; an entrant without a result in it
    ranks after those with one on that tie-break.
    """
    seeds = list(seeds)
    known = set(seeds)
    per_seed: dict[int, list[LobbyResult]] = {seed: [] for seed in seeds}
    for result in results:
        if result.seed not in known:
            raise BracketError(f"result for unknown seed {result.seed}")
        per_seed[result.seed].append(result)
    last_round = max((result.round for rows in per_seed.values() for result in rows), default=None)
    rows = []
    for seed, played in per_seed.items():
        if len({result.round for result in played}) != len(played):
            raise BracketError(f"seed {seed} has two results in one round")
        round_points = {result.round: table.points(result.placement, result.kills) for result in played}
        last = next((result.placement for result in played if result.round == last_round), None)
        rows.append(
            dict(
                seed=seed,
                points=sum(round_points.values()),
                placement_points=sum(table.placement_points(result.placement) for result in played),
                kills=sum(result.kills for result in played),
                rounds_played=len(played),
                best_placement=min((result.placement for result in played), default=None),
                last_placement=last,
                round_points=round_points,
            )
        )
    rows.sort(
        key=lambda row: ffa_sort_key(
            seed=row["seed"],
            points=row["points"],
            best_placement=row["best_placement"],
            kills=row["kills"],
            last_placement=row["last_placement"],
        )
    )
    return [FfaStanding(place=place, **row) for place, row in enumerate(rows, start=1)]
