"""Design-based settlement estimates on a synthetic population with a planted pattern.

The population and the sampling design are in ``spatial_synthetic.py``; the population values
(D, location quotients) are computed from the full population in the tests.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from spatial_synthetic import CODES, PLANTED, population, sample

from qonys._core import DataWarning
from qonys.design import SurveyData, SurveyDesign
from qonys.spatial import (
    design_dissimilarity,
    image_profiles,
    location_quotients,
    location_quotients_from_counts,
    place_counts,
    settlement_shares,
)
from qonys.spatial.indices import dissimilarity

DESIGN = SurveyDesign(weights="w", strata="hou_district", ids=("psu",))


def _pop_counts() -> pd.DataFrame:
    return population().groupby("district")[["migrants", "locals"]].sum()


def test_equal_weights_reproduce_count_formulas() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "hou_district": rng.choice(CODES, 400),
            "scr_city": 75,
            "scr_origin_type": rng.choice([1, 2, 3], 400),
            "w": 1.0,
        }
    )
    df.loc[df["hou_district"] == 7507, "scr_origin_type"] = 1  # a migrant district
    sd = SurveyData(df, SurveyDesign(weights="w"))
    counts = pd.crosstab(df["hou_district"], df["scr_origin_type"] == 1)
    d = design_dissimilarity(sd, group="scr_origin_type", focal=1).to_frame().iloc[0]
    assert d["estimate"] == pytest.approx(
        float(dissimilarity(counts[True], counts.sum(axis=1))), rel=1e-12
    )
    lq = location_quotients(sd, group="scr_origin_type", focal=1).to_frame()
    want = location_quotients_from_counts(counts.rename(columns=str), "True")
    assert lq["estimate"].to_numpy() == pytest.approx(want.to_numpy(), rel=1e-12)


def test_planted_pattern_is_recovered_and_d_covers_the_population() -> None:
    pop = _pop_counts()
    d_pop = float(dissimilarity(pop["migrants"], pop.sum(axis=1)))
    sd = SurveyData(sample(population(), np.random.default_rng(11)), DESIGN)
    lq = location_quotients(sd, group="scr_origin_type", focal=1).to_frame()
    lq_pop = location_quotients_from_counts(pop, "migrants")
    # the district planted with the highest share (7507, 40 %) has the highest LQ, and the
    # estimated LQs rank the districts as the population's do (Spearman > 0.9)
    assert lq.loc[lq["estimate"].idxmax(), "level"] == str(CODES[int(np.argmax(PLANTED))])
    rho = pd.Series(lq["estimate"].to_numpy()).corr(pd.Series(lq_pop.to_numpy()), "spearman")
    assert rho > 0.9
    d = design_dissimilarity(sd, group="scr_origin_type", focal=1).to_frame().iloc[0]
    assert d["ci_low"] <= d_pop <= d["ci_high"]
    assert d["df"] == 48 - 8  # PSUs minus strata
    assert d["method"] == "Taylor linearisation"


def test_linearised_interval_has_its_nominal_coverage() -> None:
    pop = _pop_counts()
    d_pop = float(dissimilarity(pop["migrants"], pop.sum(axis=1)))
    full = population()
    rng = np.random.default_rng(2026)
    reps, hits = 80, 0
    for _ in range(reps):
        sd = SurveyData(sample(full, rng), DESIGN)
        row = design_dissimilarity(sd, group="scr_origin_type", focal=1).to_frame().iloc[0]
        hits += bool(row["ci_low"] <= d_pop <= row["ci_high"])
    # nominal 95 %; with 80 replications the binomial SD is 2.4 points, so 0.85 leaves room
    # for the small upward bias of sample D; 200 replications gave 0.965 during development
    assert hits / reps >= 0.85


def test_replicate_weights_give_an_interval_too() -> None:
    from qonys.design import as_replicate

    sd = as_replicate(SurveyData(sample(population(), np.random.default_rng(5)), DESIGN), "JKn")
    row = design_dissimilarity(sd, group="scr_origin_type", focal=1).to_frame().iloc[0]
    assert row["method"] == "replicate"
    assert row["se"] > 0


def test_shares_flag_small_districts() -> None:
    sd = SurveyData(sample(population(), np.random.default_rng(11)), DESIGN)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = settlement_shares(sd, min_n=100)
    assert any(issubclass(w.category, DataWarning) for w in caught)
    t = res.to_frame()
    # 120 respondents per district; migrants are fewer than 100 in every district
    assert not t.loc[t["domain"].str.endswith("scr_origin_type=1"), "reliable"].any()
    assert t.loc[t["domain"].str.endswith("scr_origin_type=2"), "reliable"].sum() >= 1
    sums = t.groupby("domain")["estimate"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)  # a distribution over districts
    assert set(t["geo_id"]) == {
        "alatau",
        "almaly",
        "auezov",
        "bostandyk",
        "zhetysu",
        "medeu",
        "nauryzbay",
        "turksib",
    }


def test_city_image_profiles_and_places() -> None:
    rng = np.random.default_rng(4)
    n = 240
    df = pd.DataFrame(
        {
            "scr_city": np.repeat([71, 75], n // 2),
            "w": rng.uniform(1, 2, n),
            "img_sd_safe": rng.integers(1, 8, n),
            "img_sd_clean": rng.integers(1, 8, n),
        }
    )
    df.loc[:9, "img_sd_safe"] = 98  # don't know
    df["img_fav_district"] = np.where(
        df["scr_city"] == 71, rng.choice([7101, 7103], n), rng.choice([7504, 7506, 98], n)
    )
    sd = SurveyData(df, SurveyDesign(weights="w"))
    prof = image_profiles(sd).to_frame()
    assert set(prof["variable"]) == {"img_sd_safe", "img_sd_clean"}
    safe71 = prof[(prof["variable"] == "img_sd_safe") & (prof["domain"] == "scr_city=71")]
    ok = df[(df["scr_city"] == 71) & (df["img_sd_safe"] != 98)]
    assert safe71["estimate"].item() == pytest.approx(
        np.average(ok["img_sd_safe"], weights=ok["w"]), rel=1e-12
    )
    places = place_counts(sd).to_frame()
    assert set(places["geo_id"]) == {"almaty", "esil", "bostandyk", "medeu"}
    assert places.groupby("domain")["estimate"].sum().to_numpy() == pytest.approx(1.0)
    assert places["mentions"].sum() == int((df["img_fav_district"] != 98).sum())
