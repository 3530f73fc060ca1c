"""Internal-consistency reliability: Cronbach's alpha with psych's item statistics,
Guttman's lambda 6, Spearman-Brown for two-item scales and McDonald's omega from loadings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core.errors import DataError
from .._core.policies import MissingPolicy
from .._core.results import Meta, ResultMixin, tidy_frame
from ._data import item_matrix, weighted_cov

__all__ = [
    "AlphaResult",
    "alpha_from_cov",
    "cronbach_alpha",
    "omega_from_loadings",
    "smc",
    "spearman_brown",
    "two_item_reliability",
]


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations :math:`1 - 1/\\mathrm{diag}(R^{-1})` (psych ``smc``).

    >>> smc(np.array([[1.0, 0.5], [0.5, 1.0]])).round(4).tolist()
    [0.25, 0.25]
    """
    return 1.0 - 1.0 / np.diag(np.linalg.inv(R))


def _cor(C: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d)


def alpha_from_cov(C: np.ndarray, n_obs: int | None = None) -> dict[str, float]:
    """psych's ``alpha.1``: every scale-level statistic from a covariance matrix.

    Returns ``raw_alpha``, ``std_alpha``, ``G6_smc``, ``average_r``, ``S_N``, ``median_r``,
    ``var_r`` and, when ``n_obs`` is given, ``ase`` (Duhachek & Iacobucci's standard error).

    Examples
    --------
    >>> X = np.array([[4,5,4,3],[3,4,3,3],[5,5,4,4],[2,3,2,1],[4,4,5,4],[3,2,3,2]], float)
    >>> round(alpha_from_cov(np.cov(X, rowvar=False))["raw_alpha"], 4)   # METHODS 2.4
    0.929
    """
    p = C.shape[0]
    R = _cor(C)
    total, tr = C.sum(), np.trace(C)
    sum_r = R.sum()
    off = R[np.tril_indices(p, -1)]
    av_r = (sum_r - p) / (p * (p - 1))
    out = {
        "raw_alpha": (1.0 - tr / total) * p / (p - 1),
        "std_alpha": (1.0 - p / sum_r) * p / (p - 1),
        "G6_smc": 1.0 - (p - smc(R).sum()) / sum_r,
        "average_r": av_r,
        "S_N": p * av_r / (1.0 - av_r),
        "median_r": float(np.median(off)),
        "var_r": float(np.var(off, ddof=1)) if off.size > 1 else float("nan"),
    }
    if n_obs is not None:
        CC = C @ C
        Q = (2 * p**2 / ((p - 1) ** 2 * total**3)) * (
            total * (np.trace(CC) + tr**2) - 2 * tr * CC.sum()
        )
        out["ase"] = float(np.sqrt(Q / n_obs))
    return {k: float(v) for k, v in out.items()}


@dataclasses.dataclass(frozen=True, slots=True)
class AlphaResult(ResultMixin):
    """Cronbach's alpha and item statistics, as ``psych::alpha`` reports them.

    Attributes
    ----------
    total : Mapping[str, float]
        ``raw_alpha, std_alpha, G6_smc, average_r, S_N, ase, mean, sd, median_r, var_r``; ``mean``
        and ``sd`` are those of the item-average score.
    items : DataFrame
        Per item: ``raw_r, std_r, r_cor, r_drop, mean, sd``.
    drop : DataFrame
        Per item, the scale statistics with that item dropped (empty for two items).
    """

    total: dict[str, float]
    items: pd.DataFrame
    drop: pd.DataFrame
    n: int
    meta: Meta

    @property
    def raw_alpha(self) -> float:
        """Cronbach's alpha on the covariance matrix."""
        return self.total["raw_alpha"]

    @property
    def std_alpha(self) -> float:
        """Standardised alpha (on the correlation matrix)."""
        return self.total["std_alpha"]

    def to_frame(self) -> pd.DataFrame:
        """One row per statistic: the scale (``variable = "total"``), items, item-dropped."""
        rows: list[dict[str, object]] = []
        for k, v in self.total.items():
            se = self.total.get("ase") if k == "raw_alpha" else None
            rows.append({"variable": "total", "estimate": v, "se": se, "n": self.n, "stat": k})
        for prefix, table in (("item", self.items), ("drop", self.drop)):
            for item, rec in table.iterrows():
                for col, v in rec.items():
                    rows.append(
                        {
                            "variable": str(item),
                            "estimate": v,
                            "n": self.n,
                            "stat": f"{prefix}_{col}",
                        }
                    )
        return tidy_frame(rows, extra=("stat",))


