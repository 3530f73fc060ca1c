"""Multinomial (baseline-category) logit for survey data, with linearised standard errors.

For a response with levels :math:`0, \\dots, K-1` (level 0, the first, is the baseline),

.. math::

    P(Y_i = k) = \\frac{\\exp(x_i^\\top\\beta_k)}{1 + \\sum_{l \\ge 1} \\exp(x_i^\\top\\beta_l)},
    \\qquad \\beta_0 = 0.

The weighted log-likelihood is maximised by Newton's method; the variance is the sandwich
:math:`H^{-1}\\hat V H^{-1}` with :math:`\\hat V` the design covariance of the score totals
:math:`\\sum_i w_i x_i (y_{ik} - p_{ik})` (or replicate refits). R's ``survey`` has no
multinomial model; the estimates equal ``nnet::multinom`` with the sampling weights, and with
two levels the model is the binomial :func:`~qonys.estimate.glm` (tests check both).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

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

__all__ = ["MultinomResult", "multinom"]


def _probs(x: np.ndarray, beta: np.ndarray, k1: int) -> np.ndarray:
    eta = x @ beta.reshape(k1, -1).T  # (n, K-1)
    m = np.maximum(eta.max(axis=1, initial=0.0), 0.0)
    e = np.exp(eta - m[:, None])
    denom = np.exp(-m) + e.sum(axis=1)
    return np.asarray(e / denom[:, None])


def _loglik(x: np.ndarray, yk: np.ndarray, w: np.ndarray, beta: np.ndarray, k1: int) -> float:
    p = _probs(x, beta, k1)
    p_all = np.column_stack([1 - p.sum(axis=1), p])
    return float(np.sum(w * np.log(np.clip(p_all[np.arange(len(yk)), yk], 1e-300, None))))


def _score_info(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, beta: np.ndarray, k1: int
) -> tuple[np.ndarray, np.ndarray]:
    """Unweighted score rows (n, (K-1) p) and the weighted information."""
    p = _probs(x, beta, k1)
    n, q = x.shape
    resid = y - p
    score = (resid[:, :, None] * x[:, None, :]).reshape(n, k1 * q)
    info = np.zeros((k1 * q, k1 * q))
    for a in range(k1):
        for b in range(a, k1):
            c = p[:, a] * ((a == b) - p[:, b]) * w
            blk = (x * c[:, None]).T @ x
            info[a * q : (a + 1) * q, b * q : (b + 1) * q] = blk
            info[b * q : (b + 1) * q, a * q : (a + 1) * q] = blk.T
    return score, info


def _newton(
    x: np.ndarray,
    y: np.ndarray,
    yk: np.ndarray,
    w: np.ndarray,
    k1: int,
    start: np.ndarray,
    maxit: int,
) -> tuple[np.ndarray, int, bool]:
    beta = start.copy()
    ll = _loglik(x, yk, w, beta, k1)
    for it in range(1, maxit + 1):
        score, info = _score_info(x, y, w, beta, k1)
        step = np.linalg.solve(info, score.T @ w)
        t = 1.0
        while True:
            new = beta + t * step
            ll_new = _loglik(x, yk, w, new, k1)
            if ll_new >= ll - 1e-12 * abs(ll) or t < 1e-10:
                break
            t /= 2
        beta, ll = new, ll_new
        if np.max(np.abs(t * step) / (np.abs(beta) + 1e-3)) < 1e-12:
            return beta, it, True
    return beta, maxit, False


@dataclasses.dataclass(frozen=True, eq=False)
class MultinomResult(ModelResult):
    """A multinomial logit survey model (see :func:`multinom`); ``to_frame()`` has an
    ``outcome`` column naming the level each coefficient belongs to."""

    levels: tuple[str, ...] = ()


def _fit_one(
    sd: SurveyData,
    domain: str | None,
    formula: Any,
    missing: MissingPolicy,
    variance: str,
    maxit: int,
) -> ModelFit:
    setup = model_setup(sd, formula, missing)
    used = setup.used
    rows = np.flatnonzero(used)
    levels = factor_levels(setup.y[used])
    if len(levels) < 2:
        raise DataError(
            f"the response {setup.response!r} has fewer than two levels in the data used",
            where=Where(variable=setup.response),
            rule="data.response-levels",
        )
    code = np.full(sd.n, -1, dtype=np.int64)
    for k, lv in enumerate(levels):
        code[(setup.y == lv).fillna(False).to_numpy(dtype=bool)] = k
    k1 = len(levels) - 1
    x, yk = setup.mm.x[rows], code[rows]
    y = np.zeros((rows.size, k1))
    has = yk > 0
    y[np.flatnonzero(has), yk[has] - 1] = 1.0
    wt = sd.prepared.weights[rows]
    w = wt / wt.mean()
    names = setup.mm.columns
    check_rank(x, w, names)
    q = x.shape[1]
    beta, iters, ok = _newton(x, y, yk, w, k1, np.zeros(k1 * q), maxit)
    if not ok:
        raise ConvergenceError(
            f"the multinomial model for {setup.response!r} did not converge in {maxit} Newton "
            "steps (exact Hessian, step halving, start at zero)",
            where=Where(variable=setup.response),
            rule="model.no-convergence",
            hint="Check for separation or a level chosen by very few respondents.",
        )
    score, info = _score_info(x, y, wt, beta, k1)
    reps = None
    if sd.prepared.replicates is not None and variance == "refit":

        def refit(wr: np.ndarray, b0: np.ndarray) -> np.ndarray:
            got, _, _conv = _newton(x, y, yk, wr, k1, b0, maxit)
            return got

        vc, reps = replicate_vcov(sd, used, beta, refit)
    else:
        s_all = np.zeros((sd.n, beta.size))
        s_all[rows] = score
        vc = sandwich(sd, s_all, np.linalg.inv(info), used)
    full_names = [f"{levels[k + 1]}:{c}" for k in range(k1) for c in names]
    return ModelFit(
        domain=domain,
        names=tuple(full_names),
        coef=beta,
        vcov=vc,
        df=model_df(sd, used, beta.size),
        n=int(rows.size),
        sum_weights=float(wt.sum()),
        term_labels=tuple(setup.mm.term_labels),
        assign=tuple(setup.mm.assign) * k1,
        intercept=setup.mm.intercept,
        converged=ok,
        iterations=iters,
        extra={
            "coef_groups": q,
            "columns": list(names),
            "levels": [str(lv) for lv in levels],
            "loglik": _loglik(x, yk, wt, beta, k1),
            "notes": setup.notes,
            "n_dropped": setup.n_dropped,
        },
        replicates=reps,
    )


def _rows(fit: ModelFit, level: float, df: float | str) -> list[dict[str, Any]]:
    q = int(fit.extra["coef_groups"])
    cols = fit.extra["columns"]
    plain = dataclasses.replace(fit, names=tuple(cols) * (len(fit.names) // q))
    rows = coef_rows(plain, level, df)
    for j, r in enumerate(rows):
        r["outcome"] = fit.extra["levels"][j // q + 1]
        r["term"] = fit.names[j]
    return rows


def multinom(
    data: SurveyData,
    formula: str | tuple[str, Sequence[str]],
    *,
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: float | Literal["design"] = "design",
    variance: Literal["refit", "linearised"] = "linearised",
    maxit: int = 100,
) -> MultinomResult:
    """Multinomial logit of a categorical response, with design-based standard errors.

    Parameters
    ----------
    data : SurveyData
    formula : str or (response, terms)
        ``"strategy ~ years + C(city)"``; the response's first level (category order, else
        sorted) is the baseline.
    by, where, missing, level
        As for :func:`~qonys.estimate.glm`.
    df : "design" or float
        ``"design"``: design df + 1 - number of coefficients (all outcomes), by analogy with
        R's ``svyglm``.
    variance : {"linearised", "refit"}
        Replicate designs: the sandwich with the replicate covariance of the score totals
        (default), or a refit per replicate.
    maxit : int

    Returns
    -------
    MultinomResult
        ``coef`` named ``"outcome:column"``; ``to_frame()`` with an ``outcome`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"x": [float(i % 5) for i in range(24)],
    ...                    "y": list("abcabbcacbacbbcaacbcabca")})
    >>> m = multinom(SurveyData(df, SurveyDesign()), "y ~ x")
    >>> list(m.coef.index)
    ['b:(Intercept)', 'b:x', 'c:(Intercept)', 'c:x']
    """
    level = check_level(level)
    sd = restrict(data, where)
    if not isinstance(sd, SurveyData):
        raise DesignError("multinom needs SurveyData (data in memory)", rule="design.data-type")
    fits = fit_by(sd, by, lambda s, d: _fit_one(s, d, formula, missing, variance, maxit))
    table = pd.DataFrame([r for f in fits for r in _rows(f, level, df)])
    text = formula_text(formula)
    call = {
        "formula": text,
        "by": by,
        "missing": missing,
        "level": level,
        "df": df,
        "variance": variance,
    }
    meta = model_meta(sd, fits, call)
    return MultinomResult(
        "multinom", text, fits, table, meta, levels=tuple(fits[0].extra["levels"])
    )
