"""Polychoric and tetrachoric correlations (two-step ML, psych's conventions) and ordinal alpha.

Thresholds come from each item's marginal proportions, :math:`\\tau_{c} = \\Phi^{-1}(P(y \\le c))`;
each correlation then maximises the bivariate-normal likelihood of the pair's contingency
table with the thresholds held fixed. Empty cells are set to ``correct`` (psych's default 0.5).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import ndtr, ndtri

from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy
from .._core.results import Meta, ResultMixin, tidy_frame
from ._data import item_matrix
from .reliability import alpha_from_cov

__all__ = [
    "PolychoricResult",
    "bvn_cdf",
    "bvn_pdf",
    "ordinal_alpha",
    "polychoric",
    "tetrachoric",
]

_GL = {n: np.polynomial.legendre.leggauss(n) for n in (6, 12, 20)}


def bvn_pdf(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """Standard bivariate normal density (0 at infinite arguments)."""
    h, k = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float))
    out = np.zeros(h.shape)
    ok = np.isfinite(h) & np.isfinite(k)
    s = 1 - r * r
    hh, kk = h[ok], k[ok]
    out[ok] = np.exp(-(hh * hh - 2 * r * hh * kk + kk * kk) / (2 * s)) / (2 * np.pi * np.sqrt(s))
    return out


def _bvnu(h: float, k: float, r: float) -> float:
    """Genz's ``bvnu``: P(X > h, Y > k) for a standard bivariate normal with correlation r."""
    if h == np.inf or k == np.inf:
        return 0.0
    if h == -np.inf:
        return 1.0 if k == -np.inf else float(ndtr(-k))
    if k == -np.inf:
        return float(ndtr(-h))
    ar = abs(r)
    n = 6 if ar < 0.3 else (12 if ar < 0.75 else 20)
    xg, wg = _GL[n]
    x, w = xg[xg > 0], wg[xg > 0]
    hk = h * k
    if ar < 0.925:
        hs = (h * h + k * k) / 2
        asr = np.arcsin(r)
        sn1 = np.sin(asr * (1 - x) / 2)
        sn2 = np.sin(asr * (1 + x) / 2)
        bvn = np.sum(
            w * (np.exp((sn1 * hk - hs) / (1 - sn1**2)) + np.exp((sn2 * hk - hs) / (1 - sn2**2)))
        )
        return float(bvn * asr / (4 * np.pi) + ndtr(-h) * ndtr(-k))
    if r < 0:
        k, hk = -k, -hk
    bvn = 0.0
    if ar < 1:
        as_ = (1 - r) * (1 + r)
        a = np.sqrt(as_)
        bs = (h - k) ** 2
        c = (4 - hk) / 8
        d = (12 - hk) / 16
        asr = -(bs / as_ + hk) / 2
        if asr > -100:
            bvn = a * np.exp(asr) * (1 - c * (bs - as_) * (1 - d * bs / 5) / 3 + c * d * as_**2 / 5)
        if hk > -100:
            b = np.sqrt(bs)
            sp = np.sqrt(2 * np.pi) * ndtr(-b / a)
            bvn -= np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs / 5) / 3)
        a /= 2
        for sgn in (-1.0, 1.0):
            xs = (a * (sgn * x + 1)) ** 2
            rs = np.sqrt(1 - xs)
            asr_v = -(bs / xs + hk) / 2
            keep = asr_v > -100
            sp_v = 1 + c * xs * (1 + d * xs)
            ep = np.exp(-hk * xs / (2 * (1 + rs) ** 2)) / rs
            bvn += float(np.sum((a * w * np.exp(asr_v) * (ep - sp_v))[keep]))
        bvn = -bvn / (2 * np.pi)
    if r > 0:
        bvn += float(ndtr(-max(h, k)))
    elif h >= k:
        bvn = -bvn
    else:
        L = ndtr(k) - ndtr(h) if h < 0 else ndtr(-h) - ndtr(-k)
        bvn = float(L) - bvn
    return float(min(1.0, max(0.0, bvn)))


def bvn_cdf(h: float, k: float, r: float) -> float:
    """P(X <= h, Y <= k), standard bivariate normal (Genz's algorithm, ~1e-15 accuracy).

    >>> round(bvn_cdf(0.0, 0.0, 0.5), 12)      # 1/4 + arcsin(.5)/(2 pi) = 1/3
    0.333333333333
    """
    return _bvnu(-h, -k, r)


def _thresholds(col: np.ndarray, cats: np.ndarray) -> np.ndarray:
    counts = np.array([(col == c).sum() for c in cats], float)
    return ndtri(np.cumsum(counts)[:-1] / counts.sum())


def _cell_probs(t1: np.ndarray, t2: np.ndarray, r: float) -> np.ndarray:
    a = np.concatenate([[-np.inf], t1, [np.inf]])
    b = np.concatenate([[-np.inf], t2, [np.inf]])
    F = np.array([[bvn_cdf(x, y, r) for y in b] for x in a])
    return F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]


