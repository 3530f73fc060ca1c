"""Answers to the migrants-only modules: migration history, IPL and Esser items, identity,
discrimination, strategies (motives are in :mod:`qonys.simulate.answers_motives`, the
generators of social capital in :mod:`qonys.simulate.network`).

The phase drives the indicators of the three-phase rule set (METHODS 7.3): circular migrants
travel home at least twice a year (or spend three months there, or work seasonally), hold no
permanent registration and keep their core family or their plans in the home place; settled
migrants have stayed a year or more, live with their family in the city or intend to stay, and
rent or own; integrated ones also hold permanent registration. The strategy drives the
adaptation and integration practices and the goal-directed orientation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._core import Codebook
from .answers_common import Answers, column
from .items import likert, multi, pick, scale_items, sigmoid

__all__ = ["family", "integration_items", "migration", "tenure"]

_TENURE = [1, 2, 3, 4, 5, 6, 7]
_TENURE_BY_PHASE = (
    (0.20, 0.35, 0.25, 0.17, 0.01, 0.01, 0.01),
    (0.02, 0.12, 0.05, 0.51, 0.05, 0.15, 0.10),
    (0.00, 0.02, 0.02, 0.20, 0.06, 0.30, 0.40),
)
_INTENTION_BY_PHASE = (
    (0.06, 0.50, 0.41, 0.02, 0.01),
    (0.62, 0.28, 0.04, 0.04, 0.02),
    (0.92, 0.06, 0.00, 0.01, 0.01),
)
_REG_BY_PHASE = ((0.0, 0.45, 0.55), (0.35, 0.45, 0.20), (0.85, 0.15, 0.0))


def _by_phase(
    ph: np.ndarray, table: tuple[tuple[float, ...], ...], codes: list[int], rng: np.random.Generator
) -> np.ndarray:
    return pick(np.asarray(table)[ph.astype(int)], codes, rng)


def tenure(P: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Housing tenure by phase (dormitory ... owned outright), rarely "other" (97)."""
    t = _by_phase(column(P, "phase"), _TENURE_BY_PHASE, _TENURE, rng)
    return np.where(rng.random(len(P)) < 0.004, 97.0, t)


