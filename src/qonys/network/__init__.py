"""Floor 3: social networks and social capital.

Ego networks from name-generator rosters (:class:`EgoNetworks`, :func:`from_roster`,
:func:`from_dataset`); structural measures (size, density, Burt's effective size, efficiency and
constraint); composition (Blau, IQV, E-I index, shares); bonding / bridging / linking
classification of ties (:class:`TieRules`, :func:`classify_ties`); the position and resource
generators with a shipped ISCO-08 prestige table; design-based profiles and models
(:func:`social_capital_profile`, :func:`tie_type_model`) and sociograms. Every measure is
computed for all egos at once; networkx is used to convert single networks and as a test
oracle.
"""

from .classify import TIE_TYPES, TieRules, classify_ties, per_ego_types
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
from .figures import TIE_COLOURS, illustrative_network, sociogram_png
from .generators import (
    STANDARD_RESOURCES,
    TIE_STRENGTH,
    GeneratorRules,
    classify_position_contacts,
    classify_resource_contacts,
    position_generator,
    resource_generator,
)
from .prestige import (
    PRESTIGE_SCALES,
    IscoLevel,
    PrestigeTable,
    load_position_generator,
    load_prestige,
)
from .profile import (
    LinearModelResult,
    SocialCapitalProfile,
    attach_measures,
    social_capital_measures,
    social_capital_profile,
    tie_type_model,
)
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
    "PRESTIGE_SCALES",
    "STANDARD_COMPOSITION",
    "STANDARD_RESOURCES",
    "STRUCTURAL_MEASURES",
    "TIE_COLOURS",
    "TIE_STRENGTH",
    "TIE_TYPES",
    "DuplicateTiePolicy",
    "EgoMeasures",
    "EgoNetworks",
    "GeneratorRules",
    "IscoLevel",
    "LinearModelResult",
    "PrestigeTable",
    "SocialCapitalProfile",
    "TieClassification",
    "TieRules",
    "attach_measures",
    "blank_missing_codes",
    "blau",
    "classify_position_contacts",
    "classify_resource_contacts",
    "classify_ties",
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
    "illustrative_network",
    "iqv",
    "load_position_generator",
    "load_prestige",
    "mean_abs_difference",
    "network_size",
    "parse_knows",
    "per_ego_types",
    "position_generator",
    "resource_generator",
    "sd_heterogeneity",
    "social_capital_measures",
    "social_capital_profile",
    "sociogram_png",
    "structural_measures",
    "tie_type_model",
]
