"""Bad input gives a DesignError (or DataError) naming the variable and the rule; nothing is
silently dropped. The data are tiny hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys._core import ConvergenceError, DataError, DesignError
from qonys.design import SurveyData, SurveyDesign
from qonys.design import weighting as wt


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "st": [1, 1, 2, 2, 3, 3],
            "psu": [1, 2, 3, 4, 5, 6],
            "w": [10.0, 10, 20, 20, 30, 30],
            "y": [1.0, 2, 3, 4, 5, 6],
            "sex": ["f", "m", "f", "m", "f", "f"],
        }
    )


def test_unknown_design_column(frame: pd.DataFrame) -> None:
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(weights="ww"))
    assert e.value.rule == "design.unknown-column"
    assert e.value.where.variable == "ww"
    assert "'w'" in (e.value.hint or "")


def test_unknown_analysis_variable(frame: pd.DataFrame) -> None:
    sd = SurveyData(frame, SurveyDesign(weights="w"))
    with pytest.raises(DesignError) as e:
        est.mean(sd, "income")
    assert (e.value.rule, e.value.where.variable) == ("design.unknown-column", "income")


def test_negative_weight(frame: pd.DataFrame) -> None:
    frame.loc[2, "w"] = -1.0
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(weights="w"))
    assert (e.value.rule, e.value.where.variable, e.value.where.row) == (
        "design.negative-weight",
        "w",
        3,
    )


def test_missing_weight_fails_then_drops_when_asked(frame: pd.DataFrame) -> None:
    frame.loc[0, "w"] = np.nan
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(weights="w"))
    assert (e.value.rule, e.value.where.variable) == ("design.missing-weight", "w")
    sd = SurveyData(frame, SurveyDesign(weights="w", na_weights="drop"))
    r = est.mean(sd, "y")
    assert r.meta.n_dropped == 1
    assert any("missing weight" in n for n in r.meta.notes)
    # the row is out of the estimate: (10*2 + 20*3 + 20*4 + 30*5 + 30*6) / 110
    assert r.estimate[0] == pytest.approx(490 / 110)


def test_lonely_psu_fails_by_default(frame: pd.DataFrame) -> None:
    frame.loc[5, "st"] = 4  # stratum 4 has a single PSU
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(weights="w", strata="st", ids="psu"))
    assert (e.value.rule, e.value.where.variable) == ("design.lonely-psu", "st")
    assert "'3'" in e.value.message  # strata 3 and 4 now hold one PSU each
    assert "2 such strata" in e.value.message


def test_clusters_not_nested(frame: pd.DataFrame) -> None:
    frame["psu"] = [1, 2, 1, 2, 1, 2]
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(weights="w", strata="st", ids="psu"))
    assert e.value.rule == "design.psu-not-nested"
    sd = SurveyData(frame, SurveyDesign(weights="w", strata="st", ids="psu", nest=True))
    assert sd.degf == 6 - 3


def test_fpc_problems(frame: pd.DataFrame) -> None:
    frame["N"] = [100, 200, 50, 50, 40, 40]
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(strata="st", fpc="N"))
    assert (e.value.rule, e.value.where.variable) == ("design.fpc-varies", "N")
    frame["N"] = [1, 1, 50, 50, 40, 40]
    with pytest.raises(DesignError) as e:
        SurveyData(frame, SurveyDesign(strata="st", fpc="N"))
    assert e.value.rule == "design.fpc-invalid"


def test_missing_analysis_values_policy(frame: pd.DataFrame) -> None:
    frame.loc[1, "y"] = np.nan
    sd = SurveyData(frame, SurveyDesign(weights="w", strata="st"))
    with pytest.raises(DataError) as e:
        est.mean(sd, "y")
    assert (e.value.rule, e.value.where.variable, e.value.where.row) == (
        "data.missing-values",
        "y",
        2,
    )
    dropped = est.mean(sd, "y", missing="drop")
    assert dropped.meta.n_dropped == 1
    assert int(dropped.to_frame()["n"][0]) == 5


def test_empty_domain(frame: pd.DataFrame) -> None:
    sd = SurveyData(frame, SurveyDesign(weights="w"))
    with pytest.raises(DesignError) as e:
        est.mean(sd.subset(frame["y"] > 100), "y")
    assert e.value.rule == "design.empty-domain"
    frame.loc[frame["sex"] == "m", "y"] = np.nan
    sd = SurveyData(frame, SurveyDesign(weights="w"))
    with pytest.raises(DesignError) as e:
        est.mean(sd, "y", by="sex", missing="available")
    assert (e.value.rule, e.value.where.variable) == ("design.empty-domain", "y")
    assert "sex=m" in e.value.message


def test_margins_that_do_not_add_up(frame: pd.DataFrame) -> None:
    sd = SurveyData(frame, SurveyDesign(weights="w"))
    with pytest.raises(DesignError) as e:
        wt.rake(sd, {"sex": {"f": 60, "m": 40}, "st": {"1": 30, "2": 30, "3": 30}})
    assert (e.value.rule, e.value.where.variable) == ("weighting.margin-totals", "st")
    with pytest.raises(DesignError) as e:
        wt.calibrate(sd, {"sex": {"f": 60, "m": 40}}, population_size=120)
    assert e.value.rule == "weighting.margin-totals"


def test_infeasible_margin_and_calibration(frame: pd.DataFrame) -> None:
    sd = SurveyData(frame, SurveyDesign(weights="w"))
    with pytest.raises(DesignError) as e:
        wt.rake(sd, {"sex": {"f": 60, "m": 30, "x": 10}})
    assert (e.value.rule, e.value.where.variable) == ("weighting.infeasible-margin", "sex")
    with pytest.raises(DesignError) as e:
        # g would have to exceed 1.05 for the y total; the bounds forbid it
        wt.calibrate(sd, {"y": 1000.0}, population_size=110, bounds=(0.95, 1.05))
    assert (e.value.rule, e.value.where.variable) == ("weighting.infeasible-calibration", "y")


def test_trim_guards() -> None:
    sd = SurveyData(pd.DataFrame({"w": [10.0, 20.0, 30.0]}), SurveyDesign(weights="w"))
    with pytest.raises(DesignError) as e:
        wt.trim(sd, lower=12, upper=18)  # every weight outside: R silently loses weight
    assert e.value.rule == "weighting.trim-all-outside"
    # a weight trimmed to exactly the bound never counts as outside again (R recurses forever)
    sd = SurveyData(
        pd.DataFrame({"w": [1 / (1 / 31.45)] * 2 + [40.0, 20, 25]}), SurveyDesign(weights="w")
    )
    r = wt.trim(sd, upper=31.45, strict=True)
    assert r.weights.max() <= 31.45 * (1 + 1e-10)
    assert r.weights.sum() == pytest.approx(sd.weights.sum())
    with pytest.raises(ConvergenceError):
        wt.trim(
            SurveyData(pd.DataFrame({"w": [1.0, 1, 1, 1, 100]}), SurveyDesign(weights="w")),
            upper=5,
            strict=True,
            maxit=1,
        )


def test_empty_nonresponse_class() -> None:
    df = pd.DataFrame({"r": [0, 0, 1, 1], "c": ["a", "a", "b", "b"], "w": [1.0] * 4})
    with pytest.raises(DesignError) as e:
        wt.nonresponse(SurveyData(df, SurveyDesign(weights="w")), "r", "c")
    assert (e.value.rule, e.value.where.variable) == ("weighting.empty-class", "c")
