"""Robust ML (lavaan's ``MLR``): Huber-White standard errors and the Yuan-Bentler scaled test.

With :math:`A_0` the observed information and :math:`B_0 = \\sum_i s_i s_i^T` the outer product
of casewise scores, :math:`\\mathrm{Var}(\\hat\\theta) = A_0^{-1} B_0 A_0^{-1}`. The test statistic
is divided by (``yuan.bentler.mplus``)

.. math:: c = \\frac{\\operatorname{tr}(A_1^{-1}B_1) - \\operatorname{tr}(A_0^{-1}B_0)}{df},

where :math:`A_1, B_1` are the same matrices of the saturated model.
"""

from __future__ import annotations

import numpy as np

from .ml import GroupData

__all__ = ["duplication", "h1_trace", "sandwich_trace"]


def duplication(p: int) -> np.ndarray:
    """Duplication matrix :math:`D` with :math:`\\mathrm{vec}(S) = D\\,\\mathrm{vech}(S)`."""
    D = np.zeros((p * p, p * (p + 1) // 2))
    k = 0
    for j in range(p):
        for i in range(j, p):
            D[i * p + j, k] = 1.0
            D[j * p + i, k] = 1.0
            k += 1
    return D


def _h1_scores(data: GroupData, mean: bool) -> tuple[np.ndarray, np.ndarray]:
    """Casewise scores and information of the saturated model (vech of Sigma, then means)."""
    p = data.cov.shape[0]
    inv = np.linalg.inv(data.cov)
    e = data.x - data.mean
    z = e @ inv
    iu = np.tril_indices(p)
    # d l_i / d sigma_jk (j >= k): 0.5 (2 - delta_jk) [z z' - inv]_jk
    M = 0.5 * (np.einsum("ni,nj->nij", z, z) - inv[None, :, :])
    mult = np.where(iu[0] == iu[1], 1.0, 2.0)
    sc = M[:, iu[0], iu[1]] * mult[None, :]
    Dt = np.zeros((p * p, len(iu[0])))  # duplication matrix in tril_indices order
    for k, (i, j) in enumerate(zip(iu[0], iu[1], strict=True)):
        Dt[i * p + j, k] = 1.0
        Dt[j * p + i, k] = 1.0
    info = 0.5 * Dt.T @ np.kron(inv, inv) @ Dt
    if mean:
        sc = np.hstack([sc, z])
        info = np.block([[info, np.zeros((info.shape[0], p))], [np.zeros((p, info.shape[0])), inv]])
    return sc * data.w[:, None], info * data.n


def h1_trace(groups: list[GroupData], mean: bool) -> tuple[float, int]:
    """:math:`\\operatorname{tr}(A_1^{-1} B_1)` summed over groups, and the number of moments."""
    total, k = 0.0, 0
    for data in groups:
        sc, info = _h1_scores(data, mean)
        B = sc.T @ sc
        total += float(np.trace(np.linalg.solve(info, B)))
        k += info.shape[0]
    return total, k


def sandwich_trace(A: np.ndarray, B: np.ndarray) -> float:
    """:math:`\\operatorname{tr}(A^{-1} B)`."""
    return float(np.trace(np.linalg.solve(A, B)))
