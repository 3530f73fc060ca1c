"""The grouped reduction gives the same numbers in every back end.

Synthetic data (seeded): a stratified two-stage-like cluster sample and an element sample, with
missing values and three domains. Expected numbers are the in-memory results; every back end
(pandas through narwhals, DuckDB over Parquet, a DuckDB relation, Dask on a
``LocalCluster``, Spark in local mode) must agree to 1e-12 relative.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys.design import SurveyData, SurveyDesign

REL = 1e-12
CLUSTER = SurveyDesign(weights="w", strata="st", ids="psu", nest=True)
ELEMENT = SurveyDesign(weights="w", strata="st", fpc="N")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(20261127)
    n = 4000
    st = rng.integers(0, 12, n)
    df = pd.DataFrame(
        {
            "st": st,
            "psu": rng.integers(0, 5, n),
            "N": 10_000 + st * 100,
            "w": rng.uniform(1, 5, n),
            "y": rng.normal(175, 7, n),  # large mean, small spread: the ill-conditioned case
            "x": rng.gamma(2.0, 10.0, n),
            "g": rng.choice(["a", "b", "c"], n),
        }
    )
    df.loc[::53, "y"] = np.nan
    return df


@pytest.fixture(scope="module")
def parquet(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "survey.parquet"
    frame.to_parquet(path, row_group_size=1000)
    return path


CASES: list[tuple[str, Callable[[Any], est.Estimates]]] = [
    ("mean", lambda d: est.mean(d, ["y", "x"], by="g", missing="available")),
    ("total", lambda d: est.total(d, ["y", "x"], by="g", missing="drop")),
    ("proportion", lambda d: est.proportion(d, "g")),
    ("ratio", lambda d: est.ratio(d, "y", "x", by="g", missing="drop")),
]


def _compare(mem: est.Estimates, big: est.Estimates) -> None:
    a, b = mem.to_frame(), big.to_frame()
    assert list(a["domain"]) == list(b["domain"])
    assert list(a["level"].fillna("")) == list(b["level"].fillna(""))
    for col in ("estimate", "se", "ci_low", "ci_high", "df", "n"):
        np.testing.assert_allclose(b[col].to_numpy(float), a[col].to_numpy(float), rtol=REL)
    np.testing.assert_allclose(
        b["deff"].to_numpy(float), a["deff"].to_numpy(float), rtol=1e-9
    )  # second moments in one pass vs two passes


@pytest.mark.parametrize("design", [CLUSTER, ELEMENT], ids=["cluster", "element"])
@pytest.mark.parametrize(("name", "run"), CASES, ids=[c[0] for c in CASES])
def test_duckdb_and_pandas_agree_with_memory(
    frame: pd.DataFrame,
    parquet: Path,
    design: SurveyDesign,
    name: str,
    run: Callable[[Any], est.Estimates],
) -> None:
    import duckdb

    mem = run(SurveyData(frame, design))
    _compare(mem, run(est.scan(str(parquet), design)))
    _compare(mem, run(est.scan(duckdb.from_df(frame), design)))
    _compare(mem, run(est.scan(frame, design)))


def test_subset_column(frame: pd.DataFrame, parquet: Path) -> None:
    flagged = frame.assign(adult=frame["x"] > 15)
    mem = est.mean(SurveyData(flagged, CLUSTER).subset(flagged["adult"]), "x")
    big = est.mean(est.scan(flagged, CLUSTER).subset("adult"), "x")
    _compare(mem, big)


def test_dask_local_cluster(frame: pd.DataFrame) -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.from_pandas(frame, npartitions=4)
        for _, run in (CASES[0], CASES[3]):
            _compare(run(SurveyData(frame, CLUSTER)), run(est.scan(ddf, CLUSTER)))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:-UsePerfData")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # PySpark on pandas 3: announced, works
        from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("qonys-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_local(frame: pd.DataFrame, parquet: Path, spark: Any) -> None:
    sdf = spark.read.parquet(str(parquet))
    run = CASES[0][1]  # one query per design keeps the local session quick
    for design in (CLUSTER, ELEMENT):
        _compare(run(SurveyData(frame, design)), run(est.scan(sdf, design)))


def test_errors_reach_the_user(frame: pd.DataFrame) -> None:
    bad = frame.assign(w=frame["w"].where(frame.index != 3, -1.0))
    from qonys._core import DataError, DesignError

    with pytest.raises(DesignError) as e:
        est.mean(est.scan(bad, CLUSTER), "x")
    assert e.value.rule == "design.negative-weight"
    with pytest.raises(DataError) as e2:
        est.mean(est.scan(frame, CLUSTER), "y")
    assert (e2.value.rule, e2.value.where.variable) == ("data.missing-values", "y")
    with pytest.raises(DesignError) as e3:
        est.scan(frame, SurveyDesign(weights="wt"))
    assert e3.value.rule == "design.unknown-column"


def test_several_domain_sets_in_one_scan(frame: pd.DataFrame, parquet: Path) -> None:
    sets = [["g"], ["st"]]
    mem = est.mean(SurveyData(frame, CLUSTER), "x", by=sets).to_frame()
    one_by_one = pd.concat(
        [est.mean(SurveyData(frame, CLUSTER), "x", by=s).to_frame() for s in sets],
        ignore_index=True,
    )
    np.testing.assert_allclose(mem["se"], one_by_one["se"], rtol=1e-14)
    big = est.mean(est.scan(str(parquet), CLUSTER), "x", by=sets).to_frame()
    assert list(big["domain"]) == list(mem["domain"])
    np.testing.assert_allclose(big["se"], mem["se"], rtol=REL)
