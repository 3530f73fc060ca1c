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

__all__ = ["Calibration", "residualize", "weighted_gram"]


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

    def __post_init__(self) -> None:
        # read-only copies where needed: estimators cache products of these arrays per step
        for name in ("x", "w_before", "w_after"):
            arr = np.array(getattr(self, name), dtype=float)  # an own copy, made read-only
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

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


_CHUNK = 8_192
"""Rows per block of the weighted cross-products (a block stays in cache)."""


def weighted_gram(
    x: np.ndarray, ww: np.ndarray, z: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """:math:`X^\\top W X` and :math:`X^\\top W z` (:math:`W = \\mathrm{diag}(ww)`).

    Block by block of rows: :math:`M = W_b X_b` is formed in a reused cache-sized buffer and
    :math:`M^\\top X_b` and :math:`M^\\top z_b` are added up, so the long data are read once
    and no n x p temporary is formed.
    """
    n, p = x.shape
    g = np.zeros((p, p))
    r = np.zeros(p) if z is not None else None
    if x.flags.f_contiguous and not x.flags.c_contiguous:
        # column-major data: the buffer holds the block transposed (p x rows), so both the
        # product with the weights and the matrix product read contiguous columns
        mt = np.empty((p, min(_CHUNK, n)))
        for a in range(0, n, _CHUNK):
            b = min(a + _CHUNK, n)
            blk_t = mt[:, : b - a]
            np.multiply(x[a:b].T, ww[a:b], out=blk_t)
            g += blk_t @ x[a:b]
            if r is not None and z is not None:
                r += blk_t @ z[a:b]
        return g, r
    m = np.empty((min(_CHUNK, n), p))
    for a in range(0, n, _CHUNK):
        b = min(a + _CHUNK, n)
        blk = m[: b - a]
        np.multiply(x[a:b], ww[a:b, None], out=blk)
        g += blk.T @ x[a:b]
        if r is not None and z is not None:
            r += blk.T @ z[a:b]
    return g, r
