"""Calibration to population totals with linear, raking and bounded logit distances.

The calibrated weights :math:`w_i g_i` satisfy :math:`\\sum_i w_i g_i x_i = t_x` with
:math:`g_i = F(x_i^\\top\\lambda)` for the calibration function of the chosen distance (Deville
and Särndal 1992):

``linear``
    :math:`F(u) = 1 + u` (GREG), truncated to ``bounds`` when given;
``raking``
    :math:`F(u) = e^u` (multiplicative), truncated to ``bounds``;
``logit``
    :math:`F(u) = \\frac{L(U-1) + U(1-L)e^{Au}}{U - 1 + (1-L)e^{Au}}`,
    :math:`A = \\frac{U-L}{(U-1)(1-L)}`, which keeps :math:`L < g < U`.

:math:`\\lambda` solves the calibration equations by Newton's method (generalised inverse for
collinear auxiliaries), stopping when every relative misfit
:math:`|t_x - \\hat t_x|/(1 + |t_x|)` is below ``epsilon`` (R's ``grake``).

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling. *JASA* 87.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..._core import ConvergenceError, DesignError, Meta, Where
from ..calibration import Calibration, weighted_gram
from ..data import SurveyData
from ._common import (
    WEIGHTING_METHODS,
    Weighted,
    apply_weights,
    level_codes,
    parse_margin,
    weight_summary,
)

__all__ = ["CalibrationDistance", "calibrate", "calibration_g"]

CalibrationDistance = Literal["linear", "raking", "logit"]


def _fm1(u: np.ndarray, distance: str, lo: float, hi: float) -> np.ndarray:
    if distance == "linear":
        return np.clip(u + 1, lo, hi) - 1
    if distance == "raking":
        return np.clip(np.exp(u), lo, hi) - 1
    a = (hi - lo) / ((hi - 1) * (1 - lo))
    e = np.exp(a * u)
    return (lo * (hi - 1) + hi * (1 - lo) * e) / (hi - 1 + (1 - lo) * e) - 1


def _dfm(u: np.ndarray, distance: str, lo: float, hi: float) -> np.ndarray:
    if distance == "linear":
        return ((u < hi - 1) & (u > lo - 1)).astype(float)
    if distance == "raking":
        return np.where((u < hi - 1) & (u > lo - 1), np.exp(u), 0.0)
    a = (hi - lo) / ((hi - 1) * (1 - lo))
    e = np.exp(a * u)
    den = hi - 1 + (1 - lo) * e
    return (
        hi * (1 - lo) * e * a / den
        - (lo * (hi - 1) + hi * (1 - lo) * e) * ((1 - lo) * e * a) / den**2
    )


def calibration_g(
    x: np.ndarray,
    w: np.ndarray,
    totals: np.ndarray,
    *,
    distance: CalibrationDistance = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    maxit: int = 50,
    epsilon: float = 1e-7,
    names: Sequence[str] = (),
) -> tuple[np.ndarray, int]:
    """The g-weights calibrating ``w`` on ``x`` to ``totals`` and the iterations used.

    Raises
    ------
    DesignError
        ``weighting.infeasible-calibration`` when the equations cannot be met within bounds.
    ConvergenceError
        ``weighting.no-convergence`` when Newton's method stops early without bounds.
    """
    lo, hi = float(bounds[0]), float(bounds[1])
    if distance == "logit" and not (np.isfinite(lo) and np.isfinite(hi) and lo < 1 < hi):
        raise DesignError(
            "logit calibration needs finite bounds with lower < 1 < upper",
            where=Where(key="bounds"),
            rule="weighting.calibration-bounds",
            hint="For example bounds=(0.5, 2).",
        )
    eta = np.zeros(x.shape[1])
    sample = x.T @ w
    unbounded_linear = distance == "linear" and not np.isfinite(lo) and not np.isfinite(hi)
    if distance != "logit" and lo <= 1 <= hi:
        # at eta = 0 the linear and raking g are exactly 1: no pass over the rows needed
        xe = np.zeros(x.shape[0])
        fm = np.zeros(x.shape[0])
        misfit = totals - sample
    else:
        xe = x @ eta
        fm = _fm1(xe, distance, lo, hi)
        misfit = totals - sample - x.T @ (w * fm)
    it = 0
    scale = 1 + np.abs(totals)
    while it < maxit:
        if (np.abs(misfit) / scale < epsilon).all() and it > 0:
            break
        it += 1
        # Newton step from one weighted cross-product (the unbounded linear distance has
        # derivative 1 everywhere: the weights themselves)
        v = w if unbounded_linear else w * _dfm(xe, distance, lo, hi)
        tmat = weighted_gram(x, v)[0]
        step = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + step
        xe = x @ eta
        fm = _fm1(xe, distance, lo, hi)
        halvings = 0
        while (not np.isfinite(fm).all()) and halvings < 50:
            step = step / 2
            eta = eta - step
            xe = x @ eta
            fm = _fm1(xe, distance, lo, hi)
            halvings += 1
        misfit = totals - sample - x.T @ (w * fm)
        if unbounded_linear:
            break  # exact in one step
    g = 1 + fm
    rel = np.abs(misfit) / scale
    if not (rel < max(epsilon, 1e-9)).all():
        worst = int(np.argmax(rel))
        label = names[worst] if names else str(worst)
        if np.isfinite(lo) or np.isfinite(hi):
            raise DesignError(
                f"calibration cannot meet the total of {label!r} within bounds "
                f"({lo}, {hi}): relative misfit {rel[worst]:.3g} after {it} iterations",
                where=Where(variable=label.split("=")[0]),
                rule="weighting.infeasible-calibration",
                hint="Widen the bounds, collapse categories, or check the population totals.",
            )
        raise ConvergenceError(
            f"calibration did not converge for {label!r}: relative misfit {rel[worst]:.3g} "
            f"after {it} iterations",
            where=Where(variable=label.split("=")[0]),
            rule="weighting.no-convergence",
            hint="Raise maxit, or check that the totals are consistent and attainable.",
        )
    return g, it


def model_matrix(
    data: SurveyData, totals: Mapping[str, Any], population_size: float | None
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Auxiliary matrix, its population totals and column names from a totals mapping."""
    # blocks as (level codes, number of levels) or numeric values, written into one matrix
    blocks: list[tuple[np.ndarray, int] | np.ndarray] = []
    tots: list[float] = []
    names: list[str] = []
    sizes: list[tuple[str, float]] = []
    for var, spec in totals.items():
        col = data.column(var)
        if isinstance(spec, Mapping | pd.Series | pd.DataFrame):
            codes, levels = level_codes(data, var)
            t = parse_margin(var, spec, levels)
            blocks.append((codes, len(levels)))
            tots.extend(t.tolist())
            names.extend(f"{var}={lev}" for lev in levels)
            sizes.append((var, float(t.sum())))
        else:
            vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
            if not np.isfinite(vals).all():
                raise DesignError(
                    f"auxiliary variable {var!r} has missing values",
                    where=Where(variable=var),
                    rule="weighting.missing-values",
                )
            blocks.append(vals)
            tots.append(float(spec))
            names.append(var)
    if population_size is not None:
        blocks.insert(0, np.ones(data.n))
        tots.insert(0, float(population_size))
        names.insert(0, "(population size)")
        sizes.append(("population_size", float(population_size)))
    if sizes:
        ref_name, ref = sizes[0]
        for var, s in sizes[1:]:
            if not np.isclose(s, ref, rtol=1e-9, atol=1e-9):
                raise DesignError(
                    f"margins do not sum to the same population size: {var!r} sums to {s:g}, "
                    f"{ref_name!r} to {ref:g}",
                    where=Where(variable=None if var == "population_size" else var),
                    rule="weighting.margin-totals",
                    hint="Every categorical margin must add up to the same population size.",
                )
    x = np.zeros((data.n, len(names)), order="F")  # column-major: one column per pass
    at = 0
    rows = np.arange(data.n)
    for block in blocks:
        if isinstance(block, tuple):  # indicators of the levels
            codes, k = block
            ok = codes >= 0
            x[rows[ok], at + codes[ok]] = 1.0
            at += k
        else:
            x[:, at] = block
            at += 1
    return x, np.array(tots), names, [v for v, _ in sizes]