def cronbach_alpha(
    frame: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    sample_weight: object = None,
    missing: MissingPolicy = "fail",
) -> AlphaResult:
    """Cronbach's alpha, standardised alpha, Guttman's lambda 6 and psych's item statistics.

    Parameters
    ----------
    frame : DataFrame
        Data; items must already be keyed (see :func:`~qonys.measure.reverse_items`).
    items : sequence of str, optional
        Item columns (default: all columns).
    sample_weight : str or array-like, optional
        Sampling weights (column name or values): the covariance matrix is weighted. Point
        estimates only; design-based standard errors come from the survey layer.
    missing : {"fail", "drop"}
        ``available`` is treated as ``drop`` (complete cases).

    Returns
    -------
    AlphaResult

    Notes
    -----
    .. math::
        \\alpha = \\frac{p}{p-1}
        \\Big(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C \\mathbf 1}\\Big),
        \\qquad
        \\alpha_{std} = \\frac{p \\bar r}{1 + (p-1) \\bar r},
        \\qquad
        \\lambda_6 = 1 - \\frac{p - \\sum_i smc_i}{\\mathbf 1' R \\mathbf 1}

    ``r_drop`` is the correlation of an item with the sum of the other items; ``r_cor`` corrects
    the item-total correlation for overlap with SMCs in the diagonal; ``ase`` follows Duhachek &
    Iacobucci (2004).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16(3), 297-334. Revelle, W. psych: ``alpha``.

    Examples
    --------
    >>> X = pd.DataFrame([[4,5,4,3],[3,4,3,3],[5,5,4,4],[2,3,2,1],[4,4,5,4],[3,2,3,2]])
    >>> res = cronbach_alpha(X)
    >>> round(res.raw_alpha, 4), round(res.std_alpha, 4)      # METHODS 2.4 fixture
    (0.929, 0.9308)
    >>> # In R: psych::alpha(X, check.keys = FALSE)
    """
    data = item_matrix(frame, items, missing=missing, sample_weight=sample_weight)
    x, names, w = data.x, data.names, data.weights
    n, p = x.shape
    means, C = weighted_cov(x, w)
    R = _cor(C)
    total = alpha_from_cov(C, n_obs=n)
    avg = x.mean(axis=1)
    wn = np.full(n, 1.0 / n) if w is None else w / w.sum()
    t_mean = float(wn @ avg)
    t_sd = float(np.sqrt((wn @ (avg - t_mean) ** 2) * n / (n - 1)))
    total.update({"mean": t_mean, "sd": t_sd})
    sd = np.sqrt(np.diag(C))
    # raw item-total correlations from the covariance matrix (identical to cor(total, x))
    raw_r = C.sum(axis=0) / (sd * np.sqrt(C.sum()))
    std_r = R.sum(axis=0) / np.sqrt(R.sum())
    RC = R.copy()
    np.fill_diagonal(RC, smc(R))
    r_cor = RC.sum(axis=0) / np.sqrt(RC.sum())
    r_drop = np.empty(p)
    for i in range(p):
        keep = np.arange(p) != i
        v_drop = C[np.ix_(keep, keep)].sum()
        c_drop = C[:, i].sum() - C[i, i]
        r_drop[i] = c_drop / np.sqrt(C[i, i] * v_drop)
    item_stats = pd.DataFrame(
        {"raw_r": raw_r, "std_r": std_r, "r_cor": r_cor, "r_drop": r_drop, "mean": means, "sd": sd},
        index=pd.Index(names, name="item"),
    )
    drops: dict[str, dict[str, float]] = {}
    if p > 2:
        for i, name in enumerate(names):
            keep = np.arange(p) != i
            d = alpha_from_cov(C[np.ix_(keep, keep)], n_obs=n)
            d["alpha_se"] = d.pop("ase")
            drops[name] = d
    drop = pd.DataFrame.from_dict(drops, orient="index")
    drop.index.name = "item"
    meta = Meta(
        method="Cronbach's alpha (psych::alpha conventions)",
        policies={"missing": missing},
        call={"items": list(names), "weighted": w is not None},
        n_used=n,
        n_dropped=data.n_dropped,
    )
    return AlphaResult(total=total, items=item_stats, drop=drop, n=n, meta=meta)


