"""Fitting continuous-indicator models by ML or robust ML and computing lavaan's fit measures."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .fit import fit_indices, srmr_bentler
from .ml import GroupData, casewise_scores, fit_ml, observed_info
from .model import Model
from .robust import h1_trace, sandwich_trace

__all__ = ["fit_continuous", "start_values"]


def start_values(model: Model, groups: list[GroupData]) -> np.ndarray:
    """lavaan-like simple start values: loadings 1, residual variances half the observed ones,
    factor variances from the marker's variance, intercepts the sample means."""
    spec = model.spec
    x = np.zeros(model.q)
    set_ = np.zeros(model.q, bool)
    for par in spec.params:
        if par.free < 0 or set_[par.free]:
            continue
        data = groups[par.group]
        if par.value != 0.0:
            v = par.value
        elif par.matrix == "lambda":
            v = 1.0
        elif par.matrix == "theta":
            v = 0.5 * data.cov[par.row, par.row] if par.row == par.col else 0.0
        elif par.matrix == "psi":
            v = 0.0
            if par.row == par.col:
                v = _lv_var_start(model, data, par.lhs)
        elif par.matrix == "nu":
            v = float(data.mean[par.row])
        elif par.matrix == "alpha" and par.lhs in spec.phantom:
            v = float(data.mean[spec.ov.index(par.lhs)])
        else:
            v = 0.0
        x[par.free] = v
        set_[par.free] = True
    return x


def _lv_var_start(model: Model, data: GroupData, lv: str) -> float:
    spec = model.spec
    if lv in spec.phantom:
        return float(data.cov[spec.ov.index(lv), spec.ov.index(lv)])
    inds = [p for p in spec.params if p.group == 0 and p.op == "=~" and p.lhs == lv]
    fixed = [p for p in inds if p.free < 0 and p.value != 0]
    if not fixed:  # std_lv: variance fixed to 1 anyway
        return 1.0
    j = spec.ov.index(fixed[0].rhs)
    return 0.5 * float(data.cov[j, j]) / fixed[0].value ** 2


def _sat_logl(groups: list[GroupData]) -> float:
    out = 0.0
    for d in groups:
        p = d.cov.shape[0]
        out += -d.n / 2 * (p * math.log(2 * math.pi) + np.linalg.slogdet(d.cov)[1] + p)
    return out


def _baseline_trace(groups: list[GroupData], mean: bool) -> float:
    """tr(A^-1 B) of the independence model (variances, and means), closed form."""
    total = 0.0
    for d in groups:
        var = np.diag(d.cov)
        e = d.x - d.mean
        w2 = (d.w**2)[:, None]
        s_var = 0.5 * (e**2 / var**2 - 1.0 / var)
        total += float(np.sum((w2 * s_var**2).sum(axis=0) / (d.n / (2 * var**2))))
        if mean:
            total += float(np.sum((w2 * (e / var) ** 2).sum(axis=0) / (d.n / var)))
    return total


def _extra_indices(
    model: Model,
    x: np.ndarray,
    groups: list[GroupData],
    fit: dict[str, float],
    chisq: float,
    df: float,
    q: int,
    n_mom: int,
    mean: bool,
) -> dict[str, float]:
    """RMR, CRMR, GFI family, Hoelter's CN, ECVI, MFI and PNFI (lavaan's definitions)."""
    N = sum(d.n for d in groups)
    out: dict[str, float] = {}
    rmr = rmr_nm = crmr = crmr_nm = gfi_num = gfi_den = 0.0
    for g, d in enumerate(groups):
        imp = model.implied(x, g)
        p = d.cov.shape[0]
        low = np.tril_indices(p)
        off = np.tril_indices(p, -1)
        res = d.cov - imp.sigma
        sd_s, sd_m = np.sqrt(np.diag(d.cov)), np.sqrt(np.diag(imp.sigma))
        cres = d.cov / np.outer(sd_s, sd_s) - imp.sigma / np.outer(sd_m, sd_m)
        mres = d.mean - imp.mu if mean else np.zeros(0)
        w = d.n / N
        rmr_nm += w * float(np.sqrt(np.mean(res[low] ** 2)))
        rmr += w * float(np.sqrt(np.mean(np.concatenate([res[low], mres]) ** 2)))
        crmr_nm += w * float(np.sqrt(np.mean(cres[off] ** 2)))
        cm = mres / sd_s if mean else mres
        crmr += w * float(np.sqrt(np.mean(np.concatenate([cres[off], cm]) ** 2)))
        inv = np.linalg.inv(imp.sigma)
        gfi_num += w * float(np.sum((inv @ res) * (inv @ res).T))
        gfi_den += w * float(np.sum((inv @ d.cov) * (inv @ d.cov).T))
    out["rmr"], out["rmr_nomean"] = rmr, rmr_nm
    out["crmr"], out["crmr_nomean"] = crmr, crmr_nm
    if not mean:
        gfi = 1 - gfi_num / gfi_den
        out["gfi"] = gfi
        out["agfi"] = 1 - n_mom / df * (1 - gfi) if df > 0 else float("nan")
        out["pgfi"] = df / n_mom * gfi
    out["mfi"] = math.exp(-0.5 * (chisq - df) / N)
    out["ecvi"] = chisq / N + 2 * q / N
    if df > 0:
        out["cn_05"] = float(stats.chi2.ppf(0.95, df)) / (chisq / N) + 1
        out["cn_01"] = float(stats.chi2.ppf(0.99, df)) / (chisq / N) + 1
        out["pnfi"] = df / fit["baseline.df"] * fit["nfi"]
    return out


