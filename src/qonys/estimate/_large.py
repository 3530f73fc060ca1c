"""Ratio-type estimates from the reduced cell table of large data (internal).

The cell table comes from :func:`qonys.estimate.backends.reduce_cells`; this module turns it
into the same unit x (variable, domain) matrices as the in-memory engine and reuses
:func:`~qonys.estimate.variance.taylor_cov`, so numbers agree across back ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._core import DesignError, Meta, Where
from ..design.structure import SELF_REPRESENTING, build_structure, factorize_columns
from ._linear import LinearFit
from ._prep import Domains, Terms
from .backends import (
    CellSpec,
    LargeSurvey,
    alias,
    check_missing,
    key_columns,
    levels_of,
    parquet_schema,
    quiet_engines,
    reduce_cells,
)
from .variance import taylor_cov

__all__ = ["large_linear"]


def _numeric_columns(big: LargeSurvey) -> dict[str, bool]:
    """Which columns are numeric (one schema query)."""
    if isinstance(big.source, str | Path):
        numeric = ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL")
        return {
            name: any(k in typ.upper() for k in numeric) for name, typ in parquet_schema(big.source)
        }
    with quiet_engines():
        schema = nw.from_native(big.source).collect_schema()
    return {name: bool(dtype.is_numeric()) for name, dtype in schema.items()}


def _domains(cells: pd.DataFrame, by: list[str], where: str | None) -> Domains:
    use = np.ones(len(cells), dtype=bool)
    if where:
        use &= cells[where].fillna(False).astype(bool).to_numpy()
    if by:
        use &= ~cells[by].isna().any(axis=1).to_numpy()
    code = np.full(len(cells), -1, dtype=np.int64)
    if not use.any():
        raise DesignError(
            "the subpopulation has no respondents",
            rule="design.empty-domain",
            where=Where(key="where"),
        )
    if not by:
        code[use] = 0
        return Domains(code, [None], [], [()], ())
    sub = cells.loc[use, by]
    try:  # the domains in sorted order of their key tuples, coded without a Python loop
        grouped = sub.groupby(by, sort=True)
        code[use] = grouped.ngroup().to_numpy()
        index = grouped.size().index
        uniq = [(k,) for k in index] if len(by) == 1 else list(index)
    except TypeError:  # keys of mixed types: sorted by their text
        keys = list(sub.itertuples(index=False, name=None))
        uniq = sorted(set(keys), key=lambda t: tuple(str(x) for x in t))
        pos = {k: i for i, k in enumerate(uniq)}
        code[use] = [pos[k] for k in keys]
    labels: list[str | None] = [
        ", ".join(f"{n}={v}" for n, v in zip(by, k, strict=True)) for k in uniq
    ]
    return Domains(code, labels, list(by), uniq, ())


def large_linear(
    big: LargeSurvey,
    variables: Sequence[str],
    *,
    by: Sequence[str],
    kind: str,
    missing: str,
    deff: str | None,
    categorical: bool | None,
    denominators: Sequence[str] | None = None,
    by_sets: Sequence[Sequence[str]] | None = None,
) -> list[tuple[LinearFit, Terms, Domains, Meta]]:
    """Means, totals or ratios of large data: one reduction, then the in-memory algebra.

    With ``by_sets`` the reduction groups by the union of their variables once, and every set
    of domains is estimated from the same cell table (one scan of the data).
    """
    sets = [list(s) for s in by_sets] if by_sets else [list(by)]
    union = list(dict.fromkeys(c for s in sets for c in s))
    design = big.design
    nums: list[tuple[str, str | None]] = []
    numeric = _numeric_columns(big)
    for v in variables:
        if v not in numeric:
            raise DesignError(
                f"variable {v!r} is not in the data",
                where=Where(variable=v),
                rule="design.unknown-column",
            )
        cat = (not numeric[v]) if categorical is None else categorical
        if cat:
            nums += [(v, lev) for lev in levels_of(big.source, v)]
        else:
            nums.append((v, None))
    element = not design.ids
    keys = key_columns(design, union, big.where)
    spec = CellSpec(
        tuple(nums),
        tuple(denominators) if denominators else None,
        missing,
        element,
        keys,
        second_moments=element or (deff is not None and kind != "ratio"),
    )
    cells = reduce_cells(big.source, spec, design.weights)
    return [
        _fit_cells(
            big,
            cells,
            spec,
            nums,
            s,
            kind=kind,
            missing=missing,
            deff=deff,
            denominators=denominators,
        )
        for s in sets
    ]


def _distinct_per_domain(values: np.ndarray, dm: np.ndarray, d_n: int) -> np.ndarray:
    """Number of distinct ``values`` within each domain code 0..d_n-1 (as floats)."""
    if not values.size:
        return np.zeros(d_n)
    _, inv = np.unique(values, return_inverse=True)
    pairs = np.unique(dm.astype(np.int64) * (int(inv.max()) + 1) + inv)
    return np.bincount(pairs // (int(inv.max()) + 1), minlength=d_n).astype(float)


def _fit_cells(
    big: LargeSurvey,
    cells: pd.DataFrame,
    spec: CellSpec,
    nums: list[tuple[str, str | None]],
    by: list[str],
    *,
    kind: str,
    missing: str,
    deff: str | None,
    denominators: Sequence[str] | None,
) -> tuple[LinearFit, Terms, Domains, Meta]:
    design = big.design
    element = spec.element
    domains = _domains(cells, list(by), big.where)
    in_dom = domains.code >= 0
    check_missing(cells, spec, in_dom)
    p, d_n = len(nums), domains.n
    k_n = p * d_n
    unit_cols = [*design.strata, *design.ids, *design.fpc]
    unit = factorize_columns(cells, unit_cols) if unit_cols else np.zeros(len(cells), np.int64)
    first = np.zeros(int(unit.max(initial=-1)) + 1, dtype=np.int64)
    first[unit[::-1]] = np.arange(len(unit))[::-1]
    units = cells.iloc[first].reset_index(drop=True)
    n_units = len(first)
    if element:
        st_code = (
            factorize_columns(units, list(design.strata))
            if design.strata
            else np.zeros(n_units, np.int64)
        )
        n_h = np.bincount(st_code[unit], weights=cells["_nrow"].to_numpy(dtype=float))
        pop = None
        if design.fpc:
            raw = units[design.fpc[0]].to_numpy(dtype=float)
            pop = np.zeros(n_h.size)
            pop[st_code] = raw
            pop = np.where(pop <= 1, n_h / pop, pop)
        wmult = (pop / n_h)[st_code[unit]] if (design.weights is None and pop is not None) else 1.0
    else:
        structure = build_structure(units, design)
        wmult = (
            structure.unit_weight_from_fpc[unit]
            if design.weights is None and structure.unit_weight_from_fpc is not None
            else 1.0
        )
    rows = np.flatnonzero(in_dom)
    dm = domains.code[rows]
    wm = np.broadcast_to(np.asarray(wmult, dtype=float), (len(cells),))[rows]

    def col(name: str, power: int = 1) -> np.ndarray:
        return cells[name].to_numpy(dtype=float)[rows] * wm**power

    ri, ci, yv, xv, cnt, sw, swyy = [], [], [], [], [], [], []
    for j in range(p):
        ri.append(unit[rows])
        ci.append(j * d_n + dm)
        yv.append(col(alias("_swy", j)))
        xv.append(col(alias("_swx", j)) if denominators else col(alias("_sw", j)))
        cnt.append(cells[alias("_n", j)].to_numpy(dtype=float)[rows])
        sw.append(col(alias("_sw", j)))
        if spec.second_moments:
            swyy.append(col(alias("_swyy", j)))
    c_all = np.concatenate(ci)
    count = np.bincount(c_all, weights=np.concatenate(cnt), minlength=k_n)
    y_l = sp.csr_matrix((np.concatenate(yv), (np.concatenate(ri), c_all)), shape=(n_units, k_n))
    x_l = sp.csr_matrix((np.concatenate(xv), (np.concatenate(ri), c_all)), shape=(n_units, k_n))
    y_tot = np.asarray(y_l.sum(axis=0)).ravel()
    x_tot = np.asarray(x_l.sum(axis=0)).ravel()
    if kind != "total" and (x_tot == 0).any():
        k = int(np.flatnonzero(x_tot == 0)[0])
        raise DesignError(
            f"no respondent with a value of {nums[k // d_n][0]!r}",
            where=Where(variable=nums[k // d_n][0]),
            rule="design.empty-domain",
        )
    theta = y_tot if kind == "total" else y_tot / x_tot
    if element:
        var = _element_var(
            cells,
            rows,
            dm,
            d_n,
            p,
            theta,
            x_tot,
            kind,
            bool(denominators),
            st_code[unit][rows],
            n_h,
            pop,
            design.lonely_psu,
            wm,
        )
        n_psu_dom = np.bincount(
            dm, weights=cells["_nrow"].to_numpy(dtype=float)[rows], minlength=d_n
        )
        n_str_dom = _distinct_per_domain(st_code[unit][rows], dm, d_n)
        whole = d_n == 1 and not by and big.where is None
        df_d = np.full(d_n, n_h.sum() - n_h.size) if whole else n_psu_dom - n_str_dom
    else:
        z = (
            y_l
            if kind == "total"
            else (y_l - x_l.multiply(theta[None, :])).multiply(1.0 / x_tot[None, :])
        )
        var = taylor_cov(structure, sp.csr_matrix(z), lonely_psu=design.lonely_psu)
        psu_of = structure.psu[unit[rows]]
        whole = d_n == 1 and not by and big.where is None
        if whole:
            df_d = np.full(d_n, float(structure.degf))
        else:
            df_d = _distinct_per_domain(psu_of, dm, d_n) - _distinct_per_domain(
                structure.psu_stratum[psu_of], dm, d_n
            )
    deff_v = np.full(k_n, np.nan)
    if deff is not None and kind != "ratio":
        ss_y = np.bincount(c_all, weights=np.concatenate(swyy), minlength=k_n)
        psum = np.bincount(c_all, weights=np.concatenate(sw), minlength=k_n)
        ybar = y_tot / psum
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = count / (count - 1) * (ss_y / psum - ybar**2)
            if kind == "mean":
                vsrs = s2 / count if deff == "wr" else s2 * (psum - count) / (psum * count)
            else:
                vsrs = s2 * psum**2 / count if deff == "wr" else s2 * psum * (psum - count) / count
            deff_v = var / vsrs
    fit = LinearFit(
        theta=theta,
        var=var,
        cov=None,
        n=count,
        sum_w=x_tot,
        deff=deff_v,
        df=np.asarray(df_d, dtype=float),
        notes=(),
    )
    terms = Terms(
        [c for c, _ in nums],
        [lev for _, lev in nums],
        np.zeros((0, p)),
        np.zeros((0, p), dtype=bool),
        0,
        (),
    )
    engine = "DuckDB" if _is_duckdb(big.source) else "narwhals"
    meta = Meta(
        method=f"Taylor linearisation; reduction by {engine}",
        design=design.describe(),
        policies={"missing": missing, "lonely_psu": design.lonely_psu},
        n_used=int(count.max(initial=0)),
    )
    return fit, terms, domains, meta


def _is_duckdb(source: Any) -> bool:
    if isinstance(source, str | Path):
        return True
    try:
        import duckdb
    except ImportError:  # pragma: no cover
        return False
    return isinstance(source, duckdb.DuckDBPyRelation)


def _element_var(
    cells: pd.DataFrame,
    rows: np.ndarray,
    dm: np.ndarray,
    d_n: int,
    p: int,
    theta: np.ndarray,
    x_tot: np.ndarray,
    kind: str,
    ratio: bool,
    strat: np.ndarray,
    n_h: np.ndarray,
    pop: np.ndarray | None,
    policy: str,
    wm: np.ndarray,
) -> np.ndarray:
    """Element sampling: per stratum, sum of squares from the second moments."""
    s_n = n_h.size
    k_n = p * d_n
    f = np.ones(s_n) if pop is None else (pop - n_h) / pop
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_h > 1, f * n_h / (n_h - 1), 0.0)
    lonely = (n_h == 1) & (f >= SELF_REPRESENTING)
    if lonely.any() and policy == "fail":
        raise DesignError(
            "a stratum has only one sampling unit",
            rule="design.lonely-psu",
            hint="Choose lonely_psu knowingly, or collapse strata.",
        )
    if policy == "average" and lonely.any():
        scale = scale * s_n / (~lonely).sum()
    adjust = np.where(lonely & (policy == "adjust"), f, 0.0)
    scale = np.where(f < SELF_REPRESENTING, 0.0, scale)
    out = np.zeros(k_n)
    for j in range(p):
        k = j * d_n + dm
        th, xt = theta[k], x_tot[k]

        def c(name: str, power: int) -> np.ndarray:
            return cells[name].to_numpy(dtype=float)[rows] * wm**power

        if kind == "total":
            s1, s2 = c(alias("_swy", j), 1), c(alias("_w2yy", j), 2)
        elif ratio:
            s1 = (c(alias("_swy", j), 1) - th * c(alias("_swx", j), 1)) / xt
            s2 = (
                c(alias("_w2yy", j), 2)
                - 2 * th * c(alias("_w2xy", j), 2)
                + th**2 * c(alias("_w2xx", j), 2)
            ) / xt**2
        else:
            s1 = (c(alias("_swy", j), 1) - th * c(alias("_sw", j), 1)) / xt
            s2 = (
                c(alias("_w2yy", j), 2)
                - 2 * th * c(alias("_w2y", j), 2)
                + th**2 * c(alias("_w2", j), 2)
            ) / xt**2
        key = strat * k_n + k
        s1_h = np.bincount(key, weights=s1, minlength=s_n * k_n).reshape(s_n, k_n)
        s2_h = np.bincount(key, weights=s2, minlength=s_n * k_n).reshape(s_n, k_n)
        cols = np.unique(k)
        out[cols] += (scale[:, None] * (s2_h[:, cols] - s1_h[:, cols] ** 2 / n_h[:, None])).sum(0)
        out[cols] += (adjust[:, None] * s2_h[:, cols]).sum(0)
    return out
