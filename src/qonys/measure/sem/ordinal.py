"""Sample statistics of ordered items for WLSMV: thresholds, polychoric correlations and their
asymptotic covariance matrix (Muthen 1984's two-step estimating equations, as lavaan).

With casewise scores :math:`s_i` of the threshold (univariate) and correlation (bivariate,
thresholds fixed) log-likelihoods and :math:`A = -\\partial \\bar s / \\partial \\theta^T`,

.. math:: \\Gamma = A^{-1} \\Big(\\frac1N \\sum_i s_i s_i^T\\Big) A^{-T}

is the asymptotic covariance of :math:`\\sqrt N(\\hat\\theta - \\theta)`, :math:`\\theta` =
(thresholds, correlations).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.special import ndtr, ndtri

from ..polychoric import _rho_mle, bvn_cdf, bvn_pdf

__all__ = ["OrdinalStats", "ordinal_stats"]

_PHI = 0.3989422804014327


def _npdf(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), _PHI * np.exp(-0.5 * np.where(np.isfinite(x), x, 0) ** 2), 0)


@dataclasses.dataclass(slots=True)
class OrdinalStats:
    """One group's thresholds, correlations, statistic vector and NACOV."""

    n: int
    taus: list[np.ndarray]
    rho: np.ndarray
    s: np.ndarray  # thresholds (item by item), then correlations (i < j, row-major)
    gamma: np.ndarray
    pairs: list[tuple[int, int]]


def _pair_tables(t1: np.ndarray, t2: np.ndarray, r: float) -> tuple[np.ndarray, np.ndarray]:
    a = np.concatenate([[-np.inf], t1, [np.inf]])
    b = np.concatenate([[-np.inf], t2, [np.inf]])
    F = np.array([[bvn_cdf(x, y, r) for y in b] for x in a])
    D = bvn_pdf(a[:, None], b[None, :], r)
    P = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
    dP = D[1:, 1:] - D[:-1, 1:] - D[1:, :-1] + D[:-1, :-1]
    return P, dP


def _uni_scores(t: np.ndarray, cat: np.ndarray) -> np.ndarray:
    """n x (K-1) scores of the thresholds of one item (categories coded 0..K-1)."""
    edges = np.concatenate([[-np.inf], t, [np.inf]])
    P = ndtr(edges[1:]) - ndtr(edges[:-1])
    dens = _npdf(t)
    S = np.zeros((len(cat), len(t)))
    for k in range(len(t)):
        S[cat == k, k] += dens[k] / P[k]
        S[cat == k + 1, k] -= dens[k] / P[k + 1]
    return S


def _biv_th_scores(
    t1: np.ndarray, t2: np.ndarray, r: float, c1: np.ndarray, c2: np.ndarray, P: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Casewise derivatives of the bivariate log-likelihood with respect to each item's
    thresholds (n x (K1-1), n x (K2-1))."""
    s = math.sqrt(1 - r * r)
    b = np.concatenate([[-np.inf], t2, [np.inf]])
    a = np.concatenate([[-np.inf], t1, [np.inf]])

    def dphi2(h: np.ndarray, k: np.ndarray) -> np.ndarray:
        # d Phi2(h, k; r) / dh = phi(h) Phi((k - r h) / s)
        return _npdf(h) * ndtr((k - r * h) / s)

    pc = P[c1, c2]
    S1 = np.zeros((len(c1), len(t1)))
    for k in range(len(t1)):
        d = dphi2(np.full(len(c2), t1[k]), b[c2 + 1]) - dphi2(np.full(len(c2), t1[k]), b[c2])
        S1[:, k] = np.where(c1 == k, d, 0.0) - np.where(c1 == k + 1, d, 0.0)
    S2 = np.zeros((len(c2), len(t2)))
    for k in range(len(t2)):
        d = dphi2(np.full(len(c1), t2[k]), a[c1 + 1]) - dphi2(np.full(len(c1), t2[k]), a[c1])
        S2[:, k] = np.where(c2 == k, d, 0.0) - np.where(c2 == k + 1, d, 0.0)
    return S1 / pc[:, None], S2 / pc[:, None]


def ordinal_stats(cat: np.ndarray, n_cats: list[int]) -> OrdinalStats:
    r"""Statistics of one group; ``cat`` holds categories coded 0..K_j-1 (n x p).

    The blocks of :math:`A` are estimated by outer products of scores (the information
    identity), as lavaan's ``muthen1984`` does: the threshold block by the within-item cross
    products, the correlation diagonal by the mean squared correlation score, and the
    correlation-threshold block by the mean product of the correlation score with the
    bivariate log-likelihood's threshold scores. As in lavaan, :math:`\Gamma` carries the factor
    :math:`N/(N-1)`.
    """
    n, p = cat.shape
    counts = [np.bincount(cat[:, j], minlength=n_cats[j]).astype(float) for j in range(p)]
    taus = [ndtri(np.cumsum(c)[:-1] / n) for c in counts]
    pairs = [(i, j) for i in range(p) for j in range(i + 1, p)]
    n_th = [len(t) for t in taus]
    off = np.concatenate([[0], np.cumsum(n_th)]).astype(int)
    T = int(off[-1])
    m = T + len(pairs)
    scores = np.zeros((n, m))
    A = np.zeros((m, m))
    for j in range(p):
        sj = _uni_scores(taus[j], cat[:, j])
        scores[:, off[j] : off[j + 1]] = sj
        A[off[j] : off[j + 1], off[j] : off[j + 1]] = sj.T @ sj / n
    rho = np.eye(p)
    for q, (i, j) in enumerate(pairs):
        tab = np.zeros((n_cats[i], n_cats[j]))
        np.add.at(tab, (cat[:, i], cat[:, j]), 1.0)
        r = _rho_mle(tab, taus[i], taus[j])
        rho[i, j] = rho[j, i] = r
        P, dP = _pair_tables(taus[i], taus[j], r)
        row = T + q
        sr = (dP / P)[cat[:, i], cat[:, j]]
        scores[:, row] = sr
        A[row, row] = sr @ sr / n
        s1, s2 = _biv_th_scores(taus[i], taus[j], r, cat[:, i], cat[:, j], P)
        A[row, off[i] : off[i + 1]] = sr @ s1 / n
        A[row, off[j] : off[j + 1]] = sr @ s2 / n
    B = scores.T @ scores / n
    Ainv = np.linalg.inv(A)
    gamma = Ainv @ B @ Ainv.T * n / (n - 1)  # lavaan's small-sample factor
    s = np.concatenate([*taus, [rho[i, j] for i, j in pairs]])
    return OrdinalStats(n=n, taus=taus, rho=rho, s=s, gamma=gamma, pairs=pairs)
