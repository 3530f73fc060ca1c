"""The planted parameters of the synthetic study: the structural model and the sampling design.

Every number here is a **modelling assumption** of qonys (the published figures are in
``qonys/data/kz``); ``docs/simulation.md`` explains each one. They are what the analyses are
expected to recover: :func:`expected_shares` turns them into the population shares they imply
(strategy classes, phases, tie types), which ``truth.json`` records beside the values realised
in the simulated finite population.

Examples
--------
>>> p = ModelParameters()
>>> p.phase_given_strategy["integration"]
(0.1, 0.42, 0.48)
>>> DesignParameters().take_migrants
6
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "PHASES",
    "STRATEGIES",
    "TIE_TYPES",
    "ZONES",
    "DesignParameters",
    "ModelParameters",
    "expected_shares",
]

ZONES: tuple[str, ...] = ("centre", "middle", "periphery")
STRATEGIES: tuple[str, ...] = ("adaptation", "integration")
PHASES: tuple[str, ...] = ("circular", "settled", "integrated")
TIE_TYPES: tuple[str, ...] = ("bonding", "bridging", "linking")


def _frozen(d: Mapping[str, Any]) -> dict[str, Any]:
    return dict(d)


@dataclasses.dataclass(frozen=True)
class ModelParameters:
    """Structural model of the migrants' and long-term residents' answers (all assumptions).

    Attributes
    ----------
    origin_type_by_zone : mapping
        P(origin type | zone of the district of residence): village, small town, regional
        city, one of the three big cities. Peripheral districts concentrate rural migrants.
    integration_by_zone : mapping
        P(strategy = integration | zone) for a migrant from a small town (origin type 2).
    integration_origin_logit : tuple
        Shift of the log-odds of the integration strategy by origin type 1-4.
    enclave_slope : float
        Probability of the integration strategy lost per standard deviation of the block's
        migrant density above the district's migrant-weighted mean (enclaves of newcomers
        adapt rather than integrate); zero on average over a district's migrants, so it does
        not change the district's share.
    phase_given_strategy : mapping
        P(circular, settled, integrated | strategy).
    years_by_phase : mapping
        (minimum, mean above the minimum) of the years since arrival, by phase.
    years_zone_shift : mapping
        Years added to the mean above the minimum, by zone (recent migrants in the periphery).
    tie_type_by_phase : mapping
        P(bonding, bridging, linking) of each named alter, by the ego's phase.
    network_size_by_strategy : mapping
        P(0, 1, ..., 5 alters named), by strategy.
    tau : float
        Threshold of "high" on Esser's four dimension scores (METHODS 2.6).
    missing_dont_know, missing_refused : float
        Rates of "don't know" (98) and refusal (99) on attitude and opinion items.
    missing_income_dont_know, missing_income_refused : float
        The same for income.
    """

    origin_type_by_zone: Mapping[str, tuple[float, float, float, float]] = dataclasses.field(
        default_factory=lambda: _frozen(
            {
                "centre": (0.30, 0.20, 0.32, 0.18),
                "middle": (0.45, 0.22, 0.23, 0.10),
                "periphery": (0.64, 0.18, 0.13, 0.05),
            }
        )
    )
    integration_by_zone: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: _frozen({"centre": 0.56, "middle": 0.44, "periphery": 0.28})
    )
    integration_origin_logit: tuple[float, float, float, float] = (-0.35, 0.0, 0.35, 0.55)
    enclave_slope: float = 0.12
    phase_given_strategy: Mapping[str, tuple[float, float, float]] = dataclasses.field(
        default_factory=lambda: _frozen(
            {"adaptation": (0.42, 0.48, 0.10), "integration": (0.10, 0.42, 0.48)}
        )
    )
    years_by_phase: Mapping[str, tuple[int, float]] = dataclasses.field(
        default_factory=lambda: _frozen(
            {"circular": (0, 3.5), "settled": (1, 7.0), "integrated": (3, 11.0)}
        )
    )
    years_zone_shift: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: _frozen({"centre": 2.0, "middle": 0.0, "periphery": -1.5})
    )
    tie_type_by_phase: Mapping[str, tuple[float, float, float]] = dataclasses.field(
        default_factory=lambda: _frozen(
            {
                "circular": (0.72, 0.22, 0.06),
                "settled": (0.52, 0.36, 0.12),
                "integrated": (0.32, 0.46, 0.22),
            }
        )
    )
    network_size_by_strategy: Mapping[str, tuple[float, ...]] = dataclasses.field(
        default_factory=lambda: _frozen(
            {
                "adaptation": (0.06, 0.14, 0.22, 0.26, 0.18, 0.14),
                "integration": (0.03, 0.07, 0.15, 0.25, 0.25, 0.25),
            }
        )
    )
    tau: float = 0.6
    missing_dont_know: float = 0.015
    missing_refused: float = 0.004
    missing_income_dont_know: float = 0.04
    missing_income_refused: float = 0.05

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``truth.json``."""
        return {
            f.name: (
                {k: list(v) if isinstance(v, tuple) else v for k, v in val.items()}
                if isinstance(val := getattr(self, f.name), Mapping)
                else (list(val) if isinstance(val, tuple) else val)
            )
            for f in dataclasses.fields(self)
        }


