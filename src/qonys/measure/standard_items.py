"""Item scores of the standard instrument on [0, 1]: the components of the IPL and Esser indices.

The standard qonys instrument (``qonys.io.instrument``: ``scales.yaml``, ``indices``) defines
each integration dimension as the mean of *components*, each a scale or a coded variable. This
module turns the raw answers into component scores on [0, 1], oriented so that higher means more
integrated, following the instrument's coding rules and METHODS 1.3:

* ordinal items: :math:`(r-1)/(k-1)`, reverse-keyed ones :math:`1-(r-1)/(k-1)`;
* 99 (refused) and any other missing code: missing; 98 (don't know) is missing too, except on
  knowledge items (the quiz, ``ipl_pol_quiz``) where it is a wrong answer (0);
* a multi-item component (a scale) is the mean of its available items when at least half of
  them are present (rounded up), otherwise missing;
* multiple-response counts (``ess_cul_digital``, ``ipl_pol_actions``) are top-coded:
  :math:`\\min(x, c)/c`;
* language: the better of Kazakh and Russian (METHODS 1.4, configurable: ``"kk"``, ``"ru"``).

Income is the band midpoint over the city's median monthly income, capped at 1 (the instrument's
rule). When the study gives no median, the design-weighted median of the respondents' band
midpoints in their city is used, and the result says so.

Every function returns a frame of component columns; the dimension and index scores are then
:func:`qonys.measure.dimension_index` over :data:`ESSER_COMPONENTS` / :data:`IPL_COMPONENTS`
(kind ``unit``), so the item -> dimension map stays configuration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .identity import weighted_median
from .indices import IndexSpec, ItemCoding

__all__ = [
    "COMPONENTS",
    "ESSER_COMPONENTS",
    "INCOME_BANDS",
    "IPL_COMPONENTS",
    "component_scores",
    "esser_spec",
    "ipl_spec",
]

MISSING_CODES = (98, 99)
"""Don't know and refused in the standard instrument."""

INCOME_BANDS: dict[int, float] = {
    1: 0.0,
    2: 42_500.0,
    3: 117_500.0,
    4: 200_000.0,
    5: 325_000.0,
    6: 500_000.0,
    7: 800_000.0,
    8: 1_250_000.0,
}
"""Midpoints (tenge a month) of the income bands of ``ses_income``; the open top band is taken
at 1.25 million."""

ISEI_MAJOR: dict[int, float] = {
    1: 62.0,
    2: 65.0,
    3: 51.0,
    4: 41.0,
    5: 31.0,
    6: 18.0,
    7: 33.0,
    8: 28.0,
    9: 17.0,
}
"""ISEI-08 of the ISCO-08 major groups (Ganzeboom 2010, major-group means), rescaled min-max
over the groups for the occupation component."""

# component -> (kind, items, parameters); kinds: scale (ordinal items, levels, reverse),
# table (one item, code -> score), count (multiple response, codes, cap), key (quiz items,
# correct code), max_of (two scales, take the larger)
_SCALES: dict[str, tuple[tuple[str, ...], int, tuple[str, ...]]] = {
    "ipl_psy": (
        ("ipl_psy_connect", "ipl_psy_outsider", "ipl_psy_belong"),
        5,
        ("ipl_psy_outsider",),
    ),
    "ipl_pol": (("ipl_pol_understand", "ipl_pol_discuss"), 5, ()),
    "ipl_soc": (("ipl_soc_talk", "ipl_soc_dinner", "ipl_soc_favours"), 5, ()),
    "ipl_nav": (("ipl_nav_doctor", "ipl_nav_job", "ipl_nav_register", "ipl_nav_egov"), 5, ()),
    "ipl_lang_kk": (
        ("ipl_lang_kk_read", "ipl_lang_kk_speak", "ipl_lang_kk_write", "ipl_lang_kk_listen"),
        5,
        (),
    ),
    "ipl_lang_ru": (
        ("ipl_lang_ru_read", "ipl_lang_ru_speak", "ipl_lang_ru_write", "ipl_lang_ru_listen"),
        5,
        (),
    ),
    "ess_cul_practice": (
        ("ess_cul_theatre", "ess_cul_cafe", "ess_cul_events", "ess_cul_parks"),
        5,
        (),
    ),
    "ess_idn_self": (("ess_idn_self", "ess_idn_home"), 5, ()),
    "ess_idn_pi": (("ess_idn_pi_part", "ess_idn_pi_special", "ess_idn_pi_identify"), 5, ()),
    "ess_idn_pd": (
        ("ess_idn_pd_best", "ess_idn_pd_compare", "ess_idn_pd_elsewhere"),
        5,
        ("ess_idn_pd_elsewhere",),
    ),
    "idn_urban": (
        ("idn_urb_self", "idn_urb_important", "idn_urb_close", "idn_urb_rarely"),
        5,
        ("idn_urb_rarely",),
    ),
    "idn_bigcity": (
        ("idn_bcy_self", "idn_bcy_important", "idn_bcy_pace", "idn_bcy_tiring"),
        5,
        ("idn_bcy_tiring",),
    ),
}

