"""McDonald's omega: one-factor omega total from a CFA, and the Schmid-Leiman omega hierarchical.

Three variants are kept apart because they give different numbers (refs README, "Omega"):

``omega_model``
    :math:`(\\sum\\lambda)^2/((\\sum\\lambda)^2 + \\sum\\theta)` from an ML one-factor CFA with
    the factor variance fixed to 1 (unstandardised loadings, model-implied denominator); the
    omega total to report;
``omega_std``
    the same formula on the standardised (``std.all``) solution;
``omega_obs``
    :math:`(\\sum\\lambda)^2 / \\mathbf 1'S\\mathbf 1`, the observed variance of the sum score.

:func:`omega_hierarchical` reproduces ``psych::omega`` (Schmid-Leiman on a minres/oblimin EFA).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core.errors import DataError
from .._core.policies import MissingPolicy
from .._core.results import Meta, ResultMixin, tidy_frame
from ._data import item_matrix
from .cfa import cfa
from .factor import _loadings, _minres_obj, efa
from .reliability import alpha_from_cov, smc

__all__ = ["OmegaResult", "SchmidLeimanResult", "omega", "omega_hierarchical"]


@dataclasses.dataclass(frozen=True, slots=True)
class OmegaResult(ResultMixin):
    """One-factor omegas, the CFA loadings behind them and psych's minres variant."""

    omega_model: float
    omega_std: float
    omega_obs: float
    omega_psych: float
    loadings: pd.DataFrame
    fit: dict[str, float]
    n: int
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One row per omega variant."""
        rows = [
            {"variable": name, "estimate": getattr(self, name), "n": self.n}
            for name in ("omega_model", "omega_std", "omega_obs", "omega_psych")
        ]
        return tidy_frame(rows)


def omega(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    missing: MissingPolicy = "fail",
) -> OmegaResult:
    """McDonald's omega total of a one-factor scale (see the module docstring).

    Returns
    -------
    OmegaResult
        ``omega_model`` (report this), ``omega_std``, ``omega_obs``, ``omega_psych``
        (``psych::omega(nfactors = 1)``: :math:`1 - \\sum u^2/\\mathbf 1'R\\mathbf 1` from a minres
        factor of R), the loadings and the CFA's chi-square.

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 1))
    >>> df = pd.DataFrame(f @ [[.8, .7, .6, .5]] + rng.normal(scale=.6, size=(500, 4)),
    ...                   columns=list("abcd"))
    >>> res = omega(df, list("abcd"))
    >>> 0.7 < res.omega_model < 0.95
    True
    >>> # In R: lavaan::cfa("f =~ a + b + c + d", data = df, std.lv = TRUE), then the formula
    """
    items = list(items)
    if len(items) < 3:
        raise DataError(
            f"omega needs at least 3 items; got {len(items)}",
            rule="measure.too-few-items",
            hint="For two items use the Spearman-Brown coefficient.",
        )
    data = item_matrix(frame, items, missing=missing, min_items=3)
    df = pd.DataFrame(data.x, columns=items)
    res = cfa(df, "f =~ " + " + ".join(items), std_lv=True)
    p = res.params
    lam = p[p["op"] == "=~"].set_index("rhs").loc[items]
    th = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"]) & p["lhs"].isin(items)].set_index("lhs")
    th = th.loc[items]
    s_l = float(lam["est"].sum())
    om_model = s_l**2 / (s_l**2 + float(th["est"].sum()))
    s_std = float(lam["std_all"].sum())
    om_std = s_std**2 / (s_std**2 + float(th["std_all"].sum()))
    x = data.x - data.x.mean(axis=0)
    S = x.T @ x / x.shape[0]
    om_obs = s_l**2 / float(S.sum())
    one = efa(df, items, n_factors=1, method="minres", rotation="none")
    d = np.sqrt(np.diag(S))
    R = S / np.outer(d, d)
    om_psych = 1 - float(one.uniqueness.sum()) / float(R.sum())
    loadings = pd.DataFrame(
        {
            "lambda": lam["est"].to_numpy(),
            "lambda_std": lam["std_all"].to_numpy(),
            "theta": th["est"].to_numpy(),
            "theta_std": th["std_all"].to_numpy(),
        },
        index=pd.Index(items, name="item"),
    )
    meta = Meta(
        method="McDonald's omega (one-factor ML CFA, std.lv)",
        policies={"missing": missing},
        call={"items": items},
        n_used=x.shape[0],
        n_dropped=data.n_dropped,
    )
    return OmegaResult(
        om_model,
        om_std,
        om_obs,
        om_psych,
        loadings,
        {"chisq": res.fit["chisq"], "df": res.fit["df"]},
        x.shape[0],
        meta,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class SchmidLeimanResult(ResultMixin):
    """Omega hierarchical and total, and the Schmid-Leiman loadings."""

    stats: dict[str, float]
    loadings: pd.DataFrame  # g, F1*..Fk*, h2, u2, p2
    groups: pd.DataFrame  # omega_group: total, general, group by g and F1*..
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Scale-level statistics."""
        return tidy_frame([{"variable": k, "estimate": v} for k, v in self.stats.items()])


