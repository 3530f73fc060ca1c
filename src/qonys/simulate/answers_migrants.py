"""Answers to the migrants-only modules: migration history, motives, IPL and Esser items,
identity, position and resource generators, discrimination, strategies.

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
from .answers_common import Answers, _col
from .items import likert, multi, pick, scale_items, sigmoid, texts

__all__ = ["family", "integration_items", "migration", "motives", "tenure"]

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
    t = _by_phase(_col(P, "phase"), _TENURE_BY_PHASE, _TENURE, rng)
    return np.where(rng.random(len(P)) < 0.004, 97.0, t)


def family(P: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Where spouse and children live (by phase); adds the columns households need."""
    n = len(P)
    ph = _col(P, "phase").astype(int)
    age = _col(P, "age")
    married = np.isin(_col(P, "marital"), (2, 3))
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
    ph = _col(P, "phase").astype(int)
    circ = ph == 0
    years = _col(P, "years")
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
    employed = _col(P, "employed", 1) > 0
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
    spouse_origin = _col(P, "spouse_loc", np.nan) == 2
    kids_origin = np.isin(_col(P, "children_loc", np.nan), (2, 3))
    parents = rng.random(n) < np.where(_col(P, "age") < 45, 0.75, 0.35) * np.where(
        _col(P, "origin_type") <= 2, 1.0, 0.8
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
    rural = (_col(P, "origin_type") <= 2).astype(float)
    assets_p = np.column_stack(
        [
            0.25 + 0.35 * circ * rural,
            0.1 + 0.3 * circ * rural,
            0.05 + 0.3 * circ * rural,
            np.full(n, 0.04),
        ]
    )
    intention = _by_phase(ph, _INTENTION_BY_PHASE, [1, 2, 3, 4, 5], rng)
    alone = (ph == 1) & (_col(P, "spouse_here") == 0) & (_col(P, "children_here") == 0)
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
        "mig_spouse_loc": _col(P, "spouse_loc", np.nan),
        "mig_children_u18": _col(P, "children_u18"),
        "mig_children_loc": _col(P, "children_loc", np.nan),
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
        "mig_support_from": np.where(rng.random(n) < 0.12 + 0.2 * (_col(P, "age") < 25), 1.0, 0.0),
        "mig_assets": multi(assets_p, [1, 2, 3, 4], rng, none=0),
        "mig_intention": intention,
    }


_MOTIVE_FACTOR = {
    1: "economic",
    2: "environment",
    3: "amenities",
    4: "amenities",
    5: "environment",
    6: "family",
    7: "economic",
    11: "economic",
    12: "career",
    13: "amenities",
    14: "amenities",
    15: "family",
    16: "family",
    17: "amenities",
    18: "career",
    19: "economic",
    20: "career",
    21: "family",
}
_IMPORTANCE = {
    "mot_imp_push_jobs": 1,
    "mot_imp_push_land": 2,
    "mot_imp_push_infra": 3,
    "mot_imp_push_services": 4,
    "mot_imp_push_env": 5,
    "mot_imp_push_family": 6,
    "mot_imp_push_youth": 7,
    "mot_imp_pull_jobs": 11,
    "mot_imp_pull_study": 12,
    "mot_imp_pull_children": 13,
    "mot_imp_pull_medical": 14,
    "mot_imp_pull_relatives": 15,
    "mot_imp_pull_marriage": 16,
    "mot_imp_pull_lifestyle": 17,
    "mot_imp_pull_career": 18,
    "mot_imp_pull_programmes": 19,
    "mot_imp_pull_prestige": 20,
    "mot_imp_pull_network": 21,
}
_MOTIVE_BASE = {
    1: 0.0,
    2: -1.2,
    3: -0.8,
    4: -0.9,
    5: -1.4,
    6: -1.8,
    7: -0.6,
    11: 0.3,
    12: -0.7,
    13: -1.0,
    14: -1.6,
    15: -0.9,
    16: -1.6,
    17: -0.7,
    18: -0.8,
    19: -2.0,
    20: -1.5,
    21: -1.0,
}


def motives(P: pd.DataFrame, rng: np.random.Generator) -> Answers:
    """``mot_*``: reasons driven by five motive factors tied to socio-economic position."""
    n = len(P)
    student = (_col(P, "arrival_age") < 21).astype(float)
    factor = {
        "economic": _col(P, "motive_economic"),
        "career": _col(P, "motive_career") + 1.2 * student,
        "family": _col(P, "motive_family"),
        "amenities": _col(P, "motive_amenities"),
        "environment": _col(P, "motive_environment"),
    }
    codes = list(_MOTIVE_FACTOR)
    strength = np.column_stack([_MOTIVE_BASE[c] + 1.3 * factor[_MOTIVE_FACTOR[c]] for c in codes])
    strength[:, codes.index(12)] += 1.5 * student
    chosen = rng.random(strength.shape) < sigmoid(strength)
    top = (strength + 0.5 * rng.standard_normal(strength.shape)).argmax(axis=1)
    chosen[np.arange(n), top] = True
    reasons = np.empty(n, dtype=object)
    main = np.zeros(n)
    other = rng.random(n) < 0.01
    for i in range(n):
        picked = [codes[j] for j in np.flatnonzero(chosen[i])]
        main[i] = codes[top[i]]
        reasons[i] = " ".join(map(str, picked + ([97] if other[i] else [])))
    out: Answers = {
        "mot_reasons": reasons,
        "mot_main": main,
        "mot_reasons_oth": texts(other, "денсаулық"),
    }
    for name, code in _IMPORTANCE.items():
        out[name] = likert(sigmoid(0.9 * (strength[:, codes.index(code)] + 0.6)), 5, rng, noise=0.7)
    return out


