"""Helpers shared by the estimators: options, interval degrees of freedom, tidy tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core import DesignError, Meta, Where
from ..design.data import SurveyData
from ._linear import LinearFit
from ._prep import Domains, Terms
from .results import wald_ci

__all__ = [
    "DeffKind",
    "DfOption",
    "build_table",
    "check_level",
    "meta_for",
    "method_name",
    "resolve_df",
    "restrict",
]

DeffKind = Literal["wor", "wr"] | None
DfOption = float | Literal["design"]


def method_name(sd: SurveyData) -> str:
    """How variances are computed, in words."""
    reps = sd.prepared.replicates
    if reps is not None:
        return f"replicate weights ({reps.type}, {reps.n_replicates} replicates)"
    if sd.calibrations:
        return "Taylor linearisation (calibration residuals)"
    return "Taylor linearisation"


def restrict(data: Any, where: Any) -> Any:
    """``data`` restricted to the subpopulation ``where`` (unchanged when ``None``)."""
    if where is None:
        return data
    return data.subset(where)


def check_level(level: float) -> float:
    """Validate a confidence level."""
    if not 0 < float(level) < 1:
        raise DesignError(
            f"level must be between 0 and 1; got {level!r}",
            where=Where(key="level"),
            rule="design.ci-level",
        )
    return float(level)


def resolve_df(df: DfOption, domain_df: np.ndarray) -> np.ndarray:
    """Degrees of freedom used for intervals: the design's, or a fixed number."""
    if isinstance(df, str):
        if df != "design":
            raise DesignError(
                f"df must be 'design' or a number; got {df!r}",
                where=Where(key="df"),
                rule="design.df-option",
            )
        return domain_df.astype(float)
    return np.full(domain_df.shape, float(df))


def build_table(
    fit: LinearFit,
    terms: Terms,
    domains: Domains,
    *,
    level: float,
    df: DfOption,
    variable_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tidy rows in variable-major order."""
    d_n = domains.n
    k_n = terms.p * d_n
    j_of = np.arange(k_n) // d_n
    d_of = np.arange(k_n) % d_n
    dfs = resolve_df(df, fit.df)[d_of]
    se = np.sqrt(np.clip(fit.var, 0, None))
    lo, hi = wald_ci(fit.theta, se, dfs, level)
    names = list(variable_names) if variable_names is not None else terms.variable
    data: dict[str, Any] = {
        "variable": [names[j] for j in j_of],
        "level": [terms.level[j] for j in j_of],
        "domain": [domains.labels[d] for d in d_of],
        "estimate": fit.theta,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "df": dfs,
        "deff": fit.deff,
        "n": fit.n.astype(np.int64),
    }
    for i, b in enumerate(domains.by):
        data[b] = [domains.values[d][i] for d in d_of]
    data["sum_weights"] = fit.sum_w
    return pd.DataFrame(data)


def meta_for(
    sd: SurveyData,
    terms: Terms,
    domains: Domains,
    fit: LinearFit,
    call: dict[str, Any],
    missing: str,
) -> Meta:
    prep = sd.prepared
    notes = (*prep.notes, *terms.notes, *domains.notes, *fit.notes)
    return Meta(
        method=method_name(sd),
        design=sd.describe(),
        policies={"missing": missing, "lonely_psu": sd.design.lonely_psu},
        call=call,
        notes=notes,
        n_used=int(fit.n.max(initial=0)) if domains.n == 1 else int(fit.n.sum() / terms.p),
        n_dropped=terms.n_dropped + prep.n_dropped,
    )
