"""The engine of ratio-type estimators (means, totals, proportions, ratios), internal.

Every such estimate is :math:`\\hat\\theta_{dj} = \\hat Y_{dj} / \\hat X_{dj}` (:math:`\\hat X = 1`
for totals) with weighted sums over the rows of domain :math:`d`. One grouped reduction gives,
per sampling unit, the sums :math:`\\sum w y` and :math:`\\sum w x` of every variable in every
domain at once (a sparse unit x (variable, domain) table); the linearised values
:math:`(Y_u - \\hat\\theta X_u)/\\hat X` or the replicate estimates are then small algebra on
that table. No Python loop runs over domains.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from .._core import DesignError, Where
from ..design.data import SurveyData
from ._calib import algebraic, calibrated_unit_totals, residualize
from ._prep import Domains, Terms
from .variance import _as_dense, replicate_cov, taylor_cov, unit_sums

_DENSE_CELLS = 20_000_000
"""Up to this many (unit, variable x domain) cells the reduction is dense (bincount)."""

__all__ = ["LinearFit", "domain_df", "fit_linear", "influence_variance", "level_matrices"]


@dataclasses.dataclass(frozen=True, eq=False)
class LinearFit:
    """Estimates in column order ``j * D + d`` (variable-major)."""

    theta: np.ndarray
    var: np.ndarray  # (K,) variances, or the (K, K) covariance when full
    cov: np.ndarray | None
    n: np.ndarray
    sum_w: np.ndarray
    deff: np.ndarray
    df: np.ndarray  # per domain
    notes: tuple[str, ...]
    replicates: np.ndarray | None = None  # (R, K) replicate estimates of replicate designs


def domain_df(sd: SurveyData, domains: Domains) -> np.ndarray:
    """Degrees of freedom per domain.

    Taylor: PSUs minus strata among the domain's rows (R's ``degf`` of a subset); the whole
    design's PSUs minus strata when there is a single domain and no subset. Replicates: rank of
    the replicate factors of the units present, minus one.
    """
    prep = sd.prepared
    d_n = domains.n
    whole = d_n == 1 and sd.where is None and domains.by == []
    out = np.zeros(d_n)
    if prep.replicates is not None:
        reps = prep.replicates
        if whole:
            return np.full(d_n, float(reps.degf()))
        for d in range(d_n):
            units = np.unique(reps.index[domains.code == d])
            out[d] = reps.degf(units)
        return out
    st = prep.structure
    if st is None:  # pragma: no cover - invariant
        raise DesignError("design has no structure", rule="design.internal")
    if whole:
        return np.full(d_n, float(st.degf))
    rows = domains.code >= 0
    if d_n * prep.n_units <= 50_000_000:
        # (domain, PSU) pairs present, marked in a small table instead of sorting the rows
        unit_dom = np.zeros((d_n, prep.n_units), dtype=bool)
        unit_dom[domains.code[rows], prep.unit[rows]] = True
        dom_u, unit_u = np.nonzero(unit_dom)
        present = np.zeros((d_n, st.n_psu), dtype=bool)
        present[dom_u, st.psu[unit_u]] = True
        dom_of, psu_of = np.nonzero(present)
    else:
        key = domains.code[rows].astype(np.int64) * (st.n_psu + 1) + st.psu[prep.unit[rows]]
        uniq = np.unique(key)
        dom_of, psu_of = uniq // (st.n_psu + 1), uniq % (st.n_psu + 1)
    n_psu = np.bincount(dom_of, minlength=d_n)
    strata = np.zeros((d_n, st.n_strata), dtype=bool)
    strata[dom_of, st.psu_stratum[psu_of]] = True
    n_str = strata.sum(axis=1)
    return (n_psu - n_str).astype(float)


def _level(sd: SurveyData, unit_level: bool = False) -> tuple[np.ndarray, int, bool]:
    """Codes at which rows are first summed: replicate unit, design unit, or row (calibrated,
    unless ``unit_level``)."""
    prep = sd.prepared
    if prep.replicates is not None:
        return prep.replicates.index, prep.replicates.factors.shape[0], False
    if sd.calibrations and not unit_level:
        return np.arange(sd.n, dtype=np.int64), sd.n, True
    return prep.unit, prep.n_units, False


def level_matrices(
    sd: SurveyData,
    terms: Terms,
    domains: Domains,
    *,
    denominator: Terms | None = None,
    unit_level: bool = False,
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray, bool]:
    """The grouped reduction: weighted sums per (unit, variable x domain).

    Returns ``(Y, X, count, rows, row_level)``: sparse unit x (p*D) matrices of
    :math:`\\sum w y` and :math:`\\sum w x` (``x`` = 1, or the denominator), the number of
    rows behind each column, the rows used, and whether units are rows (calibrated designs,
    unless ``unit_level``).
    """
    return _level_sums(sd, terms, domains, denominator=denominator, unit_level=unit_level)[:5]


def _sorted_starts(codes: np.ndarray) -> np.ndarray | None:
    """Where the runs of equal codes start, if the codes never decrease (else ``None``)."""
    if codes.size == 0:
        return None
    step = np.diff(codes)
    if (step < 0).any():
        return None
    return np.flatnonzero(np.concatenate(([True], step != 0)))


def _level_sums(
    sd: SurveyData,
    terms: Terms,
    domains: Domains,
    *,
    denominator: Terms | None = None,
    unit_level: bool = False,
    squares: bool = False,
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray, bool, np.ndarray | None]:
    """:func:`level_matrices`, and with ``squares`` (complete data without a denominator) the
    weighted sums of squares :math:`\\sum_{i \\in d} w_i y_{ij}^2` per column ``j * D + d``,
    from the products :math:`w_i y_{ij}` the reduction forms anyway (else ``None``)."""
    prep = sd.prepared
    p, d_n = terms.p, domains.n
    k_n = p * d_n
    w = prep.weights
    rows = np.flatnonzero(prep.in_domain & (domains.code >= 0))
    level, n_level, row_level = _level(sd, unit_level)
    if rows.size == w.size:  # every row: no gathers
        lv, dm, wr = level, domains.code, w
    else:
        lv, dm, wr = level[rows], domains.code[rows], w[rows]
    if row_level:
        return (*_row_matrices(terms, denominator, rows, dm, wr, n_level, d_n), None)
    dense = n_level * k_n <= _DENSE_CELLS
    if dense:
        y_d = np.zeros((n_level, k_n))
        x_d = np.zeros((n_level, k_n))
        count = np.zeros(k_n)
    r_idx, c_idx, yv, xv = [], [], [], []
    all_rows = rows.size == w.size
    x0: np.ndarray | None = None
    c0: np.ndarray | None = None
    small = lv * d_n + dm  # (unit, domain) cell of every row, the same for every variable
    n_small = n_level * d_n
    if dense and all_rows and denominator is None and terms.available.all():
        starts = _sorted_starts(small)
        sq = np.zeros(k_n) if squares else None
        if starts is not None:
            # rows in (unit, domain) order, the usual layout: sums over runs of rows, in the
            # same order of addition as the sparse product below
            cells = small[starts]
            run_y, run_w, run_sq = _run_sums(terms.values, wr, starts, squares)
            sums = np.zeros((n_small, p))
            sums[cells] = run_y
            sw_flat = np.zeros(n_small)
            sw_flat[cells] = run_w
            if sq is not None and run_sq is not None:
                run_dom = cells % d_n
                for j in range(p):
                    sq[j * d_n : (j + 1) * d_n] = np.bincount(
                        run_dom, weights=run_sq[:, j], minlength=d_n
                    )
        else:
            # every variable's sums in one sparse product (unit, domain) x rows
            agg = sp.csr_matrix((wr, (small, np.arange(rows.size))), shape=(n_small, rows.size))
            sums = np.asarray(agg @ np.ascontiguousarray(terms.values))  # (n_small, p)
            sw_flat = np.bincount(small, weights=wr, minlength=n_small).astype(float)
            if sq is not None:
                for j in range(p):
                    col = terms.values[:, j]
                    sq[j * d_n : (j + 1) * d_n] = _square_sums(wr * col, col, dm, d_n)
        y_d = sums.reshape(n_level, d_n, p).transpose(0, 2, 1).reshape(n_level, k_n)
        x_d = np.tile(sw_flat.reshape(n_level, d_n), (1, p))
        count = np.tile(np.bincount(dm, minlength=d_n).astype(float), p)
        return sp.csr_matrix(y_d), sp.csr_matrix(x_d), count, rows, row_level, sq
    for j in range(p):
        a = terms.available[:, j] if all_rows else terms.available[rows, j]
        if denominator is not None:
            a = a & (denominator.available[:, j] if all_rows else denominator.available[rows, j])
        full = bool(a.all())
        if full and all_rows:  # no gathers: every row, contiguous columns
            y = wr * terms.values[:, j]
            x = wr * denominator.values[:, j] if denominator is not None else wr
            small_a, dm_a, lv_a = small, dm, lv
        else:
            y = wr[a] * terms.values[rows[a], j]
            x = wr[a] * denominator.values[rows[a], j] if denominator is not None else wr[a]
            small_a, dm_a, lv_a = small[a], dm[a], lv[a]
        if dense:
            # the grouped reduction: one bincount per variable over (unit, domain) cells,
            # written into that variable's block of columns
            block = slice(j * d_n, (j + 1) * d_n)
            y_d[:, block] += np.bincount(small_a, weights=y, minlength=n_small).reshape(
                n_level, d_n
            )
            simple = denominator is None and full and all_rows
            if not (simple and x0 is not None):  # else the same weights and rows as before
                xs = np.bincount(small_a, weights=x, minlength=n_small).reshape(n_level, d_n)
                cj = np.bincount(dm_a, minlength=d_n).astype(float)
                if simple:
                    x0, c0 = xs, cj
            else:
                xs, cj = x0, c0  # type: ignore[assignment]
            x_d[:, block] += xs
            count[block] += cj
        else:
            r_idx.append(lv_a)
            c_idx.append(j * d_n + dm_a)
            yv.append(y)
            xv.append(x)
    if dense:
        return sp.csr_matrix(y_d), sp.csr_matrix(x_d), count, rows, row_level, None
    ri, ci = np.concatenate(r_idx), np.concatenate(c_idx)
    y_l = sp.csr_matrix((np.concatenate(yv), (ri, ci)), shape=(n_level, k_n))
    x_l = sp.csr_matrix((np.concatenate(xv), (ri, ci)), shape=(n_level, k_n))
    count = np.bincount(ci, minlength=k_n).astype(float)
    return y_l, x_l, count, rows, row_level, None


_CHUNK = 32_768
"""Rows per block of the sorted reduction: a block's columns stay in cache between the
product with the weights, its run sums and its sums of squares."""


def _run_sums(
    values: np.ndarray, w: np.ndarray, starts: np.ndarray, squares: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sums of :math:`w y` (runs x p), of :math:`w` and optionally of :math:`w y^2` over runs
    of rows starting at ``starts``, one cache-sized block of whole runs at a time (the
    additions within a run in row order, as a sequential sum)."""
    n, p = values.shape
    edges = np.unique(
        np.concatenate((starts[np.searchsorted(starts, np.arange(0, n, _CHUNK))], [n]))
    )
    at = np.searchsorted(starts, edges)
    run_y = np.empty((starts.size, p))
    run_w = np.empty(starts.size)
    run_sq = np.empty((starts.size, p)) if squares else None
    for k in range(edges.size - 1):
        a, b, s0, s1 = int(edges[k]), int(edges[k + 1]), int(at[k]), int(at[k + 1])
        loc = starts[s0:s1] - a
        wb = w[a:b]
        run_w[s0:s1] = np.add.reduceat(wb, loc)
        for j in range(p):
            col = values[a:b, j]
            wy = wb * col
            run_y[s0:s1, j] = np.add.reduceat(wy, loc)
            if run_sq is not None:
                run_sq[s0:s1, j] = np.add.reduceat(wy * col, loc)
    return run_y, run_w, run_sq


