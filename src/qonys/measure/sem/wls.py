"""WLSMV for ordered indicators (lavaan's ``estimator = "WLSMV"``, delta parameterisation).

DWLS fit function on the thresholds and polychoric correlations,
:math:`F = \\sum_g \\frac{n_g}{N} (s_g - \\sigma_g)^T W_g (s_g - \\sigma_g)` with
:math:`W_g = \\mathrm{diag}(\\Gamma_g)^{-1}`; robust ("sandwich") standard errors; the
mean-and-variance adjusted test :math:`T^* = a\\,T + b` with
:math:`a = \\sqrt{df/\\operatorname{tr}((U\\Gamma)^2)}` and
:math:`b = df - a \\operatorname{tr}(U\\Gamma)` (``scaled.shifted``). RMSEA uses :math:`N - G`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..._core.errors import ConvergenceError, DataError, Where
from ..._core.results import Meta
from .fit import fit_indices
from .model import Model
from .ordinal import OrdinalStats, ordinal_stats
from .result import CFAResult, parameter_table
from .spec import build_spec

__all__ = ["fit_ordinal"]


def _moments(
    model: Model, x: np.ndarray, g: int, st: OrdinalStats
) -> tuple[np.ndarray, np.ndarray]:
    imp = model.implied(x, g, jacobian=True)
    ii = np.array([i for i, _ in st.pairs])
    jj = np.array([j for _, j in st.pairs])
    sigma = np.concatenate([imp.tau, imp.sigma[ii, jj]])
    if imp.d_tau is None or imp.d_sigma is None:  # pragma: no cover - internal invariant
        raise RuntimeError("derivatives were not computed")
    delta = np.hstack([imp.d_tau, imp.d_sigma[:, ii, jj]]).T  # m x q
    return sigma, delta


def _objective(model: Model, x: np.ndarray, groups: list[OrdinalStats], N: int) -> float:
    """DWLS fit function F (lavaan's fmin is F / 2)."""
    f = 0.0
    for g, st in enumerate(groups):
        e = st.s - _moments(model, x, g, st)[0]
        f += st.n / N * float(e @ (e / np.diag(st.gamma)))
    return f


def _scaled_shifted(
    deltas: list[np.ndarray], groups: list[OrdinalStats], N: int, df: float
) -> tuple[float, float]:
    """Scaling factor 1/a and shift b of the mean-and-variance adjusted test."""
    W = np.concatenate([st.n / N / np.diag(st.gamma) for st in groups])
    G = [st.gamma * N / st.n for st in groups]
    sizes = [len(st.s) for st in groups]
    Gam = np.zeros((sum(sizes), sum(sizes)))
    o = 0
    for gm, k in zip(G, sizes, strict=True):
        Gam[o : o + k, o : o + k] = gm
        o += k
    D = np.vstack(deltas)
    WD = W[:, None] * D
    U = np.diag(W) - WD @ np.linalg.solve(D.T @ WD, WD.T)
    UG = U @ Gam
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = math.sqrt(df / tr2)
    return 1.0 / a, df - a * tr1


def fit_ordinal(
    parts: list[pd.DataFrame],
    labels: tuple[str, ...],
    model_syntax: str,
    *,
    group_equal: Sequence[str],
    std_lv: bool,
    missing: str,
    group: str | None,
) -> CFAResult:
    """Fit a CFA with ordered indicators by WLSMV (see the module docstring)."""
    probe = build_spec(model_syntax, [str(c) for c in parts[0].columns])
    ov = probe.ov
    blocks, n_dropped = [], 0
    for part in parts:
        b = part[ov].apply(pd.to_numeric, errors="coerce").to_numpy(float)
        bad = np.isnan(b).any(axis=1)
        if bad.any() and missing == "fail":
            raise DataError(
                f"{int(bad.sum())} cases have missing indicator values",
                rule="measure.missing",
                hint="Use missing='drop'.",
            )
        n_dropped += int(bad.sum())
        blocks.append(b[~bad])
    allx = np.vstack(blocks)
    cats = [np.unique(allx[:, j]) for j in range(len(ov))]
    for j, c in enumerate(cats):
        if len(c) < 2 or len(c) > 20:
            raise DataError(
                f"ordered item {ov[j]!r} has {len(c)} categories",
                where=Where(variable=ov[j]),
                rule="sem.ordinal-categories",
            )
    groups = []
    for b, lab in zip(blocks, labels, strict=True):
        coded = np.column_stack([np.searchsorted(cats[j], b[:, j]) for j in range(len(ov))])
        for j in range(len(ov)):
            if len(np.unique(coded[:, j])) < len(cats[j]):
                raise DataError(
                    f"a category of {ov[j]!r} is empty in group {lab!r}",
                    where=Where(variable=ov[j]),
                    rule="sem.empty-category",
                    hint="Collapse rare categories before fitting.",
                )
        groups.append(ordinal_stats(coded, [len(c) for c in cats]))
    spec = build_spec(
        model_syntax,
        ov,
        n_groups=len(groups),
        std_lv=std_lv,
        meanstructure=False,
        group_equal=group_equal,
        ordered=ov,
        n_thresholds={v: len(c) - 1 for v, c in zip(ov, cats, strict=True)},
    )
    model = Model(spec)
    N = sum(st.n for st in groups)
    x = np.zeros(model.q)
    for par in spec.params:
        if par.free < 0:
            continue
        if par.matrix == "lambda":
            x[par.free] = 0.7 if std_lv else 1.0
        elif par.matrix == "psi" and par.row == par.col:
            x[par.free] = 1.0 if std_lv else 0.5
        elif par.matrix == "tau":
            x[par.free] = groups[par.group].taus[spec.ov.index(par.lhs)][par.col]
    f = _objective(model, x, groups, N)
    it = 0
    while it < 500:
        it += 1
        H = np.zeros((model.q, model.q))
        r = np.zeros(model.q)
        for g, st in enumerate(groups):
            sig, D = _moments(model, x, g, st)
            w = st.n / N / np.diag(st.gamma)
            H += D.T @ (w[:, None] * D)
            r += D.T @ (w * (st.s - sig))
        step = np.linalg.solve(H, r)
        t = 1.0
        while True:
            f_new = _objective(model, x + t * step, groups, N)
            if f_new <= f + 1e-15:
                break
            t /= 2
            if t < 1e-10:
                raise ConvergenceError(
                    "DWLS Gauss-Newton stalled",
                    rule="sem.no-convergence",
                    hint="Tried Gauss-Newton with step halving.",
                )
        x, f_old, f = x + t * step, f, f_new
        if np.max(np.abs(t * step)) < 1e-11 and abs(f_old - f) < 1e-14:
            break
    if it >= 500:
        raise ConvergenceError(
            "DWLS did not converge in 500 Gauss-Newton iterations",
            rule="sem.no-convergence",
            hint="Check the model.",
        )
    deltas = []
    meat = np.zeros((model.q, model.q))
    H = np.zeros((model.q, model.q))
    for g, st in enumerate(groups):
        _, D = _moments(model, x, g, st)
        w = st.n / N / np.diag(st.gamma)
        WD = w[:, None] * D
        H += D.T @ WD
        meat += WD.T @ (st.gamma / st.n) @ WD
        deltas.append(D)
    Hinv = np.linalg.inv(H)
    vcov = Hinv @ meat @ Hinv
    m_tot = sum(len(st.s) for st in groups)
    df = float(m_tot - model.q)
    chisq = float(N * f)
    c_scale, shift = _scaled_shifted(deltas, groups, N, df)
    base = sum(
        st.n
        * float(
            np.sum(
                st.s[len(st.s) - len(st.pairs) :] ** 2
                / np.diag(st.gamma)[len(st.s) - len(st.pairs) :]
            )
        )
        for st in groups
    )
    base_df = float(sum(len(st.pairs) for st in groups))
    base_deltas = [
        np.vstack(
            [
                np.eye(len(st.s) - len(st.pairs)),
                np.zeros((len(st.pairs), len(st.s) - len(st.pairs))),
            ]
        )
        for st in groups
    ]
    c_b, shift_b = _scaled_shifted(_block_diag_columns(base_deltas), groups, N, base_df)
    fit = _fit_measures(chisq, df, base, base_df, c_scale, shift, c_b, shift_b, N, len(groups))
    fit.update(npar=float(model.q), fmin=f / 2, ntotal=float(N))
    srmr = 0.0
    for g, st in enumerate(groups):
        resid = st.s - _moments(model, x, g, st)[0]
        k = len(st.pairs)
        p = len(ov)
        srmr += st.n / N * math.sqrt(float(np.sum(resid[-k:] ** 2)) / (p * (p + 1) / 2))
    fit["srmr"] = fit["srmr_bentler_nomean"] = srmr
    table = parameter_table(model, x, vcov, labels)
    table = pd.concat([table, _fixed_rows(model, x, labels)], ignore_index=True)
    meta = Meta(
        method="CFA, estimator WLSMV (DWLS, delta parameterisation; lavaan conventions)",
        policies={"missing": missing},
        call={
            "model": model_syntax,
            "estimator": "WLSMV",
            "group": group,
            "group_equal": list(group_equal),
            "std_lv": std_lv,
        },
        n_used=N,
        n_dropped=n_dropped,
    )
    return CFAResult(
        {k: float(v) for k, v in fit.items()},
        table,
        "WLSMV",
        labels,
        tuple(st.n for st in groups),
        it,
        meta,
    )


def _block_diag_columns(blocks: list[np.ndarray]) -> list[np.ndarray]:
    """Per-group Jacobians with separate parameters for each group (stacked column blocks)."""
    widths = [b.shape[1] for b in blocks]
    out, o = [], 0
    for b in blocks:
        full = np.zeros((b.shape[0], sum(widths)))
        full[:, o : o + b.shape[1]] = b
        out.append(full)
        o += b.shape[1]
    return out


def _fit_measures(
    chisq: float,
    df: float,
    base: float,
    base_df: float,
    c: float,
    shift: float,
    c_b: float,
    shift_b: float,
    N: int,
    G: int,
) -> dict[str, float]:
    fit = fit_indices(chisq, df, base, base_df, N - G, n_groups=G)
    fit["baseline.chisq"], fit["baseline.df"] = base, base_df
    fit["baseline.pvalue"] = float(stats.chi2.sf(base, base_df))
    xs, xbs = chisq / c + shift, base / c_b + shift_b
    sc = fit_indices(xs, df, xbs, base_df, N - G, n_groups=G)
    fit.update(
        {
            "chisq.scaled": xs,
            "df.scaled": df,
            "pvalue.scaled": sc["pvalue"],
            "chisq.scaling.factor": c,
            "chisq.shift.parameter": shift,
            "baseline.chisq.scaled": xbs,
            "baseline.df.scaled": base_df,
            "baseline.pvalue.scaled": float(stats.chi2.sf(xbs, base_df)),
            "baseline.chisq.scaling.factor": c_b,
        }
    )
    for k in ("cfi", "tli", "nfi", "rfi", "ifi", "rmsea"):
        fit[f"{k}.scaled"] = sc[k]
    fit["nnfi"], fit["rni"] = fit["tli"], fit["cfi"]
    fit["nnfi.scaled"], fit["rni.scaled"] = fit["tli.scaled"], fit["cfi.scaled"]
    return fit


def _fixed_rows(model: Model, x: np.ndarray, labels: tuple[str, ...]) -> pd.DataFrame:
    """lavaan's fixed rows of the delta parameterisation: residual variances 1 - diag(LPL'),
    scale factors 1, intercepts and factor means 0."""
    spec = model.spec
    rows = []
    for g, lab in enumerate(labels):
        mats = model.matrices(x, g)
        L, P = mats["lambda"], mats["psi"]
        theta = 1.0 - np.diag(L @ P @ L.T)
        entries = [(v, "~~", v, float(theta[i])) for i, v in enumerate(spec.ov)]
        entries += [(v, "~*~", v, 1.0) for v in spec.ov]
        entries += [(v, "~1", "", 0.0) for v in spec.ov]
        entries += [(f, "~1", "", 0.0) for f in spec.lv]
        for lhs, op, rhs, est in entries:
            rows.append(
                {
                    "lhs": lhs,
                    "op": op,
                    "rhs": rhs,
                    "group": lab,
                    "label": "",
                    "free": -1,
                    "est": est,
                    "se": 0.0,
                    "z": np.nan,
                    "pvalue": np.nan,
                    "ci_lower": est,
                    "ci_upper": est,
                    "std_lv": est,
                    "std_all": est,
                    "term": f"{lhs}{op}{rhs}",
                }
            )
    return pd.DataFrame(rows)
