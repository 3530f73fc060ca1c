"""Acceptance on the synthetic study (``qonys.simulate``): the planted settlement pattern is
recovered and the survey's dissimilarity index covers the population's.

Ground truth: ``truth["districts"]`` (recent rural migrants, i.e. from a village and fewer
than 5 years in the city, as a share of each district's migrants; the district's zone) and
``truth["summary"]["population"]["segregation"][city]["dissimilarity_districts"]`` (D of
migrants against all other adults over districts), both computed by the generator from its
full population.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from qonys import estimate
from qonys.design import SurveyData, SurveyDesign
from qonys.spatial import design_dissimilarity

sim = pytest.importorskip(
    "qonys.simulate", reason="the synthetic study generator (qonys.simulate) is not installed"
)


@pytest.fixture(scope="module")
def study() -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    st = sim.simulate_study(n=3000, n_locals=1500, seed=7, scale=0.05)
    mig = sim.analysis_dataset(st.migrants, st.design["migrants"]).data
    loc = sim.analysis_dataset(st.locals, st.design["locals"]).data
    return st, mig, loc


def test_planted_settlement_pattern_is_recovered(
    study: tuple[Any, pd.DataFrame, pd.DataFrame],
) -> None:
    st, mig, _ = study
    truth = st.truth["districts"].set_index("district")
    m = mig.assign(
        recent_rural=(
            (pd.to_numeric(mig["scr_years_city"], errors="coerce") < 5)
            & (pd.to_numeric(mig["scr_origin_type"], errors="coerce") == 1)
        ).astype(float)
    )
    sd = SurveyData(m, SurveyDesign(weights="smp_weight", strata="smp_stratum", ids=("smp_psu",)))
    est = estimate.mean(sd, ["recent_rural"], by=["hou_district"]).to_frame()
    est["district"] = est["hou_district"].astype(int)
    est["zone"] = est["district"].map(truth["zone"])
    est["city"] = est["district"] // 100
    for city, part in est.groupby("city"):
        planted = set(part.loc[part["zone"] == "periphery", "district"])
        top = set(part.nlargest(len(planted), "estimate")["district"])
        assert top == planted, (city, part[["district", "zone", "estimate"]])
    rho = est["estimate"].corr(est["district"].map(truth["recent_rural_share"]), "spearman")
    assert rho > 0.8


def test_survey_dissimilarity_covers_the_population_value(
    study: tuple[Any, pd.DataFrame, pd.DataFrame],
) -> None:
    st, mig, loc = study
    # the comparison group is every other adult: long-term residents who are not themselves
    # internal migrants (born in the city, or arrived before 16)
    born = pd.to_numeric(loc["scr_birthplace"], errors="coerce")
    age = pd.to_numeric(loc["scr_arrival_age"], errors="coerce")
    others = loc[~((born == 2) & (age >= 16))]
    cols = ["scr_city", "hou_district", "smp_stratum", "smp_psu", "smp_weight"]
    both = pd.concat(
        [mig[cols].assign(y=1.0, form="m"), others[cols].assign(y=0.0, form="l")],
        ignore_index=True,
    )
    both["stratum"] = both["form"] + both["smp_stratum"].astype(str)
    both["psu"] = both["form"] + both["smp_psu"].astype(str)
    sd = SurveyData(both, SurveyDesign(weights="smp_weight", strata="stratum", ids=("psu",)))
    res = design_dissimilarity(sd, group="y").to_frame()
    seg = st.truth["summary"]["population"]["segregation"]
    for row in res.itertuples():
        city = str(row.domain).split("=")[1]
        d_pop = seg[city]["dissimilarity_districts"]
        assert row.ci_low <= d_pop <= row.ci_high, (city, d_pop, row.ci_low, row.ci_high)
        assert np.isfinite(row.se)
        assert row.se > 0
