"""One large-data run in its own process (called by ``survey_suite.py``; not a test).

Usage: ``python benchmarks/survey_large.py ENGINE PARQUET OUT.json`` with ENGINE ``duckdb``,
``dask`` (one partition per row group), ``dask-default`` (Dask's default partitions) or
``spark``; ``python benchmarks/survey_large.py write PARQUET ROWS`` writes the data.
A run times means of y1..y10 by g1, g2 and g3 (three sets of domains, one scan) with SEs, and
records wall time, CPU time and the peak resident memory of this process and its children (Dask
workers, Spark's JVM), sampled every 20 ms.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

VARS = [f"y{j}" for j in range(1, 11)]


class Peak:
    """Peak resident memory of a process tree, sampled in a thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _rss(self) -> int:
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.02)

    def reset(self) -> None:
        self.peak = self._rss()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def cpu_seconds() -> float:
    total = 0.0
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def write_large(path: Path, rows: int, seed: int = 20240601) -> None:
    """50 strata, 4,000 PSUs of varying size, rows in stratum and PSU order; y1..y6 continuous
    with stratum and PSU effects, y7..y10 0/1, g1 a PSU-level domain (4 levels), g2 (2), g3 (7)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    h_n, p_n = 50, 4000
    n_h = np.maximum(2, np.round(np.linspace(0.5, 1.5, h_n) * p_n / h_n)).astype(int)
    n_h[-1] += p_n - n_h.sum()
    psu_stratum = np.repeat(np.arange(h_n), n_h)
    size = rng.gamma(4.0, 1.0, p_n)
    size = np.maximum(1, np.floor(size / size.sum() * rows)).astype(np.int64)
    size[np.argmax(size)] += rows - size.sum()
    s_eff, p_eff = rng.normal(0, 1, h_n), rng.normal(0, 1, p_n)
    g1 = rng.choice(4, p_n, p=[0.45, 0.3, 0.15, 0.1]).astype(np.int8)
    wbase = rng.uniform(50, 400, h_n)
    writer = None
    start = 0
    while start < p_n:
        stop = start + 1
        while stop < p_n and size[start:stop].sum() < 1_000_000:
            stop += 1
        psu = np.repeat(np.arange(start, stop), size[start:stop])
        n = psu.size
        st = psu_stratum[psu]
        cols: dict[str, Any] = {
            "stratum": st.astype(np.int16),
            "psu": psu.astype(np.int32),
            "w": wbase[st] * rng.lognormal(0, 0.3, n),
        }
        for j in range(1, 7):
            cols[f"y{j}"] = 10 * j + s_eff[st] + p_eff[psu] + rng.normal(0, 3, n)
        for j in range(7, 11):
            cols[f"y{j}"] = (rng.random(n) < 0.2 + 0.05 * j - 0.3 * (p_eff[psu] > 1)).astype(
                np.int8
            )
        cols["g1"] = g1[psu]
        cols["g2"] = rng.integers(0, 2, n).astype(np.int8)
        cols["g3"] = rng.integers(0, 7, n).astype(np.int8)
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
        start = stop
    if writer is not None:
        writer.close()


def main(engine: str, path: str, out: str) -> None:
    from qonys import estimate
    from qonys.design import SurveyDesign

    design = SurveyDesign(weights="w", strata="stratum", ids="psu", nest=True)
    peak = Peak()
    t_start = time.perf_counter()
    cleanup: list[Any] = []
    if engine == "duckdb":
        source: Any = path
    elif engine in ("dask", "dask-default"):
        import dask.dataframe as dd
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
        client = Client(cluster)
        cleanup += [client, cluster]
        # "dask": one partition per Parquet row group (about 1,000,000 rows), so the two
        # workers share the 20 partitions evenly; "dask-default": Dask's own partitioning
        # (five partitions of about 4,000,000 rows: one worker gets three)
        split = {"split_row_groups": True} if engine == "dask" else {}
        source = dd.read_parquet(path, **split)
        # the workers import qonys and pandas during start-up (as Spark starts its JVM), not
        # inside the timed estimate
        client.run(importlib.import_module, "qonys.estimate._dask")
    elif engine == "spark":
        import os

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        cleanup.append(spark)
        source = spark.read.parquet(path)
    else:
        raise SystemExit(f"unknown engine {engine}")
    startup = time.perf_counter() - t_start
    peak.reset()
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    res = estimate.mean(estimate.scan(source, design), VARS, by=[["g1"], ["g2"], ["g3"]], deff=None)
    wall = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    mem = peak.stop()
    table = res.table
    Path(out).write_text(
        json.dumps(
            {
                "engine": engine,
                "startup_s": startup,
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_bytes": mem,
                "estimate": table["estimate"].tolist(),
                "se": table["se"].tolist(),
            }
        )
    )
    for c in cleanup:
        c.stop() if hasattr(c, "stop") else c.close()


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write_large(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main(*sys.argv[1:4])
