"""Floor 3: social networks and social capital.

Ego networks from name-generator rosters (:class:`EgoNetworks`, :func:`from_roster`,
:func:`from_dataset`); structural measures (size, density, Burt's effective size, efficiency and
constraint); composition (Blau, IQV, E-I index, shares); bonding / bridging / linking
classification of ties (:class:`TieRules`, :func:`classify_ties`); the position and resource
generators with a shipped ISCO-08 prestige table. Every measure is computed for all egos at
once; networkx is used to convert single networks and as a test oracle.
"""

from .composition import (
    STANDARD_COMPOSITION,
    blau,
    composition,
    composition_shares,
    ei_index,
    iqv,
    mean_abs_difference,
    sd_heterogeneity,
)
from .data import DuplicateTiePolicy, EgoNetworks
from .examples import example_networks
from .results import EgoMeasures, TieClassification
from .roster import blank_missing_codes, from_dataset, from_roster, parse_knows
from .structure import (
    STRUCTURAL_MEASURES,
    constraint,
    density,
    effective_size,
    efficiency,
    network_size,
    structural_measures,
)

__all__ = [
    "STANDARD_COMPOSITION",
    "STRUCTURAL_MEASURES",
    "DuplicateTiePolicy",
    "EgoMeasures",
    "EgoNetworks",
    "TieClassification",
    "blank_missing_codes",
    "blau",
    "composition",
    "composition_shares",
    "constraint",
    "density",
    "effective_size",
    "efficiency",
    "ei_index",
    "example_networks",
    "from_dataset",
    "from_roster",
    "iqv",
    "mean_abs_difference",
    "network_size",
    "parse_knows",
    "sd_heterogeneity",
    "structural_measures",
]
