"""Proportional-odds (ordinal logistic) regression for survey data: R's ``svyolr``.

For an ordered response with levels :math:`1, \\dots, K` and cut-points
:math:`\\zeta_1 < \\dots < \\zeta_{K-1}`,

.. math::

    P(Y_i \\le k) = F(\\zeta_k - x_i^\\top\\beta),

with :math:`F` the logistic (or normal, ``link="probit"``) distribution function and no
intercept in :math:`x`. The weighted log-likelihood is maximised by Newton's method with the
exact Hessian; the variance is the sandwich of :mod:`qonys.estimate._models` (or replicate
refits). R's ``svyolr`` maximises with BFGS and takes its Hessian by finite differences, so it
agrees with the exact optimum to about 1e-6 (see ``docs/survey.md``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._core import ConvergenceError, DataError, DesignError, MissingPolicy, Where
from ..design.data import SurveyData
from ._common import check_level, restrict
from ._formula import factor_levels
from ._models import (
    ModelFit,
    ModelResult,
    check_rank,
    coef_rows,
    fit_by,
    formula_text,
    model_df,
    model_meta,
    model_setup,
    replicate_vcov,
    sandwich,
)

__all__ = ["OLRResult", "olr"]


def _dist(link: str) -> tuple[Any, Any, Any]:
    if link == "logistic":

        def dlog(v: np.ndarray) -> np.ndarray:
            f = stats.logistic.pdf(v)
            return np.asarray(f * (1 - 2 * stats.logistic.cdf(v)))

        return stats.logistic.cdf, stats.logistic.pdf, dlog
    if link == "probit":
        return stats.norm.cdf, stats.norm.pdf, lambda v: -v * stats.norm.pdf(v)
    raise DesignError(
        f"link must be 'logistic' or 'probit'; got {link!r}",
        where=Where(key="link"),
        rule="design.family",
    )


def _parts(
    params: np.ndarray, x: np.ndarray, y: np.ndarray, q: int, link: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: probability, score rows, and the pieces of the Hessian."""
    cdf, pdf, dpdf = _dist(link)
    p = x.shape[1]
    beta, zeta = params[:p], params[p:]
    eta = x @ beta
    z_ext = np.concatenate([[-np.inf], zeta, [np.inf]])
    a = z_ext[y + 1] - eta  # upper: zeta_k - eta (y coded 0..K-1)
    b = z_ext[y] - eta
    fa, fb = np.where(np.isfinite(a), pdf(a), 0.0), np.where(np.isfinite(b), pdf(b), 0.0)
    ga, gb = np.where(np.isfinite(a), dpdf(a), 0.0), np.where(np.isfinite(b), dpdf(b), 0.0)
    pr = cdf(a) - cdf(b)
    n = x.shape[0]
    ja = np.zeros((n, p + q))
    jb = np.zeros((n, p + q))
    ja[:, :p] = -x
    jb[:, :p] = -x
    up, lo = y < q, y > 0
    ja[np.flatnonzero(up), p + y[up]] = 1.0
    jb[np.flatnonzero(lo), p + y[lo] - 1] = 1.0
    ja[~up] = 0.0
    jb[~lo] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (fa / pr)[:, None] * ja - (fb / pr)[:, None] * jb
    return pr, score, ja, jb, ga / pr, gb / pr, fa


def _loglik(
    params: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray, q: int, link: str
) -> float:
    p = x.shape[1]
    zeta = params[p:]
    if np.any(np.diff(zeta) <= 0):
        return -np.inf
    pr = _parts(params, x, y, q, link)[0]
    if np.any(pr <= 0):
        return -np.inf
    return float(np.sum(w * np.log(pr)))


