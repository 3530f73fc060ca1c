"""Measurement: recoding, scale scores, reliability, factor analysis, composite indices."""

from .cfa import Estimator, cfa
from .composite import (
    aggregate_arithmetic,
    aggregate_geometric,
    distance_to_reference,
    mazziotta_pareto,
    normalise_minmax,
    normalise_z,
)
from .distance import BogardusResult, bogardus
from .factor import EFAResult, bartlett_sphericity, efa, kmo
from .identity import BERRY_LABELS, berry_classify, weighted_median
from .indices import (
    ESSER_DIMENSIONS,
    IPL_DIMENSIONS,
    IndexResult,
    IndexSpec,
    ItemCoding,
    complex_integration,
    dimension_index,
    esser_scores,
    ipl_index,
    rescale_count,
    rescale_ordinal,
)
from .invariance import INVARIANCE_STEPS, InvarianceResult, measurement_invariance
from .omega import OmegaResult, SchmidLeimanResult, omega, omega_hierarchical
from .polychoric import (
    PolychoricResult,
    bvn_cdf,
    ordinal_alpha,
    polychoric,
    tetrachoric,
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
from .rotation import oblimin, varimax
from .scales import default_min_items, reverse_items, score_scale
from .sem.fit import fit_indices, rmsea_ci, srmr_bentler
from .sem.result import CFAResult

__all__ = [
    "BERRY_LABELS",
    "ESSER_DIMENSIONS",
    "INVARIANCE_STEPS",
    "IPL_DIMENSIONS",
    "AlphaResult",
    "BogardusResult",
    "CFAResult",
    "EFAResult",
    "Estimator",
    "IndexResult",
    "IndexSpec",
    "InvarianceResult",
    "ItemCoding",
    "OmegaResult",
    "PolychoricResult",
    "SchmidLeimanResult",
    "aggregate_arithmetic",
    "aggregate_geometric",
    "alpha_from_cov",
    "bartlett_sphericity",
    "berry_classify",
    "bogardus",
    "bvn_cdf",
    "cfa",
    "complex_integration",
    "cronbach_alpha",
    "default_min_items",
    "dimension_index",
    "distance_to_reference",
    "efa",
    "esser_scores",
    "fit_indices",
    "ipl_index",
    "kmo",
    "mazziotta_pareto",
    "measurement_invariance",
    "normalise_minmax",
    "normalise_z",
    "oblimin",
    "omega",
    "omega_from_loadings",
    "omega_hierarchical",
    "ordinal_alpha",
    "polychoric",
    "rescale_count",
    "rescale_ordinal",
    "reverse_items",
    "rmsea_ci",
    "score_scale",
    "smc",
    "spearman_brown",
    "srmr_bentler",
    "tetrachoric",
    "two_item_reliability",
    "varimax",
    "weighted_median",
]
