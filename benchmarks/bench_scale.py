"""Timing of the grouped reduction on synthetic data (not part of the test suite).

Usage: ``python benchmarks/bench_scale.py ROWS [ENGINE ...]`` with engines ``memory``,
``duckdb`` (Parquet), ``dask``. Writes a seeded Parquet file to a temporary folder (50 strata,
4,000 PSUs, 10 variables, three domain variables as in the scale prototype) and prints the
wall time of ``mean`` of 10 variables by each domain variable, with SEs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qonys import estimate
from qonys.design import SurveyData, SurveyDesign

VARS = [f"y{j}" for j in range(1, 11)]
DESIGN = SurveyDesign(weights="w", strata="stratum", ids="psu", nest=True)


def make(rows: int, seed: int = 12345) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 50, rows)
    psu = rng.integers(0, 80, rows)
    data = {"stratum": stratum, "psu": psu, "w": rng.lognormal(4, 0.5, rows)}
    effect = rng.normal(0, 1, 50 * 80)[stratum * 80 + psu]
    for j, v in enumerate(VARS):
        data[v] = (
            (effect + rng.normal(0, 3, rows) + 10 * j)
            if j < 6
            else (rng.random(rows) < 0.3).astype(float)
        )
    data["g1"] = (psu % 4).astype(np.int16)
    data["g2"] = rng.integers(0, 2, rows).astype(np.int16)
    data["g3"] = rng.integers(0, 7, rows).astype(np.int16)
    return pd.DataFrame(data)


def main(argv: list[str]) -> None:
    rows = int(argv[1]) if len(argv) > 1 else 1_000_000
    engines = argv[2:] or ["memory", "duckdb"]
    frame = make(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synth.parquet"
        frame.to_parquet(path, row_group_size=1_000_000)
        for engine in engines:
            t0 = time.perf_counter()
            if engine == "memory":
                data: object = SurveyData(frame, DESIGN)
            elif engine == "duckdb":
                data = estimate.scan(str(path), DESIGN)
            elif engine == "dask":
                import dask.dataframe as dd

                data = estimate.scan(dd.read_parquet(str(path)), DESIGN)
            else:
                raise SystemExit(f"unknown engine {engine}")
            out = [estimate.mean(data, VARS, by=[["g1"], ["g2"], ["g3"]], deff=None)]  # type: ignore[arg-type]
            dt = time.perf_counter() - t0
            print(
                f"{engine:8s} rows={rows:>10,d} estimates={sum(len(o.table) for o in out)} "
                f"seconds={dt:.2f}"
            )


if __name__ == "__main__":
    main(sys.argv)
