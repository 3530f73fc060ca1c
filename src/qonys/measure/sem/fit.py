"""Fit indices from chi-square statistics (lavaan ``fitMeasures`` conventions)."""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

__all__ = ["fit_indices", "rmsea_ci", "srmr_bentler"]


def rmsea_ci(
    chisq: float, df: float, n: float, n_groups: int = 1, level: float = 0.90
) -> tuple[float, float]:
    """Noncentral chi-square confidence interval of the RMSEA (lavaan's ``rmsea.ci.*``).

    The bounds solve :math:`P(\\chi^2_{df}(\\lambda) \\le \\chi^2) = (1 \\pm level)/2` for the
    noncentrality :math:`\\lambda`; then :math:`\\sqrt{\\lambda/(N\\,df)}\\sqrt{G}`.
    """
    if df <= 0:
        return float("nan"), float("nan")
    lo_p, hi_p = (1 + level) / 2, (1 - level) / 2

    def solve(target: float) -> float:
        def f(lam: float) -> float:
            return float(stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df))

        if f(0.0) < target:
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > target:
            hi *= 2.0
        return float(optimize.brentq(lambda lam: f(lam) - target, 0.0, hi, xtol=1e-12))

    lam_lo, lam_hi = solve(lo_p), solve(hi_p)
    scale = math.sqrt(n_groups)
    return math.sqrt(lam_lo / (n * df)) * scale, math.sqrt(lam_hi / (n * df)) * scale


def fit_indices(
    chisq: float,
    df: float,
    baseline_chisq: float,
    baseline_df: float,
    n: float,
    *,
    n_groups: int = 1,
) -> dict[str, float]:
    """RMSEA (with 90 % CI and close-fit p-values), CFI, TLI, NFI and friends.

    .. math::
        RMSEA = \\sqrt{\\max(\\chi^2/df - 1, 0)/N}\\,\\sqrt{G}, \\quad
        CFI = 1 - \\frac{\\max(\\chi^2 - df, 0)}{\\max(\\chi^2_B - df_B, \\chi^2 - df, 0)}, \\quad
        TLI = \\frac{\\chi^2_B/df_B - \\chi^2/df}{\\chi^2_B/df_B - 1}

    Examples
    --------
    >>> f = fit_indices(85.306, 24, 918.852, 36, 301)      # METHODS 2.5 (lavaan tutorial)
    >>> round(f["rmsea"], 4), round(f["cfi"], 4), round(f["tli"], 4)
    (0.0921, 0.9306, 0.8958)
    >>> # In R: lavaan::fitMeasures(fit, c("rmsea", "cfi", "tli"))
    """
    out: dict[str, float] = {"chisq": chisq, "df": df}
    out["pvalue"] = float(stats.chi2.sf(chisq, df)) if df > 0 else float("nan")
    d, db = max(chisq - df, 0.0), max(baseline_chisq - baseline_df, 0.0)
    denom = max(d, db)
    out["cfi"] = 1.0 - d / denom if denom > 0 else 1.0
    if df > 0 and baseline_df > 0:
        t_b, t_m = baseline_chisq / baseline_df, chisq / df
        out["tli"] = (t_b - t_m) / (t_b - 1.0)
        out["nfi"] = (baseline_chisq - chisq) / baseline_chisq
        out["rfi"] = (t_b - t_m) / t_b
        out["ifi"] = (baseline_chisq - chisq) / (baseline_chisq - df)
    else:
        out.update(tli=float("nan"), nfi=float("nan"), rfi=float("nan"), ifi=float("nan"))
    if df > 0:
        g = math.sqrt(n_groups)
        out["rmsea"] = math.sqrt(max(chisq / df - 1.0, 0.0) / n) * g
        lo, hi = rmsea_ci(chisq, df, n, n_groups)
        out["rmsea.ci.lower"], out["rmsea.ci.upper"] = lo, hi
        for name, h0 in (("rmsea.pvalue", 0.05), ("rmsea.notclose.pvalue", 0.08)):
            ncp = n * df * h0**2 / n_groups
            cdf = float(stats.ncx2.cdf(chisq, df, ncp))
            out[name] = 1.0 - cdf if name == "rmsea.pvalue" else cdf
    else:
        for k in ("rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue"):
            out[k] = float("nan")
    return out


def srmr_bentler(
    S: np.ndarray,
    sigma: np.ndarray,
    mean: np.ndarray | None = None,
    mu: np.ndarray | None = None,
) -> float:
    """Bentler's SRMR: residuals scaled by the observed SDs, over the lower triangle with the
    diagonal, plus the standardised mean residuals when the model has a mean structure.

    .. math:: SRMR = \\sqrt{\\frac{1}{p(p+1)/2 + p}\\Big[\\sum_{i \\le j}
        \\Big(\\frac{s_{ij} - \\sigma_{ij}}{\\sqrt{s_{ii} s_{jj}}}\\Big)^2
        + \\sum_i \\Big(\\frac{\\bar x_i - \\mu_i}{\\sqrt{s_{ii}}}\\Big)^2\\Big]}
    """
    sd = np.sqrt(np.diag(S))
    r = (S - sigma) / np.outer(sd, sd)
    res = r[np.tril_indices(S.shape[0])]
    if mean is not None and mu is not None:
        res = np.concatenate([res, (mean - mu) / sd])
    return float(np.sqrt(np.mean(res**2)))
