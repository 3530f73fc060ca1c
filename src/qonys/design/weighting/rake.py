"""Raking (iterative proportional fitting) to any number of margins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..._core import ConvergenceError, DesignError, Meta, Where
from ..calibration import Calibration
from ..data import SurveyData
from ._common import (
    WEIGHTING_METHODS,
    Weighted,
    apply_weights,
    indicator_matrix,
    level_codes,
    parse_margin,
    weight_summary,
)

__all__ = ["rake", "rake_weights"]


def _cycle(w: np.ndarray, codes: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    for c, t in zip(codes, targets, strict=True):
        est = np.bincount(c, weights=w, minlength=t.size)
        g = np.where(est > 0, t / np.where(est > 0, est, 1), 0.0)
        w = w * g[c]
    return w


def rake_weights(
    w: np.ndarray,
    codes: list[np.ndarray],
    targets: list[np.ndarray],
    *,
    maxit: int,
    tol: float,
    names: list[str],
    epsilon: float | None = None,
    cycles: int | None = None,
) -> tuple[np.ndarray, int]:
    """Iterative proportional fitting of ``w`` to every margin; returns weights and cycles.

    A cycle post-stratifies to each margin in turn. By default raking stops when, after a
    cycle, every margin total is within ``tol`` (relative) of its target. With ``epsilon``
    it stops as R's ``rake(control=list(epsilon=))`` does: when no cell of the joint table of
    the margin variables moved by ``epsilon`` or more in the last cycle (``epsilon < 1`` is a
    fraction of the weight total). ``cycles`` runs exactly that many cycles (used for
    replicates, which get as many cycles as the full sample).
    """
    w = w.astype(float).copy()
    if cycles is not None:
        for _ in range(cycles):
            w = _cycle(w, codes, targets)
        return w, cycles
    joint = np.zeros(w.size, dtype=np.int64)
    for c, t in zip(codes, targets, strict=True):
        joint = joint * t.size + c
    n_joint = int(joint.max(initial=0)) + 1
    old = np.bincount(joint, weights=w, minlength=n_joint)
    ep = None if epsilon is None else (epsilon * float(w.sum()) if epsilon < 1 else epsilon)
    worst, name = 0.0, ""
    for it in range(1, maxit + 1):
        w = _cycle(w, codes, targets)
        if ep is not None:
            new = np.bincount(joint, weights=w, minlength=n_joint)
            worst = float(np.max(np.abs(new - old)))
            name = "/".join(names)
            if worst < ep:
                return w, it
            old = new
            continue
        worst, name = 0.0, ""
        for c, t, nm in zip(codes, targets, names, strict=True):
            est = np.bincount(c, weights=w, minlength=t.size)
            dev = float(np.max(np.abs(est - t) / np.maximum(t, 1e-300), initial=0.0))
            if dev > worst:
                worst, name = dev, nm
        if worst < tol:
            return w, it
    raise ConvergenceError(
        f"raking did not converge in {maxit} cycles: margin {name!r} is still off by {worst:.3g}",
        where=Where(variable=name.split("/")[0]),
        rule="weighting.no-convergence",
        hint="Raise maxit, or check the margins for structural zeros (a combination of levels "
        "no respondent has but the margins require).",
    )


@WEIGHTING_METHODS.register("rake")
def rake(
    data: SurveyData,
    margins: Mapping[str, Any],
    *,
    maxit: int = 100,
    tol: float = 1e-10,
    epsilon: float | None = None,
    name: str | None = None,
) -> Weighted:
    """Rake the weights to population margins of several categorical variables.

    Parameters
    ----------
    data : SurveyData
    margins : mapping
        ``{variable: {level: population count}}`` (or a Series / two-column frame per
        variable). Every margin must add up to the same population size.
    maxit : int
        Maximum number of cycles through the margins.
    tol : float
        Convergence: every margin total within this relative distance of its target.
    epsilon : float, optional
        Use R's convergence rule instead (see :func:`rake_weights`); ``maxit=10, epsilon=1``
        are R's defaults.

    Returns
    -------
    Weighted
        Raked weights. Variances of the returned ``data`` use residuals from the additive
        model of the margins (calibration-aware, as R's ``rake``); replicate designs are raked
        replicate by replicate.

    Raises
    ------
    DesignError
        Margins that do not add up to the same total (``weighting.margin-totals``), a level
        with a positive target but no respondent (``weighting.infeasible-margin``).
    ConvergenceError
        No convergence within ``maxit`` cycles (``weighting.no-convergence``, naming the margin).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"], "w": [1.0] * 4})
    >>> r = rake(SurveyData(df, SurveyDesign(weights="w")),
    ...          {"a": {"x": 30, "y": 70}, "b": {"u": 40, "v": 60}})
    >>> [round(float(v), 6) for v in r.weights]  # In R: rake(d, list(~a, ~b), list(pa, pb))
    [12.0, 18.0, 28.0, 42.0]
    """
    if not margins:
        raise DesignError(
            "no margins given", where=Where(key="margins"), rule="weighting.no-margins"
        )
    w0 = data.prepared.weights
    codes, targets, names, levels_all = [], [], [], []
    for var, spec in margins.items():
        c, levels = level_codes(data, var)
        t = parse_margin(var, spec, levels)
        est = np.bincount(c, weights=w0, minlength=len(levels))
        bad = (est == 0) & (t > 0)
        if bad.any():
            raise DesignError(
                f"margin {var!r}: level {levels[int(np.flatnonzero(bad)[0])]!r} has a positive "
                "population total but no weight in the sample",
                where=Where(variable=var),
                rule="weighting.infeasible-margin",
                hint="Collapse it with a neighbouring level in the data and the margin.",
            )
        codes.append(c)
        targets.append(t)
        names.append(var)
        levels_all.append(levels)
    sums = [float(t.sum()) for t in targets]
    for nm, s in zip(names[1:], sums[1:], strict=True):
        if not np.isclose(s, sums[0], rtol=1e-9, atol=1e-9):
            raise DesignError(
                f"margins do not add up to the same population size: {nm!r} sums to {s:g}, "
                f"{names[0]!r} to {sums[0]:g}",
                where=Where(variable=nm),
                rule="weighting.margin-totals",
                hint="Every margin must describe the same population.",
            )
    new_w, cycles = rake_weights(
        w0, codes, targets, maxit=maxit, tol=tol, names=names, epsilon=epsilon
    )
    x = np.column_stack([indicator_matrix(c, t.size) for c, t in zip(codes, targets, strict=True)])
    cal = Calibration("rake", x, w0, new_w)

    def rep_fn(a: np.ndarray) -> np.ndarray:
        return rake_weights(a, codes, targets, maxit=maxit, tol=tol, names=names, cycles=cycles)[0]

    out = apply_weights(data, new_w, method="rake", name=name, calibration=cal, replicate_fn=rep_fn)
    rows = []
    for c, t, nm, levels in zip(codes, targets, names, levels_all, strict=True):
        before = np.bincount(c, weights=w0, minlength=t.size)
        after = np.bincount(c, weights=new_w, minlength=t.size)
        rows.append(
            pd.DataFrame(
                {"variable": nm, "level": levels, "target": t, "before": before, "after": after}
            )
        )
    meta = Meta(
        method="raking (iterative proportional fitting)",
        design=data.describe(),
        call={
            "margins": {k: dict(v) if isinstance(v, Mapping) else v for k, v in margins.items()},
            "maxit": maxit,
            "tol": tol,
            "epsilon": epsilon,
            "name": name,
        },
        n_used=int((new_w > 0).sum()),
    )
    stats = {**weight_summary(new_w), "iterations": float(cycles), "converged": 1.0}
    return Weighted("rake", new_w, out, pd.concat(rows, ignore_index=True), stats, meta)
