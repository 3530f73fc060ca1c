"""Coding of the standard instrument's items (METHODS 1.3) and the composite's rank stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qonys._core import DataError
from qonys.measure import dimension_index
from qonys.measure.rank_stability import composite_alternatives, rank_stability
from qonys.measure.standard_items import component_scores, esser_spec, ipl_spec


def test_item_coding_follows_methods_1_3() -> None:
    df = pd.DataFrame(
        {
            "ipl_psy_connect": [4, 99, 1],  # 5-point: (4-1)/4 = 0.75 (METHODS 1.5)
            "ipl_psy_outsider": [2, 3, 5],  # reverse-keyed 5-point: r = 2 -> 0.75
            "ipl_psy_stay": [3, 4, 98],  # 4-point: r = 3 -> 0.6667; 98 is missing here
            "ipl_pol_quiz": [1, 98, 2],  # knowledge: correct 1, "don't know" 0, wrong 0
            "ses_employment": [2, 5, 7],  # employed 1, unemployed 0, not in labour force missing
        }
    )
    comp, _ = component_scores(df)
    assert comp["psy_connect"].tolist()[0] == 0.75
    assert np.isnan(comp["psy_connect"].iloc[1])
    assert comp["psy_outsider"].tolist()[0] == 0.75
    assert comp["psy_stay"].iloc[0] == pytest.approx(2 / 3)
    assert np.isnan(comp["psy_stay"].iloc[2])
    assert comp["pol_quiz"].tolist() == [1.0, 0.0, 0.0]
    assert comp["employment"].iloc[:2].tolist() == [1.0, 0.0]
    assert np.isnan(comp["employment"].iloc[2])


def test_out_of_range_code_is_a_named_error() -> None:
    with pytest.raises(DataError) as err:
        component_scores(pd.DataFrame({"ipl_nav_doctor": [1, 7]}))
    assert err.value.rule == "measure.out-of-range"
    assert err.value.where.variable == "ipl_nav_doctor"


def test_income_is_relative_to_the_city_median_and_capped() -> None:
    df = pd.DataFrame({"ses_income": [3, 4, 8], "city": [71, 71, 75]})
    comp, used = component_scores(df, city="city", income_median={71: 200_000, 75: 300_000})
    assert comp["income"].tolist() == pytest.approx([117_500 / 200_000, 1.0, 1.0])
    assert used == {"71": 200_000.0, "75": 300_000.0}


def test_specs_map_every_dimension() -> None:
    assert ipl_spec("ipl12").dimensions == (
        "psychological",
        "economic",
        "political",
        "social",
        "linguistic",
        "navigational",
    )
    assert len(ipl_spec("ipl24").items) == 24
    comp = pd.DataFrame({c.item: [0.5] for c in esser_spec().items})
    scores = dimension_index(comp, esser_spec()).scores
    assert scores["esser"].iloc[0] == 0.5


def test_rank_stability_is_zero_for_identical_dimensions_and_positive_otherwise() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 0.9, 500)
    same = pd.DataFrame({"a": x, "b": x, "c": x})
    assert (rank_stability(same, ["a", "b", "c"]).to_frame()["estimate"] == 0).all()
    mixed = pd.DataFrame(rng.uniform(size=(500, 3)), columns=["a", "b", "c"])
    frame = rank_stability(mixed, ["a", "b", "c"]).to_frame()
    assert (frame["estimate"] > 0).all()
    assert (frame["estimate"] < 0.6).all()


def test_constant_dimension_in_the_composite_is_a_named_error() -> None:
    s = pd.DataFrame({"a": [0.2, 0.4, 0.6], "b": [0.5, 0.5, 0.5]})
    with pytest.raises(DataError) as err:
        composite_alternatives(s, ["a", "b"])
    assert err.value.rule == "measure.constant-score"
