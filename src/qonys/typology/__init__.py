"""Typologies: latent class and latent profile models, phase and strategy classification."""

from .phases import HOUSING_ORDER, PHASES, PhaseThresholds, classify_phase

__all__ = ["HOUSING_ORDER", "PHASES", "PhaseThresholds", "classify_phase"]