_PG = {
    "pg_akimat": -2.4,
    "pg_police": -1.2,
    "pg_lawyer": -1.8,
    "pg_doctor": -0.6,
    "pg_lecturer": -1.6,
    "pg_teacher": 0.2,
    "pg_banker": -1.2,
    "pg_it": -1.3,
    "pg_engineer": -1.0,
    "pg_business": -0.9,
    "pg_accountant": -0.8,
    "pg_nurse": -0.4,
    "pg_driver": 0.9,
    "pg_builder": 0.8,
    "pg_trader": 0.7,
    "pg_guard": 0.1,
    "pg_cleaner": 0.0,
    "pg_farmer": 0.3,
}
_RG = {
    "rg_foreign_lang": -0.8,
    "rg_legal": -1.2,
    "rg_medical": -0.2,
    "rg_money": -0.1,
    "rg_officials": -1.6,
    "rg_media": -2.0,
    "rg_deputy": -2.8,
    "rg_repair": 0.9,
    "rg_computer": 0.7,
    "rg_talk": 2.0,
    "rg_care": 1.2,
    "rg_shelter": 1.0,
    "rg_job": 0.2,
    "rg_registration": -0.3,
    "rg_kindergarten": -0.9,
    "rg_housing": -0.6,
}


def _generator(
    names: dict[str, float], cap: np.ndarray, strat: np.ndarray, rng: np.random.Generator
) -> Answers:
    n = cap.size
    out: Answers = {}
    for name, base in names.items():
        access = rng.random(n) < sigmoid(base + 0.9 * cap)
        how = pick(
            np.column_stack(
                [
                    np.full(n, 0.35 + 0.2 * (base > 0)),
                    0.3 + 0.1 * strat,
                    np.full(n, 0.3 + 0.1 * (base < -1)),
                ]
            ),
            [1, 2, 3],
            rng,
        )
        out[name] = np.where(access, how, 0.0)
        if name.startswith("pg_"):
            out[f"{name}_res"] = pick(
                np.column_stack([0.35 + 0.35 * strat, 0.5 - 0.3 * strat, np.full(n, 0.1)]),
                [1, 2, 3],
                rng,
            )
    return out


def integration_items(P: pd.DataFrame, cb: Codebook, rng: np.random.Generator) -> Answers:
    """IPL and Esser items, identity, city image, discrimination, strategies, generators."""
    n = len(P)
    cult, plac = _col(P, "culturation"), _col(P, "placement")
    inter, ident = _col(P, "interaction"), _col(P, "identification")
    strat, ph = _col(P, "strategy"), _col(P, "phase").astype(int)
    latent = {
        "ipl_psy": ident,
        "ipl_eco": plac,
        "ipl_pol": 0.5 * cult + 0.5 * ident,
        "ipl_soc": inter,
        "ipl_lang_kk": _col(P, "lang_kk"),
        "ipl_lang_ru": _col(P, "lang_ru"),
        "ipl_nav": 0.6 * cult + 0.4 * plac,
        "ess_cul_practice": cult,
        "ess_int_contact": inter,
        "ess_idn_self": ident,
        "ess_idn_pi": ident,
        "ess_idn_pd": ident,
        "idn_rural": (_col(P, "idn_rural") - 1) / 4,
        "idn_urban": (_col(P, "idn_urban") - 1) / 4,
        "idn_smalltown": (_col(P, "idn_smalltown") - 1) / 4,
        "idn_bigcity": (_col(P, "idn_bigcity") - 1) / 4,
        "img_eval": _col(P, "city_image"),
        "img_potency": _col(P, "city_image"),
        "img_activity": 0.5 + 0.3 * (_col(P, "city_image") - 0.5),
        "dis_eds": _col(P, "discrimination"),
        "str_orient": _col(P, "orientation"),
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
                sigmoid(-2.6 + 2.0 * inter) * (_col(P, "children_u18") > 0),
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
    disc = _col(P, "discrimination")
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
    out["str_horizon"] = likert(_col(P, "orientation"), 5, rng, noise=0.7)
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
    cap = _col(P, "social_capital")
    out.update(_generator(_PG, cap, strat, rng))
    out.update(_generator(_RG, cap, strat, rng))
    return out
