"""Report tables of the perceptions stage: disclosure control of small groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qonys.design import SurveyData, SurveyDesign
from qonys.report.model import FLAG_SUPPRESSED
from qonys.report.text import resolve
from qonys.study.stages_perceptions import _correlation_table


def test_a_correlation_of_a_small_group_is_hidden():
    rng = np.random.default_rng(1)
    g = np.array(["a"] * 120 + ["b"] * 4)
    x = rng.normal(size=g.size)
    y = -0.5 * x + rng.normal(size=g.size)
    sd = SurveyData(pd.DataFrame({"x": x, "y": y, "g": g}), SurveyDesign())
    t = _correlation_table(sd, "x", "y", (0.8, 0.8), "g", "w", {"x": "X", "y": "Y"}, min_n=5)
    rows = {resolve(r.label, "en"): r.cells for r in t.rows}
    assert abs(rows["Total"][0].value - np.corrcoef(x, y)[0, 1]) < 1e-12
    assert rows["a"][4].value == 120
    assert all(c.flags >= FLAG_SUPPRESSED for c in rows["b"])
    assert all(c.value is None for c in rows["b"])
