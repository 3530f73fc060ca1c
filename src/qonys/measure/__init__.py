"""Measurement: recoding, scale scores, reliability, factor analysis, composite indices."""

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
    "AlphaResult",
    "alpha_from_cov",
    "cronbach_alpha",
    "default_min_items",
    "omega_from_loadings",
    "reverse_items",
    "score_scale",
    "smc",
    "spearman_brown",
    "two_item_reliability",
]
