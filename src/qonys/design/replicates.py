"""Replicate weights: held compactly, compressed from columns, or created from a design.

Replicate weights are stored as *factors* on replicate units: the analysis weight of row
:math:`i` in replicate :math:`r` is :math:`w_i F_{u(i), r}`, where :math:`u(i)` is the unit
(usually the PSU) of row :math:`i`. A jackknife on 2,000 PSUs is then a 2,000 x R matrix, never
an n x R one (R's ``repweights_compressed``).

Creation follows the definitions used by R's ``as.svrepdesign``:

``JK1``
    drop one PSU at a time, the others multiplied by :math:`n/(n-1)`; scale
    :math:`(1-f)(n-1)/n`.
``JKn``
    drop one PSU of stratum :math:`h`, the others of that stratum multiplied by
    :math:`n_h/(n_h-1)`; rscales :math:`(1-f_h)(n_h-1)/n_h`.
``BRR`` / ``Fay``
    one PSU of every two-PSU stratum per replicate, chosen by the rows of a Hadamard matrix;
    factors 2 and 0 (Fay: :math:`2-\\rho` and :math:`\\rho`); scale :math:`1/(R(1-\\rho)^2)`.
``bootstrap``
    :math:`n_h` PSUs drawn with replacement in each stratum (without replacement from the
    population list when an fpc is given, Canty and Davison 1999); scale
    :math:`\\bar n/((\\bar n - 1)(R-1))` with :math:`\\bar n` the harmonic mean of :math:`n_h`.
``subbootstrap``
    Rao and Wu's (1988) rescaled bootstrap: :math:`n_h - 1` draws, factors
    :math:`n_h/(n_h-1)` times the counts; scale :math:`1/(R-1)`.

References
----------
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer.
Rao, J. N. K. and Wu, C. F. J. (1988). Resampling inference with complex survey data. *JASA* 83.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._core import DesignError, Where

__all__ = ["ReplicateWeights", "compress_replicates", "hadamard", "replicate_rank"]


@dataclasses.dataclass(frozen=True, eq=False)
class ReplicateWeights:
    """Replicate factors on replicate units (see the module docstring).

    Attributes
    ----------
    factors : ndarray, shape (U, R)
        Multiplier of the full-sample weight, per replicate unit and replicate.
    index : ndarray of int64, shape (n,)
        Replicate unit of each row.
    type : str
        Replicate method.
    scale : float
        Overall variance multiplier.
    rscales : ndarray, shape (R,)
        Per-replicate multipliers.
    mse : bool
        Centre on the full-sample estimate instead of the replicate mean.
    df : int, optional
        Degrees of freedom when given by the data producer.
    """

    factors: np.ndarray
    index: np.ndarray
    type: str
    scale: float
    rscales: np.ndarray
    mse: bool = False
    df: int | None = None

    @property
    def n_replicates(self) -> int:
        return int(self.factors.shape[1])

    def analysis_weights(self, weights: np.ndarray) -> np.ndarray:
        """The n x R matrix of analysis weights (use only for small data or export)."""
        return weights[:, None] * self.factors[self.index]

    def degf(self, units_present: np.ndarray | None = None) -> int:
        """Rank of the replicate weights minus one (R's ``degf``), optionally on some units."""
        if self.df is not None and units_present is None:
            return int(self.df)
        f = self.factors if units_present is None else self.factors[units_present]
        return replicate_rank(f) - 1

    def with_factors(self, factors: np.ndarray, index: np.ndarray) -> ReplicateWeights:
        """Copy with new factors (after re-weighting every replicate)."""
        return dataclasses.replace(self, factors=factors, index=index)


def replicate_rank(factors: np.ndarray, tol: float = 1e-5) -> int:
    """Numerical rank of a replicate factor matrix (singular values above ``tol`` x largest)."""
    if factors.size == 0:
        return 0
    f = factors
    if f.shape[0] > 4 * f.shape[1]:
        # rank of F equals the rank of its Gram matrix; eigenvalues are squared singular values
        g = f.T @ f
        ev = np.linalg.eigvalsh(g)
        ev = np.clip(ev, 0, None)
        if ev.max() <= 0:
            return 0
        return int((np.sqrt(ev) > tol * np.sqrt(ev.max())).sum())
    s = np.linalg.svd(f, compute_uv=False)
    if s.max() <= 0:
        return 0
    return int((s > tol * s.max()).sum())


def compress_replicates(
    matrix: np.ndarray, weights: np.ndarray, *, combined: bool, column: str
) -> tuple[np.ndarray, np.ndarray]:
    """Factors and row index from an n x R matrix of replicate weight columns.

    With ``combined=True`` the columns are analysis weights and the factors are the columns
    divided by the full-sample weight (rows of weight 0 get factor 0).
    """
    if not np.isfinite(matrix).all():
        raise DesignError(
            "replicate weights have missing or infinite values",
            where=Where(variable=column),
            rule="design.missing-weight",
            hint="Every row needs a value in every replicate weight column.",
        )
    if (matrix < 0).any():
        raise DesignError(
            "replicate weights have negative values",
            where=Where(variable=column),
            rule="design.negative-weight",
        )
    if combined:
        pos = weights > 0
        f = np.zeros_like(matrix, dtype=float)
        f[pos] = matrix[pos] / weights[pos, None]
    else:
        f = matrix.astype(float)
    uniq, inv = np.unique(f, axis=0, return_inverse=True)
    return uniq, inv.reshape(-1).astype(np.int64)


def _sylvester(order: int) -> np.ndarray:
    h = np.ones((1, 1))
    while h.shape[0] < order:
        h = np.block([[h, h], [h, -h]])
    return h


def _is_prime(q: int) -> bool:
    if q < 2:
        return False
    return all(q % d for d in range(2, int(q**0.5) + 1))


def _paley(q: int) -> np.ndarray:
    """Paley construction I: a Hadamard matrix of order q + 1 for a prime q = 3 (mod 4)."""
    squares = {(i * i) % q for i in range(1, q)}
    chi = np.array([0] + [1 if a in squares else -1 for a in range(1, q)])
    idx = (np.arange(q)[None, :] - np.arange(q)[:, None]) % q
    jac = chi[idx]
    m = q + 1
    s = np.zeros((m, m))
    s[0, 1:] = 1
    s[1:, 0] = -1
    s[1:, 1:] = jac
    return np.eye(m) + s


def _normalize(h: np.ndarray) -> np.ndarray:
    h = h * h[0][None, :]
    return h * h[:, 0][:, None]


def hadamard(min_order: int) -> np.ndarray:
    """A normalized Hadamard matrix (first row and column all +1) of order >= ``min_order``.

    Sylvester (powers of two) and Paley (prime + 1, doubled) constructions; the smallest order
    available is used, so BRR uses few replicates.

    Examples
    --------
    >>> h = hadamard(3)
    >>> h.shape, bool((h @ h.T == 4 * np.eye(4)).all())
    ((4, 4), True)
    >>> hadamard(9).shape
    (12, 12)
    """
    best: np.ndarray | None = None
    order = 1
    while order < min_order:
        order *= 2
    best = _sylvester(order)
    for q in range(3, 2 * min_order + 4):
        if q % 4 == 3 and _is_prime(q):
            m = q + 1
            doubled = 0
            while m < min_order:
                m *= 2
                doubled += 1
            if m < best.shape[0]:
                h = _paley(q)
                for _ in range(doubled):
                    h = np.block([[h, h], [h, -h]])
                best = h
    return _normalize(best)
