"""The DuckDB reduction of large data (internal to :mod:`qonys.estimate.backends`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .backends import CellSpec, _index, _q, _sql_str, _sums

__all__ = ["sql_reduce"]


def _sql_relation(con: Any, source: Any) -> Any:
    if isinstance(source, str | Path):
        return con.sql(f"SELECT * FROM read_parquet({_sql_str(str(source))})")
    return source


def _null_counts(rel: Any, cols: Sequence[str], weights: str | None) -> dict[str, float]:
    """Missing values per column, and the weights' minimum: one cheap aggregate (DuckDB answers
    it from the Parquet statistics without reading the data)."""
    exprs = ["count(*) AS _all"] + [f"count({_q(c)}) AS {_q('n_' + c)}" for c in cols]
    if weights:
        exprs += [f"count({_q(weights)}) AS _nw", f"min(CAST({_q(weights)} AS DOUBLE)) AS _wmin"]
    row = rel.aggregate(", ".join(exprs)).fetchall()[0]
    names = ["_all", *[f"n_{c}" for c in cols], *(["_nw", "_wmin"] if weights else [])]
    got = dict(zip(names, row, strict=True))
    out = {c: float(got["_all"] - got[f"n_{c}"]) for c in cols}
    if weights:
        out["_wnull"] = float(got["_all"] - got["_nw"])
        out["_wmin"] = float(got["_wmin"]) if got["_wmin"] is not None else 0.0
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
    nulls = _null_counts(rel, num_cols, weights)
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
