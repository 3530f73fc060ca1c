"""Answers to the modules both forms share: screening, demographics, education and work,
household, housing, involvement in city life (Esser's indicators) and the image of the city.

Each function takes ``P``, a frame of respondents' attributes and latent scores (see
:mod:`qonys.simulate.latent` and :mod:`qonys.simulate.locals`), and returns candidate
answers by variable name: numbers as floats (``nan`` = empty), multiple responses and text
as objects. Routing is applied afterwards by :mod:`qonys.simulate.form`, so a function may
answer a question that ends up skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .items import likert, multi, pick, sigmoid, texts

__all__ = [
    "Answers",
    "city_image",
    "column",
    "demographics",
    "employment",
    "esser_items",
    "household",
    "housing",
    "screening",
]

Answers = dict[str, np.ndarray]

_AREA_BY_ZONE = {
    "centre": (0.45, 0.40, 0.05, 0.08, 0.02),
    "middle": (0.08, 0.62, 0.12, 0.15, 0.03),
    "periphery": (0.02, 0.22, 0.30, 0.30, 0.16),
}
_ISCO = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]
_ISCO_BY_SES = (
    (0.01, 0.04, 0.06, 0.07, 0.28, 0.02, 0.18, 0.14, 0.20, 0.00),
    (0.04, 0.15, 0.15, 0.12, 0.22, 0.01, 0.12, 0.10, 0.08, 0.01),
    (0.10, 0.35, 0.18, 0.10, 0.12, 0.00, 0.06, 0.05, 0.03, 0.01),
)


def column(P: pd.DataFrame, name: str, default: float = 0.0) -> np.ndarray:
    return P[name].to_numpy(dtype=float) if name in P else np.full(len(P), default)


def screening(P: pd.DataFrame, year: int, rng: np.random.Generator, form: str) -> Answers:
    """``scr_*``: language, consent, age, city, birth year, birthplace, arrival, origin."""
    n = len(P)
    age = column(P, "age")
    native = column(P, "native_language", 1)
    kazakh = native == 1
    lang = np.where(
        kazakh, np.where(rng.random(n) < 0.8, 1, 3), np.where(rng.random(n) < 0.85, 2, 3)
    )
    out: Answers = {
        "scr_lang": lang.astype(float),
        "scr_consent": np.ones(n),
        "scr_adult": np.ones(n),
        "scr_city": column(P, "city"),
        "scr_birth_year": year - age,
    }
    if form == "migrants":
        out["scr_birthplace"] = np.full(n, 2.0)
        out["scr_arrival_year"] = year - column(P, "years")
        out["scr_origin_type"] = column(P, "origin_type")
        out["scr_origin_region"] = column(P, "region")
    else:
        out["scr_birthplace"] = column(P, "birthplace", 1)
        arrival = year - column(P, "years", np.nan)
        out["scr_arrival_year"] = np.where(out["scr_birthplace"] == 1, np.nan, arrival)
    return out


def demographics(P: pd.DataFrame, rng: np.random.Generator) -> Answers:
    """``dem_*``: sex, ethnicity, marital status, languages (locals' rural past is theirs)."""
    n = len(P)
    native = column(P, "native_language", 1)
    work = column(P, "working", 1) > 0
    home = np.full(n, 4.0)
    for codes, probs in (
        ((1,), (0.78, 0.07, 0.15, 0.0)),
        ((2,), (0.02, 0.9, 0.08, 0.0)),
        ((3, 4, 97), (0.1, 0.3, 0.05, 0.55)),
    ):
        sel = np.isin(native, codes)
        if sel.any():
            home[sel] = pick(np.tile(probs, (int(sel.sum()), 1)), [1, 2, 3, 4], rng)
    ru_work = sigmoid(-0.6 + 1.5 * (native == 2) + 0.5 * column(P, "ses"))
    at_work = np.where(rng.random(n) < ru_work, 2, np.where(rng.random(n) < 0.5, 1, 3))
    eth = column(P, "ethnicity", 1)
    other = np.array(["қарақалпақ", "түрікмен", "шешен", "грек", "поляк", "татар-башқұрт"])
    return {
        "dem_sex": column(P, "sex"),
        "dem_ethnicity": eth,
        "dem_ethnicity_oth": texts(eth == 97, other[rng.integers(0, other.size, n)]),
        "dem_marital": column(P, "marital", 1),
        "dem_lang_native": native,
        "dem_lang_home": home,
        "dem_lang_work": np.where(work, at_work, 5).astype(float),
    }


def employment(P: pd.DataFrame, rng: np.random.Generator, form: str) -> Answers:
    """``ses_*``: education, main activity, occupation, formality, income, material situation."""
    n = len(P)
    age, sex, ses = column(P, "age"), column(P, "sex"), column(P, "ses")
    phase = column(P, "phase", 1)
    u = rng.random(n)
    retire_age = np.where(sex == 1, 63, 61)
    act = np.zeros(n)
    act[(age < 24) & (u < 0.45)] = 6
    act[(age < 30) & (age >= 24) & (u < 0.08)] = 6
    act[(age >= retire_age) & (u < 0.85)] = 8
    free = act == 0
    home_p = np.where((sex == 2) & (age >= 22) & (age <= 45), 0.16, np.where(sex == 2, 0.06, 0.01))
    v = rng.random(n)
    act[free & (v < home_p)] = 7
    free = act == 0
    unemp_p = sigmoid(-2.6 - 0.5 * ses + 0.4 * (phase == 0))
    w = rng.random(n)
    act[free & (w < unemp_p)] = 5
    act[free & (w >= unemp_p) & (w < unemp_p + 0.02)] = 9
    free = act == 0
    casual = sigmoid(-1.6 - 0.6 * ses + 0.9 * (phase == 0))
    work_kind = pick(
        np.column_stack([0.78 - casual, casual, np.full(n, 0.17), 0.02 + 0.03 * (ses > 1)]).clip(
            0.01
        ),
        [1, 2, 3, 4],
        rng,
    )
    act[free] = work_kind[free]
    employed = act <= 4
    tercile = np.digitize(ses, [-0.3, 0.7])
    isco = pick(np.array(_ISCO_BY_SES)[tercile], _ISCO, rng)
    settled = (phase >= 1).astype(float)
    contract = np.where(
        rng.random(n) < sigmoid(0.7 + 0.8 * ses + 0.5 * settled - 1.2 * (act == 2)), 1, 0
    )
    pension = np.where(
        rng.random(n) < sigmoid(0.5 + 0.8 * ses + 0.4 * settled - 0.8 * (act == 3)), 1, 0
    )
    inc_latent = 0.9 * ses + 0.4 * (act == 1) + 0.6 * (act == 4) + 0.3 * rng.standard_normal(n)
    income = np.searchsorted(np.array([-1.4, -0.6, 0.1, 0.8, 1.5, 2.1, 2.8]), inc_latent) + 1.0
    no_own = np.isin(act, (6, 7)) & (rng.random(n) < 0.7)
    income = np.where(no_own, 1, np.maximum(income, 2))
    material = likert(sigmoid(0.9 * ses - 0.1), 5, rng, noise=0.6)
    out: Answers = {
        "ses_edu": column(P, "education", 3),
        "ses_employment": act,
        "ses_isco": np.where(employed, isco, np.nan),
        "ses_contract": contract.astype(float),
        "ses_pension": pension.astype(float),
        "ses_income": income.astype(float),
        "ses_material": material,
    }
    if form == "migrants":
        strat = column(P, "strategy")
        channel = pick(
            np.column_stack(
                [
                    0.18 + 0.1 * strat,
                    0.25 - 0.12 * strat,
                    0.18 - 0.1 * strat,
                    0.12 + 0.12 * strat,
                    np.full(n, 0.06),
                    np.full(n, 0.04),
                    0.1 + 0.05 * (ses > 1),
                    np.full(n, 0.02),
                ]
            ),
            [1, 2, 3, 4, 5, 6, 7, 97],
            rng,
        )
        out["ses_job_channel"] = np.where(employed, channel, np.nan)
    return out


def household(P: pd.DataFrame, rng: np.random.Generator) -> Answers:
    """``hh_*``: size, children, who lives with the respondent (consistent with each other)."""
    n = len(P)
    spouse = column(P, "spouse_here")
    kids = column(P, "children_here")
    parents = rng.random(n) < np.where(column(P, "age") < 30, 0.35, 0.12) * column(
        P, "parents_here", 1
    )
    sibs = rng.random(n) < 0.12
    rel = rng.random(n) < 0.08
    friends = rng.random(n) < 0.1 + 0.25 * (column(P, "phase", 1) == 0)
    unrelated = rng.random(n) < 0.04 + 0.2 * (column(P, "phase", 1) == 0)
    members = np.column_stack([spouse > 0, kids > 0, parents, sibs, rel, friends, unrelated])
    n_kids = np.where(kids > 0, 1 + rng.poisson(0.9, n), 0)
    others = members[:, [2, 3, 4, 5, 6]].sum(axis=1) + rng.poisson(0.4, n) * members[:, 2:].any(
        axis=1
    )
    size = 1 + (spouse > 0) + n_kids + others
    hh = np.empty(n, dtype=object)
    for i in range(n):
        codes = [str(j + 1) for j in np.flatnonzero(members[i])]
        hh[i] = " ".join(codes) if codes else None
    alone = size == 1
    return {
        "hh_size": np.minimum(size, 30).astype(float),
        "hh_children": np.where(alone, np.nan, np.minimum(n_kids, np.minimum(size, 30) - 1)),
        "hh_members": texts(~alone, [h if h is not None else "6" for h in hh]),
    }


def housing(P: pd.DataFrame, rng: np.random.Generator, form: str, tenure: np.ndarray) -> Answers:
    """``hou_*``: district (the stratum), area type by zone, tenure, satisfaction, moves."""
    n = len(P)
    zones = P["zone"].to_numpy()
    area = np.zeros(n)
    for z, probs in _AREA_BY_ZONE.items():
        sel = zones == z
        if sel.any():
            area[sel] = pick(np.tile(probs, (int(sel.sum()), 1)), [1, 2, 3, 4, 5], rng)
    out: Answers = {
        "hou_district": column(P, "district"),
        "hou_area_type": area,
        "hou_tenure": tenure,
        "hou_tenure_oth": texts(tenure == 97, "саяжай"),
        "hou_sat": likert(sigmoid(0.6 * column(P, "ses") + 0.3 * (tenure >= 6)), 5, rng, noise=0.8),
    }
    if form == "migrants":
        years = column(P, "years")
        moves = np.minimum(rng.poisson(0.25 * years + 0.5), 60)
        same = (moves == 0) | (rng.random(n) < 0.35)
        district = column(P, "district")
        city_districts = P.groupby("city")["district"].unique().to_dict()
        first = np.array(
            [
                d if s else rng.choice(city_districts[c])
                for d, s, c in zip(district, same, P["city"].to_numpy(), strict=True)
            ],
            dtype=float,
        )
        strat = column(P, "strategy")
        help_p = np.column_stack(
            [
                0.45 - 0.15 * strat,
                0.25 - 0.1 * strat,
                0.15 + 0.15 * strat,
                np.full(n, 0.08),
                0.08 + 0.12 * strat,
                np.full(n, 0.03),
            ]
        )
        out["hou_first_district"] = first
        out["hou_moves_city"] = moves.astype(float)
        out["hou_help"] = multi(help_p, [1, 2, 3, 4, 5, 6], rng, none=0)
    return out


def esser_items(P: pd.DataFrame, rng: np.random.Generator) -> Answers:
    """Knowledge quiz, urban practices, digital services, insurance: culturation and placement."""
    n = len(P)
    cult = column(P, "culturation", 0.5)
    age = column(P, "age")
    correct = {
        "ess_cul_q_ambulance": 3,
        "ess_cul_q_kindergarten": 1,
        "ess_cul_q_housing": 3,
        "ess_cul_q_register": 1,
    }
    out: Answers = {}
    for k, (name, right) in enumerate(correct.items()):
        ok = rng.random(n) < sigmoid(-1.2 + 3.5 * cult + 0.4 * (k == 0))
        wrong = rng.choice([c for c in (1, 2, 3, 4) if c != right], n).astype(float)
        dk = rng.random(n) < 0.08 * (1 - cult)
        out[name] = np.where(dk, 98.0, np.where(ok, right, wrong))
    digital_p = np.column_stack([sigmoid(-1.5 + 3.5 * cult - 0.02 * (age - 40))] * 7)
    digital_p *= np.array([0.95, 0.55, 0.6, 0.75, 0.85, 0.8, 1.0])
    out["ess_cul_digital"] = multi(digital_p, [1, 2, 3, 4, 5, 6, 7], rng, none=0)
    out["ess_pla_insurance"] = np.where(
        rng.random(n) < sigmoid(-0.5 + 3.0 * column(P, "placement", 0.5)), 1.0, 0.0
    )
    out["ess_cul_edu_city"] = np.where(rng.random(n) < sigmoid(-2.0 + 2.5 * cult), 1.0, 0.0)
    return out


_PLACES = (
    "орталық саябақ",
    "жағалау",
    "базар",
    "сауда орталығы",
    "мешіт",
    "театр",
    "парк",
    "набережная",
    "площадь",
    "кафе",
    "аула",
    "тау жақ",
)
_AVOID = ("вокзал маңы", "базар маңы", "шеткі көшелер", "түнгі аялдама", "окраина")
_ASSOC = (
    "жасыл қала",
    "кептеліс",
    "мүмкіндіктер",
    "жұмыс",
    "таулар",
    "жел",
    "суық қыс",
    "жастар",
    "шу",
    "қымбат",
    "красивый город",
    "возможности",
    "пробки",
)


def city_image(P: pd.DataFrame, rng: np.random.Generator) -> Answers:
    """``img_*`` other than the semantic differential: places liked and avoided, welcome."""
    n = len(P)
    city_districts = P.groupby("city")["district"].unique().to_dict()
    cities = P["city"].to_numpy()
    fav = rng.random(n) < 0.75
    avoid = rng.random(n) < 0.4
    image = column(P, "city_image", 0.6)
    return {
        "img_assoc": texts(
            rng.random(n) < 0.7, np.array(_ASSOC, dtype=object)[rng.integers(0, len(_ASSOC), n)]
        ),
        "img_fav_place": texts(
            fav, np.array(_PLACES, dtype=object)[rng.integers(0, len(_PLACES), n)]
        ),
        "img_fav_type": rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], n).astype(float),
        "img_fav_district": np.array([rng.choice(city_districts[c]) for c in cities], float),
        "img_avoid_place": texts(
            avoid, np.array(_AVOID, dtype=object)[rng.integers(0, len(_AVOID), n)]
        ),
        "img_avoid_district": np.array([rng.choice(city_districts[c]) for c in cities], float),
        "img_avoid_reason": multi(
            np.tile([0.4, 0.3, 0.15, 0.1, 0.25, 0.15], (n, 1)),
            [1, 2, 3, 4, 5, 6],
            rng,
            at_least_one=True,
        ),
        "img_welcome": likert(image, 5, rng, noise=0.8),
        "img_life_sat": likert(0.5 * image + 0.5 * sigmoid(column(P, "ses")), 5, rng, noise=0.8),
    }
