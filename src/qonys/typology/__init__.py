"""Typologies: latent class and latent profile models, phase and strategy classification."""

from .lca import LatentClassModel
from .lpa import LatentProfileModel
from .phases import HOUSING_ORDER, PHASES, PhaseThresholds, classify_phase
from .results import ClassModelResult, class_model_result
from .selection import ClassSelection, select_classes

__all__ = [
    "HOUSING_ORDER",
    "PHASES",
    "ClassModelResult",
    "ClassSelection",
    "LatentClassModel",
    "LatentProfileModel",
    "PhaseThresholds",
    "class_model_result",
    "classify_phase",
    "select_classes",
]