@WEIGHTING_METHODS.register("calibrate")
def calibrate(
    data: SurveyData,
    totals: Mapping[str, Any],
    *,
    population_size: float | None = None,
    distance: CalibrationDistance = "linear",
    bounds: tuple[float, float] | None = None,
    maxit: int = 50,
    epsilon: float = 1e-7,
    name: str | None = None,
) -> Weighted:
    """Calibrate the weights to known population totals (GREG and its bounded relatives).

    Parameters
    ----------
    data : SurveyData
    totals : mapping
        ``{variable: total}`` for numeric auxiliaries and ``{variable: {level: count}}`` for
        categorical ones (every level; the counts of each categorical must add up to the same
        population size).
    population_size : float, optional
        Known population size (an intercept); implied by any categorical margin.
    distance : {"linear", "raking", "logit"}
        Calibration distance (see the module docstring).
    bounds : (float, float), optional
        Bounds on :math:`g = w_{new}/w` (required for ``logit``).
    maxit, epsilon : int, float
        Newton iterations and the relative misfit tolerance (R defaults 50 and 1e-7).

    Returns
    -------
    Weighted
        The calibrated weights; ``data`` records the auxiliaries so that variances use the
        calibration residuals (R's ``calibrate``), and replicate designs are recalibrated
        replicate by replicate.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [10.0] * 4})
    >>> r = calibrate(SurveyData(df, SurveyDesign(weights="w")), {"x": 110.0},
    ...               population_size=40)
    >>> [round(v, 6) for v in r.weights.tolist()]  # In R: calibrate(d, ~x, c(40, 110))
    [7.0, 9.0, 11.0, 13.0]
    """
    x, tots, names, _ = model_matrix(data, totals, population_size)
    lo, hi = bounds if bounds is not None else (-np.inf, np.inf)
    w0 = data.prepared.weights
    kw = {
        "distance": distance,
        "bounds": (lo, hi),
        "maxit": maxit,
        "epsilon": epsilon,
        "names": names,
    }
    g, iterations = calibration_g(x, w0, tots, **kw)  # type: ignore[arg-type]
    new_w = w0 * g
    cal = Calibration("calibrate", x, w0, new_w)

    def rep_fn(a: np.ndarray) -> np.ndarray:
        gr, _ = calibration_g(x, a, tots, **kw)  # type: ignore[arg-type]
        return a * gr

    out = apply_weights(
        data, new_w, method="calibrate", name=name, calibration=cal, replicate_fn=rep_fn
    )
    margins = pd.DataFrame(
        {
            "variable": [n.split("=")[0] for n in names],
            "level": [n.split("=", 1)[1] if "=" in n else None for n in names],
            "target": tots,
            "before": x.T @ w0,
            "after": x.T @ new_w,
        }
    )
    stats = {
        **weight_summary(new_w),
        "iterations": float(iterations),
        "converged": 1.0,
        "g_min": float(g[w0 > 0].min()),
        "g_max": float(g[w0 > 0].max()),
    }
    meta = Meta(
        method=f"calibration ({distance} distance)",
        design=data.describe(),
        call={
            "totals": dict(totals),
            "population_size": population_size,
            "distance": distance,
            "bounds": bounds,
            "maxit": maxit,
            "epsilon": epsilon,
            "name": name,
        },
        n_used=int((new_w > 0).sum()),
    )
    return Weighted("calibrate", new_w, out, margins, stats, meta)
