"""The frozen result of a design-based estimate, and the confidence-interval helpers."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._core import Meta, ResultMixin, tidy_frame

__all__ = ["Estimates", "critical_value", "wald_ci"]


def critical_value(level: float, df: float | np.ndarray) -> np.ndarray:
    """Two-sided critical value: Student's t on ``df`` degrees of freedom (normal when infinite).

    Examples
    --------
    >>> round(float(critical_value(0.95, math.inf)), 6)
    1.959964
    >>> round(float(critical_value(0.95, 14)), 6)
    2.144787
    """
    a = 1 - (1 - level) / 2
    dfa = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = np.where(np.isinf(dfa), stats.norm.ppf(a), stats.t.ppf(a, np.where(dfa > 0, dfa, 1)))
    return np.where(dfa > 0, q, np.nan)


def wald_ci(
    estimate: np.ndarray, se: np.ndarray, df: float | np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric interval :math:`\\hat\\theta \\pm t_{df,1-\\alpha/2}\\,\\mathrm{SE}`."""
    q = critical_value(level, df)
    return estimate - q * se, estimate + q * se


@dataclasses.dataclass(frozen=True, eq=False)
class Estimates(ResultMixin):
    """Estimates with standard errors, intervals, design effects and degrees of freedom.

    Attributes
    ----------
    statistic : str
        ``"mean"``, ``"total"``, ``"proportion"``, ``"ratio"``, ``"variance"``, ``"quantile"``...
    table : pandas.DataFrame
        Tidy rows (see :meth:`to_frame`).
    vcov : ndarray or None
        Covariance matrix of the estimates in table order, when it was computed.
    meta : Meta
        Method, design, policies, call and notes.
    """

    statistic: str
    table: pd.DataFrame
    vcov: np.ndarray | None
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: ``variable, level, domain, estimate, se, ci_low, ci_high, df, deff, n``
        followed by the by-variables and estimator-specific columns."""
        return tidy_frame(self.table)

    @property
    def estimate(self) -> np.ndarray:
        """The estimates, in table order."""
        return self.table["estimate"].to_numpy(dtype=float)

    @property
    def se(self) -> np.ndarray:
        """Standard errors, in table order."""
        return self.table["se"].to_numpy(dtype=float)

    def row(self, variable: str, level: str | None = None, domain: str | None = None) -> Any:
        """The table row of one estimate (a pandas Series)."""
        t = self.table
        m = t["variable"] == variable
        if level is not None:
            m &= t["level"] == level
        if domain is not None:
            m &= t["domain"] == domain
        hits = t[m]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} rows match {variable!r}, {level!r}, {domain!r}")
        return hits.iloc[0]


def finite_or_inf(df: float | None) -> float:
    """``None`` means normal quantiles (infinite df)."""
    return math.inf if df is None else float(df)
