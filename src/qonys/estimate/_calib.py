"""Calibration residuals for long data (internal; the same numbers as
:func:`qonys.design.calibration.residualize`).

The weighted regression of the influence values on the calibration variables is solved through
the small q x q normal equations (minimum-norm, so the redundant dummies of raking margins are
fine) with one step of iterative refinement, instead of an SVD of the n x q matrix: the
residuals agree to rounding and the cost is a few products with the long matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..design.calibration import Calibration

__all__ = ["residualize"]


def _one(cal: Calibration, u: np.ndarray) -> np.ndarray:
    w1 = cal.w_after
    pos = w1 > 0
    if pos.all():
        z = u / w1[:, None]
    else:
        z = np.zeros_like(u)
        np.divide(u, w1[:, None], out=z, where=pos[:, None])
    x = cal.x
    xw = x * cal.w_before[:, None]
    gram = xw.T @ x
    coef = scipy.linalg.lstsq(gram, xw.T @ z, lapack_driver="gelsd")[0]
    resid = z - x @ coef
    coef2 = scipy.linalg.lstsq(gram, xw.T @ resid, lapack_driver="gelsd")[0]
    resid -= x @ coef2
    return np.asarray(resid * w1[:, None])


def residualize(u: np.ndarray, calibrations: tuple[Calibration, ...]) -> np.ndarray:
    """Apply every calibration's residual step to ``u`` (n x k, weighted) in order."""
    out = np.asarray(u, dtype=float)
    for cal in calibrations:
        out = _one(cal, out)
    return out
