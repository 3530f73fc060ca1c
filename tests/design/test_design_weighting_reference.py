"""Weighting reproduces R's ``survey`` reference weights and post-weighting estimates.

Sources: ``../shared/refs/survey/survey_refs_long.csv`` (block ``design == "dsrs"``, analyses
``weights_*``, and ``rep_jk1_srs``) and ``weights_apisrs.csv`` (per-row weights), made by
``survey_refs.R`` with R 4.2.2 / survey 4.1-1 on apisrs raked or calibrated to apipop.
R iterates for raking and non-linear calibration, so those weights are compared at 1e-6
relative (the brief's tolerance for iterated quantities); closed forms at 1e-8.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys.design import SurveyData, SurveyDesign, as_replicate
from qonys.design import weighting as wt

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def refs(request: pytest.FixtureRequest) -> dict[str, object]:
    shared = Path(__file__).resolve().parents[2].parent / "shared"
    if not shared.is_dir():
        pytest.skip("../shared (reference data) is not beside the project; CI always has it")
    root = shared / "refs" / "survey"
    srs = pd.read_csv(root / "data" / "apisrs.csv")
    pop = pd.read_csv(root / "data" / "apipop.csv")
    return {
        "long": pd.read_csv(root / "survey_refs_long.csv", keep_default_na=False),
        "weights": pd.read_csv(root / "weights_apisrs.csv"),
        "sd": SurveyData(srs, SurveyDesign(fpc="fpc")),
        "stype": pop["stype"].value_counts().to_dict(),
        "schwide": pop["sch.wide"].value_counts().to_dict(),
        "api99": float(pop["api99"].sum()),
    }


def _ref(refs: dict[str, object], analysis: str) -> dict[tuple[str, str], float]:
    long = refs["long"]
    assert isinstance(long, pd.DataFrame)
    block = long[(long["design"] == "dsrs") & (long["analysis"] == analysis)]
    assert len(block) > 0
    return {(r["term"], r["stat"]): float(r["value"]) for _, r in block.iterrows()}


def _check(refs: dict[str, object], label: str, result: wt.Weighted, rel: float) -> None:
    want = _ref(refs, f"weights_{label}")
    data = result.data
    mean = est.mean(data, "api00", df=math.inf)
    tot = est.total(data, "enroll", missing="drop", df=math.inf)
    got = {
        ("api00", "mean_est"): mean.estimate[0],
        ("api00", "mean_se"): mean.se[0],
        ("enroll", "total_est"): tot.estimate[0],
        ("enroll", "total_se"): tot.se[0],
    }
    for k in ("sum", "mean", "min", "max", "sd", "kish_deff", "kish_neff"):
        got[("weights", k)] = result.stats[k]
    for var, col in (("stype", "stype"), ("sch.wide", "sch.wide")):
        t = est.total(data, col, df=math.inf, deff=None).to_frame()
        for _, r in t.iterrows():
            got[(f"{var}{r['level']}", "margin_total")] = r["estimate"]
    for key, value in want.items():
        if key[1] == "nr_factor":
            continue
        if key[1] == "sd" and value == 0:
            assert got[key] == pytest.approx(0, abs=1e-12)
            continue
        assert key in got, key
        assert got[key] == pytest.approx(value, rel=rel), f"{label} {key}: {got[key]} vs {value}"


def test_base(refs: dict[str, object]) -> None:
    sd = refs["sd"]
    assert isinstance(sd, SurveyData)
    r = wt.trim(sd, upper=1e9)  # no weight outside: the base weights unchanged
    assert np.array_equal(r.weights, sd.weights)
    _check(refs, "base", r, 1e-8)


def test_poststratify(refs: dict[str, object]) -> None:
    r = wt.poststratify(refs["sd"], "stype", refs["stype"])  # type: ignore[arg-type]
    w = refs["weights"]
    assert isinstance(w, pd.DataFrame)
    np.testing.assert_allclose(r.weights, w["poststrat_stype"], rtol=1e-12)
    _check(refs, "poststrat", r, 1e-8)


def test_rake(refs: dict[str, object]) -> None:
    r = wt.rake(refs["sd"], {"stype": refs["stype"], "sch.wide": refs["schwide"]})  # type: ignore[arg-type]
    w = refs["weights"]
    assert isinstance(w, pd.DataFrame)
    np.testing.assert_allclose(r.weights, w["rake_stype_schwide"], rtol=1e-8)
    _check(refs, "rake", r, 1e-6)


@pytest.mark.parametrize(
    ("label", "column", "distance", "bounds"),
    [
        ("cal_linear", "cal_linear", "linear", None),
        ("cal_raking", "cal_raking", "raking", None),
        ("cal_logit", "cal_logit_0.9_1.12", "logit", (0.9, 1.12)),
        ("cal_linear_bounded", "cal_linear_bounded_0.9_1.12", "linear", (0.9, 1.12)),
    ],
)
def test_calibrate(
    refs: dict[str, object], label: str, column: str, distance: str, bounds: tuple[float, float]
) -> None:
    totals = {"stype": refs["stype"], "api99": refs["api99"]}
    r = wt.calibrate(refs["sd"], totals, distance=distance, bounds=bounds, maxit=200)  # type: ignore[arg-type]
    w = refs["weights"]
    assert isinstance(w, pd.DataFrame)
    np.testing.assert_allclose(r.weights, w[column], rtol=1e-8)
    _check(refs, label, r, 1e-8 if distance == "linear" and bounds is None else 1e-6)


def test_calibrate_raking_equals_rake(refs: dict[str, object]) -> None:
    # R: max |calibrate(~stype+sch.wide, "raking") - rake()| = 9.8e-10 (survey_refs.R, item 8)
    sd = refs["sd"]
    margins = {"stype": refs["stype"], "sch.wide": refs["schwide"]}
    c = wt.calibrate(sd, margins, distance="raking")  # type: ignore[arg-type]
    r = wt.rake(sd, margins)  # type: ignore[arg-type]
    np.testing.assert_allclose(c.weights, r.weights, rtol=1e-9)


def test_trim_after_rake(refs: dict[str, object]) -> None:
    raked = wt.rake(refs["sd"], {"stype": refs["stype"], "sch.wide": refs["schwide"]})  # type: ignore[arg-type]
    r = wt.trim(raked.data, lower=29.0, upper=31.45)
    w = refs["weights"]
    assert isinstance(w, pd.DataFrame)
    np.testing.assert_allclose(r.weights, w["rake_trimmed_29.0_31.45"], rtol=1e-8)
    assert r.weights.sum() == pytest.approx(6194, rel=1e-12)
    _check(refs, "rake_trimmed", r, 1e-6)


def test_nonresponse(refs: dict[str, object]) -> None:
    w = refs["weights"]
    sd = refs["sd"]
    assert isinstance(w, pd.DataFrame)
    assert isinstance(sd, SurveyData)
    data = sd.data.assign(responded=w["responded"].to_numpy(), nr_class=w["nr_class"].to_numpy())
    r = wt.nonresponse(SurveyData(data, sd.design), "responded", "nr_class")
    np.testing.assert_allclose(r.weights, w["nr_adjusted"], rtol=1e-12)
    want = _ref(refs, "weights_nonresponse")
    for _, row in r.margins.iterrows():
        assert row["factor"] == pytest.approx(want[(row["level"], "nr_factor")], rel=1e-12)
    _check(refs, "nonresponse", r, 1e-8)


def test_rake_replicate_design(refs: dict[str, object]) -> None:
    """JK1 replicates raked one by one (R: rake(as.svrepdesign(dsrs, "JK1"), ...) with R's
    default control maxit=10, epsilon=1, mirrored here)."""
    long = refs["long"]
    assert isinstance(long, pd.DataFrame)
    want = long[long["design"] == "rep_jk1_srs"].set_index("stat")["value"].astype(float)
    rep = as_replicate(refs["sd"], "JK1")  # type: ignore[arg-type]
    raked = wt.rake(
        rep,
        {"stype": refs["stype"], "sch.wide": refs["schwide"]},  # type: ignore[arg-type]
        maxit=10,
        epsilon=1,
    )
    m = est.mean(raked.data, "api00", df=math.inf)
    assert m.estimate[0] == pytest.approx(want["est"], rel=1e-12)
    assert m.se[0] == pytest.approx(want["se"], rel=1e-10)
