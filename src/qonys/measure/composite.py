"""Composite indicators: normalisation and aggregation (OECD/JRC Handbook, 2008).

Normalisation: theoretical min-max, z-scores (optionally against a reference group) and distance
to a reference value. Aggregation: weighted arithmetic mean (fully compensatory), weighted
geometric mean (partly compensatory) and the Mazziotta-Pareto penalised mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._core.checks import check_columns
from .._core.errors import DataError, Where
from ._data import weights_vector

__all__ = [
    "aggregate_arithmetic",
    "aggregate_geometric",
    "distance_to_reference",
    "mazziotta_pareto",
    "normalise_minmax",
    "normalise_z",
]


def normalise_minmax(
    frame: pd.DataFrame, bounds: Mapping[str, tuple[float, float]]
) -> pd.DataFrame:
    """Min-max to [0, 1] with *theoretical* bounds: :math:`(x - a)/(b - a)`.

    Theoretical bounds (scale end points) keep scores comparable across cities and waves.

    Examples
    --------
    >>> normalise_minmax(pd.DataFrame({"q": [1, 3, 5]}), {"q": (1, 5)})["q"].tolist()
    [0.0, 0.5, 1.0]
    """
    check_columns(frame, list(bounds))
    out = pd.DataFrame(index=frame.index)
    for col, (lo, hi) in bounds.items():
        if not hi > lo:
            raise DataError(
                f"bounds of {col!r} must satisfy low < high; got ({lo}, {hi})",
                where=Where(variable=col),
                rule="measure.bounds",
            )
        out[col] = (frame[col].astype(float) - lo) / (hi - lo)
    return out


def normalise_z(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    reference: pd.Series | np.ndarray | None = None,
    sample_weight: object = None,
) -> pd.DataFrame:
    """z-scores :math:`(x - \\bar x_{ref})/s_{ref}`, with mean and SD from a reference group.

    ``reference`` is a boolean mask (default: everyone); weights give weighted moments (SD with
    the ``n/(n-1)`` correction so equal weights reproduce the ordinary SD).

    Examples
    --------
    >>> normalise_z(pd.DataFrame({"q": [1.0, 2.0, 3.0]}), ["q"])["q"].tolist()
    [-1.0, 0.0, 1.0]
    """
    check_columns(frame, columns)
    w = weights_vector(frame, sample_weight, len(frame))
    ref = np.ones(len(frame), bool) if reference is None else np.asarray(reference, bool)
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        x = frame[col].to_numpy(dtype=float)
        ok = ref & ~np.isnan(x)
        ww = np.ones(ok.sum()) if w is None else w[ok]
        n = ok.sum()
        if n < 2:
            raise DataError(
                f"fewer than 2 reference values for {col!r}",
                where=Where(variable=col),
                rule="measure.too-few-cases",
            )
        m = ww @ x[ok] / ww.sum()
        sd = np.sqrt(ww @ (x[ok] - m) ** 2 / ww.sum() * n / (n - 1))
        if sd == 0:
            raise DataError(
                f"{col!r} is constant in the reference group",
                where=Where(variable=col),
                rule="measure.constant-item",
            )
        out[col] = (x - m) / sd
    return out


def distance_to_reference(
    frame: pd.DataFrame, reference_values: Mapping[str, float]
) -> pd.DataFrame:
    """Distance to a reference: :math:`x / x_{ref}` (e.g. x_ref = long-term residents' mean).

    >>> distance_to_reference(pd.DataFrame({"q": [2.0, 4.0]}), {"q": 4.0})["q"].tolist()
    [0.5, 1.0]
    """
    check_columns(frame, list(reference_values))
    out = pd.DataFrame(index=frame.index)
    for col, ref in reference_values.items():
        if ref == 0:
            raise DataError(
                f"reference value of {col!r} is 0", where=Where(variable=col), rule="measure.zero"
            )
        out[col] = frame[col].astype(float) / ref
    return out


def _weights(columns: Sequence[str], weights: Mapping[str, float] | None) -> np.ndarray:
    if weights is None:
        return np.full(len(columns), 1.0 / len(columns))
    w = np.array([float(weights[c]) for c in columns])
    if (w < 0).any() or w.sum() <= 0:
        raise DataError(
            "indicator weights must be non-negative with a positive sum",
            rule="measure.indicator-weights",
        )
    return w / w.sum()


def aggregate_arithmetic(
    frame: pd.DataFrame, columns: Sequence[str], weights: Mapping[str, float] | None = None
) -> pd.Series:
    """Weighted arithmetic mean :math:`\\sum_i w_i y_i`, weights normalised to sum to 1.

    >>> aggregate_arithmetic(pd.DataFrame({"a": [1.0], "b": [0.0]}), ["a", "b"]).tolist()
    [0.5]
    """
    check_columns(frame, columns)
    w = _weights(columns, weights)
    return pd.Series(frame[list(columns)].to_numpy(float) @ w, index=frame.index)


def aggregate_geometric(
    frame: pd.DataFrame, columns: Sequence[str], weights: Mapping[str, float] | None = None
) -> pd.Series:
    """Weighted geometric mean :math:`\\prod_i y_i^{w_i}`; needs strictly positive values.

    >>> aggregate_geometric(pd.DataFrame({"a": [4.0], "b": [1.0]}), ["a", "b"]).tolist()
    [2.0]
    """
    check_columns(frame, columns)
    w = _weights(columns, weights)
    y = frame[list(columns)].to_numpy(float)
    if (y[~np.isnan(y)] <= 0).any():
        raise DataError(
            "the geometric mean needs strictly positive indicator values",
            rule="measure.geometric-nonpositive",
            hint="Rescale (e.g. to [1, 100]) or use the arithmetic mean.",
        )
    return pd.Series(np.exp(np.log(y) @ w), index=frame.index)


def mazziotta_pareto(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    polarity: Mapping[str, int] | None = None,
    penalty: int = -1,
) -> pd.Series:
    """Mazziotta-Pareto index (MPI): a mean penalised by the unevenness of a profile.

    Indicators are standardised to :math:`z_{ij} = 100 \\pm 10 (x_{ij} - M_j)/S_j` (sign from
    ``polarity``; :math:`S_j` the sample SD), then

    .. math:: MPI_i = M_{z_i} + \\text{penalty} \\cdot S_{z_i} \\cdot cv_i,
        \\quad cv_i = S_{z_i}/M_{z_i}

    with :math:`M_{z_i}, S_{z_i}` the mean and population SD of unit :math:`i`'s z-values.

    References
    ----------
    Mazziotta, M. & Pareto, A. (2016). On a generalized non-compensatory composite index for
    measuring socio-economic phenomena. *Social Indicators Research* 127, 983-1003.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})
    >>> mazziotta_pareto(df, ["a", "b"]).round(4).tolist()
    [99.0, 100.0, 99.0]
    >>> # In R: Compind::ci_mpi(df, penalty = "NEG")$ci_mpi_est
    """
    check_columns(frame, columns)
    x = frame[list(columns)].to_numpy(float)
    if np.isnan(x).any():
        raise DataError("missing indicator values", rule="measure.missing")
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        bad = columns[int(np.flatnonzero(sd == 0)[0])]
        raise DataError(
            f"{bad!r} is constant", where=Where(variable=bad), rule="measure.constant-item"
        )
    sign = np.array([(polarity or {}).get(c, 1) for c in columns], float)
    z = 100.0 + 10.0 * sign * (x - x.mean(axis=0)) / sd
    m = z.mean(axis=1)
    s = z.std(axis=1, ddof=0)
    return pd.Series(m + penalty * s * (s / m), index=frame.index)
