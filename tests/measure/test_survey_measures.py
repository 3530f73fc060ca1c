"""Design-aware measures: Berry classes (METHODS 3.3), Bogardus distance (5.1), multiple
response, frequencies and distributions, group comparisons, correlations, motive EFA."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qonys import DataError
from qonys._core import Codebook, Variable
from qonys.design import SurveyData, SurveyDesign
from qonys.estimate import mean
from qonys.measure.bidimensional import berry_profiles, berry_shares
from qonys.measure.comparisons import compare_groups, survey_correlation
from qonys.measure.motives import motive_factors, weighted_polychoric
from qonys.measure.mr_tables import mr_table
from qonys.measure.portrait import compact_letters, distribution_by, frequencies
from qonys.measure.social_distance import distance_scores, social_distance

# METHODS 3.3
H = [4.5, 4.0, 2.5, 3.2, 1.8, 3.6, 2.9, 4.2]
M = [4.0, 2.0, 4.4, 3.1, 2.2, 3.4, 3.3, 2.8]
SHORT = {"integration": "INT", "separation": "SEP", "assimilation": "ASM", "marginalisation": "MAR"}


def classes(res) -> list[str]:
    """Each respondent's class (the one with membership 1)."""
    cols = res.columns()
    frame = res.data.data[[cols[c] for c in res.classes]].to_numpy()
    assert np.isin(frame, [0.0, 1.0]).all()
    return [SHORT[res.classes[int(j)]] for j in frame.argmax(axis=1)]


@pytest.fixture
def fixture_33():
    return SurveyData(pd.DataFrame({"h": H, "m": M}), SurveyDesign())


def test_berry_midpoint_split_fixture(fixture_33):
    res = berry_shares(fixture_33, "h", "m", method="midpoint", midpoint=3, high_if=">")
    assert classes(res) == ["INT", "SEP", "ASM", "INT", "MAR", "INT", "ASM", "SEP"]
    share = res.shares.set_index("level")["estimate"]
    assert share["integration"] == pytest.approx(3 / 8)
    assert share["marginalisation"] == pytest.approx(1 / 8)
    assert share.sum() == pytest.approx(1.0)


def test_berry_median_split_fixture_moves_respondent_4(fixture_33):
    res = berry_shares(fixture_33, "h", "m", method="median", high_if=">")
    assert res.cuts == pytest.approx((3.4, 3.2))
    got = classes(res)
    assert got == ["INT", "SEP", "ASM", "MAR", "MAR", "INT", "ASM", "SEP"]
    mid = classes(berry_shares(fixture_33, "h", "m", midpoint=3, high_if=">"))
    assert (mid[3], got[3]) == ("INT", "MAR")  # respondent 4 changes class
    assert [a == b for a, b in zip(mid, got, strict=True)].count(False) == 1


def test_berry_tie_rules_at_the_cut():
    sd = SurveyData(pd.DataFrame({"h": [3.0, 3.0], "m": [4.0, 4.0]}), SurveyDesign())
    share = {
        rule: berry_shares(sd, "h", "m", midpoint=3, high_if=rule)
        .shares.set_index("level")["estimate"]
        .to_dict()
        for rule in (">", ">=", "split")
    }
    assert share[">"]["assimilation"] == 1.0
    assert share[">="]["integration"] == 1.0
    assert share["split"]["integration"] == pytest.approx(0.5)
    assert share["split"]["assimilation"] == pytest.approx(0.5)


def test_berry_midpoint_is_required_and_method_checked(fixture_33):
    with pytest.raises(DataError) as err:
        berry_shares(fixture_33, "h", "m", method="midpoint")
    assert err.value.rule == "measure.midpoint"
    with pytest.raises(Exception, match="quartile"):
        berry_shares(fixture_33, "h", "m", method="quartile", midpoint=3)  # type: ignore[arg-type]


