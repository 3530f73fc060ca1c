"""Survey generalised linear models: gaussian, (quasi)binomial and (quasi)poisson.

Point estimates solve the weighted score equations by iteratively reweighted least squares
(IRLS, written as Fisher scoring steps so the converged estimate solves the score equations to
rounding, whatever the conditioning of the normal equations). Standard errors are design-based:
the sandwich of :mod:`qonys.estimate._models` on Taylor designs, replicate refits on replicate
designs. Model-based (WLS) standard errors are never used: sampling weights are not precision
weights.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core import ConvergenceError, DataError, DesignError, MissingPolicy, Where
from ..design.calibration import weighted_gram
from ..design.data import SurveyData
from ._common import check_level, restrict
from ._families import FAMILIES, Family, family_of
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

__all__ = ["FAMILIES", "Family", "GLMResult", "IRLSFit", "glm", "irls"]


@dataclasses.dataclass(frozen=True, eq=False)
class IRLSFit:
    """Result of :func:`irls`: the estimate and R's working quantities at convergence."""

    beta: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    working_weights: np.ndarray  # prior weight x mu'^2 / V(mu), of the last iteration
    iterations: int
    converged: bool
    gram: np.ndarray | None = None  # X' diag(working_weights) X of the last iteration


def _wls(
    x: np.ndarray, ww: np.ndarray, z: np.ndarray, gram: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares by the normal equations, with one step of iterative refinement.

    Returns the coefficients and :math:`G = X^\\top W X`. With ``gram`` given (the same weights
    as an earlier call) only :math:`X^\\top W z` is formed. The refinement step
    :math:`b \\leftarrow b + G^{-1} X^\\top W (z - X b)` recovers the accuracy of a QR
    solution (R's ``Cdqrls``) for any model whose condition number is well below
    :math:`1/\\sqrt{\\epsilon}`, at a fraction of its cost on long data.
    """
    if gram is None:
        g, r_opt = weighted_gram(x, ww, z)
        r = r_opt if r_opt is not None else x.T @ (ww * z)
    else:
        g, r = gram, x.T @ (ww * z)
    b = np.linalg.solve(g, r)
    if np.linalg.cond(g) < 1e4:  # error about cond * eps already: nothing to refine
        return np.asarray(b), g
    return np.asarray(b + np.linalg.solve(g, x.T @ (ww * (z - x @ b)))), g


def irls(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    family: str,
    *,
    start: np.ndarray | None = None,
    epsilon: float = 1e-8,
    maxit: int = 25,
    gram: np.ndarray | None = None,
) -> IRLSFit:
    r"""Iteratively reweighted least squares, step for step as R's ``glm.fit``.

    Starts from the family's ``mustart`` (or ``start``), solves the weighted least-squares
    problem of the working response :math:`z = \eta + (y-\mu)/\mu'` and stops when
    :math:`|D - D_{old}|/(|D| + 0.1) <` ``epsilon``, halving steps whose deviance is not
    finite. The working weights returned are those of the last iteration, which R's
    ``svyglm`` uses in its sandwich; so the standard errors agree with R's to rounding, not
    only to R's convergence tolerance.

    Each iteration forms :math:`X^\top W X` and :math:`X^\top W z` in one pass
    (:func:`weighted_gram`); the gaussian family's working weights are the prior weights in
    every iteration, so its :math:`X^\top W X` (``gram``, if given, is that matrix) is formed
    once. The last :math:`X^\top W X` is returned for the sandwich's bread.
    """
    fam = family_of(family)
    if start is None:
        mu = fam.mustart(y, w)
        eta = fam.link(mu)
        beta = np.zeros(x.shape[1])
    else:
        beta = np.asarray(start, dtype=float).copy()
        eta = x @ beta
    mu = fam.linkinv(eta)
    dev_old = fam.dev(y, mu, w)
    ww = w
    fixed = family == "gaussian"  # identity link, unit variance: the weights never change
    g: np.ndarray | None = gram if fixed else None
    for it in range(1, maxit + 1):
        if fixed:
            ww, z = w, eta + (y - mu)
        else:
            me = fam.mu_eta(eta)
            ww = w * me**2 / fam.variance(mu)
            z = eta + (y - mu) / me
        new, g_it = _wls(x, ww, z, g)
        if fixed:
            g = g_it
        eta_n = x @ new
        mu_n = fam.linkinv(eta_n)
        dev = fam.dev(y, mu_n, w)
        halvings = 0
        while not np.isfinite(dev) and halvings < 30 and start is not None:
            new = (new + beta) / 2
            eta_n = x @ new
            mu_n = fam.linkinv(eta_n)
            dev = fam.dev(y, mu_n, w)
            halvings += 1
        beta, eta, mu = new, eta_n, mu_n
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            return IRLSFit(beta, eta, mu, ww, it, True, g_it)
        dev_old = dev
    return IRLSFit(beta, eta, mu, ww, maxit, False, None)


def _check_response(y: np.ndarray, family: str, label: str) -> None:
    if family in ("binomial", "quasibinomial") and ((y < 0) | (y > 1)).any():
        raise DataError(
            f"response {label!r} must be between 0 and 1 for family {family!r}",
            where=Where(variable=label),
            rule="data.response-range",
            hint="Use a 0/1 or true/false variable, or I(x == 'yes').",
        )
    if family in ("poisson", "quasipoisson") and (y < 0).any():
        raise DataError(
            f"response {label!r} must be non-negative for family {family!r}",
            where=Where(variable=label),
            rule="data.response-range",
        )


def _response(setup: Any, family: str) -> np.ndarray:
    y = setup.y
    if setup.y_categorical:
        levels = sorted(pd.unique(y[setup.used].dropna()), key=str)
        if isinstance(y.dtype, pd.CategoricalDtype):
            levels = [c for c in y.cat.categories if (y[setup.used] == c).any()]
        if len(levels) != 2 or family not in ("binomial", "quasibinomial"):
            raise DataError(
                f"response {setup.response!r} is categorical with {len(levels)} levels",
                where=Where(variable=setup.response),
                rule="data.not-numeric",
                hint="A binomial model takes a two-level factor (the second level is the "
                "event); use olr() or multinom() for more levels.",
            )
        return (y == levels[1]).fillna(False).to_numpy(dtype=float)
    return pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)


def _fit_one(
    sd: SurveyData,
    domain: str | None,
    formula: Any,
    family: str,
    missing: MissingPolicy,
    variance: str,
    epsilon: float,
    maxit: int,
) -> ModelFit:
    setup = model_setup(sd, formula, missing)
    used = setup.used
    rows = np.flatnonzero(used)
    y_all = _response(setup, family)
    every = rows.size == sd.n
    x, y = (setup.mm.x, y_all) if every else (setup.mm.x[rows], y_all[rows])
    _check_response(y, family, setup.response)
    w_all = sd.prepared.weights
    w = w_all[rows] / w_all[rows].mean()
    names = setup.mm.columns
    gram0, _ = weighted_gram(x, w)
    check_rank(x, w, names, gram=gram0)
    res = irls(x, y, w, family, epsilon=epsilon, maxit=maxit, gram=gram0)
    if not res.converged:
        raise ConvergenceError(
            f"IRLS for {setup.response!r} did not converge in {maxit} iterations "
            f"(R's glm.fit algorithm, epsilon={epsilon})",
            where=Where(variable=setup.response),
            rule="model.no-convergence",
            hint="Check for complete separation (a predictor that predicts the response "
            "perfectly), or raise maxit.",
        )
    beta = res.beta
    fam = family_of(family)
    mu = res.mu
    var = fam.variance(mu)
    wt = w_all[rows]
    # R's sandwich: working residuals at the estimate, working weights of the last iteration
    # scaled back to the sampling weights (w is wt over its mean): the bread is the last
    # iteration's X'WX times that mean
    ww = res.working_weights * (wt / w)
    a = res.gram * float(wt.mean()) if res.gram is not None else weighted_gram(x, ww)[0]
    a_inv = np.linalg.inv(a)
    reps = None
    prep = sd.prepared
    if prep.replicates is not None and variance == "refit":

        def refit(wr: np.ndarray, b0: np.ndarray) -> np.ndarray:
            got = irls(x, y, wr, family, start=b0, epsilon=epsilon, maxit=maxit)
            return got.beta

        vc, reps = replicate_vcov(sd, used, beta, refit)
    else:
        resid_w = (y - mu) / fam.mu_eta(res.eta)
        if every:
            scores = x * (resid_w * ww / wt)[:, None]
        else:
            scores = np.zeros((sd.n, x.shape[1]))
            scores[rows] = x * (resid_w * ww / wt)[:, None]
        vc = sandwich(sd, scores, a_inv, used)
    # R's summary(svyglm)$dispersion: the design variance (svyvar) of the unweighted Pearson
    # residuals; for replicate designs n times their weighted mean square (R 4.1's formula)
    pres = (y - mu) / np.sqrt(var)
    n_u = rows.size
    if prep.replicates is not None:
        dispersion = float(n_u * np.sum(wt * pres**2) / np.sum(wt))
    else:
        rbar = np.sum(wt * pres) / np.sum(wt)
        dispersion = float(n_u / (n_u - 1) * np.sum(wt * (pres - rbar) ** 2) / np.sum(wt))
    return ModelFit(
        domain=domain,
        names=tuple(names),
        coef=beta,
        vcov=vc,
        df=model_df(sd, used, len(names)),
        n=int(rows.size),
        sum_weights=float(wt.sum()),
        term_labels=tuple(setup.mm.term_labels),
        assign=tuple(setup.mm.assign),
        intercept=setup.mm.intercept,
        converged=True,
        iterations=res.iterations,
        extra={
            "dispersion": dispersion,
            "deviance": fam.dev(y, mu, wt),
            "naive_cov": a_inv,
            "response": setup.response,
            "family": family,
            "notes": setup.notes,
            "n_dropped": setup.n_dropped,
        },
        replicates=reps,
    )


@dataclasses.dataclass(frozen=True, eq=False)
class GLMResult(ModelResult):
    """A survey GLM (see :func:`glm`); ``to_frame()`` has one row per coefficient."""

    family: str = "gaussian"

    @property
    def dispersion(self) -> float:
        """R's ``summary(m)$dispersion``: weighted variance of the Pearson residuals."""
        return float(self.fit().extra["dispersion"])


def glm(
    data: SurveyData,
    formula: str | tuple[str, Sequence[str]],
    family: Family = "gaussian",
    *,
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: float | Literal["design"] = "design",
    variance: Literal["refit", "linearised"] = "refit",
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> GLMResult:
    """Survey-weighted generalised linear model with design-based standard errors.

    Parameters
    ----------
    data : SurveyData
        Survey data and design (Taylor, calibrated or replicate).
    formula : str or (response, terms)
        ``"y ~ x1 + C(group)"`` (see :mod:`qonys.estimate._formula`: factors with treatment
        contrasts, reference = first level; ``factor(g)`` works too; ``I(expr)``; ``a*b``,
        ``a:b``, ``- 1``), or a pair ``("y", ["x1", "C(group)"])``.
    family : {"gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson"}
        Canonical links (identity, logit, log). Quasi families give the same estimates and
        design-based SEs; they differ only in what R reports as dispersion.
    by : str or list of str, optional
        Fit one model per domain (each a subpopulation of the whole design).
    where : mask or expression, optional
        Subpopulation (R's ``subset(design, ...)``); the whole design is kept.
    missing : {"fail", "drop"}
        ``"drop"`` fits complete cases; incomplete rows stay in the design (R's ``na.omit``).
    level : float
        Confidence level of the intervals.
    df : "design" or float
        Degrees of freedom of t tests and intervals: ``"design"`` is R's
        ``df.residual`` = design df + 1 - number of coefficients; ``math.inf`` gives z tests.
    variance : {"refit", "linearised"}
        Replicate designs only: refit per replicate (R), or the sandwich with replicate
        covariance of the score totals.
    epsilon, maxit : float, int
        IRLS convergence: relative change of the deviance below ``epsilon`` within ``maxit``
        iterations (R's ``glm.control``; each replicate refit too).

    Returns
    -------
    GLMResult
        ``coef``, ``se``, ``vcov``, ``df_residual``, ``dispersion``; ``to_frame()`` with
        ``term``, ``statistic`` (t) and ``p_value``.

    Raises
    ------
    DesignError
        Unknown variables or terms, collinear columns (``design.collinear``), an empty domain.
    ConvergenceError
        IRLS did not converge (separation).

    Notes
    -----
    The estimate solves :math:`\\sum_i w_i x_i (y_i-\\mu_i)\\mu_i'/V(\\mu_i) = 0`. Its variance
    is :math:`A^{-1} \\hat V A^{-1}` with :math:`A = \\sum_i w_i \\mu_i'^2 x_i x_i^\\top/V(\\mu_i)`
    and :math:`\\hat V` the design covariance of the total of the score contributions
    (Binder 1983). Coefficients are named as R names them (``stypeH``).

    References
    ----------
    Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
    surveys. *International Statistical Review* 51, 279-292.
    Lumley, T. (2010). *Complex Surveys*, ch. 5. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"st": [1, 1, 1, 2, 2, 2], "w": [1.0, 2, 1, 2, 1, 2],
    ...                    "x": [0.0, 1, 2, 0, 1, 2], "y": [1.0, 2, 4, 2, 3, 7]})
    >>> sd = SurveyData(df, SurveyDesign(weights="w", strata="st"))
    >>> m = glm(sd, "y ~ x")   # In R: svyglm(y ~ x, svydesign(~1, strata=~st, weights=~w, data=df))
    >>> [round(float(v), 6) for v in m.coef]
    [1.166667, 2.166667]
    >>> m.to_frame()[["term", "estimate"]].shape
    (2, 2)
    """
    level = check_level(level)
    sd = restrict(data, where)
    if not isinstance(sd, SurveyData):
        raise DesignError("glm needs SurveyData (data in memory)", rule="design.data-type")
    family_of(family)
    if variance not in ("refit", "linearised"):
        raise DesignError(
            f"variance must be 'refit' or 'linearised'; got {variance!r}",
            where=Where(key="variance"),
            rule="design.variance-option",
        )
    fits = fit_by(
        sd, by, lambda s, d: _fit_one(s, d, formula, family, missing, variance, epsilon, maxit)
    )
    rows = [r for f in fits for r in coef_rows(f, level, df)]
    table = pd.DataFrame(rows)
    text = formula_text(formula)
    call = {
        "formula": text,
        "family": family,
        "by": by,
        "missing": missing,
        "level": level,
        "df": df,
        "variance": variance,
    }
    meta = model_meta(sd, fits, call)
    return GLMResult(f"glm {family}", text, fits, table, meta, family=family)
