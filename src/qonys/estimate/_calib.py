"""Calibration residuals for long data (internal; the same numbers as
:func:`qonys.design.calibration.residualize`).

The weighted regression of the influence values on the calibration variables is solved through
the small q x q normal equations (minimum-norm, so the redundant dummies of raking margins are
fine) with one step of iterative refinement, instead of an SVD of the n x q matrix: the
residuals agree to rounding and the cost is a few products with the long matrix.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from ..design.calibration import Calibration

__all__ = ["algebraic", "calibrated_unit_totals", "residualize"]


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


def algebraic(calibrations: tuple[Calibration, ...]) -> bool:
    """Whether :func:`calibrated_unit_totals` applies: every calibrated weight is positive."""
    return bool(calibrations) and all(bool((c.w_after > 0).all()) for c in calibrations)


def _solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Minimum-norm solution of ``gram @ b = rhs`` with one step of iterative refinement."""
    b = scipy.linalg.lstsq(gram, rhs, lapack_driver="gelsd")[0]
    b = b + scipy.linalg.lstsq(gram, rhs - gram @ b, lapack_driver="gelsd")[0]
    return np.asarray(b)


def calibrated_unit_totals(
    z_units: np.ndarray,
    calibrations: tuple[Calibration, ...],
    unit: np.ndarray,
    n_units: int,
    cross: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Unit totals of the calibration residuals, from unit totals and small cross-products.

    Parameters
    ----------
    z_units : ndarray, shape (U, k)
        Totals per sampling unit of the weighted influence values :math:`u_i`.
    calibrations : tuple of Calibration
        The calibration steps, in order; every ``w_after`` positive (see :func:`algebraic`).
    unit : ndarray, shape (n,)
        Sampling unit of every row.
    n_units : int
        Number of units U.
    cross : callable
        ``cross(x, v)`` returns :math:`\\sum_i v_i x_i u_i^\\top` (q x k) for an n x q matrix
        ``x`` and row weights ``v``.

    Returns
    -------
    ndarray, shape (U, k)
        The unit totals of :func:`residualize` applied to the rows, without forming them.

    Notes
    -----
    Step :math:`k` (auxiliaries :math:`X_k`, weights :math:`w^{(0)}_k` before and
    :math:`w^{(1)}_k > 0` after) maps :math:`r_{k-1}` (with :math:`r_0 = u`) to
    :math:`r_k = r_{k-1} - \\mathrm{diag}(w^{(1)}_k) X_k B_k` with

    .. math::

        B_k = G_k^{+} X_k^\\top \\mathrm{diag}(w^{(0)}_k / w^{(1)}_k)\\, r_{k-1}, \\qquad
        G_k = X_k^\\top \\mathrm{diag}(w^{(0)}_k) X_k .

    Unrolled, :math:`X_k^\\top \\mathrm{diag}(\\omega_k) r_{k-1} = X_k^\\top
    \\mathrm{diag}(\\omega_k) u - \\sum_{l<k} X_k^\\top \\mathrm{diag}(\\omega_k w^{(1)}_l) X_l
    B_l` (:math:`\\omega_k = w^{(0)}_k / w^{(1)}_k`): q x q and q x k products only. The unit
    totals are linear in the rows, :math:`\\sum_{i \\in c} r_{K,i} = \\sum_{i \\in c} u_i -
    \\sum_k \\bigl(\\sum_{i \\in c} w^{(1)}_{k,i} x_{k,i}\\bigr)^\\top B_k`, so the long n x k
    matrix of residuals is never formed. :math:`B_k` is the minimum-norm solution with one step
    of iterative refinement, as in :func:`residualize`.
    """
    out = np.array(z_units, dtype=float)
    done: list[tuple[Calibration, np.ndarray]] = []
    for cal in calibrations:
        parts = _design_parts(cal, unit, n_units)
        rhs = cross(cal.x, parts.omega)
        for prev, b_prev in done:
            rhs = rhs - parts.chained(cal, prev) @ b_prev
        b = _solve(parts.gram, rhs)
        out -= parts.unit_x @ b
        done.append((cal, b))
    return out


class _Parts:
    """The products of one calibration that do not depend on the analysis variables.

    ``omega`` = w0 / w1, ``gram`` = X' diag(w0) X, ``unit_x`` = the unit totals of w1 x, and
    the chained products X' diag(omega w1_prev) X_prev, computed once per calibration (and
    per set of sampling units) and reused by every estimate on the same calibrated design.
    """

    def __init__(self, cal: Calibration, unit: np.ndarray, n_units: int) -> None:
        n = unit.shape[0]
        self.omega = cal.w_before / cal.w_after
        self.gram = (cal.x * cal.w_before[:, None]).T @ cal.x
        agg = sp.csr_matrix((cal.w_after, (unit, np.arange(n))), shape=(n_units, n))
        self.unit_x = np.asarray(agg @ cal.x)
        self._chained: dict[int, tuple[weakref.ref[Calibration], np.ndarray]] = {}

    def chained(self, cal: Calibration, prev: Calibration) -> np.ndarray:
        got = self._chained.get(id(prev))
        if got is None or got[0]() is not prev:
            prod = (cal.x * (self.omega * prev.w_after)[:, None]).T @ prev.x
            got = (weakref.ref(prev), prod)
            self._chained[id(prev)] = got
        return got[1]


_PARTS: weakref.WeakKeyDictionary[Calibration, dict[tuple[int, bytes], _Parts]] = (
    weakref.WeakKeyDictionary()
)


def _design_parts(cal: Calibration, unit: np.ndarray, n_units: int) -> _Parts:
    """The cached :class:`_Parts` of ``cal`` for these sampling units (keyed by their digest)."""
    key = (n_units, hashlib.blake2b(np.ascontiguousarray(unit).tobytes()).digest())
    per_cal = _PARTS.setdefault(cal, {})
    parts = per_cal.get(key)
    if parts is None:
        parts = per_cal[key] = _Parts(cal, unit, n_units)
    return parts
