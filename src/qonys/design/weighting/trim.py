"""Weight trimming with redistribution of the trimmed excess."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._core import ConvergenceError, DesignError, Meta, Where
from ..data import SurveyData
from ._common import WEIGHTING_METHODS, Weighted, apply_weights, weight_summary

__all__ = ["trim", "trim_weights"]


def trim_weights(
    w: np.ndarray,
    lower: float,
    upper: float,
    *,
    strict: bool,
    maxit: int,
    tol: float,
) -> tuple[np.ndarray, int]:
    """Trim ``w`` to [lower, upper] and share the excess equally among untrimmed units.

    One pass (``strict=False``) is R's ``trimWeights``. With ``strict=True`` passes repeat
    until no weight lies outside the bounds by more than ``tol`` (relative), each pass sharing
    the excess among units never trimmed; at most ``maxit`` passes. Positive weights only: zero
    weights (non-respondents) stay zero.
    """
    w = w.astype(float).copy()
    pos = w > 0
    trimmed = np.zeros(w.size, dtype=bool)
    passes = 0
    while True:
        out_lo = pos & (w < lower * (1 - tol))
        out_hi = pos & (w > upper * (1 + tol))
        outside = out_lo | out_hi
        if not outside.any():
            return w, passes
        passes += 1
        if passes > maxit:
            raise ConvergenceError(
                f"trimming still leaves weights outside [{lower:g}, {upper:g}] "
                f"after {maxit} passes",
                where=Where(key="maxit"),
                rule="weighting.trim-no-convergence",
                hint="Widen the bounds: the redistribution keeps pushing weights over them.",
            )
        trimmed |= outside
        receivers = pos & ~trimmed
        if not receivers.any():
            raise DesignError(
                f"every weight lies outside [{lower:g}, {upper:g}]: the trimmed excess has "
                "nowhere to go and the weight total would change",
                where=Where(key="upper" if out_hi.any() else "lower"),
                rule="weighting.trim-all-outside",
                hint="Choose bounds that leave some weights untouched.",
            )
        new = np.where(pos, np.clip(w, lower, upper), 0.0)
        excess = float(np.sum(w[outside] - new[outside]))
        new[receivers] = new[receivers] + excess / receivers.sum()
        w = new
        if not strict:
            return w, passes


@WEIGHTING_METHODS.register("trim")
def trim(
    data: SurveyData,
    *,
    lower: float | None = None,
    upper: float | None = None,
    strict: bool = False,
    maxit: int = 100,
    tol: float = 1e-10,
    name: str | None = None,
) -> Weighted:
    """Trim weights to bounds, redistributing the excess so that the total stays the same.

    Parameters
    ----------
    lower, upper : float, optional
        Bounds on the weights.
    strict : bool
        Repeat until no weight is outside the bounds (see :func:`trim_weights`); the default
        single pass is R's ``trimWeights(strict=FALSE)``.
    maxit, tol : int, float
        Cap on the passes, and the relative tolerance of the bound comparison (a weight trimmed
        to the bound is never "outside" again through rounding, unlike R's ``strict=TRUE``).

    Raises
    ------
    DesignError
        Every weight outside the bounds (``weighting.trim-all-outside``), or bounds in the
        wrong order (``weighting.trim-bounds``).
    ConvergenceError
        ``strict=True`` and still outside after ``maxit`` passes.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"w": [1.0, 2.0, 3.0, 10.0]})
    >>> w = trim(SurveyData(df, SurveyDesign(weights="w")), upper=6).weights
    >>> [round(float(v), 6) for v in w]  # the excess 4 shared by the three others
    [2.333333, 3.333333, 4.333333, 6.0]
    """
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if not lo < hi:
        raise DesignError(
            f"lower bound {lo:g} is not below upper bound {hi:g}",
            where=Where(key="lower"),
            rule="weighting.trim-bounds",
        )
    w0 = data.prepared.weights
    new_w, passes = trim_weights(w0, lo, hi, strict=strict, maxit=maxit, tol=tol)

    def rep_fn(a: np.ndarray) -> np.ndarray:
        return trim_weights(a, lo, hi, strict=strict, maxit=maxit, tol=tol)[0]

    out = apply_weights(
        data, new_w, method="trim", name=name, calibration=None, replicate_fn=rep_fn
    )
    n_trim = int(((w0 > 0) & ((w0 < lo) | (w0 > hi))).sum())
    margins = pd.DataFrame(
        {
            "variable": ["weights"],
            "level": ["total"],
            "target": [float(w0.sum())],
            "before": [float(w0.sum())],
            "after": [float(new_w.sum())],
        }
    )
    meta = Meta(
        method="trimming with redistribution",
        design=data.describe(),
        call={
            "lower": lower,
            "upper": upper,
            "strict": strict,
            "maxit": maxit,
            "tol": tol,
            "name": name,
        },
        notes=(f"{n_trim} weights trimmed",),
        n_used=int((new_w > 0).sum()),
    )
    stats = {
        **weight_summary(new_w),
        "iterations": float(passes),
        "converged": 1.0,
        "n_trimmed": float(n_trim),
    }
    return Weighted("trim", new_w, out, margins, stats, meta)
