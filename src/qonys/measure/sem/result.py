"""The CFA result object and the parameter table with standardised solutions."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._core.results import Meta, ResultMixin, tidy_frame, to_jsonable
from .model import Model

__all__ = ["PLAIN_FIT", "CFAResult", "parameter_table"]

PLAIN_FIT = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")


@dataclasses.dataclass(frozen=True, slots=True)
class CFAResult(ResultMixin):
    """A fitted confirmatory factor (or structural equation) model.

    Attributes
    ----------
    fit : dict
        lavaan ``fitMeasures`` names: ``chisq, df, pvalue, cfi, tli, rmsea, rmsea.ci.lower,
        rmsea.ci.upper, srmr, logl, aic, bic, npar, fmin`` and, for robust estimators,
        ``chisq.scaled, chisq.scaling.factor, cfi.scaled, tli.scaled, rmsea.scaled``, ...
    params : DataFrame
        One row per parameter and group: ``lhs, op, rhs, group, label, free, est, se, z,
        pvalue, ci_lower, ci_upper, std_lv, std_all`` and ``term`` (``visual=~x2``).
    estimator : str
        ``ML``, ``MLR`` or ``WLSMV``.
    groups : tuple of str
        Group labels in order of first appearance (lavaan's order).
    n_obs : tuple of int
        Cases per group.
    """

    fit: dict[str, float]
    params: pd.DataFrame
    estimator: str
    groups: tuple[str, ...]
    n_obs: tuple[int, ...]
    iterations: int
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Parameter estimates, tidy: ``variable`` = term, ``level`` = group."""
        p = self.params
        frame = pd.DataFrame(
            {
                "variable": p["term"],
                "level": p["group"],
                "estimate": p["est"],
                "se": p["se"],
                "ci_low": p["ci_lower"],
                "ci_high": p["ci_upper"],
                "n": [self.n_obs[self.groups.index(g)] for g in p["group"]],
                "lhs": p["lhs"],
                "op": p["op"],
                "rhs": p["rhs"],
                "z": p["z"],
                "pvalue": p["pvalue"],
                "std_lv": p["std_lv"],
                "std_all": p["std_all"],
            }
        )
        return tidy_frame(frame, extra=("lhs", "op", "rhs", "z", "pvalue", "std_lv", "std_all"))

    def fit_frame(self) -> pd.DataFrame:
        """Fit measures as a two-column frame (``measure``, ``value``)."""
        return pd.DataFrame({"measure": list(self.fit), "value": list(self.fit.values())})

    def standardized_loadings(self) -> pd.DataFrame:
        """Loadings with ``std_lv`` and ``std_all`` (one row per factor, item and group)."""
        p = self.params
        cols = ["group", "lhs", "rhs", "est", "std_lv", "std_all"]
        return p.loc[p["op"] == "=~", cols].reset_index(drop=True)

    def summary_dict(self) -> dict[str, Any]:
        """Plain data for ``qonys cfa --json``: the main fit measures and standardised loadings."""
        out: dict[str, Any] = {k: self.fit.get(k) for k in PLAIN_FIT}
        out["estimator"] = self.estimator
        for k in ("chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled"):
            if k in self.fit:
                out[k] = self.fit[k]
        out["n_obs"] = list(self.n_obs)
        out["groups"] = list(self.groups)
        out["loadings"] = to_jsonable(self.standardized_loadings())
        return dict(to_jsonable(out))


def parameter_table(
    model: Model,
    x: np.ndarray,
    vcov: np.ndarray | None,
    group_labels: tuple[str, ...],
) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(standardized = TRUE)`` for every group."""
    spec = model.spec
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None)) if vcov is not None else None
    zq = stats.norm.ppf(0.975)
    rows = []
    for g in range(spec.n_groups):
        mats = model.matrices(x, g)
        A = np.linalg.inv(np.eye(model.m) - mats["beta"])
        phi = A @ mats["psi"] @ A.T
        sd_lv = np.sqrt(np.clip(np.diag(phi), 0, None))
        sd_lv_std = np.array(
            [1.0 if v in spec.phantom else s for v, s in zip(spec.lv, sd_lv, strict=True)]
        )
        sd_ov = np.sqrt(np.diag(model.implied(x, g).sigma))
        lvi = {v: i for i, v in enumerate(spec.lv)}
        ovi = {v: i for i, v in enumerate(spec.ov)}
        for par in spec.params:
            if par.group != g or par.kind == "phantom":
                continue
            est = float(x[par.free]) if par.free >= 0 else float(par.value)
            se = float(se_free[par.free]) if (se_free is not None and par.free >= 0) else 0.0
            if par.matrix == "lambda":
                s_lv = est * sd_lv_std[lvi[par.lhs]]
                s_all = est * sd_lv[lvi[par.lhs]] / sd_ov[ovi[par.rhs]]
            elif par.matrix == "beta":
                r, c = lvi[par.lhs], lvi[par.rhs]
                s_lv = est * sd_lv_std[c] / sd_lv_std[r]
                s_all = est * sd_lv[c] / sd_lv[r]
            elif par.matrix == "theta":
                s_lv = est
                s_all = est / (sd_ov[par.row] * sd_ov[par.col])
            elif par.matrix == "psi":
                r, c = lvi[par.lhs], lvi[par.rhs]
                s_lv = est / (sd_lv_std[r] * sd_lv_std[c])
                s_all = est / (sd_lv[r] * sd_lv[c])
            elif par.matrix == "alpha":
                s_lv = est / sd_lv_std[lvi[par.lhs]]
                s_all = est / sd_lv[lvi[par.lhs]]
            else:  # nu, tau
                s_lv = est
                s_all = est / sd_ov[par.row]
            has_se = par.free >= 0 and vcov is not None
            z = est / se if has_se and se > 0 else np.nan
            rows.append(
                {
                    "lhs": par.lhs,
                    "op": "~1" if par.op == "~1" else par.op,
                    "rhs": par.rhs,
                    "group": group_labels[g],
                    "label": par.label or "",
                    "free": par.free,
                    "est": est,
                    "se": se,
                    "z": z,
                    "pvalue": 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan,
                    "ci_lower": est - zq * se,
                    "ci_upper": est + zq * se,
                    "std_lv": s_lv,
                    "std_all": s_all,
                    "term": par.term,
                }
            )
    return pd.DataFrame(rows)
