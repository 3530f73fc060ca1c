"""Domain estimation keeps the whole design; engine identities checked by hand.

Modelled on R survey's ``tests/domain.R``: a domain mean computed via ``subset``, via ``by=``
and as a ratio must give identical standard errors. Data: apiclus1 and apistrat from
``../shared/refs/survey/data`` (the survey package's data sets).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys.design import SurveyData, SurveyDesign, as_replicate

INF = math.inf


@pytest.fixture(scope="module")
def clus() -> SurveyData:
    root = Path(__file__).resolve().parents[2].parent / "shared" / "refs" / "survey" / "data"
    if not root.is_dir():
        pytest.skip("../shared (reference data) is not beside the project; CI always has it")
    return SurveyData(
        pd.read_csv(root / "apiclus1.csv"), SurveyDesign(weights="pw", ids="dnum", fpc="fpc")
    )


@pytest.mark.parametrize("replicate", [False, True])
def test_subset_by_and_ratio_agree(clus: SurveyData, replicate: bool) -> None:
    sd = as_replicate(clus, "JK1") if replicate else clus
    d = sd.data
    is_e = (d["stype"] == "E").to_numpy()
    via_subset = est.mean(sd.subset(is_e), "api00", df=INF)
    via_by = est.mean(sd, "api00", by="stype", df=INF).to_frame().query("stype == 'E'")
    frame = d.assign(num=d["api00"] * is_e, den=is_e.astype(float))
    via_ratio = est.ratio(
        SurveyData(frame, sd.design, replicate_weights=sd.replicate_weights), "num", "den", df=INF
    )
    se = via_subset.se[0]
    assert via_by["se"].iloc[0] == pytest.approx(se, rel=1e-12)
    assert via_ratio.se[0] == pytest.approx(se, rel=1e-12)
    assert via_ratio.estimate[0] == pytest.approx(via_subset.estimate[0], rel=1e-12)


def test_filtering_the_frame_is_not_the_same(clus: SurveyData) -> None:
    """Dropping rows loses PSUs: the naive SE differs from the domain SE."""
    d = clus.data
    dom = est.mean(clus.subset(d["stype"] == "H"), "api00")
    naive = est.mean(SurveyData(d[d["stype"] == "H"].reset_index(drop=True), clus.design), "api00")
    assert dom.estimate[0] == pytest.approx(naive.estimate[0])
    assert not np.isclose(dom.se[0], naive.se[0], rtol=1e-3)
    # design df of the domain: PSUs with a high school minus one stratum (R: degf(subset))
    n_psu = d.loc[d["stype"] == "H", "dnum"].nunique()
    assert dom.to_frame()["df"][0] == n_psu - 1


def test_by_many_domains_matches_one_at_a_time(clus: SurveyData) -> None:
    by = est.mean(clus, ["api00", "meals"], by=["stype", "sch.wide"], df=INF).to_frame()
    for _, row in by.iterrows():
        mask = (clus.data["stype"] == row["stype"]) & (clus.data["sch.wide"] == row["sch.wide"])
        one = est.mean(clus.subset(mask), row["variable"], df=INF)
        assert row["estimate"] == pytest.approx(one.estimate[0], rel=1e-12)
        assert row["se"] == pytest.approx(one.se[0], rel=1e-12)


def test_vcov_total_is_the_engine(clus: SurveyData) -> None:
    """The public primitive gives the mean's variance from its influence values."""
    y = clus.data["api00"].to_numpy(dtype=float)
    w = clus.weights
    n_hat = w.sum()
    ybar = (w * y).sum() / n_hat
    v = est.vcov_total(clus, ((y - ybar) / n_hat)[:, None])
    assert math.sqrt(v[0, 0]) == pytest.approx(est.mean(clus, "api00").se[0], rel=1e-12)
    rep = as_replicate(clus, "JK1")
    vr = est.vcov_total(rep, np.column_stack([y, np.ones_like(y)]))
    t = est.total(rep, "api00", vcov=True)
    assert vr[0, 0] == pytest.approx(t.se[0] ** 2, rel=1e-12)
    assert vr.shape == (2, 2)


