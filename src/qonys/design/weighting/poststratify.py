"""Post-stratification and weighting-class non-response adjustment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._core import DesignError, Meta, Where
from ..calibration import Calibration
from ..data import SurveyData, as_columns
from ._common import (
    WEIGHTING_METHODS,
    Weighted,
    apply_weights,
    indicator_matrix,
    level_codes,
    parse_margin,
    weight_summary,
)

__all__ = ["nonresponse", "poststratify"]


def _cells(data: SurveyData, strata: list[str]) -> tuple[np.ndarray, list[str]]:
    if len(strata) == 1:
        return level_codes(data, strata[0])
    for s in strata:
        level_codes(data, s)  # missing-value check with the variable's name
    text = data.data[strata].astype(str).agg(":".join, axis=1)
    levels = sorted(pd.unique(text))
    return pd.Categorical(text, categories=levels).codes.astype(np.int64), levels


def _population(strata: list[str], population: Any, levels: list[str]) -> np.ndarray:
    if isinstance(population, pd.DataFrame) and len(strata) > 1:
        total_col = [c for c in population.columns if c not in strata]
        if len(total_col) != 1:
            raise DesignError(
                "a population table needs the strata columns and one total column",
                where=Where(key="population"),
                rule="weighting.margin-format",
            )
        keys = population[strata].astype(str).agg(":".join, axis=1)
        population = dict(zip(keys, population[total_col[0]], strict=True))
    return parse_margin(":".join(strata), population, levels)


def poststratify_weights(w: np.ndarray, codes: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Multiply the weights of every post-stratum by :math:`N_h / \\hat N_h`."""
    est = np.bincount(codes, weights=w, minlength=totals.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(est > 0, totals / est, 0.0)
    return w * g[codes]


@WEIGHTING_METHODS.register("poststratify")
def poststratify(
    data: SurveyData,
    strata: str | Sequence[str],
    population: Any,
    *,
    name: str | None = None,
) -> Weighted:
    """Post-stratify: make the weighted count of every post-stratum equal its population size.

    Parameters
    ----------
    data : SurveyData
    strata : str or list of str
        Post-stratification variable(s); several are crossed into cells.
    population : mapping, Series or DataFrame
        Population count of every level (cell); with several variables a DataFrame with the
        strata columns and one total column.
    name : str, optional
        Name of the new weight column (default ``_weight_poststratify``).

    Returns
    -------
    Weighted
        New weights :math:`w_i N_h / \\hat N_h`; the returned ``data`` keeps the post-strata for
        calibration-aware variances (residuals from the post-stratum means), and replicate
        designs are post-stratified replicate by replicate.

    Raises
    ------
    DesignError
        A level without a population count (``weighting.margin-levels``) or a positive
        population count for a level no respondent has (``weighting.infeasible-margin``).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"sex": ["f", "f", "m"], "w": [1.0, 1.0, 1.0]})
    >>> r = poststratify(SurveyData(df, SurveyDesign(weights="w")), "sex", {"f": 10, "m": 30})
    >>> r.weights.tolist()  # In R: postStratify(d, ~sex, data.frame(sex=c("f","m"), Freq=...))
    [5.0, 5.0, 30.0]
    """
    cols = as_columns(strata)
    codes, levels = _cells(data, cols)
    totals = _population(cols, population, levels)
    w0 = data.prepared.weights
    est = np.bincount(codes, weights=w0, minlength=len(levels))
    if ((est == 0) & (totals > 0)).any():
        lev = levels[int(np.flatnonzero((est == 0) & (totals > 0))[0])]
        raise DesignError(
            f"post-stratum {lev!r} of {'/'.join(cols)} has no weight in the sample but a "
            "positive population count",
            where=Where(variable=cols[0]),
            rule="weighting.infeasible-margin",
            hint="Collapse it with a neighbouring post-stratum.",
        )
    new_w = poststratify_weights(w0, codes, totals)
    cal = Calibration("poststratify", indicator_matrix(codes, len(levels)), w0, new_w)
    out = apply_weights(
        data,
        new_w,
        method="poststratify",
        name=name,
        calibration=cal,
        replicate_fn=lambda a: poststratify_weights(a, codes, totals),
    )
    after = np.bincount(codes, weights=new_w, minlength=len(levels))
    margins = pd.DataFrame(
        {
            "variable": ":".join(cols),
            "level": levels,
            "target": totals,
            "before": est,
            "after": after,
        }
    )
    meta = Meta(
        method="post-stratification",
        design=data.describe(),
        call={"strata": cols, "name": name},
        n_used=int((new_w > 0).sum()),
    )
    return Weighted(
        "poststratify",
        new_w,
        out,
        margins,
        {**weight_summary(new_w), "iterations": 1.0, "converged": 1.0},
        meta,
    )


@WEIGHTING_METHODS.register("nonresponse")
def nonresponse(
    data: SurveyData,
    responded: str,
    classes: str | Sequence[str],
    *,
    name: str | None = None,
) -> Weighted:
    """Weighting-class non-response adjustment.

    Within each class :math:`c`, respondents' weights are multiplied by
    :math:`\\sum_{i \\in c} w_i / \\sum_{i \\in c,\\ \\mathrm{resp}} w_i` and non-respondents get
    weight 0 (they stay in the data, so PSUs and strata are kept). This equals
    post-stratifying the respondents to the full sample's weighted class counts, which is how
    the variance treats it (R: ``postStratify(subset(d, responded), ~class, totals)``).

    Parameters
    ----------
    responded : str
        Response indicator column (1/0 or True/False).
    classes : str or list of str
        Weighting-class variable(s).

    Raises
    ------
    DesignError
        A class without respondents (``weighting.empty-class``).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"r": [1, 0, 1, 1], "c": ["a", "a", "b", "b"], "w": [1.0, 1, 1, 1]})
    >>> nonresponse(SurveyData(df, SurveyDesign(weights="w")), "r", "c").weights.tolist()
    [2.0, 0.0, 1.0, 1.0]
    """
    resp_col = data.column(responded)
    if resp_col.isna().any():
        raise DesignError(
            f"response indicator {responded!r} has missing values",
            where=Where(variable=responded),
            rule="weighting.missing-values",
        )
    resp = (
        resp_col.astype(bool).to_numpy()
        if resp_col.dtype == bool
        else (pd.to_numeric(resp_col, errors="coerce").to_numpy() == 1)
    )
    cols = as_columns(classes)
    text_codes, levels = _cells(data, cols)
    w0 = data.prepared.weights
    k = len(levels)
    total = np.bincount(text_codes, weights=w0, minlength=k)
    resp_tot = np.bincount(text_codes, weights=w0 * resp, minlength=k)
    empty = (resp_tot == 0) & (total > 0)
    if empty.any():
        raise DesignError(
            f"weighting class {levels[int(np.flatnonzero(empty)[0])]!r} of {'/'.join(cols)} "
            "has no respondents",
            where=Where(variable=cols[0]),
            rule="weighting.empty-class",
            hint="Merge it with a similar class.",
        )
    factor = np.where(resp_tot > 0, total / np.where(resp_tot > 0, resp_tot, 1), 0.0)
    new_w = np.where(resp, w0 * factor[text_codes], 0.0)
    cal = Calibration("nonresponse", indicator_matrix(text_codes, k), w0 * resp, new_w)

    def rep_fn(a: np.ndarray) -> np.ndarray:
        t = np.bincount(text_codes, weights=a, minlength=k)
        rt = np.bincount(text_codes, weights=a * resp, minlength=k)
        f = np.where(rt > 0, t / np.where(rt > 0, rt, 1), 0.0)
        return np.where(resp, a * f[text_codes], 0.0)

    out = apply_weights(
        data, new_w, method="nonresponse", name=name, calibration=cal, replicate_fn=rep_fn
    )
    margins = pd.DataFrame(
        {
            "variable": "/".join(cols),
            "level": levels,
            "target": total,
            "before": resp_tot,
            "after": np.bincount(text_codes, weights=new_w, minlength=k),
        }
    )
    margins["factor"] = factor
    meta = Meta(
        method="weighting-class non-response adjustment",
        design=data.describe(),
        call={"responded": responded, "classes": cols, "name": name},
        n_used=int(resp.sum()),
        n_dropped=int((~resp).sum()),
        notes=(f"{int((~resp).sum())} non-respondents get weight 0",),
    )
    return Weighted(
        "nonresponse",
        new_w,
        out,
        margins,
        {**weight_summary(new_w), "iterations": 1.0, "converged": 1.0},
        meta,
    )
