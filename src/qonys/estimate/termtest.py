"""Wald tests of model terms: R's ``regTermTest``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._core import DesignError, Meta, ResultMixin, Where, tidy_frame
from ._formula import ModelMatrix, term_indices
from ._models import ModelFit, ModelResult

__all__ = ["TermTestResult", "reg_term_test"]


@dataclasses.dataclass(frozen=True, eq=False)
class TermTestResult(ResultMixin):
    """Wald test that the coefficients of some terms are zero (one row per domain).

    ``to_frame()``: ``variable`` (the terms), ``domain``, ``df`` (denominator df), ``n``, then
    ``term``, ``statistic`` (F, or chi-squared when the denominator df is infinite),
    ``p_value``, ``ndf`` (number of coefficients tested) and ``ddf``.
    """

    terms: tuple[str, ...]
    table: pd.DataFrame
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        return tidy_frame(self.table, extra=("term", "statistic", "p_value", "ndf", "ddf"))

    @property
    def statistic(self) -> float:
        """F (or chi-squared) of the first domain."""
        return float(self.table["statistic"].iloc[0])

    @property
    def p_value(self) -> float:
        return float(self.table["p_value"].iloc[0])

    @property
    def ndf(self) -> int:
        return int(self.table["ndf"].iloc[0])

    @property
    def ddf(self) -> float:
        return float(self.table["ddf"].iloc[0])


def _indices(fit: ModelFit, terms: str | Sequence[str]) -> list[int]:
    groups = fit.extra.get("coef_groups")
    n_assigned = int(groups) if groups else sum(1 for a in fit.assign if a >= 0)
    mm = ModelMatrix(
        np.zeros((0, n_assigned)),
        list(fit.names[:n_assigned]),
        list(fit.assign[:n_assigned]),
        list(fit.term_labels),
        fit.intercept,
        np.zeros(0, dtype=bool),
        {},
    )
    return term_indices(mm, terms)


def reg_term_test(
    model: ModelResult,
    terms: str | Sequence[str],
    *,
    method: Literal["Wald"] = "Wald",
    df: float | None = None,
) -> TermTestResult:
    """Test that every coefficient of ``terms`` is zero, with the design-based covariance.

    Parameters
    ----------
    model : ModelResult
        From :func:`~qonys.estimate.glm` or :func:`~qonys.estimate.olr` (and
        :func:`~qonys.estimate.multinom`: a term's coefficients for every outcome).
    terms : str or list of str
        Term labels as in the formula: ``"stype"``, ``["x1", "C(g)"]``, ``"~ a + a:b"``.
    method : "Wald"
        The Wald F test. (R's ``"LRT"`` and ``"WorkingWald"``, which need the distribution of
        a weighted sum of chi-squares, are not offered.)
    df : float, optional
        Denominator degrees of freedom; by default the model's residual df (R's default).
        ``math.inf`` gives the chi-squared test.

    Returns
    -------
    TermTestResult

    Notes
    -----
    With :math:`\\hat\\beta_T` the :math:`k` coefficients tested and :math:`\\hat V_T` their
    design-based covariance,

    .. math::

        F = \\hat\\beta_T^\\top \\hat V_T^{-1} \\hat\\beta_T / k \\sim F(k, \\nu),

    :math:`\\nu` = design df + 1 - number of coefficients (GLMs) or design df - number of
    slopes (``olr``), as R's ``regTermTest(model, ~terms)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> from qonys.estimate import glm
    >>> df = pd.DataFrame({"g": list("abcabcabcabc"), "x": [float(i % 5) for i in range(12)],
    ...                    "y": [1.0, 3, 2, 4, 2, 5, 3, 3, 6, 1, 4, 4]})
    >>> m = glm(SurveyData(df, SurveyDesign()), "y ~ x + g")
    >>> t = reg_term_test(m, "g")   # In R: regTermTest(svyglm(y ~ x + g, des), ~g)
    >>> t.ndf, t.ddf
    (2, 8.0)
    """
    if method != "Wald":
        raise DesignError(
            f"method must be 'Wald'; got {method!r}",
            where=Where(key="method"),
            rule="design.test-option",
        )
    rows = []
    for fit in model.fits:
        idx = _indices(fit, terms)
        if "cutpoints" in fit.extra:
            idx = [j for j in idx if fit.assign[j] > 0]
        groups = fit.extra.get("coef_groups")
        if groups is not None:  # multinomial: the same columns for every outcome
            p = int(groups)
            idx = [k * p + j for k in range(len(fit.names) // p) for j in idx]
        beta = fit.coef[idx]
        v = fit.vcov[np.ix_(idx, idx)]
        chisq = float(beta @ np.linalg.solve(v, beta))
        k = len(idx)
        ddf = fit.df if df is None else float(df)
        if math.isinf(ddf):
            stat, p_val = chisq, float(stats.chi2.sf(chisq, k))
        else:
            stat = chisq / k
            p_val = float(stats.f.sf(stat, k, ddf)) if ddf > 0 else math.nan
        label = terms if isinstance(terms, str) else " + ".join(terms)
        rows.append(
            {
                "variable": label,
                "domain": fit.domain,
                "df": ddf,
                "n": fit.n,
                "term": ", ".join(fit.names[j] for j in idx),
                "statistic": stat,
                "p_value": p_val,
                "ndf": k,
                "ddf": ddf,
            }
        )
    table = pd.DataFrame(rows)
    meta = Meta(
        method="Wald test, design-based covariance",
        design=model.meta.design,
        call={"terms": terms if isinstance(terms, str) else list(terms), "df": df},
        n_used=model.meta.n_used,
    )
    tt = tuple([terms] if isinstance(terms, str) else terms)
    return TermTestResult(tt, table, meta)
