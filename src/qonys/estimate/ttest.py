"""Design-based t-tests: one mean against a value, or the difference of two domain means."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._core import DesignError, Meta, MissingPolicy, ResultMixin, Where, tidy_frame
from ..design.data import SurveyData
from ._common import check_level, method_name, restrict
from ._linear import domain_df
from ._prep import domains_of
from .descriptive import mean
from .results import critical_value

__all__ = ["TTestResult", "ttest"]


@dataclasses.dataclass(frozen=True, eq=False)
class TTestResult(ResultMixin):
    """A design-based t-test.

    Attributes
    ----------
    estimate : float
        Difference of the domain means (second level minus first), or mean minus ``mu``.
    se, statistic, df, p_value, ci_low, ci_high : float
        Standard error, :math:`t`, degrees of freedom, two-sided p-value and interval.
    groups : tuple of str
        The two levels compared (empty for a one-sample test).
    """

    variable: str
    estimate: float
    se: float
    statistic: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    groups: tuple[str, ...]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One tidy row, with ``statistic`` and ``p_value`` columns."""
        level = f"{self.groups[1]} - {self.groups[0]}" if self.groups else None
        return tidy_frame(
            [
                {
                    "variable": self.variable,
                    "level": level,
                    "estimate": self.estimate,
                    "se": self.se,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "df": self.df,
                    "n": self.meta.n_used,
                    "statistic": self.statistic,
                    "p_value": self.p_value,
                }
            ]
        )


def ttest(
    data: SurveyData,
    variable: str,
    group: str | None = None,
    *,
    where: Any = None,
    mu: float = 0.0,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
) -> TTestResult:
    """Design-based t-test for the difference of means between two domains (or one mean).

    Parameters
    ----------
    variable : str
        Numeric outcome.
    group : str, optional
        A variable with exactly two levels (in the current subpopulation); without it, a
        one-sample test of ``mean == mu``.

    Notes
    -----
    .. math::

        t = \\frac{\\hat{\\bar y}_2 - \\hat{\\bar y}_1}
                 {\\sqrt{\\hat V_{11} + \\hat V_{22} - 2 \\hat V_{12}}}

    with the design covariance of the two domain means (clusters shared by both domains make
    :math:`\\hat V_{12} \\ne 0`), referred to Student's t on the design degrees of freedom minus
    one, as R's ``svyttest`` (a survey regression on the group indicator).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"g": ["a", "a", "a", "b", "b", "b"], "y": [1.0, 2, 3, 4, 5, 7]})
    >>> r = ttest(SurveyData(df, SurveyDesign()), "y", "g")
    >>> round(r.estimate, 4), r.df  # In R: svyttest(y ~ g, svydesign(id=~1, data=df))
    (3.3333, 4.0)
    """
    data = restrict(data, where)
    level = check_level(level)
    whole = domains_of(data, None)
    dof = float(domain_df(data, whole)[0]) - 1
    if group is None:
        m = mean(data, variable, missing=missing, deff=None)
        est_v = float(m.estimate[0]) - mu
        se = float(m.se[0])
        groups: tuple[str, ...] = ()
        n_used = int(m.table["n"].iloc[0])
    else:
        m = mean(data, variable, by=group, missing=missing, deff=None, vcov=True)
        if len(m.table) != 2:
            raise DesignError(
                f"a t-test compares two groups; {group!r} has {len(m.table)} in the data used",
                where=Where(variable=group),
                rule="design.ttest-groups",
                hint="Subset the data to two groups, or use a regression for more.",
            )
        v = m.vcov
        if v is None:  # pragma: no cover - vcov=True always returns it
            raise DesignError("covariance missing", rule="design.internal")
        est_v = float(m.estimate[1] - m.estimate[0])
        se = float(np.sqrt(max(v[0, 0] + v[1, 1] - 2 * v[0, 1], 0.0)))
        groups = tuple(str(x) for x in m.table[group])
        n_used = int(m.table["n"].sum())
    t = est_v / se
    p = float(2 * stats.t.sf(abs(t), dof))
    q = float(critical_value(level, dof))
    meta = Meta(
        method=method_name(data) + "; design-based t-test",
        design=data.describe(),
        policies={"missing": missing, "lonely_psu": data.design.lonely_psu},
        call={"variable": variable, "group": group, "mu": mu, "level": level},
        notes=m.meta.notes,
        n_used=n_used,
        n_dropped=m.meta.n_dropped,
    )
    return TTestResult(
        variable, est_v, se, float(t), dof, p, est_v - q * se, est_v + q * se, groups, meta
    )
