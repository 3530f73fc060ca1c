"""Design-based comparisons of groups, and design-based correlations.

:func:`compare_groups` compares the means of one or more variables across the levels of a group
variable (cities, migrant background): every pair of groups by a design-based t-test
(:func:`qonys.estimate.ttest` on the two groups' subpopulation, so R's ``svyttest``), and all
groups at once by a Wald test on the design covariance of the domain means, as R's
``regTermTest`` on a survey GLM with the group as a factor.

:func:`survey_correlation` estimates Pearson's correlation with a linearised (Taylor or
replicate) standard error, a Fisher-z interval and, given reliabilities, Spearman's correction
for attenuation.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._core import DataError, Meta, MissingPolicy, ResultMixin, Where, tidy_frame
from .._core.checks import check_in
from ..design import SurveyData
from ..design.data import as_columns
from ..estimate import Estimates, critical_value, mean, ttest, vcov_total
from ._survey import numeric_column

__all__ = [
    "Correlations",
    "GroupComparison",
    "compare_groups",
    "equality_tests",
    "survey_correlation",
]


@dataclasses.dataclass(frozen=True, slots=True)
class GroupComparison(ResultMixin):
    """Means by group, their pairwise differences and the Wald test of equality.

    Attributes
    ----------
    variables : tuple of str
    group : str
    means : Estimates
        Design-based means by group (``estimate.mean(..., by=group)``).
    pairs : DataFrame
        ``variable, group_a, group_b, difference`` (b minus a) ``, se, ci_low, ci_high, df, n,
        statistic`` (t) ``, p_value, p_adjusted``.
    tests : DataFrame
        One row per variable (and ``"joint"`` for several): ``wald, statistic`` (F) ``, ndf,
        ddf, p_value``.
    meta : Meta
    """

    variables: tuple[str, ...]
    group: str
    means: Estimates
    pairs: pd.DataFrame
    tests: pd.DataFrame
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Pairwise differences (``level`` = ``"b - a"``), then the Wald tests (``level`` =
        ``"Wald F"``, ``estimate`` = F, ``df`` = denominator df)."""
        p = self.pairs
        rows = [
            {
                "variable": r["variable"],
                "level": f"{r['group_b']} - {r['group_a']}",
                "estimate": r["difference"],
                "se": r["se"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "df": r["df"],
                "n": r["n"],
                "statistic": r["statistic"],
                "p_value": r["p_value"],
                "p_adjusted": r["p_adjusted"],
            }
            for r in p.to_dict(orient="records")
        ]
        rows += [
            {
                "variable": r["variable"],
                "level": "Wald F",
                "estimate": r["statistic"],
                "df": r["ddf"],
                "statistic": r["statistic"],
                "ndf": r["ndf"],
                "p_value": r["p_value"],
            }
            for r in self.tests.to_dict(orient="records")
        ]
        return tidy_frame(rows)


def _wald(theta: np.ndarray, v: np.ndarray, c: np.ndarray, nu: float) -> dict[str, float]:
    d = c @ theta
    cv = c @ v @ c.T
    w = float(d @ np.linalg.pinv(cv) @ d)
    r = int(np.linalg.matrix_rank(cv)) or c.shape[0]
    ddf = nu - r
    f = w / r
    p = float(stats.f.sf(f, r, ddf)) if ddf > 0 else float("nan")
    return {"wald": w, "statistic": f, "ndf": float(r), "ddf": float(ddf), "p_value": p}


def _contrasts(k: int, q: int) -> np.ndarray:
    """Differences from the first group, for each of ``q`` variables (variable-major)."""
    base = np.hstack([-np.ones((k - 1, 1)), np.eye(k - 1)])
    return np.kron(np.eye(q), base)


def _tests(means: Estimates, names: list[str], k: int, nu: float, joint: bool) -> pd.DataFrame:
    v = means.vcov if means.vcov is not None else np.diag(means.se**2)
    tests = []
    for j, var in enumerate(names):
        sl = slice(j * k, (j + 1) * k)
        tests.append(
            {"variable": var, **_wald(means.estimate[sl], v[sl, sl], _contrasts(k, 1), nu)}
        )
    if joint and len(names) > 1:
        tests.append(
            {"variable": "joint", **_wald(means.estimate, v, _contrasts(k, len(names)), nu)}
        )
    return pd.DataFrame(tests)


def equality_tests(
    sd: SurveyData,
    variables: str | Sequence[str],
    group: str,
    *,
    where: Any = None,
    missing: MissingPolicy = "available",
    joint: bool = True,
) -> pd.DataFrame:
    """Wald tests that the means of ``variables`` are equal across the groups of ``group``.

    The tests of :func:`compare_groups` without the pairwise differences: one row per
    variable and, with ``joint`` and several variables, a ``"joint"`` row, with columns
    ``variable, wald, statistic, ndf, ddf, p_value``.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> df = pd.DataFrame({"g": list("aabb"), "y": [1.0, 2, 4, 6]})
    >>> t = equality_tests(SurveyData(df, SurveyDesign()), "y", "g")
    >>> round(float(t["statistic"].iloc[0]), 4)   # t**2 of the two-group t-test
    14.7
    """
    names = as_columns(variables)
    data = sd if where is None else sd.subset(where)
    means = mean(data, names, by=group, missing=missing, vcov=True)
    k = len(dict.fromkeys(means.table[group].tolist()))
    if k < 2:
        raise DataError(
            f"{group!r} has {k} level in the data used; a test needs two or more",
            where=Where(variable=group),
            rule="measure.groups",
        )
    nu = float(mean(data, names[0], missing=missing).table["df"].iloc[0])
    return _tests(means, names, k, nu, joint)


def compare_groups(
    sd: SurveyData,
    variables: str | Sequence[str],
    group: str,
    *,
    where: Any = None,
    missing: MissingPolicy = "available",
    level: float = 0.95,
    adjust: Literal["bonferroni", "none"] = "bonferroni",
    joint: bool = False,
) -> GroupComparison:
    """Compare design-based means across the groups of ``group``.

    Parameters
    ----------
    sd : SurveyData
    variables : str or sequence of str
        Numeric variables (scale scores, memberships).
    group : str
        Group variable (two or more levels in the data used).
    where : optional
        Subpopulation (kept as a domain of the whole design).
    missing : {"available", "drop", "fail"}
        As for :func:`qonys.estimate.mean`.
    level : float
        Confidence level of the differences.
    adjust : {"bonferroni", "none"}
        Adjustment of the pairwise p-values for the number of pairs (per variable).
    joint : bool
        Also test all variables together (class shares: pass all but one class).

    Returns
    -------
    GroupComparison

    Notes
    -----
    With :math:`\\hat\\theta` the :math:`k` domain means and :math:`\\hat V` their design
    covariance, :math:`C` the :math:`r = k - 1` differences from the first group,

    .. math:: W = (C\\hat\\theta)^\\top (C \\hat V C^\\top)^{-1} C\\hat\\theta, \\qquad
              F = W / r \\sim F(r, \\nu - r)

    with :math:`\\nu` the design degrees of freedom: R's ``regTermTest(svyglm(y ~ g), ~g)``
    (its residual df is :math:`\\nu + 1 - k`). For two groups :math:`F = t^2` of
    ``svyttest``.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> df = pd.DataFrame({"g": list("aaabbbccc"), "y": [1.0, 2, 3, 4, 5, 7, 2, 2, 3]})
    >>> res = compare_groups(SurveyData(df, SurveyDesign()), "y", "g")
    >>> round(float(res.pairs["difference"].iloc[0]), 4)   # mean of b minus mean of a
    3.3333
    >>> int(res.tests["ndf"].iloc[0]), int(res.tests["ddf"].iloc[0])
    (2, 6)
    """
    check_in(adjust, ("bonferroni", "none"), "adjust")
    names = as_columns(variables)
    data = sd if where is None else sd.subset(where)
    means = mean(data, names, by=group, missing=missing, level=level, vcov=True)
    t = means.table
    levels = list(dict.fromkeys(t[group].tolist()))
    k = len(levels)
    if k < 2:
        raise DataError(
            f"{group!r} has {k} level in the data used; a comparison needs two or more",
            where=Where(variable=group),
            rule="measure.groups",
        )
    nu = float(mean(data, names[0], missing=missing).table["df"].iloc[0])
    gcol = data.column(group)
    pair_rows: list[dict[str, Any]] = []
    for var in names:
        for a, b in itertools.combinations(levels, 2):
            mask = gcol.isin([a, b]).to_numpy()
            tt = ttest(data, var, group, where=mask, missing=missing, level=level)
            sign = 1.0 if tt.groups == (str(a), str(b)) else -1.0
            diff = sign * tt.estimate
            lo, hi = (tt.ci_low, tt.ci_high) if sign > 0 else (-tt.ci_high, -tt.ci_low)
            pair_rows.append(
                {
                    "variable": var,
                    "group_a": a,
                    "group_b": b,
                    "difference": diff,
                    "se": tt.se,
                    "ci_low": lo,
                    "ci_high": hi,
                    "df": tt.df,
                    "n": tt.meta.n_used,
                    "statistic": sign * tt.statistic,
                    "p_value": tt.p_value,
                }
            )
    pairs = pd.DataFrame(pair_rows)
    m = k * (k - 1) / 2 if adjust == "bonferroni" else 1.0
    pairs["p_adjusted"] = np.minimum(pairs["p_value"] * m, 1.0)
    tests = _tests(means, names, k, nu, joint)
    meta = Meta(
        method="design-based comparison of means (svyttest pairs, Wald F)",
        design=data.describe(),
        policies={"missing": missing, "adjust": adjust},
        call={"variables": names, "group": group, "level": level, "by": group},
        notes=means.meta.notes,
        n_used=means.meta.n_used,
    )
    return GroupComparison(tuple(names), group, means, pairs, tests, meta)


@dataclasses.dataclass(frozen=True, slots=True)
class Correlations(ResultMixin):
    """Design-based correlations, overall or by domain.

    ``table`` has the tidy columns (``variable`` = ``"x ~ y"``, ``domain``, ``estimate`` = r,
    ``se``, Fisher-z ``ci_low``/``ci_high``, ``df``, ``n``) and, when reliabilities were given,
    ``corrected`` (r disattenuated), ``corrected_low``, ``corrected_high``.
    """

    table: pd.DataFrame
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """The table (tidy columns first)."""
        return tidy_frame(self.table)


def survey_correlation(
    sd: SurveyData,
    x: str,
    y: str,
    *,
    by: str | None = None,
    where: Any = None,
    reliability: tuple[float, float] | None = None,
    level: float = 0.95,
) -> Correlations:
    """Pearson's correlation of ``x`` and ``y`` with a design-based standard error.

    Parameters
    ----------
    sd : SurveyData
    x, y : str
        Numeric variables; respondents missing either are outside the domain (kept in the
        design).
    by : str, optional
        One correlation per level of this domain variable.
    where : optional
        Subpopulation.
    reliability : (float, float), optional
        Reliabilities of ``x`` and ``y`` (alpha, omega) for Spearman's correction.
    level : float

    Returns
    -------
    Correlations

    Notes
    -----
    With weighted moments in the domain, :math:`r = S_{xy}/\\sqrt{S_{xx}S_{yy}}`, and the
    linearised value of respondent :math:`i`

    .. math:: z_i = \\bigl(\\tilde x_i \\tilde y_i - r(\\tilde x_i^2 + \\tilde y_i^2)/2\\bigr)
              / \\hat N_d, \\qquad \\tilde x = (x - \\bar x)/S_x^{1/2}

    whose design variance (:func:`qonys.estimate.vcov_total`) is the variance of :math:`r`.
    The interval is :math:`\\tanh(\\operatorname{atanh} r \\pm t_\\nu\\,
    \\mathrm{SE}/(1 - r^2))` on the domain's design df :math:`\\nu`. Spearman (1904):
    :math:`r_c = r/\\sqrt{\\rho_x \\rho_y}`, interval scaled likewise (cut to [-1, 1]).

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> rng = np.random.default_rng(1)
    >>> a = rng.normal(size=400); b = -0.5 * a + rng.normal(size=400)
    >>> sd = SurveyData(pd.DataFrame({"a": a, "b": b}), SurveyDesign())
    >>> r = survey_correlation(sd, "a", "b").table.iloc[0]
    >>> round(float(r["estimate"]), 3) == round(float(np.corrcoef(a, b)[0, 1]), 3)
    True
    """
    data = sd if where is None else sd.subset(where)
    xv, yv = numeric_column(data, x).to_numpy(), numeric_column(data, y).to_numpy()
    both = ~np.isnan(xv) & ~np.isnan(yv)
    data = data.subset(both)
    prep = data.prepared
    w = prep.weights
    if by is None:
        codes, values = np.where(prep.in_domain, 0, -1), [None]
    else:
        col = data.column(by)
        values = sorted(pd.unique(col[prep.in_domain & col.notna().to_numpy()]), key=str)
        codes = np.full(data.n, -1)
        for i, v in enumerate(values):
            codes[(col == v).to_numpy() & prep.in_domain] = i
    dft = mean(data.subset(codes >= 0), x, by=by).table
    dfs = (
        [float(dft["df"].iloc[0])]
        if by is None
        else [float(dft.loc[dft[by] == v, "df"].iloc[0]) for v in values]
    )
    rows = []
    for i, v in enumerate(values):
        d = codes == i
        wd = w[d]
        nh = float(wd.sum())
        mx, my = float(wd @ xv[d]) / nh, float(wd @ yv[d]) / nh
        sxx = float(wd @ (xv[d] - mx) ** 2) / nh
        syy = float(wd @ (yv[d] - my) ** 2) / nh
        if sxx <= 0 or syy <= 0:
            raise DataError(
                f"{x if sxx <= 0 else y!r} is constant in the domain",
                where=Where(variable=x if sxx <= 0 else y),
                rule="measure.constant-item",
            )
        xt = np.where(d, (np.nan_to_num(xv) - mx) / math.sqrt(sxx), 0.0)
        yt = np.where(d, (np.nan_to_num(yv) - my) / math.sqrt(syy), 0.0)
        r = float(wd @ (xt[d] * yt[d])) / nh
        z = (xt * yt - r * (xt**2 + yt**2) / 2) / nh
        se = math.sqrt(max(float(vcov_total(data, z, domain=d)[0, 0]), 0.0))
        nu = float(dfs[i])
        q = float(critical_value(level, nu))
        zr, se_z = math.atanh(r), se / (1 - r**2)
        row: dict[str, Any] = {
            "variable": f"{x} ~ {y}",
            "domain": None if v is None else f"{by}={v}",
            "estimate": r,
            "se": se,
            "ci_low": math.tanh(zr - q * se_z),
            "ci_high": math.tanh(zr + q * se_z),
            "df": nu,
            "n": int(d.sum()),
        }
        if by is not None:
            row[by] = v
        if reliability is not None:
            f = 1.0 / math.sqrt(reliability[0] * reliability[1])
            row["corrected"] = r * f
            row["corrected_low"] = max(row["ci_low"] * f, -1.0)
            row["corrected_high"] = min(row["ci_high"] * f, 1.0)
        rows.append(row)
    meta = Meta(
        method="design-based Pearson correlation (linearisation; Fisher-z interval)",
        design=data.describe(),
        call={"x": x, "y": y, "by": by, "level": level, "reliability": reliability},
        n_used=int(both.sum()),
        n_dropped=int((~both).sum()),
    )
    return Correlations(tidy_frame(rows), meta)
