"""Every estimate of R's survey reference table that qonys covers, reproduced to 1e-8.

Source of every expected number: ``../shared/refs/survey/survey_refs_long.csv`` (R 4.2.2,
survey 4.1-1, script ``survey_refs.R`` beside it). Replicate designs use the shipped replicate
weights, so replicate SEs reproduce R exactly. R's ``confint`` on ``svymean``/``svytotal``/
``svyratio``/``svyvar`` uses normal quantiles, so those calls pass ``df=math.inf``;
``svyciprop`` and ``svyquantile`` use the design degrees of freedom, qonys' default.
Model analyses (``svyglm``, ``regTermTest``, ``svyolr``) belong to the models step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rsurvey_refs as rr

from qonys import estimate as est
from qonys.design import SurveyData

pytestmark = pytest.mark.shared

INF = math.inf
REL = 1e-8
# R's svyciprop(method="logit") fits a quasibinomial GLM by IRLS: its estimate is converged to
# about 5e-10 relative, and the interval inherits that.
REL_ITERATIVE = 1e-6

Values = dict[tuple[str, str], float]


def _stats(frame: pd.DataFrame, terms: list[str], stats: tuple[str, ...]) -> Values:
    out: Values = {}
    for term, (_, row) in zip(terms, frame.iterrows(), strict=True):
        for s, col in (
            ("est", "estimate"),
            ("se", "se"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
            ("deff", "deff"),
        ):
            if s in stats:
                out[(term, s)] = float(row[col])
    return out


def _term(row: pd.Series) -> str:
    return f"{row['variable']}{row['level'] if isinstance(row['level'], str) else ''}"


ALL = ("est", "se", "ci_low", "ci_high", "deff")


def a_design(sd: SurveyData) -> Values:
    return {
        ("degf", "value"): float(sd.degf),
        ("n", "value"): float(sd.n),
        ("sum_weights", "value"): sd.sum_weights,
    }


def a_svymean(sd: SurveyData) -> Values:
    f = est.mean(sd, ["api00", "api99", "meals", "ell"], df=INF).to_frame()
    return _stats(f, list(f["variable"]), ALL)


def a_svymean_deff_replace(sd: SurveyData) -> Values:
    f = est.mean(sd, "api00", df=INF, deff="wr").to_frame()
    return _stats(f, ["api00"], ALL)


def a_svymean_factor(sd: SurveyData) -> Values:
    f = est.mean(sd, ["stype", "sch.wide"], df=INF).to_frame()
    return _stats(f, [_term(r) for _, r in f.iterrows()], ALL)


def a_svymean_narm(sd: SurveyData) -> Values:
    f = est.mean(sd, "enroll", missing="drop", df=INF).to_frame()
    return _stats(f, ["enroll"], ALL)


def a_svytotal(sd: SurveyData) -> Values:
    f = est.total(sd, ["enroll", "api.stu"], missing="drop", df=INF).to_frame()
    return _stats(f, list(f["variable"]), ALL)


def a_svytotal_factor(sd: SurveyData) -> Values:
    f = est.total(sd, "stype", df=INF).to_frame()
    return _stats(f, [_term(r) for _, r in f.iterrows()], ALL)


def a_svyvar(sd: SurveyData) -> Values:
    f = est.var(sd, "api00", df=INF).to_frame()
    term = "V1" if sd.is_replicate else "api00"
    return _stats(f, [term], ("est", "se", "ci_low", "ci_high"))


def a_svyquantile(sd: SurveyData) -> Values:
    f = est.quantile(sd, "api00", [0.25, 0.5, 0.75]).to_frame()
    return _stats(
        f, [f"api00.{p}" for p in ("0.25", "0.5", "0.75")], ("est", "se", "ci_low", "ci_high")
    )


def a_svyquantile_hf7(sd: SurveyData) -> Values:
    f = est.quantile(sd, "api00", 0.5, rule="hf7").to_frame()
    return _stats(f, ["api00"], ("est", "se", "ci_low", "ci_high"))


def a_svyratio(sd: SurveyData) -> Values:
    f = est.ratio(sd, "api.stu", "enroll", missing="drop", df=INF).to_frame()
    return _stats(f, ["api.stu/enroll"], ("est", "se", "ci_low", "ci_high"))


def a_svyratio_api(sd: SurveyData) -> Values:
    f = est.ratio(sd, "api00", "api99", df=INF).to_frame()
    return _stats(f, ["api00/api99"], ("est", "se", "ci_low", "ci_high"))


def _ciprop(method: str) -> Callable[[SurveyData], Values]:
    def run(sd: SurveyData) -> Values:
        f = est.ciprop(sd, "sch.wide", method=method).to_frame().query("level == 'Yes'")
        return _stats(f, ['I(sch.wide == "Yes")'], ("est", "se", "ci_low", "ci_high"))

    return run


def a_svyby_mean(sd: SurveyData) -> Values:
    f = est.mean(sd, ["api00", "api99"], by="stype", df=INF).to_frame()
    return _stats(
        f, [f"{r['stype']}:{r['variable']}" for _, r in f.iterrows()], ("est", "se", "deff")
    )


def a_svyby_prop(sd: SurveyData) -> Values:
    f = est.mean(sd, "sch.wide", by="stype", df=INF).to_frame()
    return _stats(
        f, [f"{r['stype']}:sch.wide{r['level']}" for _, r in f.iterrows()], ("est", "se", "deff")
    )


def a_svyby_total(sd: SurveyData) -> Values:
    f = est.total(sd, "enroll", by="stype", missing="drop", df=INF).to_frame()
    return _stats(f, list(f["stype"]), ("est", "se"))


def a_domain_mean(sd: SurveyData) -> Values:
    f = est.mean(sd.subset(sd.data["stype"] == "E"), "api00", df=INF).to_frame()
    return _stats(f, ["api00"], ("est", "se", "ci_low", "ci_high"))


def _chisq(statistic: str) -> Callable[[SurveyData], Values]:
    def run(sd: SurveyData) -> Values:
        r = est.chisq(sd, "sch.wide", "stype", statistic=statistic)  # type: ignore[arg-type]
        out: Values = {("p_value", "p"): r.p_value}
        if statistic == "Chisq":
            out[("statistic", "X-squared")] = r.statistic
            out[("parameter", "df")] = r.ndf
        else:
            out[("statistic", "F")] = r.statistic
            out[("parameter", "ndf")] = r.ndf
            out[("parameter", "ddf")] = r.ddf
        return out

    return run


def a_svytable(sd: SurveyData) -> Values:
    f = est.crosstab(sd, "sch.wide", "stype").to_frame()
    return {(f"{r['level']}:{r['stype']}", "total"): float(r["estimate"]) for _, r in f.iterrows()}


ANALYSES: dict[str, Callable[[SurveyData], Values]] = {
    "design": a_design,
    "svymean": a_svymean,
    "svymean_deff_replace": a_svymean_deff_replace,
    "svymean_factor": a_svymean_factor,
    "svymean_narm": a_svymean_narm,
    "svytotal": a_svytotal,
    "svytotal_factor": a_svytotal_factor,
    "svyvar": a_svyvar,
    "svyquantile": a_svyquantile,
    "svyquantile_hf7": a_svyquantile_hf7,
    "svyratio": a_svyratio,
    "svyratio_api00_api99": a_svyratio_api,
    "svyciprop_logit": _ciprop("logit"),
    "svyciprop_beta": _ciprop("beta"),
    "svyby_mean_by_stype": a_svyby_mean,
    "svyby_prop_schwide_by_stype": a_svyby_prop,
    "svyby_total_enroll_by_stype": a_svyby_total,
    "domain_mean_api00_stypeE": a_domain_mean,
    "svychisq_F": _chisq("F"),
    "svychisq_Chisq": _chisq("Chisq"),
    "svychisq_adjWald": _chisq("adjWald"),
    "svytable_schwide_stype": a_svytable,
}

SCD = {
    "svymean": lambda sd: _stats(
        est.mean(sd, ["arrests", "alive"], df=INF, deff=None).to_frame(), ["arrests", "alive"], ALL
    ),
    "svytotal": lambda sd: _stats(
        est.total(sd, ["arrests", "alive"], df=INF, deff=None).to_frame(), ["arrests", "alive"], ALL
    ),
    "svyratio": lambda sd: _stats(
        est.ratio(sd, "alive", "arrests", df=INF).to_frame(), ["alive/arrests"], ALL
    ),
}

DESIGNS = [*rr.TAYLOR, *rr.REPLICATE_BASE]
MODEL_ANALYSES = ("svyglm", "regTermTest", "svyolr")


def _cases() -> list[tuple[str, str]]:
    root = Path(__file__).resolve().parents[2].parent / "shared" / "refs" / "survey"
    if not root.is_dir():
        return (
            [(d, a) for d in DESIGNS for a in ANALYSES]
            + [("scd_brr", a) for a in SCD]
            + [("scd_taylor", "svymean"), ("scd_taylor", "svyratio")]
        )
    long = rr.load_long(root)
    pairs = long[["design", "analysis"]].drop_duplicates()
    return [
        (d, a)
        for d, a in pairs.itertuples(index=False)
        if d in DESIGNS + ["scd_brr", "scd_taylor"]
        and not a.startswith(MODEL_ANALYSES)
        and (a in ANALYSES or d.startswith("scd"))
    ]


@pytest.mark.parametrize(("design_name", "analysis"), _cases())
def test_matches_r_survey(shared: Path, design_name: str, analysis: str) -> None:
    root = rr.refs_root(shared)
    expected = rr.load_long(root).query("design == @design_name and analysis == @analysis")
    assert len(expected) > 0
    sd = rr.design(root, design_name)
    fn = SCD[analysis] if design_name.startswith("scd") else ANALYSES[analysis]
    got = fn(sd)
    rel = REL_ITERATIVE if analysis == "svyciprop_logit" else REL
    for _, row in expected.iterrows():
        key = (row["term"], row["stat"])
        assert key in got, f"{design_name}/{analysis}: {key} not computed"
        want = float(row["value"])
        if key[1] in ("se", "deff") and (row["term"], "est") in got:
            # a true zero (a stratum count known exactly) that R reports as rounding noise:
            # both must be zero up to rounding, relative to the estimate
            scale = abs(got[(row["term"], "est")])
            tiny = 1e-10 * scale if key[1] == "se" else 1e-12
            if abs(want) <= tiny:
                assert abs(got[key]) <= tiny, f"{design_name}/{analysis} {key}: {got[key]!r}"
                continue
        assert got[key] == pytest.approx(want, rel=rel, abs=1e-12 * max(1.0, abs(want))), (
            f"{design_name}/{analysis} {key}: got {got[key]!r}, R {want!r}"
        )


def test_every_covered_reference_is_tested(shared: Path) -> None:
    """Guard: the parametrisation covers all non-model rows of the reference table."""
    long = rr.load_long(rr.refs_root(shared))
    non_model = long[~long["analysis"].str.startswith(MODEL_ANALYSES)]
    tested = set(_cases())
    rest = non_model[~non_model[["design", "analysis"]].apply(tuple, axis=1).isin(tested)]
    # the weighting block is tested in tests/design/test_design_weighting_reference.py
    assert set(rest["design"]) <= {"dsrs", "rep_jk1_srs", "design"}
    assert set(rest["analysis"]).issubset(
        {a for a in long["analysis"] if a.startswith("weights_")}
        | {"rake_then_svymean", "analysis"}
    )


def test_replicate_se_bit_for_bit(shared: Path) -> None:
    """Replicate SEs from the shipped replicate weights equal R's to the last bits."""
    root = rr.refs_root(shared)
    sd = rr.design(root, "rep_jk1_clus1")
    got = est.mean(sd, "api00", df=INF).se[0]
    long = rr.load_long(root)
    want = long[
        (long["design"] == "rep_jk1_clus1")
        & (long["analysis"] == "svymean")
        & (long["term"] == "api00")
        & (long["stat"] == "se")
    ]["value"].iloc[0]
    assert got == pytest.approx(float(want), rel=1e-13)
    assert np.isfinite(got)
