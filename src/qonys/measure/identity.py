"""Berry's bidimensional model: heritage (H) x mainstream (M) orientation -> four strategies.

Two split rules (METHODS 3.1): the theoretical scale midpoint (comparable across samples) and the
sample median (relative to the sample). Scores exactly at the cut are classified by a named rule
(``high_if=">"``: high means strictly above the cut; ``">="``: at or above).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .._core.checks import check_in
from .._core.errors import DataError, Where

__all__ = ["BERRY_LABELS", "berry_classify", "berry_cuts", "weighted_median"]

BERRY_LABELS = {
    (True, True): "integration",
    (True, False): "separation",
    (False, True): "assimilation",
    (False, False): "marginalisation",
}


def weighted_median(x: np.ndarray, w: np.ndarray | None = None) -> float:
    """Median; with weights, the smallest x whose cumulative weight share reaches 1/2, averaged
    with the next value when the share is exactly 1/2 (so equal weights give the usual median).

    >>> weighted_median(np.array([1.0, 2.0, 3.0, 4.0]))
    2.5
    >>> weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0]))
    3.0
    """
    x = np.asarray(x, float)
    if w is None:
        return float(np.median(x))
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], np.asarray(w, float)[order]
    cum = np.cumsum(ws) / ws.sum()
    i = int(np.searchsorted(cum, 0.5 - 1e-12))
    if abs(cum[i] - 0.5) < 1e-12 and i + 1 < len(xs):
        return float((xs[i] + xs[i + 1]) / 2)
    return float(xs[i])


def berry_cuts(
    heritage: np.ndarray,
    mainstream: np.ndarray,
    *,
    method: Literal["midpoint", "median"],
    midpoint: float | None,
    weights: np.ndarray | None = None,
) -> tuple[float, float]:
    """The two cuts of a Berry split (METHODS 3.1): the scale ``midpoint`` for both, or the
    (weighted) medians of the complete scores given.

    Raises
    ------
    DataError
        ``method="midpoint"`` without a midpoint (rule ``measure.midpoint``).

    Examples
    --------
    >>> berry_cuts(np.array([1.0, 2.0, 4.0]), np.array([3.0, 5.0, 5.0]), method="median",
    ...            midpoint=None)
    (2.0, 5.0)
    """
    if method == "midpoint":
        if midpoint is None:
            raise DataError(
                "method='midpoint' needs the scale midpoint",
                where=Where(key="midpoint"),
                rule="measure.midpoint",
                hint="Give midpoint=3 for a 1-5 scale.",
            )
        return float(midpoint), float(midpoint)
    return weighted_median(heritage, weights), weighted_median(mainstream, weights)


def berry_classify(
    heritage: pd.Series | np.ndarray,
    mainstream: pd.Series | np.ndarray,
    *,
    method: Literal["midpoint", "median"] = "midpoint",
    midpoint: float | None = None,
    high_if: Literal[">", ">="] = ">",
    sample_weight: np.ndarray | None = None,
) -> pd.DataFrame:
    """Classify respondents into Berry's four acculturation strategies.

    Parameters
    ----------
    heritage, mainstream : array-like
        H and M scores on the same scale.
    method : {"midpoint", "median"}
        Cut at the theoretical ``midpoint`` (required) or at the (weighted) sample medians.
    high_if : {">", ">="}
        Tie rule: whether a score equal to the cut counts as high.
    sample_weight : array-like, optional
        Weights for the sample medians.

    Returns
    -------
    DataFrame
        ``strategy`` plus ``h_high``, ``m_high`` and the cuts used (``h_cut``, ``m_cut``).
        Missing scores give a missing strategy.

    References
    ----------
    Berry, J. W. (1997). Immigration, acculturation, and adaptation. *Applied Psychology*
    46(1), 5-34.

    Examples
    --------
    >>> H = [4.5, 4.0, 2.5, 3.2, 1.8, 3.6, 2.9, 4.2]; M = [4.0, 2.0, 4.4, 3.1, 2.2, 3.4, 3.3, 2.8]
    >>> berry_classify(H, M, method="midpoint", midpoint=3)["strategy"].str[:3].str.upper().tolist()
    ['INT', 'SEP', 'ASS', 'INT', 'MAR', 'INT', 'ASS', 'SEP']
    """
    check_in(method, ("midpoint", "median"), "method")
    check_in(high_if, (">", ">="), "high_if")
    h = np.asarray(heritage, float)
    m = np.asarray(mainstream, float)
    if h.shape != m.shape:
        raise DataError("heritage and mainstream differ in length", rule="measure.length")
    ok = ~np.isnan(h) & ~np.isnan(m)
    w = None if sample_weight is None else np.asarray(sample_weight, float)[ok]
    h_cut, m_cut = berry_cuts(h[ok], m[ok], method=method, midpoint=midpoint, weights=w)
    above = np.greater if high_if == ">" else np.greater_equal
    h_high, m_high = above(h, h_cut), above(m, m_cut)
    labels = [BERRY_LABELS[(bool(a), bool(b))] for a, b in zip(h_high, m_high, strict=True)]
    index = heritage.index if isinstance(heritage, pd.Series) else None
    out = pd.DataFrame(
        {"strategy": labels, "h_high": h_high, "m_high": m_high, "h_cut": h_cut, "m_cut": m_cut},
        index=index,
    )
    out["strategy"] = out["strategy"].where(ok)
    return out
