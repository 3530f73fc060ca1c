"""The phase rule set of ../shared/METHODS.md 7.3, rule by rule, with thresholds as parameters."""

from __future__ import annotations

import pandas as pd
import pytest

from qonys import DataError
from qonys.typology import PhaseThresholds, classify_phase

BASE = {
    "return_stays_per_year": 0,
    "months_in_origin_per_year": 0,
    "seasonal_work": False,
    "registration": "permanent",
    "registration_months": 60,
    "core_family_location": "city",
    "intention": "stay",
    "continuous_months": 40,
    "housing_tenure": "flat_rent",
    "complex_integration": True,
}


def _one(**changes):
    return pd.DataFrame([{**BASE, **changes}])


@pytest.mark.parametrize(
    ("changes", "phase"),
    [
        ({}, "integrated"),
        ({"complex_integration": False}, "settled"),
        ({"registration": "temporary", "registration_months": 30}, "integrated"),
        ({"registration": "temporary", "registration_months": 10}, "settled"),
        # circular: mobility and non-permanent registration and ties to origin
        (
            {
                "return_stays_per_year": 2,
                "registration": "temporary",
                "core_family_location": "origin",
            },
            "circular",
        ),
        ({"seasonal_work": True, "registration": "none", "intention": "unsure"}, "circular"),
        # permanent registration blocks "circular"
        ({"seasonal_work": True, "core_family_location": "origin"}, "integrated"),
        # not circular, but too short a spell: transitional
        ({"continuous_months": 6}, "transitional"),
        ({"housing_tenure": "dorm"}, "transitional"),
        ({"core_family_location": "mixed", "intention": "move_on"}, "transitional"),
    ],
)
def test_phase_rules(changes, phase):
    assert classify_phase(_one(**changes)).tolist() == [phase]


def test_thresholds_are_parameters():
    df = _one(continuous_months=8)
    assert classify_phase(df).tolist() == ["transitional"]
    assert classify_phase(df, thresholds=PhaseThresholds(continuous_months=6)).tolist() == [
        "integrated"
    ]


def test_missing_indicator_fails_or_is_left_unclassified():
    df = pd.concat([_one(), _one(intention=None)], ignore_index=True)
    with pytest.raises(DataError) as ei:
        classify_phase(df)
    assert ei.value.rule == "typology.phase-missing"
    out = classify_phase(df, missing="drop")
    assert out[0] == "integrated"
    assert out[1] is None
