"""The factor structure of motive importance ratings (METHODS 8.3), on survey data.

:func:`motive_factors` runs the exploratory factor analysis METHODS 8.3 asks for on ordinal
importance items: design-weighted polychoric correlations (pairwise available answers,
smoothed to a positive definite matrix when needed), the Kaiser-Meyer-Olkin measure and
Bartlett's test, the number of factors by Horn's parallel analysis, and minres extraction with
oblimin rotation under ``psych::fa``'s conventions (:func:`qonys.measure.efa`). Loadings describe
the sample's correlation structure; they are point estimates (the weights make them estimates of
the population's), without design-based standard errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import ndtri

from .._core import DataError, Meta, ResultMixin, Where, tidy_frame
from .._core.checks import check_in
from ..design import SurveyData
from ._survey import numeric_column
from .factor import _factor_stats, _loadings, _minres_obj, _ml_obj
from .polychoric import _rho_mle
from .reliability import smc
from .rotation import oblimin, varimax

__all__ = [
    "MotiveFactors",
    "efa_from_correlation",
    "motive_factors",
    "parallel_analysis",
    "weighted_polychoric",
]


def _thresholds(x: np.ndarray, w: np.ndarray, cats: np.ndarray) -> np.ndarray:
    share = np.array([w[x == c].sum() for c in cats]) / w.sum()
    return np.asarray(ndtri(np.clip(np.cumsum(share)[:-1], 1e-12, 1 - 1e-12)))


def weighted_polychoric(
    x: np.ndarray, w: np.ndarray | None = None, *, correct: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Polychoric correlations from weighted tables, on pairwise available answers.

    Parameters
    ----------
    x : array (n, p)
        Ordered codes; ``NaN`` where not answered.
    w : array (n,), optional
        Sampling weights; tables are weighted counts rescaled to the number of respondents of
        the pair (so the likelihood keeps the sample's size).
    correct : float
        Value put in empty cells (psych's 0.5).

    Returns
    -------
    (R, n_pairs)
        Correlation matrix and the number of respondents behind each entry.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.multivariate_normal([0, 0], [[1, .6], [.6, 1]], size=2000)
    >>> R, n = weighted_polychoric(np.digitize(z, [-.5, .3, 1.0]).astype(float))
    >>> bool(abs(R[0, 1] - 0.6) < 0.05), int(n[0, 1])
    (True, 2000)
    """
    x = np.asarray(x, dtype=float)
    n, p = x.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    R, npair = np.eye(p), np.zeros((p, p), dtype=int)
    cats = [np.unique(x[~np.isnan(x[:, j]), j]) for j in range(p)]
    taus = [_thresholds(x[~np.isnan(x[:, j]), j], w[~np.isnan(x[:, j])], cats[j]) for j in range(p)]
    for i in range(p):
        npair[i, i] = int((~np.isnan(x[:, i])).sum())
        for j in range(i + 1, p):
            ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            a = np.searchsorted(cats[i], x[ok, i])
            b = np.searchsorted(cats[j], x[ok, j])
            tab = np.zeros((len(cats[i]), len(cats[j])))
            np.add.at(tab, (a, b), w[ok])
            tab *= ok.sum() / w[ok].sum()
            if correct > 0:
                tab[tab == 0] = correct
            R[i, j] = R[j, i] = _rho_mle(tab, taus[i], taus[j])
            npair[i, j] = npair[j, i] = int(ok.sum())
    return R, npair


def _smooth(R: np.ndarray) -> tuple[np.ndarray, bool]:
    """psych's ``cor.smooth``: eigenvalues below a small positive floor raised, rescaled."""
    vals, vecs = np.linalg.eigh(R)
    if vals.min() > 1e-8:
        return R, False
    vals = np.maximum(vals, 100 * np.finfo(float).eps)
    vals = vals * len(vals) / vals.sum()
    S = vecs @ np.diag(vals) @ vecs.T
    d = np.sqrt(np.diag(S))
    return S / np.outer(d, d), True


