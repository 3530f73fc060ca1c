"""The DuckDB reduction's path for complete data (no missing value in the analysis columns:
only count, sum(w) and sum(w*y) per cell) gives the in-memory numbers, and the checks made
from the cheap first aggregate (missing or negative weights) still reach the user.

Expected numbers: the in-memory estimators on the same seeded data (1e-12 relative; design
effects 1e-9, second moments in one pass vs two)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys._core import DesignError
from qonys.design import SurveyData, SurveyDesign

CLUSTER = SurveyDesign(weights="w", strata="st", ids="psu", nest=True)
ELEMENT = SurveyDesign(weights="w", strata="st", fpc="N")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 3000
    st = rng.integers(0, 8, n)
    return pd.DataFrame(
        {
            "st": st,
            "psu": rng.integers(0, 4, n),
            "N": 9_000 + st * 50,
            "w": rng.uniform(1, 5, n),
            "y": rng.normal(175, 7, n),
            "x": rng.gamma(2.0, 10.0, n),
            "g": rng.choice(["a", "b", "c"], n),
            "h": rng.integers(0, 2, n),
        }
    )


@pytest.fixture(scope="module")
def parquet(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("complete") / "s.parquet"
    frame.to_parquet(path, row_group_size=700)
    return path


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    for col in ("estimate", "se", "df", "n"):
        np.testing.assert_allclose(b[col].to_numpy(float), a[col].to_numpy(float), rtol=1e-12)
    # a proportion of the domain's own level has variance 0: 0/0 in memory, +-0 from sums
    ok = np.isfinite(a["deff"].to_numpy(float))
    np.testing.assert_allclose(
        b["deff"].to_numpy(float)[ok], a["deff"].to_numpy(float)[ok], rtol=1e-9
    )


@pytest.mark.parametrize("design", [CLUSTER, ELEMENT], ids=["cluster", "element"])
def test_complete_data_path(frame: pd.DataFrame, parquet: Path, design: SurveyDesign) -> None:
    mem = SurveyData(frame, design)
    big = est.scan(str(parquet), design)
    sets = [["g"], ["h"], ["g", "h"]]
    _same(est.mean(mem, ["y", "x", "g"], by=sets).to_frame(),
          est.mean(big, ["y", "x", "g"], by=sets).to_frame())  # fmt: skip
    _same(
        est.total(mem, ["y", "x"], by="g").to_frame(), est.total(big, ["y", "x"], by="g").to_frame()
    )
    a = est.ratio(mem, ["y", "x"], "x", by="h").to_frame()
    b = est.ratio(big, ["y", "x"], "x", by="h").to_frame()
    np.testing.assert_allclose(b["se"].to_numpy(float), a["se"].to_numpy(float), rtol=1e-12)


def test_weight_checks_from_the_first_aggregate(frame: pd.DataFrame, tmp_path: Path) -> None:
    neg = tmp_path / "neg.parquet"
    frame.assign(w=frame["w"].where(frame.index != 5, -2.0)).to_parquet(neg)
    with pytest.raises(DesignError) as e:
        est.mean(est.scan(str(neg), CLUSTER), "y")
    assert e.value.rule == "design.negative-weight"
    miss = tmp_path / "miss.parquet"
    frame.assign(w=frame["w"].where(frame.index % 100 != 0)).to_parquet(miss)
    with pytest.raises(DesignError, match="30 missing values") as e2:
        est.mean(est.scan(str(miss), CLUSTER), "y")
    assert e2.value.rule == "design.missing-weight"


def test_dask_partitions_reduced_by_numpy(frame: pd.DataFrame) -> None:
    """Integer keys take the mixed-radix cell codes, text keys pandas' group numbers; both give
    the in-memory numbers (Dask on a local cluster, 3 partitions)."""
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    gaps = frame.assign(y=frame["y"].where(frame.index % 37 != 0))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.from_pandas(gaps, npartitions=3)
        for by in ("h", "g"):
            mem = est.mean(SurveyData(gaps, CLUSTER), ["y", "x"], by=by, missing="available")
            big = est.mean(est.scan(ddf, CLUSTER), ["y", "x"], by=by, missing="available")
            _same(mem.to_frame(), big.to_frame())
