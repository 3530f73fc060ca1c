"""Permutation inference and the small-unit correction for segregation indices.

The null hypothesis is *random allocation*: people keep their group and units keep their size,
but who lives where is random. Each simulated city draws the focal group's members across
units from a multivariate hypergeometric distribution (for several groups, one group after the
other from the places left), which is exactly what shuffling every resident's group label
does, without building one row per person.

* the p-value is one-sided (is the city more segregated than random allocation?):
  :math:`p = (1 + \\#\\{I^{(s)} \\ge I\\}) / (1 + S)`;
* the random-allocation expectation :math:`E[I]` is the bias small units put into every index
  (with 20 people per unit, D is about 0.1 even when allocation is random);
* the Carrington-Troske correction rescales the index against that expectation:

  .. math:: I^* = \\begin{cases} (I - E[I]) / (1 - E[I]) & I \\ge E[I] \\\\
                                 (I - E[I]) / E[I] & I < E[I] \\end{cases}

PySAL's ``SingleValueTest(null_approach="systematic")`` draws the same null; it is slower, and
has no correction. Random allocation needs counts of people: for survey-weighted estimates use
the design-based confidence intervals of :func:`~qonys.spatial.design_dissimilarity` instead.

References
----------
Carrington W.J., Troske K.R. (1997). On measuring segregation in samples with small units.
Journal of Business & Economic Statistics 15(4):402-409.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from .._core import DataError, Where
from .indices import IndexSpec

__all__ = [
    "NullDistribution",
    "carrington_troske",
    "integer_counts",
    "permutation_test",
    "random_allocation",
]


def integer_counts(counts: npt.ArrayLike, what: str = "counts") -> npt.NDArray[np.int64]:
    """Counts as integers, or a :class:`DataError` (``spatial.non-integer-counts``)."""
    a = np.asarray(counts, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(np.abs(a - np.round(a)) > 1e-9) or np.any(a < 0):
        raise DataError(
            f"random-allocation inference needs whole non-negative {what}",
            where=Where(key=what),
            rule="spatial.non-integer-counts",
            hint="Permutation tests count people; for weighted survey estimates use the "
            "design-based confidence interval (design_dissimilarity).",
        )
    return np.round(a).astype(np.int64)


def random_allocation(
    counts: npt.ArrayLike, n_sims: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Simulated units x groups tables under random allocation (shape ``n_sims, units, groups``).

    Unit totals (row sums) and group totals (column sums) are kept.

    Examples
    --------
    >>> sims = random_allocation([[3, 1], [0, 4]], 5, np.random.default_rng(0))
    >>> sims.shape, sims.sum(axis=2)[0].tolist(), sims.sum(axis=1)[0].tolist()
    ((5, 2, 2), [4, 4], [3, 5])
    """
    n = integer_counts(counts)
    if n.ndim != 2:
        raise DataError(
            "random allocation needs a units x groups table",
            rule="spatial.shape",
            where=Where(key="counts"),
            hint="One column per group.",
        )
    units, k = n.shape
    cap = n.sum(axis=1)
    out = np.zeros((n_sims, units, k), dtype=np.int64)
    left = np.broadcast_to(cap, (n_sims, units)).copy()
    for g in range(k - 1):
        size = int(n[:, g].sum())
        if size == 0:
            continue
        for s in range(n_sims):
            out[s, :, g] = rng.multivariate_hypergeometric(left[s], size, method="marginals")
        left -= out[:, :, g]
    out[:, :, k - 1] = left
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class NullDistribution:
    """An index under random allocation.

    Attributes
    ----------
    observed : float
    simulated : numpy.ndarray
        The index in each simulated city.
    expected : float
        Mean of ``simulated``: the small-unit bias.
    p_value : float
        One-sided, :math:`(1 + \\#\\{sim \\ge obs\\}) / (1 + S)`.
    corrected : float
        Carrington-Troske corrected index (``NaN`` for unbounded indices).
    """

    observed: float
    simulated: npt.NDArray[np.float64]
    expected: float
    p_value: float
    corrected: float


def carrington_troske(observed: float, expected: float) -> float:
    """The Carrington-Troske small-unit correction (see the module docstring).

    Examples
    --------
    >>> carrington_troske(0.4, 0.1), carrington_troske(0.05, 0.1)
    (0.33333333333333337, -0.5)
    """
    if not (np.isfinite(observed) and np.isfinite(expected)) or expected >= 1:
        return float("nan")
    if observed >= expected:
        return float((observed - expected) / (1 - expected))
    return float((observed - expected) / expected) if expected > 0 else float("nan")


def _evaluate(spec: IndexSpec, table: npt.NDArray[np.float64], focal: int | None) -> np.ndarray:
    if spec.kind == "multi":
        return np.asarray(spec.func(table))
    if focal is None:
        raise DataError(
            f"index {spec.name!r} needs a focal group",
            rule="spatial.focal",
            where=Where(key="focal"),
            hint="Name the focal group.",
        )
    return np.asarray(spec.func(table[..., focal], table.sum(-1)))


def permutation_test(
    spec: IndexSpec,
    counts: npt.ArrayLike,
    *,
    focal: int | None = None,
    permutations: int = 999,
    rng: np.random.Generator | int | None = None,
) -> NullDistribution:
    """Test an index against random allocation and estimate its small-unit bias.

    Parameters
    ----------
    spec : IndexSpec
        The index (``INDICES.get("dissimilarity")``).
    counts : array (units x groups)
        Whole counts of people.
    focal : int, optional
        Column of the focal group, for single-group indices.
    permutations : int
        Simulated cities (999 by default).
    rng : Generator or int, optional
        Random generator or seed.

    Examples
    --------
    >>> from qonys.spatial.indices import INDICES
    >>> table = [[90, 10], [80, 20], [10, 90], [20, 80]]
    >>> res = permutation_test(INDICES.get("dissimilarity"), table, focal=0, permutations=99,
    ...                        rng=1)
    >>> round(res.observed, 12), res.p_value
    (0.7, 0.01)
    """
    if permutations < 1:
        raise DataError(
            "permutations must be at least 1",
            rule="spatial.parameter",
            where=Where(key="permutations"),
            hint="999 is usual.",
        )
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    table = integer_counts(counts).astype(float)
    observed = float(_evaluate(spec, table, focal))
    if spec.kind == "single" and focal is not None:
        two = np.column_stack([table[:, focal], table.sum(1) - table[:, focal]])
        sims = random_allocation(two, permutations, gen).astype(float)
        simulated = np.asarray(spec.func(sims[..., 0], sims.sum(-1)), dtype=float)
    else:
        sims = random_allocation(table, permutations, gen).astype(float)
        simulated = _evaluate(spec, sims, focal).astype(float)
    expected = float(np.nanmean(simulated)) if np.isfinite(simulated).any() else float("nan")
    exceed = int(np.sum(simulated >= observed - 1e-12))
    p = (1 + exceed) / (1 + permutations) if np.isfinite(observed) else float("nan")
    corrected = carrington_troske(observed, expected) if spec.bounded else float("nan")
    return NullDistribution(observed, simulated, expected, p, corrected)