@dataclasses.dataclass(frozen=True)
class DesignParameters:
    """The sampling design (stratified two-stage cluster sample with nonresponse).

    Attributes
    ----------
    block_adults : float
        Mean number of adults in a block (the primary sampling unit, a route of dwellings).
    block_size_cv : float
        Coefficient of variation of block sizes (log-normal).
    block_density_sd : float
        Standard deviation, on the log-odds scale, of the migrants' share between blocks of a
        district (clustering of migrants, hence design effects).
    take_migrants, take_locals : int
        Completed interviews per sampled block (fixed take; nonrespondents are replaced by
        the next person on the block's list).
    city_allocation : {"equal", "proportional"}
        Interviews per city: equal (the usual choice of a three-city study, so that each city
        can be reported) or proportional to its target population.
    district_exponent : float
        Within a city, blocks are allocated to districts in proportion to (target population
        in the district) ** exponent: 0.5 over-samples small districts.
    min_blocks : int
        Minimum number of sampled blocks per stratum (two, for variance estimation).
    response_base : float
        Response rate of the reference group (women aged 30-44 in a middle district).
    response_logit : mapping
        Shifts of the log-odds of responding: men, ages 18-29 and 60+, centre and periphery.
    fieldwork_start : str
        First day of fieldwork (ISO date); interviews are spread over ``fieldwork_days``.
    """

    block_adults: float = 400.0
    block_size_cv: float = 0.35
    block_density_sd: float = 0.55
    take_migrants: int = 6
    take_locals: int = 5
    city_allocation: str = "equal"
    district_exponent: float = 0.5
    min_blocks: int = 2
    response_base: float = 0.62
    response_logit: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: _frozen(
            {
                "male": -0.30,
                "age_18_29": -0.40,
                "age_60_plus": 0.35,
                "centre": -0.25,
                "periphery": 0.20,
            }
        )
    )
    fieldwork_start: str = "2025-09-15"
    fieldwork_days: int = 60

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``truth.json``."""
        return {
            f.name: dict(v) if isinstance(v := getattr(self, f.name), Mapping) else v
            for f in dataclasses.fields(self)
        }


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def expected_shares(params: ModelParameters, zone_weights: Mapping[str, float]) -> dict[str, Any]:
    """Population shares implied by the parameters, given the migrants' share in each zone.

    Parameters
    ----------
    params : ModelParameters
    zone_weights : mapping
        Zone -> share of the migrant population living in districts of that zone.

    Returns
    -------
    dict
        ``strategy``, ``phase`` (shares summing to 1), ``tie_type_by_phase`` (as planted) and
        ``tie_type`` (alters' shares, weighting each phase by its expected number of alters).

    Examples
    --------
    >>> s = expected_shares(ModelParameters(), {"centre": 0.3, "middle": 0.4, "periphery": 0.3})
    >>> round(sum(s["phase"].values()), 12)
    1.0
    """
    total = sum(zone_weights.values())
    p_int = 0.0
    for zone, w in zone_weights.items():
        probs = params.origin_type_by_zone[zone]
        base = _logit(params.integration_by_zone[zone])
        for k, p_o in enumerate(probs):
            x = base + params.integration_origin_logit[k] - params.integration_origin_logit[1]
            p_int += float((w / total) * p_o / (1 + np.exp(-x)))
    strategy = {"adaptation": 1 - p_int, "integration": p_int}
    phase = {
        ph: sum(strategy[s] * params.phase_given_strategy[s][i] for s in STRATEGIES)
        for i, ph in enumerate(PHASES)
    }
    mean_size = {
        s: float(np.dot(np.arange(6), params.network_size_by_strategy[s])) for s in STRATEGIES
    }
    alters_by_phase = {
        ph: sum(strategy[s] * params.phase_given_strategy[s][i] * mean_size[s] for s in STRATEGIES)
        for i, ph in enumerate(PHASES)
    }
    n_alters = sum(alters_by_phase.values())
    tie = {
        t: sum(alters_by_phase[ph] * params.tie_type_by_phase[ph][j] for ph in PHASES) / n_alters
        for j, t in enumerate(TIE_TYPES)
    }
    return {
        "strategy": strategy,
        "phase": phase,
        "tie_type_by_phase": {
            ph: dict(zip(TIE_TYPES, params.tie_type_by_phase[ph], strict=True)) for ph in PHASES
        },
        "tie_type": tie,
    }
