"""Reverse keying and scale scores.

A :class:`~qonys._core.codebook.Scale` names the items, the reverse-keyed ones and the response
range. Reverse keying maps :math:`x \\mapsto low + high - x`; a scale score is the mean (or sum)
of the keyed items, with a named rule for respondents who skipped some items.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from .._core.checks import check_columns, check_in
from .._core.codebook import Scale
from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy, check_policy

__all__ = ["ScoreMethod", "default_min_items", "reverse_items", "score_scale"]

ScoreMethod = Literal["mean", "sum"]


def reverse_items(frame: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """Return a copy of ``frame`` with the scale's reverse-keyed items recoded.

    .. math:: x' = low + high - x

    Parameters
    ----------
    frame : DataFrame
        Survey data with the scale's items.
    scale : Scale
        Scale definition; ``low`` and ``high`` are required when ``reverse`` is not empty.

    Returns
    -------
    DataFrame
        A copy; missing values stay missing.

    Raises
    ------
    DataError
        ``measure.scale-range`` when the range is unknown, ``measure.out-of-range`` when a value
        lies outside ``[low, high]`` (reversal would then be meaningless).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 5, 2], "b": [5, 1, None]})
    >>> reverse_items(df, Scale("s", ("a", "b"), reverse=("b",), low=1, high=5))["b"].tolist()
    [1.0, 5.0, nan]
    >>> # In R: psych::reverse.code(keys = c(1, -1), items = df, mini = 1, maxi = 5)
    """
    check_columns(frame, scale.items)
    out = frame.copy()
    if not scale.reverse:
        return out
    if scale.low is None or scale.high is None:
        raise DataError(
            f"scale {scale.name!r} has reverse-keyed items but no low/high range",
            where=Where(variable=scale.name),
            rule="measure.scale-range",
            hint="Give the scale's low and high response values.",
        )
    for item in scale.reverse:
        x = pd.to_numeric(out[item], errors="coerce").astype(float)
        bad = x.notna() & ((x < scale.low) | (x > scale.high))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise DataError(
                f"value {x[bad].iloc[0]!r} of {item!r} is outside [{scale.low}, {scale.high}]",
                where=Where(variable=item, row=row),
                rule="measure.out-of-range",
                hint="Recode missing-value codes (e.g. 98, 99) to missing before scoring.",
            )
        out[item] = scale.low + scale.high - x
    return out


def default_min_items(k: int) -> int:
    """Half the items, rounded up: the default for ``missing="available"``.

    >>> default_min_items(4), default_min_items(5), default_min_items(2)
    (2, 3, 1)
    """
    return max(1, math.ceil(k / 2))


def score_scale(
    frame: pd.DataFrame,
    scale: Scale,
    *,
    method: ScoreMethod = "mean",
    missing: MissingPolicy = "fail",
    min_items: int | None = None,
) -> pd.Series:
    """Score a scale per respondent: reverse-key, then mean (or sum) of the items.

    Parameters
    ----------
    frame : DataFrame
        Survey data.
    scale : Scale
        Items, reverse-keyed items and range.
    method : {"mean", "sum"}
        Mean of the items, or their sum. With partial answers the sum is *prorated*:
        :math:`k \\cdot \\text{mean of answered items}`, so it stays on the full-scale metric.
    missing : {"fail", "drop", "available"}
        ``fail`` raises on any missing item; ``drop`` scores only complete respondents (the others
        get a missing score); ``available`` scores respondents who answered at least
        ``min_items`` items.
    min_items : int, optional
        Minimum-items rule for ``available`` (default: half the items, rounded up).

    Returns
    -------
    Series
        One score per row, named after the scale.

    Notes
    -----
    .. math:: S_i = \\frac{1}{|A_i|} \\sum_{j \\in A_i} x'_{ij}, \\quad |A_i| \\ge m

    where :math:`A_i` are the items respondent :math:`i` answered and :math:`m` is ``min_items``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 4, None], "b": [5, 2, 3]})
    >>> s = Scale("s", ("a", "b"), reverse=("b",), low=1, high=5)
    >>> score_scale(df, s, missing="available").tolist()
    [1.0, 4.0, 3.0]
    >>> score_scale(df, s, missing="drop").tolist()
    [1.0, 4.0, nan]
    >>> # In R: rowMeans(x, na.rm = TRUE) after psych::reverse.code
    """
    check_in(method, ("mean", "sum"), "method")
    check_policy(missing, MissingPolicy, "missing")
    keyed = reverse_items(frame, scale)
    block = keyed.loc[:, list(scale.items)].apply(pd.to_numeric, errors="coerce").astype(float)
    k = len(scale.items)
    answered = block.notna().sum(axis=1)
    if missing == "fail" and (answered < k).any():
        row = int(np.flatnonzero((answered < k).to_numpy())[0]) + 1
        raise DataError(
            f"{int((answered < k).sum())} respondents have missing items in scale {scale.name!r}",
            where=Where(variable=scale.name, row=row),
            rule="measure.missing",
            hint="Choose missing='available' (with min_items) or 'drop'.",
        )
    need = k if missing in ("fail", "drop") else (min_items or default_min_items(k))
    if need < 1 or need > k:
        raise DataError(
            f"min_items must be between 1 and {k}; got {need}",
            where=Where(key="min_items"),
            rule="measure.min-items",
        )
    score = block.mean(axis=1, skipna=True)
    if method == "sum":
        score = score * k
    score = score.where(answered >= need)
    score.name = scale.name
    return score
