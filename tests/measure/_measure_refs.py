"""Readers for the psych / lavaan reference files in ../shared/refs/measure.

Every reference number a test asserts comes from ``measure_refs_long.csv`` (columns
``dataset, analysis, term, stat, value``; written by ``measure_refs.R`` with psych 2.2.9 and
lavaan 0.6-14) or from the latent-class files; the test names the file and the row keys.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from sharedpaths import shared_path

__all__ = ["data", "long_rows", "ref_value"]


@cache
def _long() -> pd.DataFrame:
    return pd.read_csv(shared_path("refs", "measure", "measure_refs_long.csv"))


def long_rows(dataset: str, analysis: str) -> pd.DataFrame:
    """Rows of measure_refs_long.csv for one (dataset, analysis)."""
    df = _long()
    out = df[(df["dataset"] == dataset) & (df["analysis"] == analysis)]
    if out.empty:
        raise LookupError(f"no reference rows for {dataset}/{analysis}")
    return out.reset_index(drop=True)


def ref_value(dataset: str, analysis: str, term: str, stat: str) -> float:
    """One number of measure_refs_long.csv, by its row keys."""
    rows = long_rows(dataset, analysis)
    hit = rows[(rows["term"] == term) & (rows["stat"] == stat)]
    if hit.empty:
        raise LookupError(f"no reference row {dataset}/{analysis}/{term}/{stat}")
    return float(hit["value"].iloc[0])


@cache
def data(name: str) -> pd.DataFrame:
    """A data set of refs/measure/data (e.g. ``"HolzingerSwineford1939"``)."""
    return pd.read_csv(shared_path("refs", "measure", "data", f"{name}.csv"))
