"""The finite population: blocks of each district and every adult internal migrant in them.

Adults of a city are split over its districts by the calibrated population shares, and each
district over blocks (the primary sampling units) of log-normal size. A block's share of
internal migrants varies around the district's calibrated share on the log-odds scale, so
that migrants cluster (design effects). Every migrant then gets the core latent variables of
the structural model, drawn in this order (see ``docs/simulation.md``):

zone of the district -> origin type -> strategy -> phase -> years since arrival,
and independently sex and age at arrival.

Long-term residents (the locals form's population) are the adults who are not internal
migrants, plus the migrants who have lived in the city for ten years or more.

Examples
--------
>>> import numpy as np
>>> from qonys.simulate.calibration import load_calibration
>>> pop = build_population(load_calibration(), ModelParameters(), DesignParameters(),
...                        np.random.default_rng(1), scale=0.01)
>>> int(pop.blocks["migrants"].sum()) == len(pop.migrants)
True
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .calibration import Calibration
from .params import PHASES, STRATEGIES, ZONES, DesignParameters, ModelParameters

__all__ = ["AGE_GROUPS", "Population", "age_group", "build_population", "categorical"]

AGE_GROUPS: tuple[str, ...] = ("18-29", "30-44", "45-59", "60+")


def age_group(age: ArrayLike) -> np.ndarray:
    """Age group code 1-4 (18-29, 30-44, 45-59, 60+).

    Examples
    --------
    >>> age_group(np.array([18, 30, 59, 60])).tolist()
    [1, 2, 3, 4]
    """
    return np.searchsorted(np.array([30, 45, 60]), np.asarray(age), side="right") + 1


def categorical(probs: ArrayLike, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` (rows of category probabilities): index 0..k-1.

    Examples
    --------
    >>> categorical(np.array([[0.0, 1.0], [1.0, 0.0]]), np.random.default_rng(0)).tolist()
    [1, 0]
    """
    p: np.ndarray = np.atleast_2d(np.asarray(probs, dtype=float))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random((p.shape[0], 1))
    return np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)


@dataclasses.dataclass(frozen=True)
class Population:
    """The simulated finite population.

    Attributes
    ----------
    blocks : DataFrame
        One row per block: ``block`` (id, also the PSU number), ``city``, ``district``,
        ``zone``, ``adults``, ``migrants`` (internal migrants who came at 16 or older),
        ``long_stay`` (of them, in the city ten years or more), ``locals_eligible`` (adults
        eligible for the locals form).
    migrants : DataFrame
        One row per internal migrant: ``block``, ``city``, ``district``, ``zone``, ``sex``
        (1 man, 2 woman), ``arrival_age``, ``years`` (since arrival), ``age``,
        ``origin_type`` (1-4), ``strategy`` (0 adaptation, 1 integration), ``phase``
        (0 circular, 1 settled, 2 integrated).
    scale : float
        Fraction of the real population simulated (1 = the full cities).
    """

    blocks: pd.DataFrame
    migrants: pd.DataFrame
    scale: float = 1.0


def _blocks(
    cal: Calibration, design: DesignParameters, rng: np.random.Generator, scale: float
) -> pd.DataFrame:
    rows = []
    sd = np.sqrt(np.log1p(design.block_size_cv**2))
    for city in cal.city_codes:
        adults = cal.adults(city) * scale
        table = cal.city_districts(city)
        for code, zone, pop_share, mshare in zip(
            table["district_code"].to_numpy(dtype=np.int64),
            table["zone"].astype(str).tolist(),
            table["pop_share"].to_numpy(dtype=float),
            table["migrant_share"].to_numpy(dtype=float),
            strict=True,
        ):
            total = round(adults * pop_share)
            n_blocks = max(2, round(total / design.block_adults))
            size = rng.lognormal(-(sd**2) / 2, sd, n_blocks)
            raw = size / size.sum() * total
            sizes = np.floor(raw).astype(np.int64)
            short = total - int(sizes.sum())
            if short > 0:
                sizes[np.argsort(raw - sizes)[::-1][:short]] += 1
            sizes = np.maximum(sizes, 1)
            logit = np.log(mshare / (1 - mshare))
            noise = design.block_density_sd * rng.standard_normal(n_blocks)
            share = 1 / (1 + np.exp(-(logit + noise)))
            migrants = rng.binomial(sizes, share)
            rows.append(
                pd.DataFrame(
                    {
                        "city": city,
                        "district": int(code),
                        "zone": zone,
                        "adults": sizes,
                        "migrants": migrants,
                    }
                )
            )
    blocks = pd.concat(rows, ignore_index=True)
    blocks.insert(0, "block", np.arange(1, len(blocks) + 1, dtype=np.int64))
    return blocks