def _square_sums(wy: np.ndarray, y: np.ndarray, dm: np.ndarray, d_n: int) -> np.ndarray:
    """:math:`\\sum_{i \\in d} w_i y_i^2` per domain from the products :math:`w_i y_i`."""
    if d_n == 1:
        return np.array([np.dot(wy, y)])
    return np.bincount(dm, weights=wy * y, minlength=d_n)


def _row_matrices(
    terms: Terms,
    denominator: Terms | None,
    rows: np.ndarray,
    dm: np.ndarray,
    wr: np.ndarray,
    n_level: int,
    d_n: int,
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray, bool]:
    """Row-level matrices (calibrated designs): each row has one entry per variable, in the
    column of its domain, so the CSR arrays are written directly (no aggregation)."""
    p = terms.p
    k_n = p * d_n
    avail = terms.available[rows]
    if denominator is not None:
        avail = avail & denominator.available[rows]
    cols = (np.arange(p) * d_n)[None, :] + dm[:, None]
    yv = np.where(avail, wr[:, None] * terms.values[rows], 0.0)
    if denominator is not None:
        xv = np.where(avail, wr[:, None] * denominator.values[rows], 0.0)
    else:
        xv = np.where(avail, wr[:, None], 0.0)
    indptr = np.zeros(n_level + 1, dtype=np.int64)
    indptr[rows + 1] = p
    indptr = np.cumsum(indptr)
    idx = cols.ravel()
    y_l = sp.csr_matrix((yv.ravel(), idx, indptr), shape=(n_level, k_n))
    x_l = sp.csr_matrix((xv.ravel(), idx, indptr), shape=(n_level, k_n))
    count = np.bincount(cols[avail], minlength=k_n).astype(float)
    return y_l, x_l, count, rows, True


