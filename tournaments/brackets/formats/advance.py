"""From a group stage to a playoff: who advances, how they are seeded, and the final places.

Pure like the generators: the group tables come in (each group's entrants best first, as
`standings_compute` ranks them), the playoff's entrants come out in seed order. The top `advance`
of every group go through. Group winners are seeded first (in group order), then the runners-up,
and so on; within each tier the entrants are placed so that two entrants of the same group meet
as late as the bracket allows: the bracket is cut into as many sections as a group sends entrants
(rounded up to a power of two) and every group has at most one entrant in each section, so with
two per group group mates can only meet in the final, with three or four not before the
semifinals (the winners bracket, in double elimination). Those who did not advance are ranked
after the playoff by their place in their group (every group's third shares a place, and so on).
"""

from __future__ import annotations

from collections.abc import Sequence

from .generators import BracketError, bracket_size, seeding_order
from .placements import Placement

MAX_PLAYOFF = 64
# The stage formats whose results rank each group (tournaments.brackets.services.stages.STAGE_TABLES),
# so a playoff can follow them. Another format (free for all) joins by ranking its groups too.
FORMATS_WITH_PLAYOFF = ("round_robin", "swiss")


def playoff_size(groups: Sequence[Sequence[int]], advance: int) -> int:
    """How many entrants the playoff has (refused unless every group can send `advance`)."""
    if advance < 1:
        raise BracketError("at least one entrant per group advances")
    if any(len(group) < advance for group in groups):
        raise BracketError("a group has fewer entrants than advance from it")
    size = len(groups) * advance
    if not 2 <= size <= MAX_PLAYOFF:
        raise BracketError(f"a playoff needs 2 to {MAX_PLAYOFF} entrants")
    return size


def earliest_meeting(size: int, seed_a: int, seed_b: int) -> int:
    """The first winners-bracket round in which seeds `seed_a` and `seed_b` can meet (1 = first round)."""
    position = {seed: index for index, seed in enumerate(seeding_order(bracket_size(size)))}
    return (position[seed_a] ^ position[seed_b]).bit_length()


def _sections(size: int, advance: int) -> dict[int, int]:
    """Playoff seed -> its section of the bracket, one section per entrant a group sends (power of two)."""
    full = bracket_size(size)
    per_section = full // bracket_size(advance)
    return {seed: index // per_section for index, seed in enumerate(seeding_order(full))}


def playoff_seeding(groups: Sequence[Sequence[int]], advance: int) -> list[int]:
    """The playoff's entrants in seed order (playoff seed s is item s-1).

    `groups` is each group's ranking, best first, of opaque entrant ids. Tier r (the r-th placed
    of every group) takes seeds (r-1)G+1..rG; group winners keep their group's order, later
    tiers are placed by a depth-first search (later seeds of the tier tried first, so the best
    group's runner-up meets the weakest group winner it may) so that no section holds two
    entrants of one group. Raises BracketError when the groups cannot send `advance` each.
    """
    size = playoff_size(groups, advance)
    count = len(groups)
    section_of = _sections(size, advance)
    # taken[g]: the sections group g already has an entrant in.
    taken: list[set[int]] = [set() for _ in range(count)]
    seed_of: dict[tuple[int, int], int] = {}  # (tier, group) -> playoff seed

    def place(tier: int, group: int, free: list[int]) -> bool:
        if group == count:
            if tier + 1 == advance:
                return True
            return place(tier + 1, 0, list(range((tier + 1) * count + 1, (tier + 2) * count + 1)))
        candidates = free if tier == 0 else list(reversed(free))
        for seed in candidates:
            section = section_of[seed]
            if section in taken[group]:
                continue
            taken[group].add(section)
            seed_of[(tier, group)] = seed
            if place(tier, group + 1, [other for other in free if other != seed]):
                return True
            taken[group].discard(section)
        return False

    if not place(0, 0, list(range(1, count + 1))):  # pragma: no cover - the property tests cover every size
        raise BracketError("no seeding keeps group mates apart")
    order = [0] * size
    for (tier, group), seed in seed_of.items():
        order[seed - 1] = groups[group][tier]
    return order


def two_stage_placements(
    playoff: Sequence[Placement], groups: Sequence[Sequence[int]], advance: int
) -> list[Placement]:
    """The event's final places: the playoff's (over the same ids as `groups`), then everyone who
    did not advance, by their place in their group (tied across groups), sorted by place."""
    placements = list(playoff)
    place = len(placements) + 1
    depth = max((len(group) for group in groups), default=0)
    for rank in range(advance, depth):
        tier = [group[rank] for group in groups if len(group) > rank]
        placements += [Placement(entrant, place) for entrant in tier]
        place += len(tier)
    return sorted(placements, key=lambda placement: placement.place)
