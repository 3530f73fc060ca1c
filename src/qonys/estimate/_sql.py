"""The DuckDB reduction of large data (internal to :mod:`qonys.estimate.backends`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .backends import CellSpec, _index, _q, _sql_str, _sums

__all__ = ["sql_reduce"]


def _sql_relation(con: Any, source: Any) -> Any:
    if isinstance(source, str | Path):
        return con.sql(f"SELECT * FROM read_parquet({_sql_str(str(source))})")
    return source


_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "BOOLEAN",
}


def _null_counts(
    rel: Any, cols: Sequence[str], weights: str | None, keys: Sequence[str] = ()
) -> dict[str, float]:
    """Missing values per column, the weights' minimum, and the missing values, minimum and
    maximum of integer group keys: one cheap aggregate (DuckDB answers it from the Parquet
    statistics without reading the data)."""
    exprs = ["count(*) AS _all"] + [f"count({_q(c)}) AS {_q('n_' + c)}" for c in cols]
    names = ["_all", *[f"n_{c}" for c in cols]]
    if weights:
        exprs += [f"count({_q(weights)}) AS _nw", f"min(CAST({_q(weights)} AS DOUBLE)) AS _wmin"]
        names += ["_nw", "_wmin"]
    for k in keys:
        v = f"CAST({_q(k)} AS BIGINT)"
        exprs += [f"count({_q(k)})", f"min({v})", f"max({v})"]
        names += [f"kn_{k}", f"kmin_{k}", f"kmax_{k}"]
    row = rel.aggregate(", ".join(exprs)).fetchall()[0]
    got = dict(zip(names, row, strict=True))
    out = {c: float(got["_all"] - got[f"n_{c}"]) for c in cols}
    if weights:
        out["_wnull"] = float(got["_all"] - got["_nw"])
        out["_wmin"] = float(got["_wmin"]) if got["_wmin"] is not None else 0.0
    for k in keys:
        out[f"kmiss_{k}"] = float(got["_all"] - got[f"kn_{k}"])
        out[f"kmin_{k}"] = float(got[f"kmin_{k}"]) if got[f"kmin_{k}"] is not None else 0.0
        out[f"kmax_{k}"] = float(got[f"kmax_{k}"]) if got[f"kmax_{k}"] is not None else 0.0
    return out


def _packing(
    types: dict[str, str], keys: Sequence[str], stats: dict[str, float]
) -> list[tuple[str, int, int]] | None:
    """(key, minimum, range) of every group key when they pack into one BIGINT: integer or
    boolean columns (``types``: DuckDB type by column) without missing values whose ranges
    multiply to less than 2**62."""
    out: list[tuple[str, int, int]] = []
    total = 1
    for k in keys:
        if types.get(k) not in _INTEGER_TYPES or stats[f"kmiss_{k}"]:
            return None
        lo, hi = int(stats[f"kmin_{k}"]), int(stats[f"kmax_{k}"])
        span = hi - lo + 1
        total *= span
        if total >= 2**62:
            return None
        out.append((k, lo, span))
    return out


def _packed_key(packing: list[tuple[str, int, int]]) -> str:
    """Mixed-radix code of the group keys: :math:`((k_1 - m_1) r_2 + (k_2 - m_2)) r_3 + \\dots`."""
    expr = ""
    for k, lo, span in packing:
        part = f"(CAST({_q(k)} AS BIGINT) - {lo})"
        expr = part if not expr else f"(({expr}) * {span} + {part})"
    return expr


def _unpack(codes: np.ndarray, packing: list[tuple[str, int, int]]) -> dict[str, np.ndarray]:
    """The key columns back from their mixed-radix codes."""
    out: dict[str, np.ndarray] = {}
    rest = codes.astype(np.int64)
    for k, lo, span in reversed(packing):
        out[k] = rest % span + lo
        rest = rest // span
    return out


def sql_reduce(source: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    """One ``GROUP BY`` of plain sums over the design and domain keys.

    Each sum covers one (stratum, PSU, domain) cell, a few hundred rows even at tens of
    millions of rows, so plain summation does not drift as one sum over all rows would; the
    cells are combined in numpy afterwards. (At 20 million rows the plain sums and
    compensated ``fsum`` give SEs within 2e-14 of each other, and both agree with the in-memory
    path to about 1e-13; ``fsum`` was up to 30% slower. See ``docs/survey.md``.)

    When no analysis column has a missing value (checked first, from the Parquet
    statistics), only ``count(*)``, ``sum(w)`` and
    ``sum(w*y)`` per variable are computed; otherwise NULL masks leave out the unavailable
    rows of every sum.
    """
    import duckdb

    con = duckdb.connect()
    rel = _sql_relation(con, source)
    num_cols = sorted({c for c, _ in spec.numerators} | set(spec.denominators or ()))
    types = dict(zip(rel.columns, (str(t) for t in rel.types), strict=True))
    int_keys = [k for k in spec.keys if types.get(k) in _INTEGER_TYPES]
    packable = len(spec.keys) > 1 and len(int_keys) == len(spec.keys)
    nulls = _null_counts(rel, num_cols, weights, spec.keys if packable else ())
    complete = not any(nulls[c] for c in num_cols)
    numeric_cols = {c for c, lev in spec.numerators if lev is None} | set(spec.denominators or ())

    def mask(j: int) -> str:
        # NULL when a value the estimate needs is missing (pandas' NaN arrives as NULL): sums
        # skip NULLs, so adding 0 * value leaves out exactly the unavailable rows without a
        # FILTER per aggregate. NaN left in the data makes the sums NaN: reduce_cells reports it.
        if complete:
            return ""
        c, _ = spec.numerators[j]
        cols = (
            num_cols
            if spec.missing == "drop"
            else [c, *([spec.denominators[j]] if spec.denominators is not None else [])]
        )
        terms = [
            f"0.0 * CAST({_q(x)} AS DOUBLE)"
            if x in numeric_cols
            else f"(CASE WHEN {_q(x)} IS NULL THEN NULL ELSE 0.0 END)"
            for x in cols
            if nulls[x]
        ]
        return " + ".join(terms)

    def yv(j: int) -> str:
        c, lev = spec.numerators[j]
        if lev is None:
            return f"CAST({_q(c)} AS DOUBLE)"
        return f"CAST(CAST({_q(c)} AS VARCHAR) = {_sql_str(lev)} AS DOUBLE)"

    w = f"CAST({_q(weights)} AS DOUBLE)" if weights else "1.0"
    by_expr: dict[str, str] = {}  # expression -> first alias (identical sums computed once)
    copies: list[tuple[str, str]] = []
    exprs: list[str] = []
    for name, power, kind, _ in _sums(spec, weights):
        if kind == "one":
            expr = "count(*)"
        else:
            j = _index(name)
            m = mask(j)
            x = f"CAST({_q(spec.denominators[j])} AS DOUBLE)" if spec.denominators else "1.0"
            val = {
                "a": "",
                "y": yv(j),
                "yy": f"{yv(j)} * {yv(j)}",
                "x": x,
                "xx": f"{x} * {x}",
                "xy": f"{x} * {yv(j)}",
            }[kind]
            if kind == "a" and power == "0":
                expr = f"count({m})" if m else "count(*)"
            else:
                wp = {"1": w, "2": f"{w} * {w}"}[power]
                term = wp if not val else f"{wp} * {val}"
                expr = f"coalesce(sum({term}{' + ' + m if m else ''}), 0.0)"
        if expr in by_expr:
            copies.append((name, by_expr[expr]))
            continue
        by_expr[expr] = name
        exprs.append(f"{expr} AS {name}")
    packing = _packing(types, spec.keys, nulls) if packable else None
    if packing is not None:
        # one BIGINT group key instead of several columns: the hash table compares and
        # stores one value per group (about half the time at 20 million rows and 5 keys)
        key_types = rel.limit(0).df()[list(spec.keys)].dtypes
        code = _packed_key(packing)
        got = rel.aggregate(f"{code} AS _qonys_key, " + ", ".join(exprs), code)
        raw = got.df()
        keys_back = _unpack(raw["_qonys_key"].to_numpy(), packing)
        cells = pd.concat(
            [
                pd.DataFrame(
                    {k: keys_back[k].astype(key_types[k]) for k in spec.keys}, index=raw.index
                ),
                raw.drop(columns="_qonys_key"),
            ],
            axis=1,
        )
    else:
        keys = ", ".join(_q(k) for k in spec.keys)
        sel = (keys + ", " if keys else "") + ", ".join(exprs)
        out = rel.aggregate(sel, keys) if keys else rel.aggregate(sel)
        cells = out.df()
    for name, first in copies:
        cells[name] = cells[first]
    if weights:
        cells["_wmin"] = nulls["_wmin"]
        cells["_wnull"] = 0.0
        if len(cells):
            cells.loc[cells.index[0], "_wnull"] = nulls["_wnull"]
    return cells