def fit_linear(
    sd: SurveyData,
    terms: Terms,
    domains: Domains,
    *,
    kind: str,
    denominator: Terms | None = None,
    full: bool = False,
    deff: str | None = None,
) -> LinearFit:
    """Estimate ``kind`` ("mean", "total" or "ratio") for every term in every domain."""
    prep = sd.prepared
    p, d_n = terms.p, domains.n
    k_n = p * d_n
    # calibrated Taylor designs: unit totals of the residuals from small cross-products
    by_algebra = prep.replicates is None and algebraic(sd.calibrations)
    want_deff = deff is not None and kind != "ratio"
    y_l, x_l, count, rows, row_level, squares = _level_sums(
        sd,
        terms,
        domains,
        denominator=denominator if kind == "ratio" else None,
        unit_level=by_algebra,
        squares=want_deff,
    )
    if kind == "ratio" and denominator is None:
        raise DesignError("a ratio needs a denominator", rule="design.ratio-pairs")
    y_tot = np.asarray(y_l.sum(axis=0)).ravel()
    x_tot = np.asarray(x_l.sum(axis=0)).ravel()
    sum_w = x_tot
    if kind == "total":
        theta = y_tot
    else:
        empty = x_tot == 0
        if empty.any():
            k = int(np.flatnonzero(empty)[0])
            raise DesignError(
                f"no respondent with a value of {terms.variable[k // d_n]!r}"
                + (f" in domain {domains.labels[k % d_n]}" if domains.labels[k % d_n] else "")
                + ("" if kind == "mean" else " (or the denominator totals zero)"),
                where=Where(variable=terms.variable[k // d_n]),
                rule="design.empty-domain",
                hint="Merge the domain with another or leave it out of by=.",
            )
        theta = y_tot / x_tot
    notes: list[str] = []
    cov: np.ndarray | None = None
    th_r: np.ndarray | None = None
    if prep.replicates is not None:
        reps = prep.replicates
        f_t = reps.factors.T
        y_r = np.asarray(f_t @ y_l)
        if kind == "total":
            th_r = y_r
        else:
            x_r = np.asarray(f_t @ x_l)
            with np.errstate(divide="ignore", invalid="ignore"):
                th_r = y_r / x_r
        var_out = replicate_cov(reps, th_r, theta, full=full)
    else:
        z: sp.csr_matrix | np.ndarray
        if row_level:  # calibrated: dense row-level values go to the residual step anyway
            yd = y_l.toarray()
            z = yd if kind == "total" else (yd - x_l.toarray() * theta) / x_tot
        elif kind == "total":
            z = y_l
        else:
            z = (y_l - x_l.multiply(theta[None, :])).multiply(1.0 / x_tot[None, :])
        if by_algebra:
            den = denominator if kind == "ratio" else None

            def cross(x: np.ndarray, v: np.ndarray) -> np.ndarray:
                yc, xc = _cross(x, v * prep.weights, terms, den, rows, domains.code[rows], d_n)
                return yc if kind == "total" else (yc - xc * theta[None, :]) / x_tot[None, :]

            z = calibrated_unit_totals(
                _as_dense(z), sd.calibrations, prep.unit, prep.n_units, cross
            )
        var_out = influence_variance(sd, z if row_level else sp.csr_matrix(z), row_level, full=full)
    if full:
        cov = var_out
        var = np.diag(var_out).copy()
    else:
        var = var_out
    deff_v = np.full(k_n, np.nan)
    if want_deff and deff is not None:
        deff_v = _deff(
            sd, terms, domains, rows, theta, y_tot, x_tot, count, var, kind, deff, notes, squares
        )
    return LinearFit(
        theta=theta,
        var=var,
        cov=cov,
        n=count,
        sum_w=sum_w,
        deff=deff_v,
        df=domain_df(sd, domains),
        notes=tuple(notes),
        replicates=th_r,
    )


def _cross(
    x: np.ndarray,
    v: np.ndarray,
    terms: Terms,
    denominator: Terms | None,
    rows: np.ndarray,
    dm: np.ndarray,
    d_n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted cross-products of auxiliaries with the analysis columns, per domain.

    Returns the q x (p*D) matrices :math:`\\sum_{i \\in d} a_{ij} v_i x_i y_{ij}` and
    :math:`\\sum_{i \\in d} a_{ij} v_i x_i x^{den}_{ij}` (:math:`x^{den} = 1` without a
    denominator) over the ``rows`` used (domain codes ``dm``), in column order ``j * D + d``;
    :math:`a_{ij}` marks the values used. One matrix product per domain.
    """
    q, p = x.shape[1], terms.p
    yc = np.zeros((q, p * d_n))
    xc = np.zeros((q, p * d_n))
    whole = d_n == 1 and rows.size == x.shape[0]
    for d in range(d_n):
        r = rows if d_n == 1 else rows[dm == d]
        if whole:
            xv, vals, avail = x * v[:, None], terms.values, terms.available
            dens = denominator.values if denominator is not None else None
            if denominator is not None:
                avail = avail & denominator.available
        else:
            xv, vals, avail = x[r] * v[r, None], terms.values[r], terms.available[r]
            dens = denominator.values[r] if denominator is not None else None
            if denominator is not None:
                avail = avail & denominator.available[r]
        cols = slice(d, p * d_n, d_n)
        if avail.all():
            yc[:, cols] = xv.T @ vals
            xc[:, cols] = xv.T @ dens if dens is not None else xv.sum(axis=0)[:, None]
        else:
            af = avail.astype(float)
            yc[:, cols] = xv.T @ np.where(avail, vals, 0.0)
            xc[:, cols] = xv.T @ (np.where(avail, dens, 0.0) if dens is not None else af)
    return yc, xc


def influence_variance(
    sd: SurveyData, z: sp.csr_matrix | np.ndarray, row_level: bool, *, full: bool
) -> np.ndarray:
    """Taylor variance of influence values summed per level (unit, or row when calibrated)."""
    prep = sd.prepared
    st = prep.structure
    if st is None:  # pragma: no cover - invariant
        raise DesignError("design has no structure", rule="design.internal")
    if row_level:
        zd = residualize(_as_dense(z), sd.calibrations)
        zu: sp.csr_matrix = unit_sums(prep.unit, prep.n_units, zd)
    else:
        zu = sp.csr_matrix(z)
    return taylor_cov(st, zu, lonely_psu=sd.design.lonely_psu, full=full)


def _deff(
    sd: SurveyData,
    terms: Terms,
    domains: Domains,
    rows: np.ndarray,
    theta: np.ndarray,
    y_tot: np.ndarray,
    x_tot: np.ndarray,
    count: np.ndarray,
    var: np.ndarray,
    kind: str,
    deff: str,
    notes: list[str],
    squares: np.ndarray | None = None,
) -> np.ndarray:
    """Kish's design effect: design variance over the SRS variance of the same estimate.

    The SRS variance uses the weighted population variance estimate
    :math:`s^2 = \\frac{n}{n-1}\\sum w (y-\\bar y)^2/\\sum w` and, without replacement
    (``"wor"``), the factor :math:`(\\hat N - n)/\\hat N` (R's ``deff=TRUE``).

    The centred sum of squares comes from the reduction's own sums where that is accurate:
    with :math:`S_2 = \\sum w y^2` (``squares``) and :math:`S_1 = \\sum w y`,
    :math:`\\sum w (y - \\bar y)^2 = S_2 - \\bar y S_1`, whose rounding error is about
    :math:`\\epsilon S_2`. Columns where the result is below :math:`10^{-4} S_2` (a mean far
    from zero relative to the spread), and every column without ``squares``, take the centred
    second pass :math:`\\sum w (y - \\bar y)^2` instead, so the subtraction loses at most
    four digits of the sums' precision.
    """
    prep = sd.prepared
    d_n, k_n = domains.n, theta.size
    w = prep.weights
    dm, wr = domains.code[rows], w[rows]
    ybar = y_tot / x_tot
    ss = np.zeros(k_n)
    redo = np.ones(k_n, dtype=bool)
    if squares is not None:
        ss = squares - ybar * y_tot
        redo = ~(ss >= 1e-4 * np.abs(squares))
        ss = np.where(redo, 0.0, ss)
    all_rows = rows.size == w.size
    for j in range(terms.p):
        block = slice(j * d_n, (j + 1) * d_n)
        if not redo[block].any():
            continue
        ss[block] = 0.0
        a = terms.available[:, j] if all_rows else terms.available[rows, j]
        if all_rows and a.all():  # contiguous column, no gathers
            dev = terms.values[:, j] - (ybar[j * d_n] if d_n == 1 else ybar[block][dm])
            ss[block] = _square_sums(wr * dev, dev, dm, d_n)
            continue
        cols = j * d_n + dm[a]
        dev = terms.values[rows[a], j] - ybar[cols]
        ss += np.bincount(cols, weights=wr[a] * dev**2, minlength=k_n)
    psum = x_tot
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = count / (count - 1) * ss / psum
        if kind == "mean":
            vsrs = s2 / count if deff == "wr" else s2 * (psum - count) / (psum * count)
        else:
            vsrs = s2 * psum**2 / count if deff == "wr" else s2 * psum * (psum - count) / count
        out = var / vsrs
    if deff != "wr" and (psum < count).any():
        notes.append(
            "design effect not available where the weights sum to less than the sample size "
            "(are the weights scaled?)"
        )
        out = np.where(psum < count, np.nan, out)
    return out
