"""Boundary checks shared by the measurement functions: items, weights, missing values.

Every public function of :mod:`qonys.measure` takes a frame and item names; these helpers turn
them into a float matrix, check weights and apply the missing-data policy, raising named errors
(rules ``measure.*``) instead of letting ``NaN`` through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._core.checks import check_columns
from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy, check_policy

__all__ = ["ItemData", "item_matrix", "weighted_cov", "weights_vector"]


@dataclass(frozen=True, slots=True)
class ItemData:
    """Items as a float matrix with the weights that go with its rows."""

    x: np.ndarray
    names: tuple[str, ...]
    weights: np.ndarray | None
    n_dropped: int


def weights_vector(frame: pd.DataFrame, sample_weight: object, n: int) -> np.ndarray | None:
    """Sampling weights as a float vector (a column name or an array), or ``None``."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, str):
        check_columns(frame, [sample_weight])
        w = pd.to_numeric(frame[sample_weight], errors="coerce").to_numpy(dtype=float)
    else:
        w = np.asarray(sample_weight, dtype=float).ravel()
    if w.shape[0] != n:
        raise DataError(
            f"sample_weight has {w.shape[0]} values for {n} rows",
            where=Where(key="sample_weight"),
            rule="measure.weight-length",
            hint="Give one weight per row of the data.",
        )
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise DataError(
            f"{int(bad.sum())} weights are missing, zero or negative",
            where=Where(key="sample_weight", row=int(np.flatnonzero(bad)[0]) + 1),
            rule="measure.weight-invalid",
            hint="Drop those rows first or fix the weights; sampling weights must be positive.",
        )
    return w


def item_matrix(
    frame: pd.DataFrame,
    items: Sequence[str] | None,
    *,
    missing: MissingPolicy = "fail",
    sample_weight: object = None,
    min_items: int = 2,
    allow_available: bool = False,
) -> ItemData:
    """Select ``items`` from ``frame`` as floats, apply the missing policy, check degeneracy.

    Raises
    ------
    DataError
        ``measure.too-few-items``, ``measure.non-numeric``, ``measure.missing`` (policy
        ``fail``), ``measure.too-few-cases`` or ``measure.constant-item``.
    """
    check_policy(missing, MissingPolicy, "missing")
    labels = list(frame.columns) if items is None else list(items)
    names = tuple(str(c) for c in labels)
    if len(names) < min_items:
        raise DataError(
            f"{len(names)} items given; at least {min_items} are needed",
            rule="measure.too-few-items",
            hint="Pass more items.",
        )
    check_columns(frame, labels)
    block = frame.loc[:, labels]
    block.columns = list(names)
    for c in names:
        if not pd.api.types.is_numeric_dtype(block[c]) and not pd.api.types.is_bool_dtype(block[c]):
            raise DataError(
                f"item {c!r} is not numeric (dtype {block[c].dtype})",
                where=Where(variable=c),
                rule="measure.non-numeric",
                hint="Recode the item to numbers before scoring.",
            )
    x = block.to_numpy(dtype=float, na_value=np.nan)
    w = weights_vector(frame, sample_weight, x.shape[0])
    miss = np.isnan(x)
    n_dropped = 0
    if miss.any():
        if missing == "fail":
            col = int(np.flatnonzero(miss.any(axis=0))[0])
            raise DataError(
                f"{int(miss.sum())} missing values in the items (first in {names[col]!r})",
                where=Where(variable=names[col], row=int(np.flatnonzero(miss[:, col])[0]) + 1),
                rule="measure.missing",
                hint="Choose missing='drop' to use complete cases.",
            )
        if missing == "drop" or not allow_available:
            keep = ~miss.any(axis=1)
            n_dropped = int((~keep).sum())
            x = x[keep]
            w = None if w is None else w[keep]
    if x.shape[0] < 3:
        raise DataError(
            f"only {x.shape[0]} usable cases",
            rule="measure.too-few-cases",
            hint="At least 3 complete cases are needed.",
        )
    sd = np.nanstd(x, axis=0)
    if (sd == 0).any():
        bad = names[int(np.flatnonzero(sd == 0)[0])]
        raise DataError(
            f"item {bad!r} is constant",
            where=Where(variable=bad),
            rule="measure.constant-item",
            hint="A constant item carries no information; remove it from the scale.",
        )
    return ItemData(x=x, names=names, weights=w, n_dropped=n_dropped)


def weighted_cov(x: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Means and covariance matrix (divisor ``n - 1``; weighted version rescaled to match).

    With weights, :math:`C = \\frac{n}{n-1} \\sum_i w_i (x_i - \\bar x_w)(x_i - \\bar x_w)^T /
    \\sum_i w_i`, which equals the ordinary covariance when all weights are equal.
    """
    n = x.shape[0]
    if w is None:
        return x.mean(axis=0), np.cov(x, rowvar=False, ddof=1)
    ws = w / w.sum()
    m = ws @ x
    d = x - m
    return m, (d * ws[:, None]).T @ d * n / (n - 1)
