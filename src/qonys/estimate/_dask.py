"""The reduction of a Dask DataFrame by numpy on each partition (internal).

For numeric variables taken one at a time (no listwise deletion, no denominators, cluster
designs), every partition is reduced to its own small cell table with ``np.bincount`` over the
cells of (design keys, domain keys), and the partial tables are added up. This avoids building
a dozen derived columns per variable and a generic group-by in every partition; the sums are
the same as those of the narwhals path (missing values, NaN included, leave a row out of that
variable's sums, as pandas' sums skip them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .backends import CellSpec, alias

__all__ = ["dask_simple", "is_dask"]


def is_dask(source: Any) -> bool:
    """Whether ``source`` is a Dask DataFrame."""
    mod = type(source).__module__
    return mod.startswith("dask") and hasattr(source, "map_partitions")


def _sum_names(spec: CellSpec) -> list[str]:
    names = ["_nrow"]
    for j in range(len(spec.numerators)):
        names += [alias("_n", j), alias("_sw", j), alias("_swy", j)]
        if spec.second_moments:
            names.append(alias("_swyy", j))
    return names


def _integer_codes(pdf: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame] | None:
    """Cell codes of integer keys by mixed-radix arithmetic (no hashing), or ``None``."""
    cols = [pdf[k] for k in keys]
    if not all(pd.api.types.is_integer_dtype(c.dtype) and c.dtype.kind in "iu" for c in cols):
        return None
    vals = [c.to_numpy() for c in cols]
    lows = [int(v.min()) for v in vals]
    spans = [int(v.max()) - lo + 1 for v, lo in zip(vals, lows, strict=True)]
    size = int(np.prod(np.array(spans, dtype=float)))
    if size > 16_000_000:
        return None
    # at most 16 million cells: 32-bit codes, half the memory traffic of 64-bit ones. The
    # arithmetic wraps modulo 2**32 (values and minimum alike), and the true code is below
    # 2**24, so it comes out exact even for keys beyond the 32-bit range.
    code = np.zeros(len(pdf), dtype=np.int32)
    for v, lo, span in zip(vals, lows, spans, strict=True):
        code *= span
        code += v.astype(np.int32, copy=False)
        code -= np.array(lo, dtype=np.int64).astype(np.int32)
    present = np.zeros(size, dtype=bool)
    present[code] = True
    cells = np.flatnonzero(present)
    index = np.cumsum(present) - 1
    out = {}
    rest = cells.copy()
    for k, v, lo, span in reversed(list(zip(keys, vals, lows, spans, strict=True))):
        out[k] = (rest % span + lo).astype(v.dtype)
        rest //= span
    return index[code], pd.DataFrame({k: out[k] for k in keys})


def _floats(col: pd.Series) -> np.ndarray:
    """The column as float64 with NaN for missing values (no copy when it already is)."""
    if col.dtype == np.float64:
        return col.to_numpy()
    return pd.to_numeric(col).to_numpy(dtype=float, na_value=np.nan)


def _partition(pdf: pd.DataFrame, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    keys = list(spec.keys)
    n = len(pdf)
    fast = _integer_codes(pdf, keys) if keys and n else None
    if fast is not None:
        codes, out = fast
    elif keys:
        grouped = pdf.groupby(keys, sort=False, dropna=False)
        codes = grouped.ngroup().to_numpy()
        out = pdf[keys].drop_duplicates().reset_index(drop=True)
    else:
        codes = np.zeros(n, dtype=np.int64)
        out = pd.DataFrame(index=range(1 if n else 0))
    m = len(out)
    if weights:
        w_raw = _floats(pdf[weights])
        wnull = np.isnan(w_raw)
        w = np.where(wnull, 0.0, w_raw)
    else:
        w, wnull = np.ones(n), np.zeros(n, dtype=bool)
    nrow = np.bincount(codes, minlength=m).astype(float)
    out["_nrow"] = nrow
    sw_all: np.ndarray | None = None  # sums of the weights of all rows, shared by complete columns
    for j, (c, _) in enumerate(spec.numerators):
        y = _floats(pdf[c])
        nan = np.isnan(y)
        if not nan.any():  # complete column: no masks, the row counts and weight sums shared
            if sw_all is None:
                sw_all = np.bincount(codes, weights=w, minlength=m)
            wy = w * y
            out[alias("_n", j)] = nrow
            out[alias("_sw", j)] = sw_all
            out[alias("_swy", j)] = np.bincount(codes, weights=wy, minlength=m)
            if spec.second_moments:
                out[alias("_swyy", j)] = np.bincount(codes, weights=wy * y, minlength=m)
            continue
        ok = ~nan
        wy = np.where(ok, w * y, 0.0)
        out[alias("_n", j)] = np.bincount(codes, weights=ok.astype(float), minlength=m)
        out[alias("_sw", j)] = np.bincount(codes, weights=np.where(ok, w, 0.0), minlength=m)
        out[alias("_swy", j)] = np.bincount(codes, weights=wy, minlength=m)
        if spec.second_moments:
            out[alias("_swyy", j)] = np.bincount(
                codes, weights=wy * np.where(ok, y, 0.0), minlength=m
            )
    if weights:
        out["_wmin"] = float(np.nanmin(w_raw)) if n and not wnull.all() else np.inf
        out["_wnull"] = np.bincount(codes, weights=wnull.astype(float), minlength=m)
    return out


def dask_simple(ddf: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    """Cell table of a Dask DataFrame (see the module docstring)."""
    # only the columns the sums need are read (the selection reaches the Parquet reader)
    used = list(
        dict.fromkeys(
            [*spec.keys, *([weights] if weights else []), *(c for c, _ in spec.numerators)]
        )
    )
    if len(used) < len(ddf.columns):
        ddf = ddf[used]
    parts = ddf.map_partitions(_partition, spec, weights, meta=_meta(ddf, spec, weights))
    cells = parts.compute()
    keys = list(spec.keys)
    sums = [c for c in cells.columns if c not in keys]
    if not keys:
        return cells[sums].agg({c: ("min" if c == "_wmin" else "sum") for c in sums}).to_frame().T
    how = {c: ("min" if c == "_wmin" else "sum") for c in sums}
    out = cells.groupby(keys, sort=False, dropna=False).agg(how).reset_index()
    return out


def _meta(ddf: Any, spec: CellSpec, weights: str | None) -> pd.DataFrame:
    keys = list(spec.keys)
    meta = ddf._meta[keys].iloc[:0].copy() if keys else pd.DataFrame()
    for name in _sum_names(spec):
        meta[name] = pd.Series(dtype=float)
    if weights:
        meta["_wmin"] = pd.Series(dtype=float)
        meta["_wnull"] = pd.Series(dtype=float)
    return meta