def _rho_mle(tab: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> float:
    def nll(r: float) -> float:
        P = np.maximum(_cell_probs(t1, t2, r), 1e-300)
        return -float(np.sum(tab * np.log(P)))

    res = optimize.minimize_scalar(
        nll, bounds=(-0.999999, 0.999999), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x)


@dataclasses.dataclass(frozen=True, slots=True)
class PolychoricResult(ResultMixin):
    """Correlation matrix and thresholds (one row per item; NaN pads items with fewer)."""

    rho: pd.DataFrame
    tau: pd.DataFrame
    n: int
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Upper-triangle correlations: ``variable`` = ``i|j``."""
        names = list(self.rho.index)
        R = self.rho.to_numpy(dtype=float)
        rows = [
            {"variable": f"{a}|{b}", "estimate": float(R[i, j]), "n": self.n}
            for i, a in enumerate(names)
            for j, b in enumerate(names)
            if j > i
        ]
        return tidy_frame(rows)


def polychoric(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    correct: float = 0.5,
    missing: MissingPolicy = "fail",
) -> PolychoricResult:
    """Polychoric correlation matrix by two-step maximum likelihood (``psych::polychoric``).

    Parameters
    ----------
    frame : DataFrame
        Ordered items coded as numbers.
    correct : float
        Value put in empty cells of a bivariate table (psych's default 0.5; 0 for none).

    Notes
    -----
    .. math:: \\hat\\rho = \\arg\\max_\\rho \\sum_{a,b} n_{ab} \\log \\big[
        \\Phi_2(\\tau_a, \\tau_b; \\rho) - \\Phi_2(\\tau_{a-1}, \\tau_b; \\rho)
        - \\Phi_2(\\tau_a, \\tau_{b-1}; \\rho) + \\Phi_2(\\tau_{a-1}, \\tau_{b-1}; \\rho)\\big]

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    *Psychometrika* 44(4), 443-460.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.multivariate_normal([0, 0], [[1, .6], [.6, 1]], size=2000)
    >>> df = pd.DataFrame(np.digitize(z, [-.5, .3, 1.0]), columns=["a", "b"])
    >>> bool(abs(polychoric(df).rho.loc["a", "b"] - 0.6) < 0.05)
    True
    >>> # In R: psych::polychoric(df)$rho
    """
    data = item_matrix(frame, items, missing=missing)
    x, names = data.x, list(data.names)
    p = x.shape[1]
    cats = [np.unique(x[:, j]) for j in range(p)]
    for j, c in enumerate(cats):
        if len(c) > 20:
            raise DataError(
                f"item {names[j]!r} has {len(c)} categories; polychoric correlations are for "
                "ordered items with few categories",
                where=Where(variable=names[j]),
                rule="measure.not-ordinal",
            )
    taus = [_thresholds(x[:, j], cats[j]) for j in range(p)]
    R = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            tab = np.array(
                [[np.sum((x[:, i] == a) & (x[:, j] == b)) for b in cats[j]] for a in cats[i]], float
            )
            if correct > 0:
                tab[tab == 0] = correct
            R[i, j] = R[j, i] = _rho_mle(tab, taus[i], taus[j])
    width = max(len(t) for t in taus)
    tau = pd.DataFrame(
        [np.pad(t, (0, width - len(t)), constant_values=np.nan) for t in taus],
        index=names,
        columns=[f"t{k + 1}" for k in range(width)],
    )
    meta = Meta(
        method="polychoric correlations (two-step ML)",
        policies={"missing": missing},
        call={"correct": correct},
        n_used=x.shape[0],
        n_dropped=data.n_dropped,
    )
    return PolychoricResult(pd.DataFrame(R, index=names, columns=names), tau, x.shape[0], meta)


def tetrachoric(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    correct: float = 0.5,
    missing: MissingPolicy = "fail",
) -> PolychoricResult:
    """Tetrachoric correlations of binary items (``psych::tetrachoric``); see :func:`polychoric`.

    >>> df = pd.DataFrame({"a": [0, 0, 1, 1, 1, 0] * 20, "b": [0, 1, 1, 1, 0, 0] * 20})
    >>> round(float(tetrachoric(df).rho.loc["a", "b"]), 4)
    0.5
    """
    data = item_matrix(frame, items, missing=missing)
    for j, name in enumerate(data.names):
        if len(np.unique(data.x[:, j])) != 2:
            raise DataError(
                f"item {name!r} is not binary",
                where=Where(variable=name),
                rule="measure.not-binary",
            )
    return polychoric(frame, items, correct=correct, missing=missing)


def ordinal_alpha(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    correct: float = 0.5,
    missing: MissingPolicy = "fail",
) -> float:
    """Ordinal alpha: alpha of the polychoric correlation matrix (Zumbo et al. 2007).

    .. math:: \\alpha_{ord} = \\frac{p \\bar\\rho}{1 + (p - 1)\\bar\\rho}

    >>> # In R: psych::alpha(psych::polychoric(x)$rho)$total$raw_alpha
    """
    rho = polychoric(frame, items, correct=correct, missing=missing).rho.to_numpy()
    return alpha_from_cov(rho)["raw_alpha"]