def parallel_analysis(
    R: np.ndarray,
    n_obs: int,
    *,
    n_random: int = 20,
    quantile: float = 0.95,
    random_state: Any = None,
) -> tuple[int, np.ndarray, np.ndarray]:
    """Horn's parallel analysis on principal-component eigenvalues.

    Returns the number of leading eigenvalues of ``R`` above the ``quantile`` of those of
    random normal data of the same size, the observed and the random eigenvalues.

    Examples
    --------
    >>> R = np.full((6, 6), 0.5); np.fill_diagonal(R, 1)
    >>> parallel_analysis(R, 300, random_state=0)[0]
    1
    """
    rng = np.random.default_rng(random_state)
    p = R.shape[0]
    obs = np.linalg.eigvalsh(R)[::-1]
    rand = np.array(
        [
            np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((n_obs, p)), rowvar=False))[::-1]
            for _ in range(n_random)
        ]
    )
    ref = np.quantile(rand, quantile, axis=0)
    above = obs > ref
    k = int(np.argmin(above)) if not above.all() else p
    return k, obs, ref


@dataclasses.dataclass(frozen=True, slots=True)
class MotiveFactors(ResultMixin):
    """EFA of motive items.

    Attributes
    ----------
    loadings : DataFrame
        Pattern loadings (items x factors ``F1``..).
    phi : DataFrame
        Factor correlations.
    communality : Series
    kmo : float
        Kaiser-Meyer-Olkin measure (METHODS 8.3: at least .60).
    bartlett : Mapping[str, float]
        ``chisq``, ``df``, ``pvalue``.
    eigenvalues, random_eigenvalues : ndarray
        Parallel analysis.
    correlation : str
        ``polychoric`` or ``pearson``.
    stats : Mapping[str, float]
        psych's fit statistics (``RMSEA``, ``TLI``, ``fit``...).
    meta : Meta
    """

    loadings: pd.DataFrame
    phi: pd.DataFrame
    communality: pd.Series
    kmo: float
    bartlett: dict[str, float]
    eigenvalues: np.ndarray
    random_eigenvalues: np.ndarray
    correlation: str
    stats: dict[str, float]
    meta: Meta
    parallel_factors: int | None = None
    rotation: str = "oblimin"

    def to_frame(self) -> pd.DataFrame:
        """Loadings in long form (``variable`` = item, ``level`` = factor), with ``h2``."""
        n = self.meta.n_used
        rows = [
            {
                "variable": item,
                "level": f,
                "estimate": float(v),
                "n": n,
                "h2": float(self.communality.loc[str(item)]),
            }
            for item, rec in self.loadings.iterrows()
            for f, v in rec.items()
        ]
        return tidy_frame(rows)