_TABLES: dict[str, tuple[str, Mapping[int, float]]] = {
    "employment": ("ses_employment", {1: 1, 2: 1, 3: 1, 4: 1, 5: 0}),
    "contract": ("ses_contract", {1: 1, 0: 0}),
    "housing": ("hou_tenure", {1: 0, 2: 0.25, 3: 0.25, 4: 0.5, 5: 0.5, 6: 0.75, 7: 1}),
    "registration": ("mig_registration", {3: 0, 2: 0.5, 1: 1}),
    "insurance": ("ess_pla_insurance", {1: 1, 0: 0}),
    "edu_city": ("ess_cul_edu_city", {1: 1, 0: 0}),
    "partner": ("ess_int_partner", {1: 1, 4: 1, 2: 0, 3: 0}),
    "intention": ("mig_intention", {1: 1, 2: 0.5, 3: 0, 4: 0, 5: 0}),
    "psy_stay": ("ipl_psy_stay", {1: 0, 2: 1 / 3, 3: 2 / 3, 4: 1}),
    "eco_expense": ("ipl_eco_expense", {1: 0, 2: 1 / 3, 3: 2 / 3, 4: 1}),
    "eco_jobsat": ("ipl_eco_jobsat", {1: 0, 2: 0.25, 3: 0.5, 4: 0.75, 5: 1}),
}
"""Codes of the employment item: 1-4 employed (1), 5 unemployed (0), 6-9 not in the labour
force (missing: IPL leaves its value to the official table, METHODS 1.3)."""

ESSER_COMPONENTS: dict[str, tuple[str, ...]] = {
    "culturation": ("language", "knowledge", "edu_city", "practices", "digital"),
    "placement": (
        "employment",
        "contract",
        "occupation",
        "income",
        "housing",
        "registration",
        "insurance",
    ),
    "interaction": ("contact", "partner", "associations"),
    "identification": (
        "idn_self",
        "place_identity",
        "place_dependence",
        "intention",
        "urban_identity",
        "bigcity_identity",
    ),
}
"""Esser's dimensions and their components in the standard instrument (``scales.yaml``,
``indices.esser_*``). The network components of interaction (ties to long-term residents, E-I
index) come from the roster and join when the network stage's measures are attached."""

IPL_COMPONENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "ipl12": {
        "psychological": ("psy_connect", "psy_outsider"),
        "economic": ("income", "eco_expense"),
        "political": ("pol_understand", "pol_discuss"),
        "social": ("soc_talk", "soc_dinner"),
        "linguistic": ("lang_read", "lang_speak"),
        "navigational": ("nav_doctor", "nav_job"),
    },
    "ipl24": {
        "psychological": ("psy_connect", "psy_outsider", "psy_belong", "psy_stay"),
        "economic": ("employment", "income", "eco_expense", "eco_jobsat"),
        "political": ("pol_understand", "pol_discuss", "pol_actions", "pol_quiz"),
        "social": ("soc_talk", "soc_dinner", "soc_org_share", "soc_favours"),
        "linguistic": ("lang_read", "lang_speak", "lang_write", "lang_listen"),
        "navigational": ("nav_doctor", "nav_job", "nav_register", "nav_egov"),
    },
}
"""The six IPL dimensions and their items (IPL-12: the instrument's ``short_form`` items)."""


COMPONENTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            *(c for comps in ESSER_COMPONENTS.values() for c in comps),
            *(c for form in IPL_COMPONENTS.values() for comps in form.values() for c in comps),
            "psy_stay",
            "eco_jobsat",
            "nav_register",
            "nav_egov",
            "soc_favours",
        ]
    )
)
"""Every component :func:`component_scores` computes (names usable in an item map)."""


def _numeric(frame: pd.DataFrame, name: str, substitute_dk: float | None = None) -> pd.Series:
    x = pd.to_numeric(frame[name], errors="coerce").astype(float)
    dk = x == 98
    x = x.where(~x.isin(MISSING_CODES))
    if substitute_dk is not None:
        x = x.where(~dk, substitute_dk)
    return x


def _ordinal(frame: pd.DataFrame, name: str, k: int, reverse: bool) -> pd.Series:
    x = _numeric(frame, name)
    bad = x.notna() & ((x < 1) | (x > k) | (x != np.round(x)))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"value {x[bad].iloc[0]!r} of item {name!r} is outside its 1..{k} coding",
            where=Where(variable=name, row=row + 1),
            rule="measure.out-of-range",
            hint="Recode the item to the standard instrument's codes, or map its items yourself.",
        )
    s = (x - 1.0) / (k - 1.0)
    return 1.0 - s if reverse else s


def _table(frame: pd.DataFrame, name: str, table: Mapping[int, float]) -> pd.Series:
    x = _numeric(frame, name)
    return x.map(lambda v: table.get(int(v), np.nan) if v == v else np.nan).astype(float)


def _scale(frame: pd.DataFrame, items: Sequence[str], k: int, reverse: Sequence[str]) -> pd.Series:
    present = [i for i in items if i in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index)
    block = pd.concat([_ordinal(frame, i, k, i in reverse) for i in present], axis=1)
    need = max(1, math.ceil(len(items) / 2))
    return block.mean(axis=1).where(block.notna().sum(axis=1) >= need)


