"""Properties that must hold for any design (hypothesis-generated stratified cluster samples)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qonys import estimate as est
from qonys.design import SurveyData, SurveyDesign


@st.composite
def samples(draw: st.DrawFn) -> pd.DataFrame:
    n_strata = draw(st.integers(1, 4))
    rows = []
    for h in range(n_strata):
        for c in range(draw(st.integers(2, 4))):
            for _ in range(draw(st.integers(1, 4))):
                rows.append((h, c, draw(st.floats(0.5, 10)), draw(st.floats(-50, 50))))
    return pd.DataFrame(rows, columns=["h", "c", "w", "y"])


@settings(max_examples=40, deadline=None)
@given(samples(), st.floats(0.1, 100))
def test_scaling_the_weights(df: pd.DataFrame, k: float) -> None:
    """Means and their SEs do not depend on the scale of the weights; totals scale with it."""
    design = SurveyDesign(weights="w", strata="h", ids="c", nest=True)
    a = SurveyData(df, design)
    b = SurveyData(df.assign(w=df["w"] * k), design)
    ma, mb = est.mean(a, "y", deff=None), est.mean(b, "y", deff=None)
    assert mb.estimate[0] == pytest.approx(ma.estimate[0], rel=1e-9, abs=1e-9)
    assert mb.se[0] == pytest.approx(ma.se[0], rel=1e-7, abs=1e-9)
    ta, tb = est.total(a, "y", deff=None), est.total(b, "y", deff=None)
    assert tb.se[0] == pytest.approx(k * ta.se[0], rel=1e-7, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_domains_partition_the_total(df: pd.DataFrame) -> None:
    """Domain totals add up to the total, and the variance of their sum is the total's."""
    df = df.assign(g=np.where(df["y"] > 0, "pos", "neg"))
    sd = SurveyData(df, SurveyDesign(weights="w", strata="h", ids="c", nest=True))
    whole = est.total(sd, "y", deff=None)
    parts = est.total(sd, "y", by="g", deff=None, vcov=True)
    assert parts.estimate.sum() == pytest.approx(whole.estimate[0], rel=1e-9, abs=1e-9)
    assert parts.vcov is not None
    assert parts.vcov.sum() == pytest.approx(whole.se[0] ** 2, rel=1e-7, abs=1e-7)
