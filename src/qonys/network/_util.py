"""Small helpers shared by the network measures (codes, missing values, grouped counts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy, check_policy

__all__ = ["check_missing", "grouped_count", "is_missing", "member", "numeric"]


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def is_missing(values: pd.Series) -> np.ndarray:
    """Missing values (``NaN``, ``None``, ``pd.NA``, empty text) as a boolean array."""
    miss = values.isna().to_numpy(dtype=bool)
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        miss = miss | (values.astype("string").str.strip() == "").to_numpy(
            dtype=bool, na_value=True
        )
    return miss


def member(values: pd.Series, codes: Sequence[Any]) -> np.ndarray:
    """Whether each value is one of ``codes``; a missing value is never a member.

    Numbers are compared as numbers (so ``"1"``, ``1`` and ``1.0`` match the code ``1``),
    anything else as text.

    Examples
    --------
    >>> member(pd.Series(["1", 2.0, None, "x"]), [1, 2]).tolist()
    [True, True, False, False]
    >>> member(pd.Series(["kin", "friend"]), ["kin"]).tolist()
    [True, False]
    """
    codes = list(codes)
    out = np.zeros(len(values), dtype=bool)
    if not codes:
        return out
    nums = [float(c) for c in codes if _is_number(c)]
    texts = [str(c) for c in codes if not _is_number(c)]
    if nums:
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        ):
            num = values
        else:
            num = pd.to_numeric(values.astype(object), errors="coerce")
        out = out | np.isin(num.to_numpy(dtype=float, na_value=np.nan), nums)
    if texts:
        out = out | values.astype("string").isin(texts).to_numpy(dtype=bool, na_value=False)
    return out


def numeric(values: pd.Series, name: str, *, sheet: str = "alters") -> np.ndarray:
    """Values as floats (missing -> NaN); text that is not a number is an error."""
    miss = is_missing(values)
    num = pd.to_numeric(values.where(~miss), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(num) & ~miss
    if bad.any():
        raise DataError(
            f"attribute {name!r} holds {values.to_numpy()[bad][0]!r}, which is not a number",
            where=Where(sheet=sheet, row=int(np.flatnonzero(bad)[0]) + 1, variable=name),
            rule="network.not-numeric",
            hint="This measure needs a numeric attribute (codes or quantities).",
        )
    return num


def check_missing(
    missing_mask: np.ndarray, policy: MissingPolicy, name: str, *, sheet: str = "alters"
) -> int:
    """Apply a missing-value policy to one attribute; return how many values are left out.

    ``fail`` raises :class:`DataError` (rule ``network.missing-attribute``); ``drop`` and
    ``available`` leave the alters with a missing value out of that measure only.
    """
    check_policy(policy, MissingPolicy, "missing")
    n = int(missing_mask.sum())
    if n and policy == "fail":
        raise DataError(
            f"{n} missing value(s) of {name!r}",
            where=Where(sheet=sheet, row=int(np.flatnonzero(missing_mask)[0]) + 1, variable=name),
            rule="network.missing-attribute",
            hint="Pass missing='available' to leave those alters out of this measure "
            "(the count is reported in the result's notes).",
        )
    return n


def grouped_count(group: np.ndarray, mask: np.ndarray, n_groups: int) -> np.ndarray:
    """Count of ``mask`` within each group (integer positions ``0..n_groups-1``)."""
    return np.bincount(group[mask], minlength=n_groups).astype(float)