def _enclave(blocks: pd.DataFrame) -> np.ndarray:
    """Standardised migrant density of each block within its district, centred on the
    migrant-weighted mean so that it averages zero over the district's migrants."""
    dens = (blocks["migrants"] / blocks["adults"]).to_numpy(dtype=float)
    k = blocks["migrants"].to_numpy(dtype=float)
    out = np.zeros(len(blocks))
    for idx in blocks.groupby("district").indices.values():
        w = k[idx]
        if w.sum() == 0:
            continue
        mean = float(np.dot(w, dens[idx]) / w.sum())
        sd = float(np.sqrt(np.dot(w, (dens[idx] - mean) ** 2) / w.sum())) or 1.0
        out[idx] = (dens[idx] - mean) / sd
    return out


def _core(
    blocks: pd.DataFrame, cal: Calibration, params: ModelParameters, rng: np.random.Generator
) -> pd.DataFrame:
    idx = np.repeat(np.arange(len(blocks)), blocks["migrants"].to_numpy())
    n = idx.size
    zone_of = blocks["zone"].to_numpy()[idx]
    zone_code = np.searchsorted(np.array(ZONES), zone_of)
    city = blocks["city"].to_numpy()[idx]
    # origin type | zone
    p_origin = np.array([params.origin_type_by_zone[z] for z in ZONES])[zone_code]
    origin_type = categorical(p_origin, rng) + 1
    # strategy | zone, origin type
    base = np.array([params.integration_by_zone[z] for z in ZONES])[zone_code]
    shift = np.asarray(params.integration_origin_logit)
    x = np.log(base / (1 - base)) + shift[origin_type - 1] - shift[1]
    p_int = 1 / (1 + np.exp(-x)) - params.enclave_slope * _enclave(blocks)[idx]
    strategy = (rng.random(n) < np.clip(p_int, 0.01, 0.99)).astype(np.int8)
    # phase | strategy
    p_phase = np.array([params.phase_given_strategy[s] for s in STRATEGIES])[strategy]
    phase = categorical(p_phase, rng).astype(np.int8)
    # years since arrival | phase, zone
    minimum = np.array([params.years_by_phase[p][0] for p in PHASES])[phase]
    mean = np.array([params.years_by_phase[p][1] for p in PHASES])[phase]
    mean = np.maximum(mean + np.array([params.years_zone_shift[z] for z in ZONES])[zone_code], 1)
    years = minimum + np.floor(rng.gamma(2.0, mean / 2.0)).astype(np.int64)
    arrival_age = 16 + np.minimum(np.floor(rng.gamma(1.6, 4.5, n)), 44).astype(np.int64)
    years = np.minimum(years, 85 - arrival_age)
    years = np.maximum(years, 18 - arrival_age)
    women = np.array([cal.women_share(int(c)) for c in (71, 75, 79)])
    p_woman = women[np.searchsorted(np.array([71, 75, 79]), city)] - 0.02
    sex = np.where(rng.random(n) < p_woman, 2, 1).astype(np.int8)
    return pd.DataFrame(
        {
            "block": blocks["block"].to_numpy()[idx],
            "city": city,
            "district": blocks["district"].to_numpy()[idx],
            "zone": zone_of,
            "sex": sex,
            "arrival_age": arrival_age,
            "years": years,
            "age": arrival_age + years,
            "origin_type": origin_type.astype(np.int8),
            "strategy": strategy,
            "phase": phase,
        }
    )


def build_population(
    cal: Calibration,
    params: ModelParameters,
    design: DesignParameters,
    rng: np.random.Generator,
    *,
    scale: float = 1.0,
) -> Population:
    """Simulate the finite population (see the module docstring).

    Parameters
    ----------
    cal : Calibration
        Published figures.
    params, design : ModelParameters, DesignParameters
        Planted parameters.
    rng : numpy.random.Generator
        Random source (the study's seed).
    scale : float
        Fraction of the real population to simulate (the default 1 simulates about 3.5
        million adults; a smaller scale is for quick tests).
    """
    blocks = _blocks(cal, design, rng, scale)
    migrants = _core(blocks, cal, params, rng)
    long_stay = (
        migrants.loc[migrants["years"] >= 10, "block"]
        .value_counts()
        .reindex(blocks["block"], fill_value=0)
        .to_numpy()
    )
    blocks["long_stay"] = long_stay
    blocks["locals_eligible"] = blocks["adults"] - blocks["migrants"] + long_stay
    return Population(blocks=blocks, migrants=migrants, scale=scale)