def test_berry_shares_by_domain_are_design_means_with_certainty():
    rng = np.random.default_rng(3)
    n = 400
    g = np.repeat(["a", "b"], n // 2)
    h = np.clip(rng.normal(np.where(g == "a", 3.6, 2.6), 0.8), 1, 5)
    m = np.clip(rng.normal(3.2, 0.8, n), 1, 5)
    w = rng.uniform(0.5, 2.0, n)
    sd = SurveyData(pd.DataFrame({"h": h, "m": m, "g": g, "w": w}), SurveyDesign(weights="w"))
    res = berry_shares(sd, "h", "m", midpoint=3, high_if=">", by="g", reliability=(0.8, 0.8))
    by = res.shares[res.shares["g"].notna()]
    for grp in ("a", "b"):
        sel = g == grp
        expect = np.average((h[sel] > 3) & (m[sel] > 3), weights=w[sel])
        got = by[(by["g"] == grp) & (by["level"] == "integration")]["estimate"].iloc[0]
        assert got == pytest.approx(expect)
    assert ((res.shares["certainty"] > 0.25) & (res.shares["certainty"] <= 1)).all()
    assert res.test is not None
    assert res.test["p_value"].iloc[0] < 0.001
    assert (res.shares["ci_low"] <= res.shares["estimate"]).all()


def test_berry_profiles_recover_two_separated_groups():
    from qonys.typology import LatentProfileModel

    rng = np.random.default_rng(5)
    h = np.r_[rng.normal(4.3, 0.3, 300), rng.normal(1.8, 0.3, 200)]
    m = np.r_[rng.normal(4.2, 0.3, 300), rng.normal(1.7, 0.3, 200)]
    sd = SurveyData(pd.DataFrame({"h": h, "m": m}), SurveyDesign())
    res = berry_profiles(sd, "h", "m", LatentProfileModel(2, n_init=3, random_state=1), midpoint=3)
    share = res.shares.set_index("level")
    assert set(res.classes) == {"integration", "marginalisation"}
    # 300 of 500 drawn in the high group, more than 8 SDs from the other: every posterior
    # is 0 or 1 to rounding, so the share is the planted 300 / 500
    assert share.loc["integration", "estimate"] == pytest.approx(0.6, abs=1e-9)
    assert share.loc["integration", "certainty"] > 0.99  # posterior of well separated groups


# METHODS 5.1
PATTERNS = [[0, 1, 1, 1, 1, 1], [1] * 6, [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]]
COLS = [f"s{i}" for i in range(1, 7)]


def test_bogardus_quotient_fixture():
    sd = SurveyData(pd.DataFrame(PATTERNS, columns=COLS), SurveyDesign())
    res = social_distance(sd, {"village": COLS})
    est = res.table.set_index("level")["estimate"]
    assert est["quotient"] == pytest.approx(2.5)
    assert est["reproducibility"] == pytest.approx(1.0)
    assert res.errors == {"village": 0}


def test_bogardus_reproducibility_fixture():
    pats = [*PATTERNS, [0, 1, 0, 1, 1, 1]]
    sd = SurveyData(pd.DataFrame(pats, columns=COLS), SurveyDesign())
    res = social_distance(sd, {"village": COLS})
    est = res.table.set_index("level")["estimate"]
    assert est["reproducibility"] == pytest.approx(1 - 1 / 30)
    assert round(float(est["reproducibility"]), 4) == 0.9667
    assert res.errors == {"village": 1}


def test_bogardus_exclusion_missing_answers_and_bad_codes():
    pats = [[0] * 6, [1] * 6, [0, 0, 0, 0, 0, 1], [0] * 6]
    frame = pd.DataFrame(pats, columns=COLS).assign(dk=[0, 0, 0, 1])
    sd = SurveyData(frame, SurveyDesign())
    res = social_distance(sd, {"t": COLS}, missing_columns={"t": ["dk"]})
    est = res.table.set_index("level")
    assert est.loc["quotient", "estimate"] == pytest.approx((7 + 1 + 6) / 3)
    assert est.loc["exclusion", "estimate"] == pytest.approx(1 / 3)
    assert int(est.loc["quotient", "n"]) == 3  # the don't-know answer has no score
    scores, errors = distance_scores(np.array(pats))
    assert scores.tolist() == [7, 1, 6, 7]
    assert errors.tolist() == [0, 0, 0, 0]
    bad = SurveyData(frame.assign(s3=[0, 2, 0, 0]), SurveyDesign())
    with pytest.raises(DataError) as err:
        social_distance(bad, {"t": COLS})
    assert err.value.rule == "measure.binary"
    assert err.value.where.variable == "s3"


def test_multiple_response_percentages_of_cases_and_responses():
    frame = pd.DataFrame(
        {
            "q/1": [1, 1, 0, 0, 1],
            "q/2": [0, 1, 1, 0, 1],
            "q/3": [0, 0, 0, 0, 1],
            "g": ["a", "a", "b", "b", "b"],
        }
    )
    sd = SurveyData(frame, SurveyDesign())
    res = mr_table(sd, ["q/1", "q/2", "q/3"], by="g", test=False)
    overall = res.table[res.table["domain"].isna()].set_index("level")
    # 4 respondents named something; 3 named option 1; 7 mentions in all
    assert overall.loc["1", "estimate"] == pytest.approx(3 / 4)
    assert overall.loc["1", "pct_responses"] == pytest.approx(3 / 7)
    assert overall["pct_responses"].sum() == pytest.approx(1.0)
    assert overall["estimate"].sum() > 1.0
    base = res.bases[res.bases["domain"].isna()]
    assert int(base["base_n"].iloc[0]) == 4


def test_frequencies_and_distribution_by_city():
    rng = np.random.default_rng(2)
    n = 300
    g = rng.choice([71, 75, 79], n)
    x = np.where(rng.random(n) < np.where(g == 79, 0.7, 0.4), 1.0, 2.0)
    x[:5] = np.nan
    w = rng.uniform(0.5, 2, n)
    cb = Codebook(variables=(Variable("x", "select_one"), Variable("g", "select_one")))
    frame = pd.DataFrame({"x": x, "g": g.astype(float), "w": w})
    sd = SurveyData(frame, SurveyDesign("w"), codebook=cb)
    f = frequencies(sd, "x")
    valid = f.table[f.table["missing"].isna()]
    assert valid["n"].sum() == n - 5
    d = distribution_by(sd, "x", "g")
    t = d.table
    assert t["n"].sum() == n - 5  # unweighted cell counts, codes stored as numbers
    share = t[(t["level"] == "1.0") & (t["g"] == 79.0)]["estimate"].iloc[0]
    sel = (g == 79) & ~np.isnan(x)
    assert share == pytest.approx(np.average(x[sel] == 1, weights=w[sel]))
    assert d.test.p_value < 0.01
    assert compact_letters(np.zeros((0, 0), bool)) == []


def test_compare_groups_and_correlation_match_simple_cases():
    rng = np.random.default_rng(4)
    n = 600
    g = np.repeat(["a", "b", "c"], n // 3)
    y = rng.normal(np.select([g == "a", g == "b"], [0.0, 0.5], 1.0), 1.0)
    x = -0.5 * y + rng.normal(size=n)
    sd = SurveyData(pd.DataFrame({"y": y, "x": x, "g": g}), SurveyDesign())
    cmp = compare_groups(sd, "y", "g")
    pair = cmp.pairs[(cmp.pairs["group_a"] == "a") & (cmp.pairs["group_b"] == "c")].iloc[0]
    assert pair["difference"] == pytest.approx(y[g == "c"].mean() - y[g == "a"].mean())
    assert cmp.tests["p_value"].iloc[0] < 1e-6
    r = survey_correlation(sd, "x", "y", reliability=(0.8, 0.5)).table.iloc[0]
    assert r["estimate"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert r["corrected"] == pytest.approx(r["estimate"] / np.sqrt(0.4))
    assert r["ci_low"] < r["estimate"] < r["ci_high"]


def test_weighted_polychoric_recovers_the_latent_correlation():
    rng = np.random.default_rng(8)
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=4000)
    cuts = np.array([-1.0, -0.2, 0.5, 1.2])
    x = np.column_stack([np.searchsorted(cuts, z[:, j]) + 1 for j in range(2)]).astype(float)
    rho, pairs = weighted_polychoric(x, np.ones(len(x)))
    # about 3 sampling SEs: the SE of a polychoric rho of 0.6 at n = 4000 is about
    # (1 - 0.6**2) / sqrt(4000) = 0.010, inflated by about a third by the 5-point coarsening
    assert rho[0, 1] == pytest.approx(0.6, abs=0.04)
    assert pairs[0, 1] == len(x)


def test_motive_factors_find_the_planted_structure():
    rng = np.random.default_rng(9)
    n = 800
    f = rng.normal(size=(n, 2))
    items = {}
    for j in range(8):
        latent = 0.8 * f[:, j // 4] + 0.6 * rng.normal(size=n)
        items[f"i{j}"] = np.clip(np.rint(3 + latent), 1, 5)
    sd = SurveyData(pd.DataFrame(items), SurveyDesign())
    res = motive_factors(sd, list(items), random_state=1)
    assert res.loadings.shape == (8, 2)
    assert res.parallel_factors == 2
    assert res.kmo > 0.6
    assert res.bartlett["pvalue"] < 1e-10
    big = res.loadings.abs().to_numpy().argmax(axis=1)
    assert len(set(big[:4])) == 1
    assert len(set(big[4:])) == 1
    assert big[0] != big[4]
    assert mean(sd, "i0").table["n"].iloc[0] == n
