"""Design-based standard errors for the tests: Hajek ratio means with Taylor linearisation.

For a ratio estimator R = sum(w y) / sum(w x) the linearised values are
z_i = w_i (y_i - R x_i) / sum(w x); the variance is the with-replacement estimator of the first
stage, sum over strata h of n_h / (n_h - 1) sum over PSUs j of (z_hj - mean_h z)^2, with z_hj the
PSU totals (Wolter 2007, Introduction to Variance Estimation, ch. 6; R survey's default for
svydesign(ids = ~psu, strata = ~stratum, weights = ~w) without fpc, and svymean/svyratio).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ratio"]


def ratio(
    y: np.ndarray, w: np.ndarray, strata: np.ndarray, psu: np.ndarray, x: np.ndarray | None = None
) -> tuple[float, float]:
    """Estimate and standard error of sum(w y) / sum(w x) (x = 1: a weighted mean)."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    x = np.ones_like(y) if x is None else np.asarray(x, dtype=float)
    est = float((w * y).sum() / (w * x).sum())
    z = w * (y - est * x) / (w * x).sum()
    totals = pd.DataFrame({"h": strata, "j": psu, "z": z}).groupby(["h", "j"])["z"].sum()
    var = 0.0
    for _, g in totals.groupby(level="h"):
        n = len(g)
        if n > 1:
            var += n / (n - 1) * float(((g - g.mean()) ** 2).sum())
    return est, float(np.sqrt(var))
