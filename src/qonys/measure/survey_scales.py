"""Scale scores on survey data and their design-based means by domain.

A scale of the codebook (:class:`~qonys._core.Scale`: items, reverse-keyed items, range) is
scored per respondent and attached to the :class:`~qonys.design.SurveyData`; means of the scores
are then estimated with the design (:func:`qonys.estimate.mean`), overall and by domain, with
domains that keep every PSU.

Three rules decide who gets a score, each named:

``exclude``
    which kinds of missing-value codes (``skipped``, ``refused``, ``dont_know``, ``missing``)
    count as "no answer"; a code of a kind not listed raises ``measure.missing-code``. Codes in
    ``not_applicable`` (the instrument's 96, "does not apply") are excluded too;
``missing`` and ``min_items``
    ``available`` scores respondents who answered at least ``min_items`` items: ``"half"``
    (half the items, rounded up; the default), ``"all"``, a number, or a number per scale;
    ``drop`` scores complete respondents only; ``fail`` raises on any missing item;
``transform``
    ``raw`` averages the items on their scale (1-5); ``unit`` first rescales each item to
    [0, 1] by its own valid range (items on different response scales, such as contact counts
    and frequencies).

Examples
--------
>>> import pandas as pd
>>> from qonys._core import Codebook, Scale, Variable
>>> from qonys.design import SurveyData, SurveyDesign
>>> df = pd.DataFrame({"a": [1.0, 4, None, 5], "b": [5.0, 2, 3, 1], "w": [1.0, 1, 2, 2]})
>>> cb = Codebook(variables=(Variable("a", "integer"), Variable("b", "integer")),
...               scales=(Scale("s", ("a", "b"), reverse=("b",), low=1, high=5),))
>>> sd = SurveyData(df, SurveyDesign(weights="w"), codebook=cb)
>>> scored = score_scales(sd)
>>> scored.data.data["score_s"].tolist()
[1.0, 4.0, 3.0, 5.0]
>>> round(float(scale_means(sd).estimate[0]), 4)   # (1 + 4 + 2*3 + 2*5) / 6
3.5
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._core import (
    Codebook,
    DataError,
    Meta,
    MissingPolicy,
    ResultMixin,
    Scale,
    Variable,
    Where,
    tidy_frame,
)
from .._core.checks import check_in
from .._core.policies import check_policy
from ..design import SurveyData
from ..estimate import Estimates, mean
from ._data import weighted_cov
from ._survey import add_columns
from .scales import default_min_items

__all__ = [
    "MISSING_KINDS",
    "MinItemsRule",
    "ScaleScores",
    "ScaleTransform",
    "item_range",
    "min_items_for",
    "scale_means",
    "score_scales",
]

MISSING_KINDS: tuple[str, ...] = ("skipped", "refused", "dont_know", "missing")
"""Every kind of missing-value code (see :class:`~qonys._core.MissingKind`)."""

MinItemsRule = Literal["half", "all"]
"""Named minimum-items rules: half the items rounded up, or every item."""

ScaleTransform = Literal["raw", "unit"]
"""Items averaged on their own scale (``raw``) or each rescaled to [0, 1] first (``unit``)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ScaleScores(ResultMixin):
    """Scores attached to the survey data, and who was scored.

    Attributes
    ----------
    data : SurveyData
        The survey data with one score column per scale (and a codebook entry with the scale's
        label), ready for :mod:`qonys.estimate`.
    columns : Mapping[str, str]
        Scale name -> score column.
    table : DataFrame
        Per scale: ``items``, ``min_items``, ``n_scored``, ``n_not_scored``, the answers
        excluded by kind (``excluded_<kind>``, ``excluded_not_applicable``) and ``alpha``
        (Cronbach's alpha of the keyed items, weighted, complete cases; ``NaN`` with fewer than
        two items or a constant item).
    meta : Meta
    """

    data: SurveyData
    columns: Mapping[str, str]
    table: pd.DataFrame
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One row per scale: ``variable`` = score column, ``estimate`` = alpha, ``n`` = scored."""
        t = self.table
        return tidy_frame(
            t.rename(columns={"column": "variable", "alpha": "estimate", "n_scored": "n"}),
            extra=[c for c in t.columns if c not in ("column", "alpha", "n_scored")],
        )


def min_items_for(scale: Scale, rule: MinItemsRule | int | Mapping[str, int | str] = "half") -> int:
    """The minimum number of answered items for ``scale`` under ``rule``.

    >>> s = Scale("s", ("a", "b", "c", "d", "e"))
    >>> min_items_for(s, "half"), min_items_for(s, "all"), min_items_for(s, {"s": 4})
    (3, 5, 4)
    """
    k = len(scale.items)
    if isinstance(rule, Mapping):
        rule = rule.get(scale.name, "half")  # type: ignore[assignment]
    if isinstance(rule, str):
        check_in(rule, ("half", "all"), "min_items")
        return k if rule == "all" else default_min_items(k)
    m = int(rule)  # type: ignore[arg-type]
    if not 1 <= m <= k:
        raise DataError(
            f"min_items must be between 1 and {k} for scale {scale.name!r}; got {m}",
            where=Where(variable=scale.name, key="min_items"),
            rule="measure.min-items",
        )
    return m


def item_range(
    codebook: Codebook | None, item: str, scale: Scale, not_applicable: Sequence[float] = ()
) -> tuple[float, float]:
    """Valid range of an item: its choice codes that are not missing or "does not apply",
    else the scale's ``low``/``high``.

    >>> item_range(None, "a", Scale("s", ("a",), low=1, high=5))
    (1.0, 5.0)
    """
    if codebook is not None and item in codebook and codebook.choices_of(item) is not None:
        cl = codebook.choices_of(item)
        codes = [
            float(c.code)
            for c in (cl.choices if cl else ())
            if c.missing is None
            and codebook.missing_kind(item, c.code) is None
            and isinstance(c.code, int | float)
            and float(c.code) not in set(map(float, not_applicable))
        ]
        if len(codes) >= 2:
            return min(codes), max(codes)
    if scale.low is None or scale.high is None:
        raise DataError(
            f"the range of item {item!r} of scale {scale.name!r} is unknown",
            where=Where(variable=item),
            rule="measure.scale-range",
            hint="Give the scale's low and high values, or value labels for the item.",
        )
    return float(scale.low), float(scale.high)


def _item(
    sd: SurveyData,
    item: str,
    exclude: Sequence[str],
    not_applicable: Sequence[float],
    counts: dict[str, int],
) -> pd.Series:
    raw = sd.column(item)
    x = pd.to_numeric(raw, errors="coerce").astype(float)
    bad_text = raw.notna() & x.isna()
    if bad_text.any():
        raise DataError(
            f"item {item!r} has values that are not numbers",
            where=Where(variable=item, row=int(np.flatnonzero(bad_text.to_numpy())[0]) + 1),
            rule="measure.non-numeric",
        )
    cb = sd.codebook
    if cb is not None and item in cb:
        for code in pd.unique(x.dropna()):
            kind = cb.missing_kind(item, code)
            if kind is None:
                continue
            if str(kind) not in exclude:
                raise DataError(
                    f"item {item!r} holds the {kind} code {code:g}, a kind not excluded",
                    where=Where(variable=item),
                    rule="measure.missing-code",
                    hint=f"Add {str(kind)!r} to exclude=, or recode the answers first.",
                )
            hit = x == code
            counts[f"excluded_{kind}"] = counts.get(f"excluded_{kind}", 0) + int(hit.sum())
            x = x.mask(hit)
    if not_applicable:
        hit = x.isin([float(v) for v in not_applicable])
        counts["excluded_not_applicable"] = counts.get("excluded_not_applicable", 0) + int(
            hit.sum()
        )
        x = x.mask(hit)
    return x


def _keyed(
    sd: SurveyData,
    scale: Scale,
    transform: ScaleTransform,
    exclude: Sequence[str],
    not_applicable: Sequence[float],
    counts: dict[str, int],
) -> pd.DataFrame:
    cols = {}
    for item in scale.items:
        x = _item(sd, item, exclude, not_applicable, counts)
        lo, hi = (
            item_range(sd.codebook, item, scale, not_applicable)
            if transform == "unit" or scale.low is None or scale.high is None
            else (float(scale.low), float(scale.high))
        )
        out = x.notna() & ((x < lo) | (x > hi))
        if out.any():
            raise DataError(
                f"value {x[out].iloc[0]:g} of {item!r} is outside [{lo:g}, {hi:g}]",
                where=Where(variable=item, row=int(np.flatnonzero(out.to_numpy())[0]) + 1),
                rule="measure.out-of-range",
                hint="Declare the code as a missing value in the codebook, or pass it in "
                "not_applicable=.",
            )
        if item in scale.reverse:
            x = lo + hi - x
        cols[item] = (x - lo) / (hi - lo) if transform == "unit" else x
    return pd.DataFrame(cols, index=sd.data.index)


def _alpha(block: pd.DataFrame, w: np.ndarray) -> float:
    if block.shape[1] < 2:
        return float("nan")
    ok = block.notna().all(axis=1).to_numpy() & (w > 0)
    if ok.sum() < 3:
        return float("nan")
    _, cov = weighted_cov(block.to_numpy()[ok], w[ok])
    k, total = cov.shape[0], float(cov.sum())
    if total <= 0 or (np.diag(cov) <= 0).any():  # a constant item: alpha is undefined
        return float("nan")
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def score_scales(
    sd: SurveyData,
    scales: Sequence[Scale | str] | None = None,
    *,
    method: Literal["mean", "sum"] = "mean",
    transform: ScaleTransform = "raw",
    missing: MissingPolicy = "available",
    min_items: MinItemsRule | int | Mapping[str, int | str] = "half",
    exclude: Sequence[str] = MISSING_KINDS,
    not_applicable: Sequence[float] = (),
    prefix: str = "score_",
) -> ScaleScores:
    """Score scales per respondent and attach the scores to the survey data.

    Parameters
    ----------
    sd : SurveyData
        Survey data; its codebook supplies the scales, value labels and missing codes.
    scales : sequence of Scale or str, optional
        Scales (or names of the codebook's scales) to score; default every codebook scale whose
        items are all in the data.
    method : {"mean", "sum"}
        Mean of the keyed items, or their prorated sum (:math:`k` times the mean).
    transform, missing, min_items, exclude, not_applicable
        See the module docstring.
    prefix : str
        Score columns are named ``prefix + scale name``.

    Returns
    -------
    ScaleScores

    Notes
    -----
    .. math:: S_i = \\frac{1}{|A_i|} \\sum_{j \\in A_i} x'_{ij} \\quad \\text{if } |A_i| \\ge m

    with :math:`x'` the keyed (reversed: :math:`low + high - x`) and, for ``unit``, rescaled
    items :math:`(x - lo_j)/(hi_j - lo_j)`, :math:`A_i` the items answered and :math:`m` the
    minimum. R: ``rowMeans(x, na.rm = TRUE)`` after ``psych::reverse.code``, masked where
    ``rowSums(!is.na(x)) < m``.
    """
    check_policy(missing, MissingPolicy, "missing")
    check_in(method, ("mean", "sum"), "method")
    check_in(transform, ("raw", "unit"), "transform")
    for kind in exclude:
        check_in(kind, MISSING_KINDS, "exclude")
    cb = sd.codebook
    if scales is None:
        chosen = [
            s for s in (cb.scales if cb else ()) if all(i in sd.data.columns for i in s.items)
        ]
    else:
        chosen = [s if isinstance(s, Scale) else _scale(cb, s) for s in scales]
    w = sd.weights
    new: dict[str, pd.Series] = {}
    variables: list[Variable] = []
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    for scale in chosen:
        counts: dict[str, int] = {}
        block = _keyed(sd, scale, transform, exclude, not_applicable, counts)
        k = len(scale.items)
        answered = block.notna().sum(axis=1)
        if missing == "fail" and (answered < k).any():
            row = int(np.flatnonzero((answered < k).to_numpy())[0]) + 1
            raise DataError(
                f"{int((answered < k).sum())} respondents have missing items in scale "
                f"{scale.name!r}",
                where=Where(variable=scale.name, row=row),
                rule="measure.missing",
                hint="Choose missing='available' (with min_items) or 'drop'.",
            )
        need = k if missing in ("fail", "drop") else min_items_for(scale, min_items)
        score = block.mean(axis=1, skipna=True).where(answered >= need)
        if method == "sum":
            score = score * k
        col = prefix + scale.name
        new[col] = score
        variables.append(
            Variable(col, "decimal", label=dict(scale.label) or {"en": scale.name}, measure="scale")
        )
        n_not = int((score.isna() & (w > 0)).sum())
        if n_not:
            notes.append(
                f"{scale.name}: {n_not} respondents not scored (fewer than {need} of {k} items "
                "answered)"
            )
        rows.append(
            {
                "scale": scale.name,
                "column": col,
                "items": k,
                "min_items": need,
                "n_scored": int(score.notna().sum()),
                "n_not_scored": n_not,
                "alpha": _alpha(block, w),
                **counts,
            }
        )
    table = pd.DataFrame(rows).fillna({c: 0 for c in ("excluded_" + k for k in MISSING_KINDS)})
    meta = Meta(
        method=f"scale scores ({method} of keyed items, {transform})",
        design=sd.describe(),
        policies={"missing": missing, "min_items": str(min_items)},
        call={
            "scales": [s.name for s in chosen],
            "exclude": list(exclude),
            "not_applicable": list(not_applicable),
        },
        notes=tuple(notes),
        n_used=sd.n,
    )
    return ScaleScores(
        add_columns(sd, new, variables), {s.name: prefix + s.name for s in chosen}, table, meta
    )


def _scale(cb: Codebook | None, name: str) -> Scale:
    if cb is None:
        raise DataError(
            f"scale {name!r} needs a codebook that defines it",
            where=Where(variable=name),
            rule="measure.unknown-scale",
            hint="Pass a Scale object, or survey data with a codebook.",
        )
    return cb.scale(name)


def scale_means(
    sd: SurveyData,
    scales: Sequence[Scale | str] | None = None,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    **scoring: object,
) -> Estimates:
    """Design-based means of scale scores, overall or by domain.

    Parameters
    ----------
    sd : SurveyData
    scales : sequence of Scale or str, optional
        As for :func:`score_scales`.
    by : str or sequence of str, optional
        Domain variables (domains keep the whole design).
    level : float
        Confidence level.
    **scoring
        Passed to :func:`score_scales` (``missing``, ``min_items``, ``transform``...).

    Returns
    -------
    Estimates
        :func:`qonys.estimate.mean` of the score columns, each on its own scored respondents
        (``missing="available"``); unscored respondents stay in the design as outside the
        domain. The scoring notes are in ``meta.notes``.

    Notes
    -----
    R: ``svyby(~score, ~city, design, svymean, na.rm = TRUE)`` on the scores.
    """
    scored = score_scales(sd, scales, **scoring)  # type: ignore[arg-type]
    est = mean(scored.data, list(scored.columns.values()), by=by, missing="available", level=level)
    return dataclasses.replace(est, meta=est.meta.with_notes(*scored.meta.notes))