def omega_hierarchical(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    n_factors: int = 3,
    missing: MissingPolicy = "fail",
) -> SchmidLeimanResult:
    """Omega hierarchical by the Schmid-Leiman transformation (``psych::omega``).

    An oblimin-rotated minres EFA with ``n_factors`` group factors; a one-factor minres
    analysis of their correlations gives the general-factor loadings :math:`\\gamma`; then
    :math:`g = L\\gamma`, group loadings :math:`L_{ik}\\sqrt{1 - \\gamma_k^2}` and, with
    :math:`V_t = \\mathbf 1'R\\mathbf 1`,

    .. math:: \\omega_h = \\frac{(\\sum_i g_i)^2}{V_t}, \\qquad
        \\omega_t = \\frac{V_t - \\sum_i u_i^2}{V_t}

    References
    ----------
    Zinbarg, R. E., Revelle, W., Yovel, I. & Li, W. (2005). Cronbach's alpha, Revelle's beta,
    and McDonald's omega_h. *Psychometrika* 70(1), 123-133.

    Examples
    --------
    >>> # In R: psych::omega(x, nfactors = 3, fm = "minres", rotate = "oblimin")
    """
    if n_factors < 3:
        raise DataError(
            "omega hierarchical needs at least 3 group factors",
            rule="measure.too-few-factors",
            hint="With fewer factors the general factor is not identified.",
        )
    data = item_matrix(frame, items, missing=missing, min_items=3 * n_factors)
    names = list(data.names)
    x = data.x - data.x.mean(axis=0)
    C = x.T @ x
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    ef = efa(
        pd.DataFrame(data.x, columns=names),
        names,
        n_factors=n_factors,
        method="minres",
        rotation="oblimin",
    )
    fl, phi = ef.loadings.to_numpy(), ef.phi.to_numpy()
    gam = _one_factor(phi)
    g = fl @ gam
    grp = fl * np.sqrt(1 - gam**2)[None, :]
    if g.sum() < 0:
        g = -g
    h2 = ef.communality.to_numpy()
    u2 = 1 - h2
    Vt = float(R.sum())
    om_h = float(g.sum() ** 2 / Vt)
    om_t = float((Vt - u2.sum()) / Vt)
    stats = {
        "omega_h": om_h,
        "omega_lim": float(g.sum() ** 2 / (Vt - u2.sum())),
        "alpha": alpha_from_cov(R)["raw_alpha"],
        "omega_tot": om_t,
        "G6": float((Vt + smc(R).sum() - len(names)) / Vt),
        "ECV": float((g**2).sum() / h2.sum()),
    }
    cols = [f"F{k + 1}*" for k in range(n_factors)]
    sl = pd.DataFrame(grp, index=names, columns=cols)
    sl.insert(0, "g", g)
    sl["h2"], sl["u2"], sl["p2"] = h2, u2, g**2 / h2
    assign = np.abs(grp).argmax(axis=1)
    rows = {
        "g": {
            "total": om_t,
            "general": om_h,
            "group": float(sum(grp[assign == k, k].sum() ** 2 for k in range(n_factors)) / Vt),
        }
    }
    for k, c in enumerate(cols):
        idx = np.flatnonzero(assign == k)
        vk = float(R[np.ix_(idx, idx)].sum())
        general, group = float(g[idx].sum() ** 2 / vk), float(grp[idx, k].sum() ** 2 / vk)
        rows[c] = {"total": general + group, "general": general, "group": group}
    meta = Meta(
        method="omega hierarchical (Schmid-Leiman; psych::omega conventions)",
        call={"items": names, "n_factors": n_factors},
        n_used=x.shape[0],
    )
    return SchmidLeimanResult(stats, sl, pd.DataFrame.from_dict(rows, orient="index"), meta)


def _one_factor(phi: np.ndarray) -> np.ndarray:
    """Minres loadings of one factor on a correlation matrix (positive sum)."""
    from scipy import optimize

    k = phi.shape[0]
    start = 1 - smc(phi)
    res = optimize.minimize(
        _minres_obj,
        start,
        args=(phi, 1),
        method="L-BFGS-B",
        bounds=[(0.005, 1.0)] * k,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000},
    )
    lam = _loadings(res.x, phi, 1, "minres")[:, 0]
    return lam if lam.sum() >= 0 else -lam
