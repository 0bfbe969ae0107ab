"""Swiss pairing, one round at a time, from the standings so far."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .generators import BracketError, GeneratedMatch, Side, Slot


class PairingImpossible(BracketError):
    """No pairing without a rematch (or no one left to take the bye) exists."""


@dataclass(frozen=True)
class SwissPlayer:
    seed: int
    score: int | float
    opponents: frozenset[int] = frozenset()
    had_bye: bool = False


@dataclass(frozen=True)
class SwissRound:
    round: int
    # Pairings in rank order; an odd field adds a last match whose slot b is a BYE (a walkover win).
    matches: tuple[GeneratedMatch, ...]

    @property
    def bye(self) -> int | None:
        for match in self.matches:
            if match.slot_b.is_bye:
                return match.slot_a.seed
        return None


def swiss_default_rounds(entrants: int) -> int:
    """ceil(log2 N): enough rounds for a single undefeated player."""
    if entrants < 2:
        raise BracketError("at least 2 entrants are needed")
    return math.ceil(math.log2(entrants))


def swiss_ranking(players: Sequence[SwissPlayer]) -> list[SwissPlayer]:
    """Best first: score, then Buchholz (sum of opponents' scores), then seed."""
    scores = {player.seed: player.score for player in players}

    def buchholz(player: SwissPlayer) -> int | float:
        return sum(scores[opponent] for opponent in player.opponents if opponent in scores)

    return sorted(players, key=lambda player: (-player.score, -buchholz(player), player.seed))


def _pair(ranked: list[SwissPlayer], failed: set[frozenset[int]]) -> list[tuple[SwissPlayer, SwissPlayer]] | None:
    """Pair the best remaining player with the best remaining non-opponent, backtracking on dead ends.

    `failed` memoizes remaining fields already proven unpairable, which keeps the search small.
    """
    if not ranked:
        return []
    remaining = frozenset(player.seed for player in ranked)
    if remaining in failed:
        return None
    top, rest = ranked[0], ranked[1:]
    for index, partner in enumerate(rest):
        if partner.seed in top.opponents:
            continue
        paired = _pair(rest[:index] + rest[index + 1 :], failed)
        if paired is not None:
            return [(top, partner), *paired]
    failed.add(remaining)
    return None


def swiss_pair_round(players: Sequence[SwissPlayer], *, round_number: int, best_of: int = 1) -> SwissRound:
    """Pair one Swiss round: by score then Buchholz, no rematches, a bye for an odd field.

    The bye goes to the lowest-ranked player who has not had one; only if the others then cannot be
    paired without a rematch does it move up to the next eligible player. Raises PairingImpossible when
    no rematch-free pairing exists at all.
    """
    if len({player.seed for player in players}) != len(players):
        raise BracketError("seeds must be unique")
    if len(players) < 2:
        raise BracketError("at least 2 entrants are needed")
    ranked = swiss_ranking(players)
    failed: set[frozenset[int]] = set()
    pairs = None
    bye = None
    if len(ranked) % 2 == 0:
        pairs = _pair(ranked, failed)
    else:
        for candidate in reversed(ranked):
            if candidate.had_bye:
                continue
            pairs = _pair([player for player in ranked if player is not candidate], failed)
            if pairs is not None:
                bye = candidate
                break
    if pairs is None:
        raise PairingImpossible(f"round {round_number} cannot be paired without a rematch")
    matches = [
        GeneratedMatch(
            f"S{round_number}-{position}",
            round_number,
            position,
            Side.GROUP,
            Slot.of_seed(a.seed),
            Slot.of_seed(b.seed),
            best_of,
        )
        for position, (a, b) in enumerate(pairs, start=1)
    ]
    if bye is not None:
        position = len(matches) + 1
        matches.append(
            GeneratedMatch(
                f"S{round_number}-{position}",
                round_number,
                position,
                Side.GROUP,
                Slot.of_seed(bye.seed),
                Slot.bye(),
                best_of,
            )
        )
    return SwissRound(round_number, tuple(matches))