def family(P: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Where spouse and children live (by phase); adds the columns households need."""
    n = len(P)
    ph = column(P, "phase").astype(int)
    age = column(P, "age")
    married = np.isin(column(P, "marital"), (2, 3))
    spouse_loc = pick(
        np.array([(0.35, 0.6, 0.04, 0.01), (0.88, 0.1, 0.01, 0.01), (0.96, 0.03, 0.01, 0.0)])[ph],
        [1, 2, 3, 4],
        rng,
    )
    kids_p = np.where(age < 25, 0.25, np.where(age <= 45, 0.75, 0.25)) * np.where(married, 1, 0.3)
    kids = rng.random(n) < kids_p
    kids_loc = pick(
        np.array([(0.3, 0.55, 0.13, 0.02), (0.85, 0.08, 0.06, 0.01), (0.95, 0.02, 0.02, 0.01)])[ph],
        [1, 2, 3, 4],
        rng,
    )
    out = P.copy()
    out["spouse_loc"] = np.where(married, spouse_loc, np.nan)
    out["children_u18"] = kids.astype(float)
    out["children_loc"] = np.where(kids, kids_loc, np.nan)
    out["spouse_here"] = (married & (spouse_loc == 1)).astype(float)
    out["children_here"] = (kids & np.isin(kids_loc, (1, 3))).astype(float)
    out["parents_here"] = 1.0
    out["working"] = 1.0
    return out


def migration(P: pd.DataFrame, rng: np.random.Generator, year: int) -> Answers:
    """``mig_*`` (see the module docstring); ``P`` must hold :func:`family`'s columns."""
    n = len(P)
    ph = column(P, "phase").astype(int)
    circ = ph == 0
    years = column(P, "years")
    extra = rng.integers(0, 12, n)
    months_here = years * 12 + extra
    left = rng.random(n) < np.array([0.55, 0.2, 0.1])[ph]
    gap = np.where(left, rng.integers(1, 36, n), 0)
    cont = np.maximum(months_here - gap, 0)
    cont = np.where(circ, np.minimum(cont, rng.integers(1, 21, n)), cont)
    cont = np.where(ph >= 1, np.maximum(cont, np.minimum(12, months_here)), cont)
    cont = np.minimum(cont, years * 12 + 11)
    trips = np.where(
        circ,
        np.where(rng.random(n) < 0.85, 2 + rng.poisson(2.0, n), 1),
        rng.poisson(np.array([0, 1.0, 0.6])[ph]),
    )
    months_origin = np.where(
        circ,
        np.where(trips == 1, rng.integers(3, 7, n), rng.integers(1, 6, n)),
        np.where(ph == 1, rng.integers(0, 2, n), 0),
    )
    employed = column(P, "employed", 1) > 0
    seasonal = np.where(rng.random(n) < np.where(circ, 0.5, 0.04), 1.0, 0.0)
    reg = _by_phase(ph, _REG_BY_PHASE, [1, 2, 3], rng)
    arrival = year - years
    perm_year = arrival + np.floor(rng.random(n) * (years + 1))
    temp_cap = np.maximum(years * 12 + 11, 1)
    temp_months = np.where(
        ph == 2,
        np.minimum(24 + rng.integers(0, 97, n), np.maximum(temp_cap, 24)),
        np.minimum(1 + rng.integers(0, 60, n), temp_cap),
    )
    spouse_origin = column(P, "spouse_loc", np.nan) == 2
    kids_origin = np.isin(column(P, "children_loc", np.nan), (2, 3))
    parents = rng.random(n) < np.where(column(P, "age") < 45, 0.75, 0.35) * np.where(
        column(P, "origin_type") <= 2, 1.0, 0.8
    )
    sibs = rng.random(n) < 0.6
    fam = np.empty(n, dtype=object)
    for i in range(n):
        codes = [
            c
            for c, on in ((1, spouse_origin[i]), (2, kids_origin[i]), (3, parents[i]), (4, sibs[i]))
            if on
        ]
        fam[i] = " ".join(map(str, codes)) if codes else "0"
    rural = (column(P, "origin_type") <= 2).astype(float)
    assets_p = np.column_stack(
        [
            0.25 + 0.35 * circ * rural,
            0.1 + 0.3 * circ * rural,
            0.05 + 0.3 * circ * rural,
            np.full(n, 0.04),
        ]
    )
    intention = _by_phase(ph, _INTENTION_BY_PHASE, [1, 2, 3, 4, 5], rng)
    alone = (ph == 1) & (column(P, "spouse_here") == 0) & (column(P, "children_here") == 0)
    settled_alone = pick(np.tile([0.82, 0.13, 0.02, 0.02, 0.01], (n, 1)), [1, 2, 3, 4, 5], rng)
    intention = np.where(alone, settled_alone, intention)
    remit = rng.random(n) < np.array([0.85, 0.5, 0.3])[ph]
    return {
        "mig_moves_n": (1 + rng.poisson(0.3 + 0.5 * circ, n)).astype(float),
        "mig_cont_years": np.floor(cont / 12),
        "mig_cont_months": cont % 12,
        "mig_left": left.astype(float),
        "mig_left_n": np.where(circ, 1 + rng.poisson(1.5, n), 1 + rng.poisson(0.3, n)).astype(
            float
        ),
        "mig_trips": np.minimum(trips, 100).astype(float),
        "mig_months_origin": months_origin.astype(float),
        "mig_seasonal": np.where(employed, seasonal, np.nan),
        "mig_registration": reg,
        "mig_reg_perm_year": np.minimum(perm_year, year),
        "mig_reg_temp_months": np.minimum(temp_months, 900).astype(float),
        "mig_family_origin": fam,
        "mig_spouse_loc": column(P, "spouse_loc", np.nan),
        "mig_children_u18": column(P, "children_u18"),
        "mig_children_loc": column(P, "children_loc", np.nan),
        "mig_remit": remit.astype(float),
        "mig_remit_freq": pick(
            np.array([(0.6, 0.3, 0.1), (0.3, 0.45, 0.25), (0.15, 0.4, 0.45)])[ph], [1, 2, 3], rng
        ),
        "mig_remit_share": pick(
            np.array([(0.15, 0.35, 0.35, 0.15), (0.4, 0.4, 0.15, 0.05), (0.6, 0.3, 0.08, 0.02)])[
                ph
            ],
            [1, 2, 3, 4],
            rng,
        ),
        "mig_support_from": np.where(
            rng.random(n) < 0.12 + 0.2 * (column(P, "age") < 25), 1.0, 0.0
        ),
        "mig_assets": multi(assets_p, [1, 2, 3, 4], rng, none=0),
        "mig_intention": intention,
    }


def integration_items(P: pd.DataFrame, cb: Codebook, rng: np.random.Generator) -> Answers:
    """IPL and Esser items, identity, city image, discrimination, strategies, generators."""
    n = len(P)
    cult, plac = column(P, "culturation"), column(P, "placement")
    inter, ident = column(P, "interaction"), column(P, "identification")
    strat, ph = column(P, "strategy"), column(P, "phase").astype(int)
    latent = {
        "ipl_psy": ident,
        "ipl_eco": plac,
        "ipl_pol": 0.5 * cult + 0.5 * ident,
        "ipl_soc": inter,
        "ipl_lang_kk": column(P, "lang_kk"),
        "ipl_lang_ru": column(P, "lang_ru"),
        "ipl_nav": 0.6 * cult + 0.4 * plac,
        "ess_cul_practice": cult,
        "ess_int_contact": inter,
        "ess_idn_self": ident,
        "ess_idn_pi": ident,
        "ess_idn_pd": ident,
        "idn_rural": (column(P, "idn_rural") - 1) / 4,
        "idn_urban": (column(P, "idn_urban") - 1) / 4,
        "idn_smalltown": (column(P, "idn_smalltown") - 1) / 4,
        "idn_bigcity": (column(P, "idn_bigcity") - 1) / 4,
        "img_eval": column(P, "city_image"),
        "img_potency": column(P, "city_image"),
        "img_activity": 0.5 + 0.3 * (column(P, "city_image") - 0.5),
        "dis_eds": column(P, "discrimination"),
        "str_orient": column(P, "orientation"),
    }
    out = scale_items(cb, latent, rng, noise=0.7)
    out["ipl_pol_actions"] = multi(
        np.column_stack(
            [
                sigmoid(-0.6 + 2.5 * ident),
                sigmoid(-3.0 + 2.5 * cult),
                sigmoid(-2.6 + 2.5 * cult),
                sigmoid(-2.0 + 2.5 * plac),
                sigmoid(-2.0 + 2.0 * inter),
                sigmoid(-3.2 + 2.0 * ident),
            ]
        ),
        [1, 2, 3, 4, 5, 6],
        rng,
        none=0,
    )
    out["ipl_pol_quiz"] = np.where(
        rng.random(n) < sigmoid(-1.0 + 3.0 * cult), 1.0, rng.choice([2.0, 3.0, 4.0, 98.0], n)
    )
    out["ipl_soc_orgs"] = multi(
        np.column_stack(
            [
                sigmoid(-3.0 + 2.5 * inter),
                sigmoid(-1.8 + 0.5 * inter),
                sigmoid(-2.2 + 2.0 * inter),
                sigmoid(-2.6 + 2.0 * inter) * (column(P, "children_u18") > 0),
                sigmoid(-1.5 - 1.0 * inter),
                sigmoid(-2.8 + 2.0 * plac),
            ]
        ),
        [1, 2, 3, 4, 5, 6],
        rng,
        none=0,
    )
    out["ipl_psy_stay"] = likert(ident, 4, rng, noise=0.6)
    out["ipl_eco_expense"] = likert(plac, 4, rng, noise=0.6)
    out["ess_int_partner"] = pick(
        np.column_stack(
            [0.15 + 0.35 * inter, 0.45 - 0.3 * inter, np.full(n, 0.2), np.full(n, 0.2)]
        ),
        [1, 2, 3, 4],
        rng,
    )
    disc = column(P, "discrimination")
    out["dis_attrib"] = multi(
        np.column_stack(
            [
                np.full(n, 0.45),
                np.full(n, 0.25),
                np.full(n, 0.35),
                np.full(n, 0.08),
                np.full(n, 0.2),
                np.full(n, 0.15),
                np.full(n, 0.15),
                np.full(n, 0.1),
            ]
        ),
        [1, 2, 3, 4, 5, 6, 7, 8],
        rng,
        at_least_one=True,
    )
    out["dis_label_heard"] = likert(disc + 0.2, 5, rng)
    out["dis_treat"] = likert(1 - disc - 0.1, 5, rng)
    out["dis_media"] = likert(0.55 - 0.3 * disc, 5, rng)
    adapt = np.tile([0.45, 0.35, 0.4, 0.45, 0.2, 0.35], (n, 1)) * (1.25 - 0.8 * strat)[:, None]
    integ = np.tile([0.35, 0.4, 0.35, 0.3, 0.3, 0.2, 0.15], (n, 1)) * (0.45 + 1.1 * strat)[:, None]
    out["str_adapt"] = multi(np.clip(adapt, 0, 0.95), [1, 2, 3, 4, 5, 6], rng, none=0)
    out["str_integr"] = multi(np.clip(integ, 0, 0.95), [1, 2, 3, 4, 5, 6, 7], rng, none=0)
    out["str_horizon"] = likert(column(P, "orientation"), 5, rng, noise=0.7)
    out["str_savings"] = pick(
        np.array([(0.1, 0.45, 0.15, 0.3), (0.35, 0.1, 0.2, 0.35), (0.65, 0.02, 0.08, 0.25)])[ph],
        [1, 2, 3, 4],
        rng,
    )
    out["str_housing_plan"] = pick(
        np.array(
            [
                (0.12, 0.18, 0.05, 0.45, 0.2),
                (0.45, 0.25, 0.12, 0.06, 0.12),
                (0.5, 0.1, 0.05, 0.02, 0.33),
            ]
        )[ph],
        [1, 2, 3, 4, 5],
        rng,
    )
    out["str_barriers"] = multi(
        np.tile([0.25, 0.35, 0.3, 0.4, 0.15, 0.15, 0.2, 0.08, 0.12, 0.1, 0.45, 0.2], (n, 1))
        * (1.2 - 0.6 * inter)[:, None],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        rng,
        none=0,
    )
    own = rng.random(n) < 0.75
    out["str_phase_self"] = np.where(own, ph + 1.0, rng.choice([1.0, 2.0, 3.0], n))
    return out
