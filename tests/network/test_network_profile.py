"""Design-based profile and model of the network module.

* ``tie_type_model`` is the gaussian ``svyglm``: compared with R survey 4.1-1
  (``../shared/refs/survey/survey_refs_long.csv``, rows ``svyglm_gaussian``, model
  ``api00 ~ ell + meals + mobility`` on the five Taylor designs of ``survey_refs.R``).
  Tolerance 1e-8 relative, the survey core's tolerance against the same file.
* ``social_capital_profile`` must give exactly what ``qonys.estimate.mean`` gives for each
  measure and domain (it is a thin layer), with isolates left out of undefined measures.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest

from qonys import DataError, estimate
from qonys.design import SurveyData, SurveyDesign
from qonys.network import (
    attach_measures,
    example_networks,
    illustrative_network,
    social_capital_profile,
    sociogram_png,
    structural_measures,
    tie_type_model,
)
from sharedpaths import shared_path

DESIGNS = {
    # survey_refs.R: dstrat, dstrat_nofpc, dclus1, dclus1_nofpc, dsrs
    "dstrat": ("apistrat", SurveyDesign(weights="pw", strata="stype", fpc="fpc")),
    "dstrat_nofpc": ("apistrat", SurveyDesign(weights="pw", strata="stype")),
    "dclus1": ("apiclus1", SurveyDesign(weights="pw", ids="dnum", fpc="fpc")),
    "dclus1_nofpc": ("apiclus1", SurveyDesign(weights="pw", ids="dnum")),
    "dsrs": ("apisrs", SurveyDesign(fpc="fpc")),
}


def _r_glm(design: str) -> dict[tuple[str, str], float]:
    out = {}
    with shared_path("refs", "survey", "survey_refs_long.csv").open() as fh:
        for r in csv.reader(fh):
            if r[0] == design and r[1] == "svyglm_gaussian":
                out[(r[2], r[3])] = float(r[4])
    return out


@pytest.mark.shared
@pytest.mark.parametrize("design", list(DESIGNS))
def test_linear_model_matches_r_svyglm(design: str) -> None:
    data_name, spec = DESIGNS[design]
    frame = pd.read_csv(shared_path("refs", "survey", "data", f"{data_name}.csv"))
    res = tie_type_model(SurveyData(frame, spec), "api00", ["ell", "meals", "mobility"])
    ref = _r_glm(design)
    out = res.to_frame().set_index("variable")
    for term in ("(Intercept)", "ell", "meals", "mobility"):
        for ours, theirs in (("estimate", "est"), ("se", "se"), ("t", "t"), ("p", "p")):
            assert out.loc[term, ours] == pytest.approx(ref[(term, theirs)], rel=1e-8), (
                term,
                ours,
            )
    assert res.df == ref[("model", "df_residual")]


def test_linear_model_errors() -> None:
    df = pd.DataFrame({"y": [1.0, 2, 3, 5, 4], "a": [0.5] * 5, "b": [1, 0, 1, 0, None]})
    sd = SurveyData(df, SurveyDesign())
    with pytest.raises(DataError) as err:
        tie_type_model(sd, "y", ["a"])  # constant predictor, collinear with the intercept
    assert err.value.rule == "network.model-singular"
    with pytest.raises(DataError) as err:
        tie_type_model(sd, "y", ["b"], missing="fail")
    assert err.value.rule == "network.missing-attribute"
    res = tie_type_model(sd, "y", ["b"])  # complete cases: the 4th row is outside the domain
    assert res.n == 4
    assert res.meta.n_dropped == 1
    assert np.isfinite(res.se).all()


def test_profile_is_estimate_mean_by_domain() -> None:
    net = example_networks()
    measures = structural_measures(net).values
    frame = pd.DataFrame(
        {
            "id": ["abc_de", "star", "k5", "one", "alone", "no_network"],
            "city": ["A", "A", "B", "B", "B", "A"],
            "w": [1.0, 2.0, 1.5, 1.0, 3.0, 2.0],
        }
    )
    sd = attach_measures(SurveyData(frame, SurveyDesign(weights="w")), measures, key="id")
    assert math.isnan(sd.data.loc[5, "density"])  # a respondent without a roster
    prof = social_capital_profile(sd, ["density", "effective_size"], by=["city"])
    direct = estimate.mean(sd, ["density", "effective_size"], by="city", missing="available")
    pd.testing.assert_frame_equal(prof.estimates[1].to_frame(), direct.to_frame())
    overall = prof.estimates[0].to_frame().set_index("variable")
    # effective size: egos with alters only (abc_de 3.8 w1, star 5 w2, k5 1 w1.5, one 1 w1)
    want = (3.8 * 1 + 5 * 2 + 1 * 1.5 + 1 * 1) / (1 + 2 + 1.5 + 1)
    assert overall.loc["effective_size", "estimate"] == pytest.approx(want, abs=1e-12)
    assert prof.to_frame().shape[0] == 2 + 4


def test_attach_refuses_clashing_columns() -> None:
    frame = pd.DataFrame({"id": ["abc_de", "star"], "size": [1.0, 2.0]})
    sd = SurveyData(frame, SurveyDesign())
    with pytest.raises(DataError) as err:
        attach_measures(sd, structural_measures(example_networks()).values, key="id")
    assert err.value.rule == "network.column-clash"
    ok = attach_measures(
        sd, structural_measures(example_networks()).values, key="id", prefix="net_"
    )
    assert ok.data.loc[0, "net_size"] == 5


def test_sociogram_is_deterministic_png() -> None:
    net = illustrative_network({"bonding": 0.5, "bridging": 0.3, "linking": 0.2}, size=6)
    a, b = sociogram_png(net, "ego"), sociogram_png(net, "ego")
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert a == b
    assert np.array_equal(
        net.alters["tie_type"].value_counts().reindex(["bonding", "bridging", "linking"]),
        [3, 2, 1],
    )
