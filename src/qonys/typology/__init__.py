"""Typologies: latent class and latent profile models, phase and strategy classification."""

from .lca import LatentClassModel
from .lpa import LatentProfileModel
from .phases import HOUSING_ORDER, PHASES, PhaseThresholds, classify_phase
from .selection import ClassSelection, select_classes

__all__ = [
    "HOUSING_ORDER",
    "PHASES",
    "ClassSelection",
    "LatentClassModel",
    "LatentProfileModel",
    "PhaseThresholds",
    "classify_phase",
    "select_classes",
]
