"""Factor rotations, replicating R's ``stats::varimax`` and ``GPArotation::oblimin`` step by
step (same start, same stopping rules), so that loadings agree with psych's output."""

from __future__ import annotations

import numpy as np

__all__ = ["oblimin", "varimax"]


def varimax(
    loadings: np.ndarray, *, normalize: bool = True, eps: float = 1e-5, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser 1958) as ``stats::varimax``: returns (loadings, rotation).

    Examples
    --------
    >>> L = np.array([[.8, .3], [.7, .4], [.3, .8], [.2, .7]])
    >>> rot, T = varimax(L)
    >>> np.allclose(rot @ T.T, L), np.allclose(T @ T.T, np.eye(2))
    (True, True)
    >>> # In R: stats::varimax(L)
    """
    x = np.asarray(loadings, float)
    nc = x.shape[1]
    if nc < 2:
        return x.copy(), np.eye(nc)
    sc = np.sqrt((x**2).sum(axis=1)) if normalize else np.ones(x.shape[0])
    x = x / sc[:, None]
    p = x.shape[0]
    T = np.eye(nc)
    d = 0.0
    for _ in range(max_iter):
        z = x @ T
        B = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        d_past, d = d, float(s.sum())
        if d < d_past * (1 + eps):
            break
    z = x @ T
    return z * sc[:, None], T


def _oblimin_vgq(L: np.ndarray, gam: float) -> tuple[np.ndarray, float]:
    k = L.shape[1]
    X = (L**2) @ (1.0 - np.eye(k))
    if gam != 0:
        p = L.shape[0]
        X = (np.eye(p) - np.full((p, p), gam / p)) @ X
    return L * X, float(np.sum(L**2 * X) / 4)


def oblimin(
    loadings: np.ndarray, *, gamma: float = 0.0, eps: float = 1e-5, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direct oblimin (quartimin for ``gamma = 0``) by Jennrich's gradient projection, as
    ``GPArotation::oblimin(normalize = FALSE)``. Returns (pattern, Phi, T).

    The criterion is :math:`Q = \\frac14 \\sum (L^2)^T (L^2) (1 - I)` (for gamma 0); the pattern
    is :math:`L = A (T^T)^{-1}` and the factor correlations :math:`\\Phi = T^T T`.

    References
    ----------
    Bernaards, C. A. & Jennrich, R. I. (2005). Gradient projection algorithms and software for
    arbitrary rotation criteria in factor analysis. *Educ. Psychol. Meas.* 65, 676-696.
    """
    A = np.asarray(loadings, float)
    k = A.shape[1]
    T = np.eye(k)
    if k < 2:
        return A.copy(), np.eye(k), T
    al = 1.0
    L = A @ np.linalg.inv(T).T
    Gq, f = _oblimin_vgq(L, gamma)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    for _ in range(max_iter + 1):
        Gp = G - T @ np.diag((T * G).sum(axis=0))
        s = float(np.sqrt(np.trace(Gp.T @ Gp)))
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            X = T - al * Gp
            v = 1.0 / np.sqrt((X**2).sum(axis=0))
            Tt = X @ np.diag(v)
            L = A @ np.linalg.inv(Tt).T
            Gqt, ft = _oblimin_vgq(L, gamma)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2
        T, f = Tt, ft
        G = -(L.T @ Gqt @ np.linalg.inv(Tt)).T
    L = A @ np.linalg.inv(T).T
    return L, T.T @ T, T
