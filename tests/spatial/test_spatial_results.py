"""Every spatial result follows the Result protocol: tidy frame, plain-data dict, summary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from spatial_synthetic import population, sample

from qonys._core import TIDY_COLUMNS, DataWarning, Result
from qonys.design import SurveyData, SurveyDesign
from qonys.spatial import (
    approximate_districts,
    assign_districts,
    decompose_segregation,
    design_dissimilarity,
    location_quotients,
    morans_i,
    segregation_indices,
    settlement_shares,
)


def _results() -> list[Result]:
    sd = SurveyData(
        sample(population(), np.random.default_rng(2)),
        SurveyDesign(weights="w", strata="hou_district", ids=("psu",)),
    )
    counts = pd.DataFrame({"m": [9, 2, 5], "l": [1, 8, 5]})
    b = approximate_districts("almaty")
    with pytest.warns(DataWarning, match="should not be published"):
        shares = settlement_shares(sd, min_n=200)
    return [
        b,
        assign_districts(pd.DataFrame({"d": [7501, 98]}), code="d"),
        segregation_indices(counts),
        decompose_segregation(counts, ["a", "a", "b"]),
        morans_i(b.frame, dict(zip(b.frame.geo_id, range(8), strict=True))),
        shares,
        location_quotients(sd, group="scr_origin_type", focal=1),
        design_dissimilarity(sd, group="scr_origin_type", focal=1),
    ]


def test_result_protocol() -> None:
    for res in _results():
        assert isinstance(res, Result), type(res)
        frame = res.to_frame()
        assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS, type(res)
        json.dumps(res.to_dict(), default=str)
        assert type(res).__name__ in res.summary()
        assert res.meta.method