def efa_from_correlation(
    R: np.ndarray,
    n_obs: int,
    n_factors: int,
    *,
    method: Literal["minres", "ml"] = "minres",
    rotation: Literal["none", "varimax", "oblimin"] = "oblimin",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Factor extraction and rotation of a correlation matrix, as :func:`qonys.measure.efa`.

    Returns pattern loadings, factor correlations, communalities and the fit statistics.
    """
    p, k = R.shape[0], int(n_factors)
    if k < 1 or p < 3 * k:
        raise DataError(
            f"{p} items for {k} factors; at least 3 items per factor are needed",
            rule="measure.too-few-items",
            hint="Extract fewer factors or add items.",
        )
    obj = _minres_obj if method == "minres" else _ml_obj
    res = optimize.minimize(
        obj,
        1 - smc(R),
        args=(R, k),
        method="L-BFGS-B",
        bounds=[(0.005, 1.0)] * p,
        options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 10000},
    )
    L0 = _loadings(res.x, R, k, method)
    h2 = (L0**2).sum(axis=1)
    if rotation == "varimax":
        L, _ = varimax(L0)
        phi = np.eye(k)
    elif rotation == "oblimin" and k > 1:
        L, phi, _ = oblimin(L0)
    else:
        L, phi = L0.copy(), np.eye(k)
    sign = np.sign(L.sum(axis=0))
    sign[sign == 0] = 1
    L, phi = L * sign, phi * np.outer(sign, sign)
    ev = np.diag(phi @ L.T @ L)
    order = np.argsort(-ev, kind="stable")
    dof = ((p - k) ** 2 - p - k) / 2
    return L[:, order], phi[np.ix_(order, order)], h2, _factor_stats(R, L0, n_obs, k, dof)


def motive_factors(
    sd: SurveyData,
    items: Sequence[str],
    *,
    n_factors: int | None = None,
    correlation: Literal["polychoric", "pearson"] = "polychoric",
    rotation: Literal["none", "varimax", "oblimin"] = "oblimin",
    method: Literal["minres", "ml"] = "minres",
    n_random: int = 20,
    random_state: Any = None,
) -> MotiveFactors:
    """EFA of importance items with KMO, Bartlett and parallel analysis (METHODS 8.3).

    Parameters
    ----------
    sd : SurveyData
        Survey data (its weights weight the correlations); rows outside the current
        subpopulation are not used.
    items : sequence of str
        Ordinal items (missing codes already missing).
    n_factors : int, optional
        Number of factors; default Horn's parallel analysis (at most a third of the items).
    correlation : {"polychoric", "pearson"}
    rotation, method
        As for :func:`qonys.measure.efa`.
    n_random : int
        Random data sets of the parallel analysis.
    random_state : optional
        Seed of the parallel analysis.

    Returns
    -------
    MotiveFactors

    Notes
    -----
    R: ``psych::fa(items, nfactors = k, fm = "minres", rotate = "oblimin", cor = "poly",
    weight = w)`` after ``psych::fa.parallel``.
    """
    check_in(correlation, ("polychoric", "pearson"), "correlation")
    inside = sd.prepared.in_domain
    x = np.column_stack([numeric_column(sd, i).to_numpy() for i in items])[inside]
    w = sd.weights[inside]
    if correlation == "polychoric":
        R, npair = weighted_polychoric(x, w)
    else:
        df = pd.DataFrame(x)
        R = df.corr(min_periods=3).to_numpy()
        npair = df.notna().astype(int).T.dot(df.notna().astype(int)).to_numpy()
    if not np.isfinite(R).all():
        raise DataError(
            "the item correlations cannot all be computed (an item without answers?)",
            where=Where(variable=items[0]),
            rule="measure.too-few-cases",
        )
    R, smoothed = _smooth(R)
    n_obs = int(np.median(npair[np.triu_indices(len(items), 1)]))
    k_pa, obs, ref = parallel_analysis(R, n_obs, n_random=n_random, random_state=random_state)
    k = int(n_factors) if n_factors is not None else max(1, min(k_pa, len(items) // 3))
    L, phi, h2, fit = efa_from_correlation(R, n_obs, k, method=method, rotation=rotation)
    inv = np.linalg.inv(R)
    Q = -inv / np.sqrt(np.outer(np.diag(inv), np.diag(inv)))
    r2, q2 = R**2, Q**2
    np.fill_diagonal(r2, 0)
    np.fill_diagonal(q2, 0)
    p = len(items)
    chisq = -(n_obs - 1 - (2 * p + 5) / 6) * np.linalg.slogdet(R)[1]
    bdf = p * (p - 1) / 2
    cols = [f"F{i + 1}" for i in range(k)]
    notes = [f"{k_pa} factors by parallel analysis"]
    if smoothed:
        notes.append("correlation matrix smoothed to be positive definite")
    meta = Meta(
        method=f"EFA ({method}, {rotation}) of {correlation} correlations",
        design=sd.describe(),
        call={"items": list(items), "n_factors": k, "correlation": correlation},
        notes=tuple(notes),
        n_used=n_obs,
    )
    return MotiveFactors(
        loadings=pd.DataFrame(L, index=list(items), columns=cols),
        phi=pd.DataFrame(phi, index=cols, columns=cols),
        communality=pd.Series(h2, index=list(items), name="h2"),
        kmo=float(r2.sum() / (r2.sum() + q2.sum())),
        bartlett={"chisq": float(chisq), "df": bdf, "pvalue": float(stats.chi2.sf(chisq, bdf))},
        eigenvalues=obs,
        random_eigenvalues=ref,
        correlation=correlation,
        stats=fit,
        meta=meta,
        parallel_factors=int(k_pa),
        rotation=rotation,
    )
