"""Records of calibration kept with the data, for calibration-aware (residual) variances.

After post-stratification, raking or calibration the weights depend on the sample through the
auxiliary totals. The linearised variance then uses the residuals of the influence values on the
auxiliary variables (Deville and Särndal 1992; Särndal, Swensson and Wretman 1992, §6.6), as R's
``survey`` and Stata do:

.. math::

    u_i \\leftarrow w_i \\left( z_i - x_i^\\top \\hat B \\right), \\qquad
    \\hat B = \\Bigl(\\sum_i w^{(0)}_i x_i x_i^\\top\\Bigr)^{-1} \\sum_i w^{(0)}_i x_i z_i,
    \\qquad z_i = u_i / w_i

where :math:`w` are the weights right after the calibration and :math:`w^{(0)}` those before it.
Several calibrations apply in the order they were made.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.linalg

__all__ = ["Calibration", "residualize"]


@dataclasses.dataclass(frozen=True, eq=False)
class Calibration:
    """One calibration step.

    Attributes
    ----------
    method : str
        ``"poststratify"``, ``"rake"`` or ``"calibrate"`` (for metadata).
    x : ndarray, shape (n, q)
        Auxiliary variables (model matrix) of every row.
    w_before, w_after : ndarray, shape (n,)
        Weights before and right after the calibration.
    """

    method: str
    x: np.ndarray
    w_before: np.ndarray
    w_after: np.ndarray

    def residualize(self, u: np.ndarray) -> np.ndarray:
        """Replace influence values ``u`` (n x k, already weighted) by calibration residuals."""
        u = np.asarray(u, dtype=float)
        w1 = self.w_after
        pos = w1 > 0
        z = np.zeros_like(u)
        z[pos] = u[pos] / w1[pos, None]
        sw = np.sqrt(self.w_before)
        xs = self.x * sw[:, None]
        # least squares on sqrt(w0)-scaled data: the w0-weighted regression of z on x
        coef, *_ = scipy.linalg.lstsq(xs, z * sw[:, None], lapack_driver="gelsd")
        resid = z - self.x @ coef
        return resid * w1[:, None]


def residualize(u: np.ndarray, calibrations: tuple[Calibration, ...]) -> np.ndarray:
    """Apply every calibration's residual step to ``u`` in order (see the module docstring)."""
    for cal in calibrations:
        u = cal.residualize(u)
    return u
