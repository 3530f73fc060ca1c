"""Design-based population variance of a variable (R's ``svyvar``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._core import MissingPolicy
from ..design.data import SurveyData, as_columns
from ._common import DfOption, build_table, check_level, meta_for, restrict
from ._linear import LinearFit, domain_df, influence_variance, level_matrices
from ._prep import Terms, domains_of, terms_of
from .results import Estimates
from .variance import replicate_cov

__all__ = ["var"]


def var(
    data: SurveyData,
    variables: str | Sequence[str],
    *,
    where: Any = None,
    by: str | Sequence[str] | None = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: DfOption = "design",
) -> Estimates:
    """Estimated population variance of numeric variables, optionally by domain.

    Notes
    -----
    .. math::

        \\hat S^2_d = \\frac{n_d}{n_d - 1}
            \\frac{\\sum_i w_i d_i (y_i - \\hat{\\bar y}_d)^2}{\\sum_i w_i d_i}

    with :math:`n_d` the number of respondents used. Its Taylor standard error is that of the
    weighted mean of :math:`\\frac{n_d}{n_d-1}(y_i - \\hat{\\bar y}_d)^2` (the mean's
    derivative vanishes); with replicate weights every replicate recomputes the mean, as R's
    ``svyvar`` does.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0]})
    >>> float(var(SurveyData(df, SurveyDesign()), "y").estimate[0])  # In R: svyvar(~y, d)
    1.6666666666666667
    """
    data = restrict(data, where)
    level = check_level(level)
    domains = domains_of(data, by)
    terms = terms_of(data, variables, missing=missing, categorical=False, rows=domains.code >= 0)
    y_l, x_l, count, rows, row_level = level_matrices(data, terms, domains)
    d_n, p = domains.n, terms.p
    k_n = p * d_n
    x_tot = np.asarray(x_l.sum(axis=0)).ravel()
    ybar = np.asarray(y_l.sum(axis=0)).ravel() / x_tot
    factor = count / (count - 1)
    sq = np.zeros_like(terms.values)
    dm = domains.code[rows]
    for j in range(p):
        cols = j * d_n + dm
        sq[rows, j] = (terms.values[rows, j] - ybar[cols]) ** 2 * factor[cols]
    sq_terms = Terms(terms.variable, terms.level, sq, terms.available, terms.n_dropped, terms.notes)
    s_l, _, _, _, _ = level_matrices(data, sq_terms, domains)
    s_tot = np.asarray(s_l.sum(axis=0)).ravel()
    theta = s_tot / x_tot
    prep = data.prepared
    if prep.replicates is not None:
        reps = prep.replicates
        yy_terms = Terms(
            terms.variable,
            terms.level,
            terms.values**2,
            terms.available,
            terms.n_dropped,
            terms.notes,
        )
        q_l, _, _, _, _ = level_matrices(data, yy_terms, domains)
        f_t = reps.factors.T
        x_r = np.asarray(f_t @ x_l)
        with np.errstate(divide="ignore", invalid="ignore"):
            m_r = np.asarray(f_t @ y_l) / x_r
            th_r = factor * (np.asarray(f_t @ q_l) / x_r - m_r**2)
        v = replicate_cov(reps, th_r, theta)
    else:
        z = (s_l - x_l.multiply(theta[None, :])).multiply(1.0 / x_tot[None, :])
        v = influence_variance(data, sp.csr_matrix(z), row_level, full=False)
    fit = LinearFit(
        theta=theta,
        var=v,
        cov=None,
        n=count,
        sum_w=x_tot,
        deff=np.full(k_n, np.nan),
        df=domain_df(data, domains),
        notes=(),
    )
    table = build_table(fit, terms, domains, level=level, df=df)
    call = {
        "variables": as_columns(variables),
        "by": as_columns(by),
        "missing": missing,
        "level": level,
        "df": df,
    }
    return Estimates("variance", table, None, meta_for(data, terms, domains, fit, call, missing))
