"""One large-data run in its own process (called by ``survey_suite.py``; not a test).

Usage: ``python benchmarks/survey_large.py ENGINE PARQUET OUT.json`` with ENGINE ``duckdb``,
``dask`` or ``spark``. Times means of y1..y10 by g1, g2 and g3 (three sets of domains, one
scan) with SEs, and records wall time, CPU time and the peak resident memory of this process
and its children (Dask workers, Spark's JVM), sampled every 20 ms.
"""

from __future__ import annotations

import contextlib
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


def main(engine: str, path: str, out: str) -> None:
    from qonys import estimate
    from qonys.design import SurveyDesign

    design = SurveyDesign(weights="w", strata="stratum", ids="psu", nest=True)
    peak = Peak()
    t_start = time.perf_counter()
    cleanup: list[Any] = []
    if engine == "duckdb":
        source: Any = path
    elif engine == "dask":
        import dask.dataframe as dd
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
        client = Client(cluster)
        cleanup += [client, cluster]
        source = dd.read_parquet(path)
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
    main(*sys.argv[1:4])