def fit_continuous(
    model: Model, groups: list[GroupData], *, robust: bool, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, float], int]:
    """Estimates, their covariance matrix, the fit measures and the iteration count."""
    spec = model.spec
    mean = spec.meanstructure
    x0 = start_values(model, groups) if start is None else start
    res = fit_ml(model, groups, x0, mean=mean)
    x = res.x
    N = sum(d.n for d in groups)
    G = len(groups)
    p = model.p
    q = model.q
    n_mom = G * (p * (p + 1) // 2 + (p if mean else 0))
    df = n_mom - q
    chisq = 2 * N * res.fmin
    base = 0.0
    for d in groups:
        base += d.n * (np.log(np.diag(d.cov)).sum() - np.linalg.slogdet(d.cov)[1])
    base_df = G * p * (p - 1) // 2
    fit: dict[str, float] = {"npar": float(q), "fmin": res.fmin}
    fit.update(fit_indices(chisq, df, base, base_df, N, n_groups=G))
    fit["baseline.chisq"], fit["baseline.df"] = base, float(base_df)
    fit["baseline.pvalue"] = float(stats.chi2.sf(base, base_df))
    fit["nnfi"], fit["rni"] = fit["tli"], fit["cfi"]
    logl = _sat_logl(groups) - chisq / 2
    fit["logl"] = logl
    fit["unrestricted.logl"] = _sat_logl(groups)
    fit["aic"] = -2 * logl + 2 * q
    fit["bic"] = -2 * logl + q * math.log(N)
    fit["bic2"] = -2 * logl + q * math.log((N + 2) / 24)
    fit["ntotal"] = float(N)
    srmr = srmr_nomean = 0.0
    for g, d in enumerate(groups):
        imp = model.implied(x, g)
        srmr_nomean += d.n / N * srmr_bentler(d.cov, imp.sigma)
        if mean:
            srmr += d.n / N * srmr_bentler(d.cov, imp.sigma, d.mean, imp.mu)
    fit["srmr"] = fit["srmr_bentler"] = srmr if mean else srmr_nomean
    fit["srmr_bentler_nomean"] = srmr_nomean
    fit.update(_extra_indices(model, x, groups, fit, chisq, df, q, n_mom, mean))
    if not robust:
        vcov = np.linalg.inv(res.info_expected)
        return x, vcov, {k: float(v) for k, v in fit.items()}, res.iterations
    A0 = observed_info(model, x, groups, mean)
    sc = casewise_scores(model, x, groups, mean)
    B0 = sc.T @ sc
    A0inv = np.linalg.inv(A0)
    vcov = A0inv @ B0 @ A0inv
    tr_h1, _ = h1_trace(groups, mean)
    tr_h0 = sandwich_trace(A0, B0)
    c = (tr_h1 - tr_h0) / df if df > 0 else float("nan")
    tr_b = _baseline_trace(groups, mean)
    c_b = (tr_h1 - tr_b) / base_df
    fit["chisq.scaling.factor"] = c
    fit["scaling.factor.h1"] = tr_h1 / n_mom
    fit["scaling.factor.h0"] = tr_h0 / q
    fit["baseline.chisq.scaling.factor"] = c_b
    _scaled_and_robust(fit, chisq, df, base, base_df, c, c_b, N, G)
    return x, vcov, {k: float(v) for k, v in fit.items()}, res.iterations


def _scaled_and_robust(
    fit: dict[str, float],
    chisq: float,
    df: float,
    base: float,
    base_df: float,
    c: float,
    c_b: float,
    N: float,
    G: int,
) -> None:
    """Naive scaled indices (``*.scaled``) and Brosseau-Liard & Savalei's (``*.robust``)."""
    sc = fit_indices(chisq / c, df, base / c_b, base_df, N, n_groups=G)
    fit["chisq.scaled"] = chisq / c
    fit["df.scaled"] = df
    fit["pvalue.scaled"] = sc["pvalue"]
    fit["baseline.chisq.scaled"] = base / c_b
    fit["baseline.df.scaled"] = base_df
    fit["baseline.pvalue.scaled"] = float(stats.chi2.sf(base / c_b, base_df))
    for k in ("cfi", "tli", "nfi", "rfi", "ifi", "rmsea"):
        fit[f"{k}.scaled"] = sc[k]
    d, d_b = max(chisq - c * df, 0.0), max(base - c_b * base_df, 0.0)
    fit["cfi.robust"] = 1.0 - d / max(d, d_b) if max(d, d_b) > 0 else 1.0
    fit["tli.robust"] = 1.0 - (d / df) / (d_b / base_df) if d_b > 0 else float("nan")
    fit["rmsea.robust"] = math.sqrt(d / (N * df)) * math.sqrt(G)
    fit["nnfi.scaled"], fit["rni.scaled"] = fit["tli.scaled"], fit["cfi.scaled"]
    fit["pnfi.scaled"] = df / base_df * fit["nfi.scaled"]
    fit["nnfi.robust"], fit["rni.robust"] = fit["tli.robust"], fit["cfi.robust"]