def _hessian(
    params: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray, q: int, link: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted score, information (minus the Hessian) and the unweighted score rows."""
    _, score, ja, jb, ga, gb, _ = _parts(params, x, y, q, link)
    grad = score.T @ w
    h = (ja * (w * ga)[:, None]).T @ ja - (jb * (w * gb)[:, None]).T @ jb
    h -= (score * w[:, None]).T @ score
    return grad, -h, score


def _start(x: np.ndarray, y: np.ndarray, w: np.ndarray, q: int, link: str) -> np.ndarray:
    cum = np.cumsum(np.bincount(y, weights=w, minlength=q + 1))[:q] / w.sum()
    cum = np.clip(cum, 1e-6, 1 - 1e-6)
    zeta = np.log(cum / (1 - cum)) if link == "logistic" else stats.norm.ppf(cum)
    return np.concatenate([np.zeros(x.shape[1]), zeta])


def _newton(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, q: int, link: str, start: np.ndarray, maxit: int
) -> tuple[np.ndarray, int, bool]:
    params = start.copy()
    ll = _loglik(params, x, y, w, q, link)
    for it in range(1, maxit + 1):
        grad, info, _ = _hessian(params, x, y, w, q, link)
        step = np.linalg.solve(info, grad)
        t = 1.0
        while True:
            new = params + t * step
            ll_new = _loglik(new, x, y, w, q, link)
            if ll_new >= ll - 1e-12 * abs(ll) or t < 1e-10:
                break
            t /= 2
        params, ll = new, ll_new
        if np.max(np.abs(t * step) / (np.abs(params) + 1e-3)) < 1e-12:
            return params, it, True
    return params, maxit, False


@dataclasses.dataclass(frozen=True, eq=False)
class OLRResult(ModelResult):
    """An ordinal logistic (proportional-odds) survey model (see :func:`olr`).

    ``to_frame()`` has the slopes and then the cut-points (``variable`` ``"low|mid"``).
    """

    levels: tuple[str, ...] = ()


def _fit_one(
    sd: SurveyData,
    domain: str | None,
    formula: Any,
    link: str,
    missing: MissingPolicy,
    variance: str,
    maxit: int,
) -> ModelFit:
    setup = model_setup(sd, formula, missing)
    used = setup.used
    rows = np.flatnonzero(used)
    yser = setup.y
    levels = factor_levels(yser[used])
    if len(levels) < 3:
        raise DataError(
            f"the ordinal response {setup.response!r} needs 3 or more levels; has {len(levels)}",
            where=Where(variable=setup.response),
            rule="data.response-levels",
            hint="Use glm(..., family='quasibinomial') for two levels.",
        )
    code = np.full(sd.n, -1, dtype=np.int64)
    for k, lv in enumerate(levels):
        code[(yser == lv).fillna(False).to_numpy(dtype=bool)] = k
    q = len(levels) - 1
    keep = np.array([j for j, a in enumerate(setup.mm.assign) if a > 0], dtype=np.int64)
    x, y = setup.mm.x[np.ix_(rows, keep)], code[rows]
    names = [setup.mm.columns[j] for j in keep]
    wt = sd.prepared.weights[rows]
    w = wt / wt.mean()
    if x.shape[1]:
        check_rank(x, w, names)
    params, iters, ok = _newton(x, y, w, q, link, _start(x, y, w, q, link), maxit)
    if not ok:
        raise ConvergenceError(
            f"the ordinal model for {setup.response!r} did not converge in {maxit} Newton "
            "steps (exact Hessian, step halving, start at the marginal cut-points)",
            where=Where(variable=setup.response),
            rule="model.no-convergence",
            hint="Check for a level no one chose in the domain, or separation.",
        )
    _, info, score = _hessian(params, x, y, wt, q, link)
    info_inv = np.linalg.inv(info)
    reps = None
    if sd.prepared.replicates is not None and variance == "refit":

        def refit(wr: np.ndarray, p0: np.ndarray) -> np.ndarray:
            got, _, _conv = _newton(x, y, wr, q, link, p0, maxit)
            return got

        vc, reps = replicate_vcov(sd, used, params, refit)
    else:
        s_all = np.zeros((sd.n, params.size))
        s_all[rows] = score
        vc = sandwich(sd, s_all, info_inv, used)
    cut_names = [f"{levels[k]}|{levels[k + 1]}" for k in range(q)]
    assign = [setup.mm.assign[j] for j in keep] + [-1] * q
    return ModelFit(
        domain=domain,
        names=tuple(names + cut_names),
        coef=params,
        vcov=vc,
        df=model_df(sd, used, len(names), residual=False),
        n=int(rows.size),
        sum_weights=float(wt.sum()),
        term_labels=tuple(setup.mm.term_labels),
        assign=tuple(assign),
        intercept=False,
        converged=ok,
        iterations=iters,
        extra={
            "cutpoints": q,
            "levels": [str(lv) for lv in levels],
            "loglik": _loglik(params, x, y, wt, q, link),
            "notes": setup.notes,
            "n_dropped": setup.n_dropped,
        },
        replicates=reps,
    )


def olr(
    data: SurveyData,
    formula: str | tuple[str, Sequence[str]],
    *,
    link: Literal["logistic", "probit"] = "logistic",
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: float | Literal["design"] = "design",
    variance: Literal["refit", "linearised"] = "refit",
    maxit: int = 100,
) -> OLRResult:
    """Proportional-odds model of an ordered response, with design-based standard errors.

    Parameters
    ----------
    data : SurveyData
    formula : str or (response, terms)
        ``"satisfaction ~ years + C(city)"``; the response's levels are ordered by its
        categorical order (an ordered pandas Categorical), else by sorted values. The
        intercept is absorbed by the cut-points.
    link : {"logistic", "probit"}
    by, where, missing, level, df, variance
        As for :func:`~qonys.estimate.glm`; ``df="design"`` is R's ``df.residual`` of
        ``svyolr``: design df minus the number of slopes.
    maxit : int
        Newton steps allowed.

    Returns
    -------
    OLRResult
        ``coef`` (slopes then cut-points ``"low|mid"``), ``se``, ``vcov``.

    Notes
    -----
    The scores of row :math:`i` in level :math:`k` are the derivatives of
    :math:`\\log\\{F(\\zeta_k - x_i^\\top\\beta) - F(\\zeta_{k-1} - x_i^\\top\\beta)\\}`; the
    variance is :math:`H^{-1} \\hat V H^{-1}` with :math:`H` the weighted information and
    :math:`\\hat V` the design covariance of the score totals (Binder 1983).

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. *JRSS B* 42, 109-142.
    Lumley, T. (2010). *Complex Surveys*, §6.3. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"x": [float(i % 7) for i in range(30)],
    ...                    "y": pd.Categorical(list("lmhmlhhmlmlmhhmlmhlmhmllhmhmhl"),
    ...                                        categories=list("lmh"), ordered=True)})
    >>> m = olr(SurveyData(df, SurveyDesign()), "y ~ x")   # In R: svyolr(y ~ x, des)
    >>> list(m.coef.index)
    ['x', 'l|m', 'm|h']
    """
    level = check_level(level)
    sd = restrict(data, where)
    if not isinstance(sd, SurveyData):
        raise DesignError("olr needs SurveyData (data in memory)", rule="design.data-type")
    _dist(link)
    fits = fit_by(sd, by, lambda s, d: _fit_one(s, d, formula, link, missing, variance, maxit))
    table = pd.DataFrame([r for f in fits for r in coef_rows(f, level, df)])
    text = formula_text(formula)
    call = {
        "formula": text,
        "link": link,
        "by": by,
        "missing": missing,
        "level": level,
        "df": df,
        "variance": variance,
    }
    meta = model_meta(sd, fits, call)
    levels = tuple(fits[0].extra["levels"])
    return OLRResult(f"olr {link}", text, fits, table, meta, levels=levels)