def spearman_brown(r: float, factor: float = 2.0) -> float:
    """Spearman-Brown prophecy: reliability of a test ``factor`` times as long.

    .. math:: \\rho^* = \\frac{m r}{1 + (m - 1) r}

    With ``factor = 2`` and ``r`` the correlation of two items this is the reliability of a
    two-item scale recommended over alpha (Eisinga, te Grotenhuis & Pelzer 2013).

    Examples
    --------
    >>> round(spearman_brown(0.644299943092575), 12)   # sat_act SATV/SATQ, refs/measure
    0.783676902501
    >>> # In R: 2 * r / (1 + r)
    """
    if not -1.0 <= r <= 1.0:
        raise DataError(
            f"a correlation must lie in [-1, 1]; got {r}", rule="measure.correlation-range"
        )
    return factor * r / (1.0 + (factor - 1.0) * r)


def two_item_reliability(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    sample_weight: object = None,
    missing: MissingPolicy = "fail",
) -> dict[str, float]:
    """Reliability of a two-item scale: ``r``, Spearman-Brown and Flanagan-Rulon.

    Flanagan-Rulon :math:`2(1 - (v_1 + v_2)/v_X)` equals raw alpha for two items.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    >>> {k: round(v, 4) for k, v in two_item_reliability(df, ["a", "b"]).items()}
    {'pearson_r': 0.8, 'spearman_brown': 0.8889, 'flanagan_rulon': 0.8889}
    """
    data = item_matrix(frame, items, missing=missing, sample_weight=sample_weight)
    if data.x.shape[1] != 2:
        raise DataError(f"two items are needed; got {data.x.shape[1]}", rule="measure.two-items")
    _, C = weighted_cov(data.x, data.weights)
    r = float(C[0, 1] / np.sqrt(C[0, 0] * C[1, 1]))
    fr = 2.0 * (1.0 - (C[0, 0] + C[1, 1]) / C.sum())
    return {"pearson_r": r, "spearman_brown": spearman_brown(r), "flanagan_rulon": float(fr)}


def omega_from_loadings(
    loadings: Sequence[float] | np.ndarray,
    residual_variances: Sequence[float] | np.ndarray | None = None,
) -> float:
    """McDonald's omega (total) for one factor from loadings and residual variances.

    .. math::
        \\omega = \\frac{(\\sum_i \\lambda_i)^2}{(\\sum_i \\lambda_i)^2 + \\sum_i \\theta_{ii}}

    With standardised loadings and no residual variances given, :math:`\\theta_{ii} = 1 -
    \\lambda_i^2`.

    Examples
    --------
    >>> round(omega_from_loadings([.7, .8, .6, .5]), 4)    # METHODS 2.4 fixture
    0.7494
    """
    lam = np.asarray(loadings, dtype=float)
    theta = 1.0 - lam**2 if residual_variances is None else np.asarray(residual_variances, float)
    if (theta < 0).any():
        raise DataError(
            "a residual variance is negative (Heywood case)",
            rule="measure.heywood",
            hint="Check the loadings; a standardised loading above 1 is not admissible.",
        )
    s = lam.sum() ** 2
    return float(s / (s + theta.sum()))
