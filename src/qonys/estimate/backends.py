"""Large data: the one grouped reduction, run by DuckDB, Polars, Dask, Spark or pandas.

The estimators need only weighted sums per (sampling unit, domain) cell (see
:mod:`qonys.estimate._linear`). :func:`reduce_cells` computes them in the engine that holds the
data, with one ``GROUP BY`` over the design keys and the domain keys; everything after that is
the same numpy code as in memory, so every back end gives the same numbers:

* a Parquet path (or a DuckDB relation) is reduced by DuckDB SQL: one ``GROUP BY`` over
  (stratum, PSU, domain) cells of plain sums, after a cheap check for missing values; each sum
  covers one small cell, so it does not drift as a sum over tens of millions of rows would;
* pandas, Polars, Dask (``dask.distributed``) and PySpark frames go through narwhals, one
  dataframe-agnostic expression of the same sums (Dask frames with numeric variables taken
  one at a time are reduced partition by partition with numpy, :mod:`qonys.estimate._dask`).

For element sampling (no cluster ids) the cells are strata, and the reduction also returns the
second moments :math:`\\sum w^2 y^2`, :math:`\\sum w^2 y`, :math:`\\sum w^2` that the
with-replacement or fpc variance of an element sample needs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from .._core import DataError, DesignError, Where, suggest
from ..design.spec import SurveyDesign

__all__ = ["CellSpec", "LargeSurvey", "reduce_cells", "scan"]


def parquet_schema(path: str | Path) -> tuple[tuple[str, str], ...]:
    """(name, DuckDB type) of every column of a Parquet file or glob.

    A plain file is read once per version (the cache key holds its size and modification
    time, so a rewritten file is read again); a glob is read every time.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError:  # a glob (files may come and go) or a missing file: read every time
        return _parquet_schema.__wrapped__(str(path), (-1, -1))
    return _parquet_schema(str(path), (st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=64)
def _parquet_schema(path: str, stamp: tuple[int, int]) -> tuple[tuple[str, str], ...]:
    import duckdb

    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet({_sql_str(path)})")
    del stamp
    return tuple(zip(rel.columns, (str(t) for t in rel.types), strict=True))


@dataclasses.dataclass(frozen=True, eq=False)
class LargeSurvey:
    """Survey data held by an engine (not in memory), bound to a design.

    Attributes
    ----------
    source : str, Path or native frame
        Parquet file(s) (a path or glob, read by DuckDB) or a DuckDB relation, Polars
        (Lazy)Frame, Dask DataFrame, PySpark DataFrame or pandas DataFrame.
    design : SurveyDesign
        Taylor designs only (replicate weights need the data in memory).
    where : str, optional
        A boolean column marking the subpopulation (see :meth:`subset`).
    """

    source: Any
    design: SurveyDesign
    where: str | None = None

    def __post_init__(self) -> None:
        if self.design.replicates is not None:
            raise DesignError(
                "replicate weights are supported for data in memory only",
                where=Where(key="replicates"),
                rule="design.large-replicates",
                hint="Load the data with pandas, or use the Taylor design (strata, ids, fpc).",
            )
        cols = self.columns
        for c in (*self.design.columns, *([self.where] if self.where else [])):
            if c not in cols:
                raise DesignError(
                    f"design column {c!r} is not in the data",
                    where=Where(variable=c),
                    rule="design.unknown-column",
                    hint=suggest(c, cols),
                )

    @property
    def columns(self) -> list[str]:
        """Column names of the source."""
        if isinstance(self.source, str | Path):
            return [name for name, _ in parquet_schema(self.source)]
        with quiet_engines():
            return list(nw.from_native(self.source).collect_schema().names())

    def subset(self, column: str) -> LargeSurvey:
        """Restrict estimates to rows where boolean ``column`` is true (the design is kept)."""
        return dataclasses.replace(self, where=column)


def scan(source: Any, design: SurveyDesign) -> LargeSurvey:
    """Bind large data (Parquet path, DuckDB/Polars/Dask/Spark/pandas frame) to a design.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyDesign
    >>> from qonys import estimate
    >>> df = pd.DataFrame({"st": [1, 1, 2, 2], "w": [1.0, 1, 2, 2], "y": [1.0, 3, 2, 6]})
    >>> big = scan(df, SurveyDesign(weights="w", strata="st"))
    >>> round(float(estimate.mean(big, "y").se[0]), 4)  # same as in memory
    1.3744
    """
    return LargeSurvey(source, design)


@dataclasses.dataclass(frozen=True)
class CellSpec:
    """What to sum: ``numerators`` (column, level or None), optional ``denominators``."""

    numerators: tuple[tuple[str, str | None], ...]
    denominators: tuple[str, ...] | None
    missing: str
    element: bool
    keys: tuple[str, ...]
    second_moments: bool = True  # sums of w y^2 (design effects)


@contextlib.contextmanager
def quiet_engines() -> Iterator[None]:
    """Silence two announcements that do not affect results: narwhals moving its Dask support
    to a plugin, and PySpark's check of the pandas version."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*Dask support is moving", category=FutureWarning
        )
        warnings.filterwarnings(
            "ignore", message=".*PySpark does not yet fully support pandas", category=FutureWarning
        )
        yield


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sums(spec: CellSpec, weights: str | None) -> list[tuple[str, str, str, str | None]]:
    """(alias, weight power, value kind, value column) for every sum the estimators need.

    Aliases are ``<name>__<j>`` for variable ``j`` (see :func:`alias`).
    """
    out: list[tuple[str, str, str, str | None]] = [("_nrow", "0", "one", None)]
    names = [("_n", "0", "a"), ("_sw", "1", "a"), ("_swy", "1", "y")]
    if spec.second_moments:
        names.append(("_swyy", "1", "yy"))
    if spec.denominators is not None:
        names.append(("_swx", "1", "x"))
    if spec.element:
        names += [("_w2", "2", "a"), ("_w2y", "2", "y"), ("_w2yy", "2", "yy")]
        if spec.denominators is not None:
            names += [("_w2x", "2", "x"), ("_w2xx", "2", "xx"), ("_w2xy", "2", "xy")]
    for j in range(len(spec.numerators)):
        out += [(alias(nm, j), pw, kind, None) for nm, pw, kind in names]
    return out


def alias(name: str, j: int) -> str:
    """Column name of sum ``name`` for variable ``j`` in the cell table."""
    return f"{name}__{j}"


def _index(name: str) -> int:
    return int(name.rsplit("__", 1)[1])


def _nw_reduce(source: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    with quiet_engines():
        return _nw_reduce_inner(source, spec, weights)


def _nw_simple(lf: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    """Numeric variables one at a time: null-skipping sums need no masks. ``w + 0 * y`` is
    missing where ``y`` is, so its sum is the weight of the rows with a value."""
    f64 = nw.Float64
    w = nw.col(weights).cast(f64) if weights else nw.lit(1.0)
    cols: list[Any] = []
    aggs: list[Any] = [nw.len().alias("_nrow")]
    for j, (c, _) in enumerate(spec.numerators):
        y = nw.col(c).cast(f64)
        cols += [(w + y * 0.0).alias(alias("_sw", j)), (w * y).alias(alias("_swy", j))]
        aggs += [
            nw.col(c).count().alias(alias("_n", j)),
            nw.col(alias("_sw", j)).sum(),
            nw.col(alias("_swy", j)).sum(),
        ]
        if spec.second_moments:
            cols.append((w * y * y).alias(alias("_swyy", j)))
            aggs.append(nw.col(alias("_swyy", j)).sum())
    if weights:
        cols += [w.alias("_wmin"), nw.col(weights).is_null().cast(f64).alias("_wnull")]
        aggs += [nw.col("_wmin").min(), nw.col("_wnull").sum()]
    frame = lf.with_columns(*cols)
    out = frame.group_by(*spec.keys).agg(*aggs) if spec.keys else frame.select(*aggs)
    cells = out.collect(backend="pyarrow").to_native().to_pandas()
    return cells.astype({a: float for a in cells.columns if a.startswith(("_s", "_w", "_n"))})


def _nw_reduce_inner(source: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    lf = nw.from_native(source)
    if isinstance(lf, nw.DataFrame):
        lf = lf.lazy()
    if (
        spec.missing != "drop"
        and spec.denominators is None
        and not spec.element
        and all(lev is None for _, lev in spec.numerators)
    ):
        from ._dask import dask_simple, is_dask

        if is_dask(source):
            return dask_simple(source, spec, weights)
        return _nw_simple(lf, spec, weights)
    f64 = nw.Float64

    def ok(c: str) -> Any:
        v = nw.col(c).cast(f64)
        return ~(v.is_null() | v.is_nan())

    avails = []
    numeric = {c for c, lev in spec.numerators if lev is None} | set(spec.denominators or ())
    for j, (c, lev) in enumerate(spec.numerators):
        if spec.missing == "drop":
            conds = [
                ok(x) if x in numeric else ~nw.col(x).is_null()
                for x in sorted({c2 for c2, _ in spec.numerators} | set(spec.denominators or ()))
            ]
        else:
            conds = [ok(c) if lev is None else ~nw.col(c).is_null()]
            if spec.denominators is not None:
                conds.append(ok(spec.denominators[j]))
        cond = conds[0]
        for extra in conds[1:]:
            cond = cond & extra
        avails.append(cond)
    w = nw.col(weights).cast(f64) if weights else nw.lit(1.0)
    cols: list[Any] = [nw.lit(1).alias("_nrow")]
    for name, power, kind, _ in _sums(spec, weights)[1:]:
        j = _index(name)
        c, lev = spec.numerators[j]
        y = nw.col(c).cast(f64) if lev is None else (nw.col(c).cast(nw.String) == lev).cast(f64)
        x = nw.col(spec.denominators[j]).cast(f64) if spec.denominators else nw.lit(1.0)
        val = {"a": nw.lit(1.0), "y": y, "yy": y * y, "x": x, "xx": x * x, "xy": x * y}[kind]
        wp = {"0": nw.lit(1.0), "1": w, "2": w * w}[power]
        cols.append(nw.when(avails[j]).then(wp * val).otherwise(nw.lit(0.0)).alias(name))
    aggs = [nw.col(a).sum() for a, *_ in _sums(spec, weights)]
    if weights:
        cols += [
            nw.col(weights).cast(f64).alias("_wmin"),
            nw.col(weights).is_null().cast(f64).alias("_wnull"),
        ]
        aggs += [nw.col("_wmin").min(), nw.col("_wnull").sum()]
    frame = lf.with_columns(*cols)
    out = frame.group_by(*spec.keys).agg(*aggs) if spec.keys else frame.select(*aggs)
    got = out.collect(backend="pyarrow")
    return got.to_native().to_pandas()


def reduce_cells(source: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    """Run the reduction where the data live; returns the small cell table as pandas."""
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        duckdb = None  # type: ignore[assignment]
    if isinstance(source, str | Path) or (
        duckdb is not None and isinstance(source, duckdb.DuckDBPyRelation)
    ):
        from ._sql import sql_reduce

        cells = sql_reduce(source, spec, weights)
    else:
        cells = _nw_reduce(source, spec, weights)
    sums = [c for c in cells.columns if c.startswith("_s") or c.startswith("_w2")]
    if sums and not np.isfinite(cells[sums].to_numpy(dtype=float)).all():
        raise DataError(
            "an analysis variable or the weights hold NaN or infinite values",
            where=Where(variable=spec.numerators[0][0]),
            rule="data.not-finite",
            hint="Store missing values as missing (NULL), not as NaN or infinity.",
        )
    if weights:
        if cells["_wnull"].sum() > 0:
            raise DesignError(
                f"weights column {weights!r} has {int(cells['_wnull'].sum())} missing values",
                where=Where(variable=weights),
                rule="design.missing-weight",
            )
        if (cells["_wmin"] < 0).any():
            raise DesignError(
                f"weights column {weights!r} has negative values",
                where=Where(variable=weights),
                rule="design.negative-weight",
            )
    return cells


def check_missing(cells: pd.DataFrame, spec: CellSpec, in_domain: np.ndarray) -> None:
    """The ``fail`` policy: any row of a domain without a value is an error."""
    if spec.missing != "fail":
        return
    for j, (c, _) in enumerate(spec.numerators):
        gap = (cells["_nrow"] - cells[alias("_n", j)]).to_numpy()[in_domain]
        if gap.sum() > 0:
            raise DataError(
                f"variable {c!r} has {int(gap.sum())} missing values in the data used",
                where=Where(variable=c),
                rule="data.missing-values",
                hint="Choose missing='drop' or missing='available'.",
            )


def levels_of(source: Any, column: str) -> list[str]:
    """Distinct non-missing values of a categorical column, as sorted text."""
    if isinstance(source, str | Path):
        import duckdb

        res = duckdb.connect().execute(
            f"SELECT DISTINCT CAST({_q(column)} AS VARCHAR) AS v FROM "
            f"read_parquet({_sql_str(str(source))}) WHERE {_q(column)} IS NOT NULL"
        )
        vals = [r[0] for r in res.fetchall()]
    else:
        with quiet_engines():
            lf = nw.from_native(source)
            if isinstance(lf, nw.DataFrame):
                lf = lf.lazy()
            got = lf.select(nw.col(column).cast(nw.String)).unique().collect(backend="pyarrow")
        vals = [v for v in got.to_native().column(0).to_pylist() if v is not None]
    return sorted(str(v) for v in vals)


def key_columns(design: SurveyDesign, by: Sequence[str], where: str | None) -> tuple[str, ...]:
    """Group keys: the design's unit keys, then the domain keys."""
    keys = [*design.strata, *design.ids, *design.fpc, *by, *([where] if where else [])]
    return tuple(dict.fromkeys(keys))