def _multi_block(
    frame: pd.DataFrame, name: str, codes: Sequence[int]
) -> tuple[pd.DataFrame, pd.Series] | None:
    """The 0/1 columns ``name/<code>`` of a select_multiple, and which rows answered (every
    column present and not refused, ``name/99``); ``None`` without the columns."""
    cols = [f"{name}/{c}" for c in codes]
    if not all(c in frame.columns for c in cols):
        return None
    block = frame[cols].apply(pd.to_numeric, errors="coerce")
    refused = (
        pd.to_numeric(frame[f"{name}/99"], errors="coerce") == 1
        if f"{name}/99" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    return block, block.notna().all(axis=1) & ~refused


def _multi_count(frame: pd.DataFrame, name: str, codes: Sequence[int], cap: float) -> pd.Series:
    got = _multi_block(frame, name, codes)
    if got is None:
        return pd.Series(np.nan, index=frame.index)
    block, answered = got
    return (block.sum(axis=1).clip(upper=cap) / cap).where(answered)


def _any_of(frame: pd.DataFrame, name: str, codes: Sequence[int]) -> pd.Series:
    got = _multi_block(frame, name, codes)
    if got is None:
        return pd.Series(np.nan, index=frame.index)
    block, answered = got
    return (block.sum(axis=1) > 0).astype(float).where(answered)


def _key(frame: pd.DataFrame, items: Sequence[tuple[str, int]]) -> pd.Series:
    present = [(i, k) for i, k in items if i in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index)
    block = pd.concat(
        [
            (_numeric(frame, i, substitute_dk=-1.0) == k)
            .astype(float)
            .where(_numeric(frame, i, substitute_dk=-1.0).notna())
            for i, k in present
        ],
        axis=1,
    )
    need = max(1, math.ceil(len(items) / 2))
    return block.mean(axis=1).where(block.notna().sum(axis=1) >= need)


def _income(
    frame: pd.DataFrame,
    city: str | None,
    median: float | Mapping[Any, float] | None,
    weights: np.ndarray,
) -> tuple[pd.Series, dict[str, float]]:
    if "ses_income" not in frame.columns:
        return pd.Series(np.nan, index=frame.index), {}
    mid = _numeric(frame, "ses_income").map(INCOME_BANDS).astype(float)
    groups = (
        frame[city].astype(str).str.removesuffix(".0")
        if city and city in frame.columns
        else pd.Series("all", index=frame.index)
    )
    used: dict[str, float] = {}
    by_code = (
        {str(k).removesuffix(".0"): float(v) for k, v in median.items()}
        if isinstance(median, Mapping)
        else None
    )
    med = pd.Series(np.nan, index=frame.index)
    for g in groups.dropna().unique():
        rows = (groups == g).to_numpy()
        value: float | None = (
            by_code.get(str(g))
            if by_code is not None
            else (None if median is None or isinstance(median, Mapping) else float(median))
        )
        if value is None:
            m = rows & mid.notna().to_numpy()
            if not m.any():
                continue
            value = weighted_median(mid.to_numpy()[m], weights[m])
        if not value or value <= 0:
            raise DataError(
                f"the median income of {g!r} is {value!r}",
                where=Where(variable="ses_income", key="income_median"),
                rule="measure.income-median",
                hint="Give a positive median monthly income (tenge) for every city.",
            )
        used[str(g)] = float(value)
        med[rows] = float(value)
    return pd.Series(np.minimum(mid / med, 1.0), index=frame.index), used


def component_scores(
    frame: pd.DataFrame,
    *,
    city: str | None = None,
    income_median: float | Mapping[Any, float] | None = None,
    language: Literal["max", "kk", "ru"] = "max",
    sample_weight: Any = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Component scores on [0, 1] of the standard instrument's answers (module docstring).

    Parameters
    ----------
    frame : DataFrame
        Raw answers with the instrument's variable names (multiple-response items as
        ``name/code`` dummies, as the KoboToolbox and ODK readers give them).
    city : str, optional
        City variable (income is relative to the city's median).
    income_median : float or Mapping, optional
        Median monthly income in tenge, one value or one per city code.
    language : {"max", "kk", "ru"}
        Which language's can-do items make the linguistic score.
    sample_weight : array-like, optional
        Weights of the fallback median income.

    Returns
    -------
    (DataFrame, dict)
        Component columns (missing where not computable) and the median incomes used by city.

    Examples
    --------
    >>> df = pd.DataFrame({"hou_tenure": [1, 7, 99], "mig_registration": [3, 1, 2]})
    >>> comp, _ = component_scores(df)
    >>> comp[["housing", "registration"]].to_numpy().tolist()
    [[0.0, 0.0], [1.0, 1.0], [nan, 0.5]]
    """
    w = np.ones(len(frame)) if sample_weight is None else np.asarray(sample_weight, float)
    out = pd.DataFrame(index=frame.index)
    for comp, (item, table) in _TABLES.items():
        out[comp] = _table(frame, item, table) if item in frame.columns else np.nan
    for item, k, rev in (
        ("ipl_psy_connect", 5, False),
        ("ipl_psy_outsider", 5, True),
        ("ipl_psy_belong", 5, False),
        ("ipl_pol_understand", 5, False),
        ("ipl_pol_discuss", 5, False),
        ("ipl_soc_talk", 5, False),
        ("ipl_soc_dinner", 5, False),
        ("ipl_soc_favours", 5, False),
        ("ipl_nav_doctor", 5, False),
        ("ipl_nav_job", 5, False),
        ("ipl_nav_register", 5, False),
        ("ipl_nav_egov", 5, False),
    ):
        out[item.removeprefix("ipl_")] = (
            _ordinal(frame, item, k, rev) if item in frame.columns else np.nan
        )
    for skill in ("read", "speak", "write", "listen"):
        kk = f"ipl_lang_kk_{skill}"
        ru = f"ipl_lang_ru_{skill}"
        a = _ordinal(frame, kk, 5, False) if kk in frame.columns else None
        b = _ordinal(frame, ru, 5, False) if ru in frame.columns else None
        pick = {"kk": a, "ru": b}.get(language)
        if language == "max":
            both = [s for s in (a, b) if s is not None]
            pick = pd.concat(both, axis=1).max(axis=1) if both else None
        out[f"lang_{skill}"] = pick if pick is not None else np.nan
    scales = {n: _scale(frame, *spec) for n, spec in _SCALES.items()}
    lang = {"kk": scales["ipl_lang_kk"], "ru": scales["ipl_lang_ru"]}.get(language)
    out["language"] = (
        pd.concat([scales["ipl_lang_kk"], scales["ipl_lang_ru"]], axis=1).max(axis=1)
        if lang is None
        else lang
    )
    out["practices"] = scales["ess_cul_practice"]
    out["idn_self"] = scales["ess_idn_self"]
    out["place_identity"] = scales["ess_idn_pi"]
    out["place_dependence"] = scales["ess_idn_pd"]
    out["urban_identity"] = scales["idn_urban"]
    out["bigcity_identity"] = scales["idn_bigcity"]
    out["knowledge"] = _key(
        frame,
        (
            ("ess_cul_q_ambulance", 3),
            ("ess_cul_q_kindergarten", 1),
            ("ess_cul_q_housing", 3),
            ("ess_cul_q_register", 1),
        ),
    )
    out["pol_quiz"] = _key(frame, (("ipl_pol_quiz", 1),))
    out["digital"] = _multi_count(frame, "ess_cul_digital", range(1, 8), 7)
    out["pol_actions"] = _multi_count(frame, "ipl_pol_actions", range(1, 7), 3)
    out["associations"] = _any_of(frame, "ipl_soc_orgs", (1, 2, 3, 4, 6))
    if "ipl_soc_org_share" in frame.columns:
        share = _ordinal(frame, "ipl_soc_org_share", 5, False)
        out["soc_org_share"] = share.where(out["associations"] != 0, 0.0).where(
            out["associations"].notna()
        )
    else:
        out["soc_org_share"] = np.nan
    contact = []
    if "ess_int_friends" in frame.columns:
        f = _numeric(frame, "ess_int_friends")
        contact.append(((f - 1.0) / 4.0).clip(lower=0.0))
    if "ess_int_neighbours" in frame.columns:
        contact.append(_ordinal(frame, "ess_int_neighbours", 5, False))
    out["contact"] = (
        pd.concat(contact, axis=1)
        .mean(axis=1)
        .where(pd.concat(contact, axis=1).notna().sum(axis=1) >= 1)
        if contact
        else np.nan
    )
    if "ses_isco" in frame.columns:
        isco = _numeric(frame, "ses_isco")
        lo, hi = min(ISEI_MAJOR.values()), max(ISEI_MAJOR.values())
        out["occupation"] = isco.map(
            lambda v: (ISEI_MAJOR.get(int(v), np.nan) - lo) / (hi - lo) if v == v else np.nan
        ).astype(float)
    else:
        out["occupation"] = np.nan
    out["income"], used = _income(frame, city, income_median, w)
    return out.astype(float), used


def _spec(name: str, dims: Mapping[str, Sequence[str]]) -> IndexSpec:
    return IndexSpec(
        name,
        tuple(ItemCoding(c, d, kind="unit") for d, comps in dims.items() for c in comps),
        dimensions=tuple(dims),
    )


def esser_spec(components: Mapping[str, Sequence[str]] | None = None) -> IndexSpec:
    """Esser's four dimensions over component scores (default :data:`ESSER_COMPONENTS`).

    >>> esser_spec().dimensions
    ('culturation', 'placement', 'interaction', 'identification')
    """
    return _spec("esser", components or ESSER_COMPONENTS)


def ipl_spec(form: Literal["ipl12", "ipl24"] = "ipl24") -> IndexSpec:
    """The six IPL dimensions over component scores (IPL-12 or IPL-24 items).

    >>> len(ipl_spec("ipl12").items)
    12
    """
    return _spec(form, IPL_COMPONENTS[form])
