"""Survey designs: the frozen description, data bound to it, replicate weights and weighting.

``SurveyDesign`` names the design columns and policies; ``SurveyData`` binds a data frame to a
design and takes subpopulations without dropping PSUs; ``as_replicate`` makes replicate weights;
:mod:`qonys.design.weighting` adjusts weights (post-stratification, raking, calibration,
trimming, non-response) and records what the variance needs to stay calibration-aware.
"""

from .calibration import Calibration
from .data import Prepared, SurveyData
from .replicate_create import as_replicate
from .replicates import ReplicateWeights, hadamard
from .spec import REPLICATE_TYPES, ReplicateSpec, ReplicateType, SurveyDesign
from .structure import DesignStructure, StageInfo, build_structure

__all__ = [
    "REPLICATE_TYPES",
    "Calibration",
    "DesignStructure",
    "Prepared",
    "ReplicateSpec",
    "ReplicateType",
    "ReplicateWeights",
    "StageInfo",
    "SurveyData",
    "SurveyDesign",
    "as_replicate",
    "build_structure",
    "hadamard",
]
