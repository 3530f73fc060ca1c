"""Weighted cross-tabulations and design-based tests of association.

:func:`crosstab` gives, for every cell of a two-way table, the estimated population count and
the cell, row and column percentages with their standard errors. :func:`chisq` tests
independence with the Rao-Scott corrections or Wald statistics:

``"F"`` (default)
    Pearson's :math:`X^2` divided by :math:`\\mathrm{tr}(\\hat\\Delta)`, referred to
    :math:`F(d, d\\nu)` with :math:`d = \\mathrm{tr}(\\hat\\Delta)^2/\\mathrm{tr}(\\hat\\Delta^2)`
    (second-order Rao-Scott, Thomas and Rao 1987); :math:`\\nu` = design degrees of freedom.
``"Chisq"``
    :math:`X^2/\\bar\\delta` referred to :math:`\\chi^2_{(r-1)(c-1)}` (first-order Rao-Scott).
``"Wald"``, ``"adjWald"``
    Wald test of :math:`N_{ij} - N_{i\\cdot}N_{\\cdot j}/N = 0`; the adjusted version scales
    by :math:`(\\nu - k + 1)/(k\\nu)` and uses :math:`F(k, \\nu - k + 1)`.

:math:`\\hat\\Delta = (C^\\top D^{-1} C / n)^{-1} C^\\top D^{-1} \\hat V D^{-1} C` with
:math:`C` the interaction contrasts, :math:`D` the diagonal of cell proportions and
:math:`\\hat V` their design covariance (Rao and Scott 1984). Pearson's :math:`X^2` is computed on
the weighted table rescaled to the sample size, as R's ``svychisq``.

References
----------
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables with
cell proportions estimated from survey data. *Annals of Statistics* 12, 46-60.
Thomas, D. R. and Rao, J. N. K. (1987). Small-sample comparisons of level and power for simple
goodness-of-fit statistics under cluster sampling. *JASA* 82, 630-636.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import stats

from .._core import DesignError, Meta, MissingPolicy, ResultMixin, Where, tidy_frame
from ..design.data import SurveyData
from ._common import DfOption, check_level, method_name, resolve_df, restrict
from ._linear import fit_linear
from ._prep import Terms, domains_of, terms_of
from .results import Estimates, wald_ci

__all__ = ["ChisqResult", "ChisqStatistic", "chisq", "crosstab"]

ChisqStatistic = Literal["F", "Chisq", "Wald", "adjWald"]


def _cells(
    data: SurveyData, row: str, col: str, missing: MissingPolicy
) -> tuple[Terms, list, list]:
    """Indicator columns of the r x c cells (rows varying fastest), with complete cases."""
    r_t = terms_of(data, row, missing=missing, categorical=True, rows=data.prepared.in_domain)
    c_t = terms_of(data, col, missing=missing, categorical=True, rows=data.prepared.in_domain)
    ok = r_t.available[:, 0] & c_t.available[:, 0]
    nr, nc = r_t.p, c_t.p
    vals = np.zeros((data.n, nr * nc))
    for j in range(nc):
        for i in range(nr):
            vals[:, j * nr + i] = r_t.values[:, i] * c_t.values[:, j]
    avail = np.repeat(ok[:, None], nr * nc, axis=1)
    levels: list[str | None] = [f"{a}:{b}" for b in c_t.level for a in r_t.level]
    terms = Terms(
        [f"{row}:{col}"] * (nr * nc),
        levels,
        vals,
        avail,
        max(r_t.n_dropped, c_t.n_dropped),
        (*r_t.notes, *c_t.notes),
    )
    return terms, list(r_t.level), list(c_t.level)


def crosstab(
    data: SurveyData,
    row: str,
    col: str,
    *,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: DfOption = "design",
) -> Estimates:
    """Weighted two-way table with counts, cell, row and column proportions and their SEs.

    Returns
    -------
    Estimates
        One row per cell: ``variable`` = row variable, ``level`` = its level, ``domain`` =
        ``"col=level"``; ``estimate``/``se``/``ci_*`` are the estimated population count; extra
        columns ``cell_prop``, ``cell_prop_se``, ``row_prop``, ``row_prop_se``, ``col_prop``,
        ``col_prop_se`` (proportions, not percentages).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "u"],
    ...                    "w": [1.0, 1, 2, 2]})
    >>> t = crosstab(SurveyData(df, SurveyDesign(weights="w")), "a", "b").to_frame()
    >>> t[["level", "domain", "estimate", "row_prop"]].to_numpy().tolist()
    [['x', 'b=u', 1.0, 0.5], ['y', 'b=u', 4.0, 1.0], ['x', 'b=v', 1.0, 0.5], ['y', 'b=v', 0.0, 0.0]]
    """
    data = restrict(data, where)
    level = check_level(level)
    one = domains_of(data, None)
    cells, rlev, clev = _cells(data, row, col, missing)
    nr, nc = len(rlev), len(clev)
    tot = fit_linear(data, cells, one, kind="total", deff="wor")
    prop = fit_linear(data, cells, one, kind="mean")
    # row proportions: proportion of each column level within the row's domain
    r_dom = domains_of(data.subset(cells.available[:, 0]), row)
    c_dom = domains_of(data.subset(cells.available[:, 0]), col)
    col_terms = terms_of(data, col, missing="available", categorical=True, rows=r_dom.code >= 0)
    row_terms = terms_of(data, row, missing="available", categorical=True, rows=c_dom.code >= 0)
    rp = fit_linear(data, col_terms, r_dom, kind="mean")  # (col level j, row domain i)
    cp = fit_linear(data, row_terms, c_dom, kind="mean")  # (row level i, col domain j)
    dfs = resolve_df(df, tot.df)[0]
    se = np.sqrt(np.clip(tot.var, 0, None))
    lo, hi = wald_ci(tot.theta, se, dfs, level)
    recs = []
    for j in range(nc):
        for i in range(nr):
            k = j * nr + i
            ri = r_dom.labels.index(f"{row}={rlev[i]}")
            cj = c_dom.labels.index(f"{col}={clev[j]}")
            kr = col_terms.level.index(clev[j]) * r_dom.n + ri
            kc = row_terms.level.index(rlev[i]) * c_dom.n + cj
            recs.append(
                {
                    "variable": row,
                    "level": rlev[i],
                    "domain": f"{col}={clev[j]}",
                    "estimate": tot.theta[k],
                    "se": se[k],
                    "ci_low": lo[k],
                    "ci_high": hi[k],
                    "df": dfs,
                    "deff": tot.deff[k],
                    "n": int((cells.values[:, k] * data.prepared.in_domain).sum()),
                    col: clev[j],
                    "cell_prop": prop.theta[k],
                    "cell_prop_se": np.sqrt(max(prop.var[k], 0)),
                    "row_prop": rp.theta[kr],
                    "row_prop_se": np.sqrt(max(rp.var[kr], 0)),
                    "col_prop": cp.theta[kc],
                    "col_prop_se": np.sqrt(max(cp.var[kc], 0)),
                }
            )
    meta = Meta(
        method=method_name(data),
        design=data.describe(),
        policies={"missing": missing, "lonely_psu": data.design.lonely_psu},
        call={"row": row, "col": col, "missing": missing, "level": level, "df": df},
        notes=(*data.prepared.notes, *cells.notes),
        n_dropped=cells.n_dropped,
    )
    return Estimates("count", pd.DataFrame.from_records(recs), None, meta)


@dataclasses.dataclass(frozen=True, eq=False)
class ChisqResult(ResultMixin):
    """A design-based test of independence in a two-way table.

    Attributes
    ----------
    statistic : float
        The test statistic (F for ``"F"``, ``"Wald"``, ``"adjWald"``; Pearson's :math:`X^2`
        for ``"Chisq"``).
    ndf, ddf : float
        Numerator and denominator degrees of freedom (``ddf`` is infinite for ``"Chisq"``).
    p_value : float
    kind : str
        Which statistic.
    pearson : float
        Pearson's :math:`X^2` on the table rescaled to the sample size.
    deltas : ndarray
        Eigenvalues of the design-effect matrix :math:`\\hat\\Delta` (Rao-Scott kinds).
    """

    statistic: float
    ndf: float
    ddf: float
    p_value: float
    kind: str
    pearson: float
    deltas: np.ndarray
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One row: ``estimate`` holds the statistic; ``df`` the denominator df."""
        call = self.meta.call
        return tidy_frame(
            [
                {
                    "variable": f"{call.get('row')}:{call.get('col')}",
                    "level": self.kind,
                    "estimate": self.statistic,
                    "df": self.ddf,
                    "n": self.meta.n_used,
                    "statistic": self.kind,
                    "ndf": self.ndf,
                    "ddf": self.ddf,
                    "p_value": self.p_value,
                    "pearson": self.pearson,
                }
            ]
        )