def test_stratified_srs_by_hand() -> None:
    """Stratified SRS with fpc: V = sum_h N_h^2 (1 - n_h/N_h) s_h^2 / n_h (Cochran 5.6)."""
    df = pd.DataFrame(
        {"h": [1, 1, 1, 2, 2], "N": [30, 30, 30, 20, 20], "y": [2.0, 4.0, 9.0, 1.0, 5.0]}
    )
    sd = SurveyData(df, SurveyDesign(strata="h", fpc="N"))
    t = est.total(sd, "y")
    by_hand = (
        30**2 * (1 - 3 / 30) * np.var([2, 4, 9], ddof=1) / 3
        + 20**2 * (1 - 2 / 20) * np.var([1, 5], ddof=1) / 2
    )
    assert t.estimate[0] == pytest.approx(30 * 5 + 20 * 3)
    assert t.se[0] ** 2 == pytest.approx(by_hand, rel=1e-12)


def test_brr_equals_taylor_for_totals_with_two_psus_per_stratum() -> None:
    """A fully balanced BRR reproduces the with-replacement Taylor variance of a total."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "h": np.repeat(np.arange(5), 2),
            "psu": np.arange(10),
            "w": rng.uniform(1, 3, 10),
            "y": rng.normal(10, 2, 10),
        }
    )
    taylor = SurveyData(df, SurveyDesign(weights="w", strata="h", ids="psu"))
    brr = as_replicate(taylor, "BRR")
    assert brr.prepared.replicates is not None
    assert brr.prepared.replicates.n_replicates == 8  # Hadamard order 8 for 5 strata
    assert est.total(brr, "y").se[0] == pytest.approx(est.total(taylor, "y").se[0], rel=1e-12)


def test_bootstrap_is_seeded_and_sane(clus: SurveyData) -> None:
    a = as_replicate(clus, "bootstrap", replicates=40, seed=7)
    b = as_replicate(clus, "bootstrap", replicates=40, seed=7)
    assert a.prepared.replicates is not None
    assert b.prepared.replicates is not None
    assert np.array_equal(a.prepared.replicates.factors, b.prepared.replicates.factors)
    # every replicate resamples the 15 PSUs: factors are counts summing to 15
    assert np.all(a.prepared.replicates.factors.sum(axis=0) == 15)
    rw = as_replicate(clus, "subbootstrap", replicates=40, seed=7)
    assert rw.prepared.replicates is not None
    np.testing.assert_allclose(rw.prepared.replicates.factors.sum(axis=0), 15.0)
    assert rw.degf == 14  # rank 15 minus 1, as R's degf for rep_subboot_clus1


def test_where_argument_equals_subset(clus: SurveyData) -> None:
    a = est.mean(clus, "api00", where="stype == 'E'")
    b = est.mean(clus.subset(clus.data["stype"] == "E"), "api00")
    assert a.se[0] == b.se[0]
    assert a.estimate[0] == b.estimate[0]


def test_from_dataset_turns_missing_codes_into_missing() -> None:
    from qonys._core import Codebook, Dataset, MissingCode, Variable

    df = pd.DataFrame({"w": [1.0, 1.0, 2.0, 2.0], "age": [20.0, 99.0, 40.0, 30.0]})
    cb = Codebook(
        variables=(
            Variable("w", "decimal"),
            Variable("age", "integer", missing=(MissingCode(value=99, kind="refused"),)),
        )
    )
    sd = SurveyData.from_dataset(Dataset(df, cb), SurveyDesign(weights="w"))
    r = est.mean(sd, "age", missing="drop")
    assert r.estimate[0] == pytest.approx((20 + 2 * 40 + 2 * 30) / 5)  # 99 = refused, not 99
    assert r.meta.n_dropped == 1


def test_replicate_mse_and_factor_columns(clus: SurveyData) -> None:
    """Replicate variance by hand: c * sum_r (theta_r - centre)^2, centre = replicate mean or,
    with mse=True, the full-sample estimate; replicate columns given as factors or weights."""
    from qonys.design import ReplicateSpec

    jk = as_replicate(clus, "JK1")
    reps = jk.prepared.replicates
    assert reps is not None
    a = reps.analysis_weights(jk.weights)
    y = clus.data["api00"].to_numpy(dtype=float)
    theta_r = (a * y[:, None]).sum(axis=0) / a.sum(axis=0)
    theta = (jk.weights * y).sum() / jk.weights.sum()
    for mse, centre in ((False, theta_r.mean()), (True, theta)):
        cols = {f"r{i}": a[:, i] / jk.weights for i in range(a.shape[1])}
        frame = clus.data.assign(**cols)
        spec = ReplicateSpec(
            columns=tuple(cols), type="JK1", scale=reps.scale, mse=mse, combined=False
        )
        sd = SurveyData(frame, SurveyDesign(weights="pw", replicates=spec))
        want = reps.scale * ((theta_r - centre) ** 2).sum()
        assert est.mean(sd, "api00").se[0] ** 2 == pytest.approx(want, rel=1e-12)
