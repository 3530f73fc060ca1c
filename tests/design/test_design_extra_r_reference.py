"""Designs and options beyond the shared reference table, checked against R's survey.

Expected numbers: ``tests/design/r/extra_refs.csv``, written by ``tests/design/r/extra_refs.R``
(R 4.2.2, survey 4.1.1) from the survey package's data sets in ``../shared/refs/survey/data``:
a two-stage sample with an fpc at both stages (MU284, Särndal et al. 1992, example 4.3.2),
lonely-PSU policies, replicate weights made from a design, t-tests, two-way domains with their
covariance, and calibration of a cluster sample. The two-stage domain mean is also printed in
the survey package's vignette "Estimates in subpopulations" (48.69, SE 1.1088).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from qonys import estimate as est
from qonys.design import SurveyData, SurveyDesign, as_replicate
from qonys.design import weighting as wt

pytestmark = pytest.mark.shared

HERE = Path(__file__).resolve().parent
INF = math.inf


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(HERE / "r" / "extra_refs.csv")


@pytest.fixture(scope="module")
def data_dir() -> Path:
    root = Path(__file__).resolve().parents[2].parent / "shared" / "refs" / "survey" / "data"
    if not root.is_dir():
        pytest.skip("../shared (reference data) is not beside the project; CI always has it")
    return root


def want(ref: pd.DataFrame, design: str, analysis: str, term: str, stat: str) -> float:
    hit = ref[
        (ref.design == design)
        & (ref.analysis == analysis)
        & (ref.term == term)
        & (ref.stat == stat)
    ]
    assert len(hit) == 1, (design, analysis, term, stat)
    return float(hit["value"].iloc[0])


def test_two_stage_with_fpc_at_both_stages(ref: pd.DataFrame, data_dir: Path) -> None:
    mu = pd.read_csv(data_dir / "mu284.csv")
    sd = SurveyData(mu, SurveyDesign(ids=("id1", "id2"), fpc=("n1", "n2")))
    t = est.total(sd, "y1", df=INF)
    assert t.estimate[0] == pytest.approx(want(ref, "mu284", "svytotal", "y1", "est"), rel=1e-12)
    assert t.se[0] == pytest.approx(want(ref, "mu284", "svytotal", "y1", "se"), rel=1e-10)
    m = est.mean(sd, "y1", df=INF)
    assert m.se[0] == pytest.approx(want(ref, "mu284", "svymean", "y1", "se"), rel=1e-10)
    d = est.mean(sd.subset(mu["y1"] > 40), "y1", df=INF)
    assert d.estimate[0] == pytest.approx(48.6901408450704, rel=1e-12)
    assert d.se[0] == pytest.approx(want(ref, "mu284", "domain_mean_y1gt40", "y1", "se"), rel=1e-10)
    assert sd.degf == want(ref, "mu284", "design", "degf", "value")


def test_two_stage_by_hand(data_dir: Path) -> None:
    """Särndal, Swensson and Wretman (1992), eq. 4.3.23, computed term by term."""
    mu = pd.read_csv(data_dir / "mu284.csv")
    n1, big_n1 = 5, 50
    psu = mu.groupby("id1")
    ti = psu.apply(lambda g: g["n2"].iloc[0] * g["y1"].mean(), include_groups=False)
    within = psu.apply(
        lambda g: g["n2"].iloc[0] ** 2 * (1 - len(g) / g["n2"].iloc[0]) * g["y1"].var() / len(g),
        include_groups=False,
    )
    v1 = big_n1**2 * (1 - n1 / big_n1) * ti.var() / n1
    v2 = big_n1 / n1 * within.sum()
    sd = SurveyData(mu, SurveyDesign(ids=("id1", "id2"), fpc=("n1", "n2")))
    assert est.total(sd, "y1").se[0] == pytest.approx(math.sqrt(v1 + v2), rel=1e-12)


def test_ultimate_cluster_without_fpc(ref: pd.DataFrame, data_dir: Path) -> None:
    mu = pd.read_csv(data_dir / "mu284.csv")
    mu = mu.assign(w=mu["n1"] / 5 * mu["n2"] / 3)
    sd = SurveyData(mu, SurveyDesign(weights="w", ids=("id1", "id2")))
    t = est.total(sd, "y1", df=INF)
    assert t.se[0] == pytest.approx(want(ref, "mu284_wr", "svytotal", "y1", "se"), rel=1e-10)


@pytest.mark.parametrize("policy", ["adjust", "average", "remove", "certainty"])
def test_lonely_psu_policies(ref: pd.DataFrame, data_dir: Path, policy: str) -> None:
    ap = pd.read_csv(data_dir / "apistrat.csv")
    sd = SurveyData(ap, SurveyDesign(weights="pw", strata="cname", lonely_psu=policy))  # type: ignore[arg-type]
    design = f"lonely_{policy}"
    m = est.mean(sd, "api00", df=INF)
    assert m.se[0] == pytest.approx(want(ref, design, "svymean", "api00", "se"), rel=1e-10)
    t = est.total(sd, "enroll", missing="drop", df=INF)
    assert t.se[0] == pytest.approx(want(ref, design, "svytotal", "enroll", "se"), rel=1e-10)


def test_two_psus_per_stratum(ref: pd.DataFrame, data_dir: Path) -> None:
    scd = pd.read_csv(data_dir / "scd.csv").assign(one=1.0, five=5)
    taylor = SurveyData(scd, SurveyDesign(weights="one", ids="ambulance", strata="ESA", nest=True))
    t = est.total(taylor, ["arrests", "alive"], df=INF)
    for i, v in enumerate(["arrests", "alive"]):
        assert t.se[i] == pytest.approx(
            want(ref, "scd_taylor_nofpc", "svytotal", v, "se"), rel=1e-12
        )
    r = est.ratio(taylor, "alive", "arrests", df=INF)
    assert r.se[0] == pytest.approx(
        want(ref, "scd_taylor_nofpc", "svyratio", "alive/arrests", "se"), rel=1e-12
    )
    with_fpc = taylor.with_design(fpc=("five",))
    for kind in ("BRR", "Fay"):
        rep = as_replicate(with_fpc, kind, rho=0.3)  # type: ignore[arg-type]
        name = f"scd_{kind.lower()}"
        m = est.mean(rep, ["arrests", "alive"], df=INF)
        assert m.se[0] == pytest.approx(want(ref, name, "svymean", "arrests", "se"), rel=1e-12)
        q = est.ratio(rep, "alive", "arrests", df=INF)
        assert q.se[0] == pytest.approx(
            want(ref, name, "svyratio", "alive/arrests", "se"), rel=1e-12
        )


def test_ttest(ref: pd.DataFrame, data_dir: Path) -> None:
    clus = SurveyData(
        pd.read_csv(data_dir / "apiclus1.csv"), SurveyDesign(weights="pw", ids="dnum", fpc="fpc")
    )
    strat = SurveyData(
        pd.read_csv(data_dir / "apistrat.csv"),
        SurveyDesign(weights="pw", strata="stype", fpc="fpc"),
    )
    for name, sd in (("dclus1", clus), ("dstrat", strat)):
        r = est.ttest(sd, "api00", "sch.wide")
        assert r.estimate == pytest.approx(
            want(ref, name, "svyttest", "sch.wide", "est"), rel=1e-12
        )
        assert r.statistic == pytest.approx(want(ref, name, "svyttest", "sch.wide", "t"), rel=1e-10)
        assert r.df == want(ref, name, "svyttest", "sch.wide", "df")
        assert r.p_value == pytest.approx(want(ref, name, "svyttest", "sch.wide", "p"), rel=1e-8)


def test_two_way_domains_and_covariance(ref: pd.DataFrame, data_dir: Path) -> None:
    clus = SurveyData(
        pd.read_csv(data_dir / "apiclus1.csv"), SurveyDesign(weights="pw", ids="dnum", fpc="fpc")
    )
    r = est.mean(clus, "api00", by=["stype", "sch.wide"], df=INF, vcov=True)
    f = r.to_frame()
    for _, row in f.iterrows():
        term = f"{row['stype']}:{row['sch.wide']}"
        assert row["estimate"] == pytest.approx(
            want(ref, "dclus1", "svyby_two", term, "est"), rel=1e-12
        )
        assert row["se"] == pytest.approx(want(ref, "dclus1", "svyby_two", term, "se"), rel=1e-10)
    labels = list(f["domain"])
    i, j = labels.index("stype=E, sch.wide=No"), labels.index("stype=E, sch.wide=Yes")
    assert r.vcov is not None
    assert r.vcov[i, j] == pytest.approx(
        want(ref, "dclus1", "svyby_two", "E:No|E:Yes", "cov"), rel=1e-10
    )


def test_calibrated_cluster_sample(ref: pd.DataFrame, data_dir: Path) -> None:
    clus = SurveyData(
        pd.read_csv(data_dir / "apiclus1.csv"), SurveyDesign(weights="pw", ids="dnum", fpc="fpc")
    )
    g = wt.calibrate(
        clus, {"stype": {"E": 6194 - 755 - 1018, "H": 755, "M": 1018}, "api99": 3914069}
    ).data
    m = est.mean(g, ["api00", "api99"], df=INF)
    for i, v in enumerate(["api00", "api99"]):
        assert m.estimate[i] == pytest.approx(
            want(ref, "dclus1_cal", "svymean", v, "est"), rel=1e-10
        )
        se = want(ref, "dclus1_cal", "svymean", v, "se")
        assert m.se[i] == pytest.approx(se, rel=1e-8, abs=1e-9)
    t = est.total(g, "enroll", df=INF)
    assert t.se[0] == pytest.approx(want(ref, "dclus1_cal", "svytotal", "enroll", "se"), rel=1e-8)
    d = est.mean(g.subset(g.data["comp.imp"] == "Yes"), "api00", df=INF)
    assert d.se[0] == pytest.approx(want(ref, "dclus1_cal", "domain_mean", "api00", "se"), rel=1e-8)


def test_ciprop_mean_and_asin(ref: pd.DataFrame, data_dir: Path) -> None:
    clus = SurveyData(
        pd.read_csv(data_dir / "apiclus1.csv"), SurveyDesign(weights="pw", ids="dnum", fpc="fpc")
    )
    for method in ("mean", "asin"):
        f = est.ciprop(clus, "sch.wide", method=method).to_frame()  # type: ignore[arg-type]
        row = f[f["level"] == "Yes"].iloc[0]
        a = f"svyciprop_{method}"
        assert row["ci_low"] == pytest.approx(want(ref, "dclus1", a, "Yes", "ci_low"), rel=1e-10)
        assert row["ci_high"] == pytest.approx(want(ref, "dclus1", a, "Yes", "ci_high"), rel=1e-10)
