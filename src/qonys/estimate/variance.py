"""Variance engines: Taylor linearisation for multistage designs, and replicate weights.

Both work on a small table, never on the microdata: the influence values of every estimate are
first summed per finest sampling unit (one grouped reduction), then

* :func:`taylor_cov` applies the multistage with-/without-replacement formula stage by stage;
* :func:`replicate_cov` combines replicate estimates.

:func:`vcov_total` is the public primitive other modules (models) build on.

Taylor linearisation, stage :math:`k`, stratum :math:`s` with :math:`n_s` sampled clusters out
of :math:`N_s`, cluster totals :math:`z_c` of the influence values:

.. math::

    \\hat V_k = \\sum_s \\pi_s \\,(1 - n_s/N_s)\\, \\frac{n_s}{n_s - 1}
        \\sum_{c \\in s} (z_c - \\bar z_s)(z_c - \\bar z_s)^\\top

where :math:`\\pi_s` is the product of the sampling fractions :math:`n/N` of the clusters that
contain stratum :math:`s` at earlier stages (1 at the first stage) and the fpc factor is 1
without an fpc (sampling with replacement). :math:`\\bar z_s` averages over all :math:`n_s`
clusters of the whole sample, those without a member of the domain counting as zero, so domain
variances keep every PSU. This is the recursion of R's ``svyrecvar`` (Lumley 2010, §3.3;
Särndal, Swensson and Wretman 1992, §4.3) written as sums.

Replicate variance:

.. math::

    \\hat V = c \\sum_r c_r (\\hat\\theta_r - \\bar\\theta)(\\hat\\theta_r - \\bar\\theta)^\\top
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._core import DesignError, Where
from ..design.data import SurveyData
from ..design.replicates import ReplicateWeights
from ..design.structure import SELF_REPRESENTING, DesignStructure
from ._calib import residualize

__all__ = ["replicate_cov", "taylor_cov", "unit_sums", "unit_totals", "vcov_total"]

_DENSE_LIMIT = 30_000_000


def unit_sums(codes: np.ndarray, n_units: int, values: np.ndarray | sp.spmatrix) -> sp.csr_matrix:
    """Sum rows of ``values`` (n x k) by unit code: the grouped reduction, as a sparse matrix."""
    n = codes.shape[0]
    agg = sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_units, n))
    out = agg @ values
    return sp.csr_matrix(out)


def unit_totals(codes: np.ndarray, n_units: int, values: np.ndarray) -> np.ndarray:
    """Dense unit totals of the rows of ``values`` (n x k): :func:`unit_sums` as an array.

    Rows in unit order (the usual layout) are summed over runs, a cache-sized block of rows at a
    time, in row order within a unit; otherwise one sparse product.
    """
    vals = np.asarray(values, dtype=float)
    n = codes.shape[0]
    step = np.diff(codes)
    if n == 0 or (step < 0).any():
        return _as_dense(unit_sums(codes, n_units, vals))
    starts = np.flatnonzero(np.concatenate(([True], step != 0)))
    out = np.zeros((n_units, vals.shape[1]))
    edges = np.unique(
        np.concatenate((starts[np.searchsorted(starts, np.arange(0, n, 65_536))], [n]))
    )
    at = np.searchsorted(starts, edges)
    for k in range(edges.size - 1):
        a, b, s0, s1 = int(edges[k]), int(edges[k + 1]), int(at[k]), int(at[k + 1])
        out[codes[starts[s0:s1]]] = np.add.reduceat(vals[a:b], starts[s0:s1] - a, axis=0)
    return out


def _as_dense(m: np.ndarray | sp.spmatrix) -> np.ndarray:
    if sp.issparse(m):
        return np.asarray(m.toarray(), dtype=float)  # type: ignore[union-attr]
    return np.asarray(m, dtype=float)


def _stratum_scales(
    structure: DesignStructure, k: int, mult: np.ndarray, policy: str
) -> tuple[np.ndarray, np.ndarray]:
    """Scale per stratum for the centred sum of squares, and for lonely units under 'adjust'."""
    stg = structure.stages[k]
    f = stg.fpc_factor()
    n_s = stg.n_units
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(n_s > 1, f * n_s / (n_s - 1), f) * mult
    selfrep = f < SELF_REPRESENTING
    lonely = (n_s == 1) & ~selfrep
    scale = np.where(selfrep, 0.0, base)
    adjust = np.zeros_like(scale)
    if lonely.any():
        if policy == "fail":
            s = int(np.flatnonzero(lonely)[0])
            raise DesignError(
                f"stratum {stg.labels[s]!r} has only one sampling unit at stage {k + 1}",
                rule="design.lonely-psu",
                hint="Choose lonely_psu='adjust', 'average', 'remove' or 'certainty' knowingly.",
            )
        if policy == "adjust":
            adjust = np.where(lonely, f * mult, 0.0)
        if policy == "average":
            parent = stg.stratum_parent
            n_par = int(parent.max(initial=0)) + 1
            n_all = np.bincount(parent, minlength=n_par).astype(float)
            n_ok = np.bincount(parent, weights=(~lonely).astype(float), minlength=n_par)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = n_all / n_ok
            scale = scale * factor[parent]
        scale = np.where(lonely, 0.0, scale)
    return scale, adjust


def taylor_cov(
    structure: DesignStructure,
    z_units: np.ndarray | sp.spmatrix,
    *,
    lonely_psu: str = "fail",
    full: bool = False,
) -> np.ndarray:
    """Design covariance (``full``) or variances of the totals of influence values.

    Parameters
    ----------
    structure : DesignStructure
        The resolved design.
    z_units : array or sparse matrix, shape (U, k)
        Influence values summed per finest sampling unit (zero for units outside a domain).
    lonely_psu : str
        Policy for strata with one unit (see :class:`~qonys.design.SurveyDesign`).
    full : bool
        Return the k x k covariance matrix instead of the k variances.
    """
    k_cols = z_units.shape[1]
    out = np.zeros((k_cols, k_cols)) if full else np.zeros(k_cols)
    u = structure.stages[0].cluster.shape[0]
    cluster_mult: np.ndarray | None = None
    for k, stg in enumerate(structure.stages):
        c_n, s_n = stg.n_clusters, stg.n_strata
        mult = np.ones(s_n) if cluster_mult is None else cluster_mult[stg.stratum_parent]
        scale, adjust = _stratum_scales(structure, k, mult, lonely_psu)
        agg = sp.csr_matrix((np.ones(u), (stg.cluster, np.arange(u))), shape=(c_n, u))
        zc = agg @ z_units
        cs = stg.cluster_stratum
        to_strat = sp.csr_matrix((np.ones(c_n), (cs, np.arange(c_n))), shape=(s_n, c_n))
        s1 = _as_dense(to_strat @ zc)
        zbar = s1 / stg.n_units[:, None]
        sc = scale[cs]
        if c_n * k_cols <= _DENSE_LIMIT:
            dev = _as_dense(zc) - zbar[cs]
            if full:
                out += (dev * sc[:, None]).T @ dev
            else:
                out += (sc[:, None] * dev**2).sum(axis=0)
        else:  # large and sparse: sum of squares minus n * mean^2, per stratum
            zcs = sp.csr_matrix(zc)
            wz = sp.diags(sc) @ zcs
            sw = scale / stg.n_units
            if full:
                out += _as_dense(zcs.T @ wz) - (s1 * sw[:, None]).T @ s1
            else:
                out += np.asarray(wz.multiply(zcs).sum(axis=0)).ravel() - (sw[:, None] * s1**2).sum(
                    axis=0
                )
        if adjust.any():
            # a lonely unit's total is centred at zero, R's survey.lonely.psu = "adjust" (for
            # means, proportions and ratios zero is the mean of the influence totals)
            lone = np.flatnonzero(adjust[cs] > 0)
            dl = _as_dense(zc[lone])
            al = adjust[cs[lone]]
            out += (dl * al[:, None]).T @ dl if full else (al[:, None] * dl**2).sum(axis=0)
        cluster_mult = mult[cs] * stg.fraction()[cs]
    return out


def replicate_cov(
    reps: ReplicateWeights,
    theta_r: np.ndarray,
    theta: np.ndarray,
    *,
    full: bool = False,
) -> np.ndarray:
    """Replicate covariance (``full``) or variances from replicate estimates (R x k).

    Replicates whose estimate is undefined (a domain empty in that replicate) are left out of
    that estimate's variance, as R does.
    """
    rs = reps.rscales
    use = rs > 0
    if full:
        ok = np.isfinite(theta_r).all(axis=1)
        tr = theta_r[ok]
        r_ok = rs[ok]
        center = theta if reps.mse else tr[use[ok]].mean(axis=0)
        d = tr - center
        return reps.scale * (d * r_ok[:, None]).T @ d
    fin = np.isfinite(theta_r)
    with np.errstate(invalid="ignore"):
        keep = fin & use[:, None]
        center = (
            theta
            if reps.mse
            else np.where(keep, theta_r, 0).sum(axis=0) / np.maximum(keep.sum(axis=0), 1)
        )
        d = np.where(fin, theta_r - center, 0.0)
    return reps.scale * (rs[:, None] * d**2).sum(axis=0)


def vcov_total(
    data: SurveyData,
    values: np.ndarray,
    *,
    domain: np.ndarray | None = None,
) -> np.ndarray:
    """Design-based covariance of weighted totals of linearised values (the variance primitive).

    Parameters
    ----------
    data : SurveyData
        Survey data and design (Taylor or replicate; calibration steps are honoured).
    values : array, shape (n, p)
        Linearised (influence) values :math:`z_i` of each row, *not* multiplied by the weight.
    domain : array of bool, shape (n,), optional
        Rows of the domain; others contribute zero but keep their PSU in the design.

    Returns
    -------
    ndarray, shape (p, p)
        :math:`\\widehat{\\mathrm{Cov}}\\bigl(\\sum_i w_i d_i z_i\\bigr)`: Taylor (one reduction of
        :math:`w_i z_i` per finest sampling unit, then :func:`taylor_cov`) or replicate
        (:math:`\\sum_i w_i F_{u(i) r} z_i` per replicate, then :func:`replicate_cov`).

    Notes
    -----
    A survey GLM's sandwich variance is :math:`A^{-1} \\hat V A^{-1}` with
    :math:`\\hat V` = ``vcov_total(data, scores, domain=...)`` for the score contributions
    :math:`x_i (y_i - \\mu_i) / (V(\\mu_i) g'(\\mu_i))`. For replicate designs this is the
    linearised replicate variance (no refit per replicate).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"st": [1, 1, 2, 2], "y": [1.0, 3, 2, 6]})
    >>> sd = SurveyData(df, SurveyDesign(strata="st"))
    >>> # n_h/(n_h - 1) * sum of squared deviations: 2 * (1 + 1) + 2 * (4 + 4)
    >>> float(vcov_total(sd, df[["y"]].to_numpy())[0, 0])
    20.0
    """
    prep = data.prepared
    vals = np.asarray(values, dtype=float)
    if vals.ndim == 1:
        vals = vals[:, None]
    if vals.shape[0] != data.n:
        raise DesignError(
            f"values have {vals.shape[0]} rows for {data.n} rows of data",
            where=Where(key="values"),
            rule="design.values-length",
        )
    mask = prep.in_domain if domain is None else prep.in_domain & np.asarray(domain, dtype=bool)
    if mask.all():
        u = vals * prep.weights[:, None]
    else:
        u = np.where(mask[:, None], vals * prep.weights[:, None], 0.0)

    def check(totals: np.ndarray | None) -> None:
        # a missing or infinite row makes its unit's total non-finite: rows are looked at
        # only then
        if (totals is None or not np.isfinite(totals).all()) and not np.isfinite(u).all():
            raise DesignError(
                "linearised values have missing or infinite entries in the domain",
                where=Where(key="values"),
                rule="design.values-missing",
            )

    if prep.replicates is not None:
        reps = prep.replicates
        uu = unit_totals(reps.index, reps.factors.shape[0], u)
        check(uu)
        tr = reps.factors.T @ uu
        return replicate_cov(reps, tr, uu.sum(axis=0), full=True)
    if prep.structure is None:  # pragma: no cover - SurveyData always sets one of the two
        raise DesignError("design has neither structure nor replicates", rule="design.internal")
    if data.calibrations:
        check(None)
        u = residualize(u, data.calibrations)
    zu = unit_totals(prep.unit, len(prep.structure.psu), u)
    check(zu)
    return taylor_cov(prep.structure, zu, lonely_psu=data.design.lonely_psu, full=True)
