"""Sampling adequacy (KMO, Bartlett) and exploratory factor analysis (psych ``fa`` conventions).

Extraction by minimum residuals (``minres``, unweighted least squares on the off-diagonal
correlations) or maximum likelihood (``ml``, factanal's objective), both from squared multiple
correlations; rotation ``none``, ``varimax`` or ``oblimin``; then psych's conventions: columns
made positive-sum and sorted by (Phi-weighted) sums of squared loadings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._core.checks import check_in
from .._core.errors import ConvergenceError, DataError
from .._core.policies import MissingPolicy
from .._core.results import Meta, ResultMixin, tidy_frame
from ._data import item_matrix, weighted_cov
from .reliability import smc
from .rotation import oblimin, varimax

__all__ = ["EFAResult", "bartlett_sphericity", "efa", "kmo"]


def _corr(
    frame: pd.DataFrame, items: Sequence[str] | None, sample_weight: object, missing: MissingPolicy
) -> tuple[np.ndarray, list[str], int]:
    data = item_matrix(frame, items, missing=missing, sample_weight=sample_weight)
    _, C = weighted_cov(data.x, data.weights)
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d), list(data.names), data.x.shape[0]


def kmo(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    sample_weight: object = None,
    missing: MissingPolicy = "fail",
) -> tuple[float, pd.Series]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    .. math:: MSA = \\frac{\\sum_{i \\ne j} r_{ij}^2}{\\sum_{i \\ne j} r_{ij}^2 +
        \\sum_{i \\ne j} q_{ij}^2}

    with :math:`q` the anti-image (partial) correlations; per item the sums run over its row.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(200, 1))
    >>> df = pd.DataFrame(f @ np.ones((1, 4)) + rng.normal(size=(200, 4)), columns=list("abcd"))
    >>> overall, per_item = kmo(df)
    >>> 0.5 < overall < 1
    True
    >>> # In R: psych::KMO(cor(df))
    """
    R, names, _ = _corr(frame, items, sample_weight, missing)
    inv = np.linalg.inv(R)
    Q = -inv / np.sqrt(np.outer(np.diag(inv), np.diag(inv)))
    r2, q2 = R**2, Q**2
    np.fill_diagonal(r2, 0)
    np.fill_diagonal(q2, 0)
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    per = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return overall, pd.Series(per, index=names, name="MSA")


def bartlett_sphericity(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    sample_weight: object = None,
    missing: MissingPolicy = "fail",
) -> dict[str, float]:
    """Bartlett's test that the correlation matrix is an identity.

    .. math:: \\chi^2 = -\\Big(n - 1 - \\frac{2p + 5}{6}\\Big)\\ln|R|, \\quad df = p(p-1)/2

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5.], "b": [2, 1, 4, 3, 5.], "c": [1, 3, 2, 5, 4.]})
    >>> round(bartlett_sphericity(df)["df"])
    3
    >>> # In R: psych::cortest.bartlett(cor(df), n = nrow(df))
    """
    R, names, n = _corr(frame, items, sample_weight, missing)
    p = len(names)
    chisq = -(n - 1 - (2 * p + 5) / 6) * np.linalg.slogdet(R)[1]
    df = p * (p - 1) / 2
    return {
        "chisq": float(chisq),
        "df": float(df),
        "pvalue": float(stats.chi2.sf(chisq, df)),
        "n": float(n),
    }


