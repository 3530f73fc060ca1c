"""Measurement: recoding, scale scores, reliability, factor analysis, composite indices."""

from .composite import (
    aggregate_arithmetic,
    aggregate_geometric,
    distance_to_reference,
    mazziotta_pareto,
    normalise_minmax,
    normalise_z,
)
from .distance import BogardusResult, bogardus
from .identity import BERRY_LABELS, berry_classify, weighted_median
from .indices import (
    ESSER_DIMENSIONS,
    IPL_DIMENSIONS,
    IndexResult,
    IndexSpec,
    ItemCoding,
    complex_integration,
    dimension_index,
    rescale_count,
    rescale_ordinal,
)
from .reliability import (
    AlphaResult,
    alpha_from_cov,
    cronbach_alpha,
    omega_from_loadings,
    smc,
    spearman_brown,
    two_item_reliability,
)
from .scales import default_min_items, reverse_items, score_scale

__all__ = [
    "BERRY_LABELS",
    "ESSER_DIMENSIONS",
    "IPL_DIMENSIONS",
    "AlphaResult",
    "BogardusResult",
    "IndexResult",
    "IndexSpec",
    "ItemCoding",
    "aggregate_arithmetic",
    "aggregate_geometric",
    "alpha_from_cov",
    "berry_classify",
    "bogardus",
    "complex_integration",
    "cronbach_alpha",
    "default_min_items",
    "dimension_index",
    "distance_to_reference",
    "mazziotta_pareto",
    "normalise_minmax",
    "normalise_z",
    "omega_from_loadings",
    "rescale_count",
    "rescale_ordinal",
    "reverse_items",
    "score_scale",
    "smc",
    "spearman_brown",
    "two_item_reliability",
    "weighted_median",
]