def _contrasts(nr: int, nc: int) -> np.ndarray:
    r = np.tile(np.arange(nr), nc)
    c = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(nr * nc)]
        + [(r == i).astype(float) for i in range(1, nr)]
        + [(c == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack(
        [((r == i) & (c == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    q, _ = np.linalg.qr(x1)
    return inter - q @ (q.T @ inter)


def chisq(
    data: SurveyData,
    row: str,
    col: str,
    *,
    where: Any = None,
    statistic: ChisqStatistic = "F",
    missing: MissingPolicy = "drop",
    df: DfOption = "design",
) -> ChisqResult:
    """Design-based test of independence of two categorical variables (R's ``svychisq``).

    Parameters
    ----------
    statistic : {"F", "Chisq", "Wald", "adjWald"}
        See the module docstring.
    missing : {"drop", "fail", "available"}
        Rows missing either variable are left out by default (R's ``na.rm=TRUE``).
    df : "design" or float
        :math:`\\nu`, the design degrees of freedom by default.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("uvuvuuvv")})
    >>> r = chisq(SurveyData(df, SurveyDesign()), "a", "b", statistic="Chisq")
    >>> round(r.pearson, 6)  # the ordinary Pearson statistic under simple random sampling
    0.0
    """
    data = restrict(data, where)
    if statistic not in ("F", "Chisq", "Wald", "adjWald"):
        raise DesignError(
            f"unknown statistic {statistic!r}",
            where=Where(key="statistic"),
            rule="design.chisq-statistic",
            hint="Use F, Chisq, Wald or adjWald.",
        )
    one = domains_of(data, None)
    cells, rlev, clev = _cells(data, row, col, missing)
    nr, nc = len(rlev), len(clev)
    if nr < 2 or nc < 2:
        raise DesignError(
            "a test of association needs at least two levels of each variable",
            where=Where(variable=row if nr < 2 else col),
            rule="design.chisq-levels",
        )
    nu = float(resolve_df(df, np.array([float(data.degf)]))[0])
    n_obs = int((cells.available[:, 0] & data.prepared.in_domain).sum())
    counts = fit_linear(data, cells, one, kind="total").theta
    table = counts.reshape(nc, nr).T * n_obs / counts.sum()
    expected = table.sum(axis=1)[:, None] * table.sum(axis=0)[None, :] / table.sum()
    pearson = float(((table - expected) ** 2 / expected).sum())
    deltas = np.array([])
    k = (nr - 1) * (nc - 1)
    if statistic in ("F", "Chisq"):
        fit = fit_linear(data, cells, one, kind="mean", full=True)
        p = fit.theta
        v = fit.cov if fit.cov is not None else np.diag(fit.var)
        cmat = _contrasts(nr, nc)
        idm = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
        denom = cmat.T @ (idm[:, None] / n_obs * cmat)
        numr = cmat.T @ (idm[:, None] * v * idm[None, :]) @ cmat
        delta = scipy.linalg.solve(denom, numr)
        deltas = np.sort(np.real(np.linalg.eigvals(delta)))[::-1]
        tr, tr2 = np.trace(delta), np.trace(delta @ delta)
        if statistic == "F":
            d0 = tr**2 / tr2
            stat, ndf, ddf = pearson / tr, d0, d0 * nu
            pval = float(stats.f.sf(stat, ndf, ddf))
        else:
            stat, ndf, ddf = pearson, float(k), np.inf
            pval = float(stats.chi2.sf(pearson / np.mean(np.diag(delta)), k))
    else:
        r_t = terms_of(data, row, missing="available", categorical=True)
        c_t = terms_of(data, col, missing="available", categorical=True)
        ok = cells.available[:, 0]
        vals = np.column_stack([cells.values, r_t.values, c_t.values, np.ones(data.n)])
        allc = Terms(
            ["cell"] * vals.shape[1],
            [None] * vals.shape[1],
            np.where(ok[:, None], vals, 0.0),
            np.repeat(ok[:, None], vals.shape[1], axis=1),
            0,
            (),
        )
        fit = fit_linear(data, allc, one, kind="total", full=True)
        t = fit.theta
        v = fit.cov if fit.cov is not None else np.diag(fit.var)
        nij, ni, nj, ntot = t[: nr * nc], t[nr * nc : nr * nc + nr], t[nr * nc + nr : -1], t[-1]
        rr = np.tile(np.arange(nr), nc)
        cc = np.repeat(np.arange(nc), nr)
        jac = np.zeros((nr * nc, vals.shape[1]))
        jac[:, : nr * nc] = np.eye(nr * nc)
        jac[np.arange(nr * nc), nr * nc + rr] = -nj[cc] / ntot
        jac[np.arange(nr * nc), nr * nc + nr + cc] = -ni[rr] / ntot
        jac[:, -1] = ni[rr] * nj[cc] / ntot**2
        y = nij - ni[rr] * nj[cc] / ntot
        vv = jac @ v @ jac.T
        use = np.flatnonzero((rr > 0) & (cc > 0))
        wald = float(y[use] @ scipy.linalg.solve(vv[np.ix_(use, use)], y[use]))
        if statistic == "Wald":
            stat, ndf, ddf = wald / k, float(k), nu
        else:
            ndf, ddf = float(k), nu - k + 1
            stat = wald * ddf / (k * nu)
        pval = float(stats.f.sf(stat, ndf, ddf))
    meta = Meta(
        method=method_name(data) + f"; {statistic}",
        design=data.describe(),
        policies={"missing": missing, "lonely_psu": data.design.lonely_psu},
        call={"row": row, "col": col, "statistic": statistic, "df": df},
        notes=(*data.prepared.notes, *cells.notes),
        n_used=n_obs,
        n_dropped=cells.n_dropped,
    )
    return ChisqResult(float(stat), float(ndf), float(ddf), pval, statistic, pearson, deltas, meta)
