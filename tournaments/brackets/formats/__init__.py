"""Pure bracket formats: no database access, seeds 1..N in, match descriptions (and placements) out."""

from .generators import (
    Bracket,
    BracketError,
    Bye,
    GeneratedMatch,
    Side,
    Slot,
    SlotKind,
    bracket_size,
    circle_rounds,
    double_elimination,
    round_robin,
    seeding_order,
    single_elimination,
    snake_groups,
)
from .placements import Placement, elimination_placements, standings_placements
from .standings import Result, Standing, Tiebreak, standings_compute, swiss_players
from .swiss import (
    PairingImpossible,
    SwissPlayer,
    SwissRound,
    swiss_default_rounds,
    swiss_pair_round,
    swiss_ranking,
)

__all__ = [
    "Bracket",
    "BracketError",
    "Bye",
    "GeneratedMatch",
    "PairingImpossible",
    "Placement",
    "Result",
    "Side",
    "Slot",
    "SlotKind",
    "Standing",
    "SwissPlayer",
    "SwissRound",
    "Tiebreak",
    "bracket_size",
    "circle_rounds",
    "double_elimination",
    "elimination_placements",
    "round_robin",
    "seeding_order",
    "single_elimination",
    "snake_groups",
    "standings_compute",
    "standings_placements",
    "swiss_default_rounds",
    "swiss_pair_round",
    "swiss_players",
    "swiss_ranking",
]