@dataclasses.dataclass(frozen=True, slots=True)
class EFAResult(ResultMixin):
    """Loadings (pattern), factor correlations, communalities and psych's fit statistics."""

    loadings: pd.DataFrame
    phi: pd.DataFrame
    communality: pd.Series
    uniqueness: pd.Series
    stats: dict[str, float]
    eigenvalues: np.ndarray
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Loadings in long form: ``variable`` = item, ``level`` = factor."""
        rows = [
            {"variable": item, "level": f, "estimate": float(v), "n": self.stats["n_obs"]}
            for item, rec in self.loadings.iterrows()
            for f, v in rec.items()
        ]
        return tidy_frame(rows)


def _minres_obj(psi: np.ndarray, R: np.ndarray, k: int) -> float:
    S = R.copy()
    np.fill_diagonal(S, 1 - psi)
    vals, vecs = np.linalg.eigh(S)
    vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
    vals = np.where(vals < np.finfo(float).eps, 100 * np.finfo(float).eps, vals)
    L = vecs * np.sqrt(vals)
    res = S - L @ L.T
    np.fill_diagonal(res, 0)
    return float(np.sum(res**2))


def _ml_obj(psi: np.ndarray, R: np.ndarray, k: int) -> float:
    sc = 1 / np.sqrt(psi)
    e = np.linalg.eigvalsh(R * np.outer(sc, sc))[::-1][k:]
    return -float(np.sum(np.log(e) - e) - k + R.shape[0])


def _loadings(psi: np.ndarray, R: np.ndarray, k: int, fm: str) -> np.ndarray:
    if fm == "minres":
        S = R.copy()
        np.fill_diagonal(S, 1 - psi)
        vals, vecs = np.linalg.eigh(S)
        vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
        return vecs * np.sqrt(np.maximum(vals, 0))
    sc = 1 / np.sqrt(psi)
    vals, vecs = np.linalg.eigh(R * np.outer(sc, sc))
    vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
    return np.sqrt(psi)[:, None] * vecs * np.sqrt(np.maximum(vals - 1, 0))


def efa(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    n_factors: int = 1,
    method: Literal["minres", "ml"] = "minres",
    rotation: Literal["none", "varimax", "oblimin"] = "oblimin",
    sample_weight: object = None,
    missing: MissingPolicy = "fail",
) -> EFAResult:
    """Exploratory factor analysis of the correlation matrix, as ``psych::fa``.

    Parameters
    ----------
    n_factors : int
        Number of factors (at least 3 items per factor are needed).
    method : {"minres", "ml"}
        Minimum residual (ULS on off-diagonal correlations) or maximum likelihood.
    rotation : {"none", "varimax", "oblimin"}
        ``varimax`` = ``stats::varimax`` (Kaiser-normalised); ``oblimin`` =
        ``GPArotation::oblimin`` (gamma 0, not normalised).
    sample_weight : str or array-like, optional
        Weights for the correlation matrix.

    Returns
    -------
    EFAResult
        ``stats`` holds psych's ``objective, STATISTIC, dof, PVAL, RMSEA (+ CI), TLI, BIC, fit,
        fit_off, n_obs``.

    Notes
    -----
    minres minimises :math:`\\sum_{i \\ne j} (r_{ij} - (\\Lambda\\Lambda^T)_{ij})^2`; ml minimises
    :math:`\\log|\\Sigma| + \\operatorname{tr}(R\\Sigma^{-1}) - \\log|R| - p` with
    :math:`\\Sigma = \\Lambda\\Lambda^T + \\Psi`. Both start from :math:`\\Psi = 1 - SMC`.
    :math:`\\chi^2 = (n - 1 - (2p + 5)/6 - 2k/3) \\cdot objective`.

    References
    ----------
    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research.
    Harman, H. H. & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(500, 2))
    >>> L = np.kron(np.eye(2), np.ones((3, 1))) * .8
    >>> df = pd.DataFrame(F @ L.T + rng.normal(scale=.6, size=(500, 6)))
    >>> res = efa(df, n_factors=2, rotation="varimax")
    >>> res.loadings.shape
    (6, 2)
    >>> # In R: psych::fa(df, nfactors = 2, fm = "minres", rotate = "varimax")
    """
    check_in(method, ("minres", "ml"), "method")
    check_in(rotation, ("none", "varimax", "oblimin"), "rotation")
    R, names, n = _corr(frame, items, sample_weight, missing)
    p, k = len(names), int(n_factors)
    dof = ((p - k) ** 2 - p - k) / 2
    if k < 1 or p < 3 * k:
        raise DataError(
            f"{p} items for {k} factors; at least 3 items per factor are needed",
            rule="measure.too-few-items",
            hint="Extract fewer factors or add items.",
        )
    start = 1 - smc(R)
    obj = _minres_obj if method == "minres" else _ml_obj
    res = optimize.minimize(
        obj,
        start,
        args=(R, k),
        method="L-BFGS-B",
        bounds=[(0.005, 1.0)] * p,
        options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 10000},
    )
    if not res.success and "ABNORMAL" not in str(res.message):
        raise ConvergenceError(
            f"{method} extraction did not converge: {res.message}",
            rule="measure.efa-no-convergence",
            hint="Tried L-BFGS-B on the uniquenesses from 1 - SMC; extract fewer factors.",
        )
    psi = res.x
    L0 = _loadings(psi, R, k, method)
    h2 = (L0**2).sum(axis=1)
    if rotation == "varimax":
        L, _ = varimax(L0)
        phi = np.eye(k)
    elif rotation == "oblimin":
        L, phi, _ = oblimin(L0)
    else:
        L, phi = L0.copy(), np.eye(k)
    sign = np.sign(L.sum(axis=0))
    sign[sign == 0] = 1
    L = L * sign
    phi = phi * np.outer(sign, sign)
    ev = np.diag(phi @ L.T @ L) if rotation == "oblimin" else (L**2).sum(axis=0)
    order = np.argsort(-ev, kind="stable") if k > 1 else np.arange(k)
    L, phi = L[:, order], phi[np.ix_(order, order)]
    fstats = _factor_stats(R, L0, n, k, dof)
    cols = [f"F{i + 1}" for i in range(k)]
    meta = Meta(
        method=f"EFA ({method}, {rotation}; psych::fa conventions)",
        policies={"missing": missing},
        call={"items": names, "n_factors": k, "method": method, "rotation": rotation},
        n_used=n,
    )
    return EFAResult(
        loadings=pd.DataFrame(L, index=names, columns=cols),
        phi=pd.DataFrame(phi, index=cols, columns=cols),
        communality=pd.Series(h2, index=names, name="h2"),
        uniqueness=pd.Series(1 - h2, index=names, name="u2"),
        stats=fstats,
        eigenvalues=np.linalg.eigvalsh(R)[::-1],
        meta=meta,
    )


def _factor_stats(R: np.ndarray, L: np.ndarray, n: int, k: int, dof: float) -> dict[str, float]:
    """psych's ``factor.stats`` for the unrotated solution (rotation does not change them)."""
    p = R.shape[0]
    model = L @ L.T
    resid = R - model
    r2 = float(np.sum(R**2))
    fit = 1 - float(np.sum(resid**2)) / r2
    off = resid.copy()
    np.fill_diagonal(off, 0)
    fit_off = 1 - float(np.sum(off**2)) / (r2 - float(np.trace(R * R)))
    np.fill_diagonal(model, 1.0)
    m_inv_r = np.linalg.solve(model, R)
    objective = float(np.trace(m_inv_r) - np.linalg.slogdet(m_inv_r)[1] - p)
    chisq = max(objective * ((n - 1) - (2 * p + 5) / 6 - 2 * k / 3), 0.0)
    null = -np.linalg.slogdet(R)[1] * ((n - 1) - (2 * p + 5) / 6 - 2 * k / 3)
    dof_null = p * (p - 1) / 2
    out = {
        "objective": objective,
        "STATISTIC": chisq,
        "dof": dof,
        "fit": fit,
        "fit_off": fit_off,
        "n_obs": float(n),
    }
    out["PVAL"] = float(stats.chi2.sf(chisq, dof)) if dof > 0 else math.nan
    out["RMSEA"] = math.sqrt(max(chisq / (dof * n) - 1 / (n - 1), 0)) if dof > 0 else math.nan
    lo, hi = _rmsea_ci(chisq, dof, n)
    out["RMSEA_lower"], out["RMSEA_upper"] = lo, hi
    out["TLI"] = (null / dof_null - chisq / dof) / (null / dof_null - 1) if dof > 0 else math.nan
    out["BIC"] = chisq - dof * math.log(n)
    return out


def _rmsea_ci(chisq: float, dof: float, n: int) -> tuple[float, float]:
    from .sem.fit import rmsea_ci

    if dof <= 0:
        return math.nan, math.nan
    lo, hi = rmsea_ci(chisq, dof, n - 1)
    return lo, hi
