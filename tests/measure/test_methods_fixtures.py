"""Worked fixtures of ../shared/METHODS.md (sections 1.5, 2.4-2.6, 3.3, 5.1).

Each number's section is named next to it. METHODS prints 4 decimals, hence abs=5e-5 wherever
it prints a rounded value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qonys import CodebookError, DataError
from qonys.measure import (
    ESSER_DIMENSIONS,
    IPL_DIMENSIONS,
    IndexSpec,
    ItemCoding,
    aggregate_arithmetic,
    aggregate_geometric,
    berry_classify,
    bogardus,
    complex_integration,
    dimension_index,
    distance_to_reference,
    esser_scores,
    ipl_index,
    mazziotta_pareto,
    normalise_minmax,
    normalise_z,
    rescale_ordinal,
)

ROUNDED = 5e-5  # METHODS prints 4 decimals

# METHODS 1.5: item scores psych (0.75, 0.5), econ (1, 0.5), polit (0.25, 0), social (0.6, 0.75),
# ling (1, 0.75), nav (0.5, 0.75)
IPL_TOY = {
    "psychological": (0.75, 0.5),
    "economic": (1.0, 0.5),
    "political": (0.25, 0.0),
    "social": (0.6, 0.75),
    "linguistic": (1.0, 0.75),
    "navigational": (0.5, 0.75),
}


def _ipl12() -> IndexSpec:
    items = [ItemCoding(f"{d[:4]}{j}", d, kind="unit") for d in IPL_DIMENSIONS for j in (1, 2)]
    return IndexSpec("ipl", tuple(items), dimensions=IPL_DIMENSIONS)


def _toy_frame() -> pd.DataFrame:
    return pd.DataFrame({f"{d[:4]}{j + 1}": [v[j]] for d, v in IPL_TOY.items() for j in (0, 1)})


def test_rescaling_fixtures():
    # METHODS 1.5: 5-point r=4 -> 0.75; reverse 5-point r=2 -> 0.75; 4-point r=3 -> 0.6667
    assert rescale_ordinal(4, 5) == 0.75
    assert rescale_ordinal(2, 5, reverse=True) == 0.75
    assert rescale_ordinal(3, 4) == pytest.approx(0.6667, abs=ROUNDED)


def test_ipl_index_complete():
    # METHODS 1.5: dimension scores 0.625/0.75/0.125/0.675/0.875/0.625, IPL = 0.6125
    res = dimension_index(_toy_frame(), _ipl12())
    dims = res.scores.loc[0, list(IPL_DIMENSIONS)].to_numpy(float)
    np.testing.assert_allclose(dims, [0.625, 0.75, 0.125, 0.675, 0.875, 0.625], rtol=1e-12)
    assert res.index[0] == pytest.approx(0.6125, rel=1e-12)


def test_ipl_index_missing_political_item_uses_dimension_means():
    # METHODS 1.5: political item 2 missing -> dimension-mean rule 0.6333; pooled mean 0.6682
    df = _toy_frame()
    df["poli2"] = np.nan
    got = dimension_index(df, _ipl12()).index[0]
    assert got == pytest.approx(0.6333, abs=ROUNDED)
    pooled = np.nanmean(df.to_numpy(float))
    assert pooled == pytest.approx(0.6682, abs=ROUNDED)
    assert abs(got - pooled) > 0.03


def test_ipl_strict_and_lenient_modes():
    # METHODS 1.3: strict needs all 6 dimensions; lenient needs >= 5 and reports n_dims
    df = _toy_frame()
    df[["poli1", "poli2"]] = np.nan
    strict = dimension_index(df, _ipl12())
    assert np.isnan(strict.index[0])
    lenient = dimension_index(df, _ipl12(), mode="lenient")
    assert lenient.scores.loc[0, "n_dims"] == 5
    expected = np.mean([np.mean(v) for d, v in IPL_TOY.items() if d != "political"])
    assert lenient.index[0] == pytest.approx(expected, rel=1e-12)


def test_ipl_24_needs_two_of_four_items():
    # METHODS 1.3: IPL-24 dimension needs at least 2 of 4 items
    items = tuple(ItemCoding(f"s{j}", "social", kind="ordinal", levels=5) for j in range(4))
    spec = IndexSpec("ipl24", items)
    df = pd.DataFrame({"s0": [5, 5], "s1": [3, None], "s2": [None, None], "s3": [None, None]})
    sc = dimension_index(df, spec).scores["social"]
    assert sc[0] == pytest.approx((1.0 + 0.5) / 2, rel=1e-12)
    assert np.isnan(sc[1])


def test_item_codings_dont_know_and_refused():
    # METHODS 1.3: "don't know" on a knowledge item is substantive (0); refused is missing
    c = ItemCoding(
        "k", "political", kind="ordinal", levels=4, substitute={98: 0.0}, missing_codes=(99,)
    )
    got = c.score(pd.Series([4, 98, 99, 1])).tolist()
    assert got[:2] == [1.0, 0.0]
    assert np.isnan(got[2])
    assert got[3] == 0.0
    with pytest.raises(DataError) as ei:
        c.score(pd.Series([5]))
    assert ei.value.rule == "measure.out-of-range"


def test_employment_table_coding_and_count_cap():
    # METHODS 1.3: categorical items by table (employed = 1, unemployed = 0); counts top-coded
    emp = ItemCoding("emp", "economic", kind="table", table={"employed": 1, "unemployed": 0})
    assert emp.score(pd.Series(["employed", "unemployed"])).tolist() == [1.0, 0.0]
    cnt = ItemCoding("calls", "social", kind="count", cap=10)
    assert cnt.score(pd.Series([3, 25])).tolist() == [0.3, 1.0]


def test_named_index_wrappers_check_their_dimensions():
    # ipl_index = dimension_index with the six IPL dimensions (METHODS 1.5: 0.6125)
    assert ipl_index(_toy_frame(), _ipl12()).index[0] == pytest.approx(0.6125, rel=1e-12)
    with pytest.raises(CodebookError):
        esser_scores(_toy_frame(), _ipl12())
    items = tuple(ItemCoding(f"{d}1", d, kind="unit") for d in ESSER_DIMENSIONS)
    df = pd.DataFrame(
        {f"{d}1": [v] for d, v in zip(ESSER_DIMENSIONS, [0.2, 0.4, 0.6, 0.8], strict=True)}
    )
    res = esser_scores(df, IndexSpec("esser", items))
    assert res.index[0] == pytest.approx(0.5, rel=1e-12)


def test_esser_structural_vs_complex():
    # METHODS 2.6: structural only = placement >= tau and min(others) < tau; complex = all >= tau
    s = pd.DataFrame(
        {
            "culturation": [0.7, 0.7, 0.2],
            "placement": [0.6, 0.9, 0.3],
            "interaction": [0.8, 0.5, 0.9],
            "identification": [0.6, 0.9, 0.9],
        }
    )
    assert complex_integration(s, tau=0.6).tolist() == ["complex", "structural only", "other"]


# METHODS 3.3 Berry toy
H = np.array([4.5, 4.0, 2.5, 3.2, 1.8, 3.6, 2.9, 4.2])
M = np.array([4.0, 2.0, 4.4, 3.1, 2.2, 3.4, 3.3, 2.8])
ABBR = {"integration": "INT", "separation": "SEP", "assimilation": "ASM", "marginalisation": "MAR"}


def test_berry_median_split():
    # METHODS 3.3: medians H 3.4, M 3.2; cut ">" -> INT, SEP, ASM, MAR, MAR, INT, ASM, SEP
    out = berry_classify(H, M, method="median")
    assert out["h_cut"].iloc[0] == pytest.approx(3.4, rel=1e-12)
    assert out["m_cut"].iloc[0] == pytest.approx(3.2, rel=1e-12)
    assert out["strategy"].map(ABBR).tolist() == [
        "INT",
        "SEP",
        "ASM",
        "MAR",
        "MAR",
        "INT",
        "ASM",
        "SEP",
    ]


def test_berry_midpoint_split():
    # METHODS 3.3: midpoint 3 -> INT, SEP, ASM, INT, MAR, INT, ASM, SEP (respondent 4 differs)
    out = berry_classify(H, M, method="midpoint", midpoint=3)
    assert out["strategy"].map(ABBR).tolist() == [
        "INT",
        "SEP",
        "ASM",
        "INT",
        "MAR",
        "INT",
        "ASM",
        "SEP",
    ]


def test_berry_tie_rule():
    # METHODS 3.1: the rule at the cut must be fixed; a score of exactly 3 flips with high_if
    gt = berry_classify([3.0], [4.0], method="midpoint", midpoint=3, high_if=">")
    ge = berry_classify([3.0], [4.0], method="midpoint", midpoint=3, high_if=">=")
    assert gt["strategy"].tolist() == ["assimilation"]
    assert ge["strategy"].tolist() == ["integration"]


def test_bogardus_quotient_and_reproducibility():
    # METHODS 5.1: patterns -> scores 2, 1, 4, 3; quotient 2.5; adding (0,1,0,1,1,1) gives one
    # Guttman error, CR = 0.9667 for 5 respondents x 6 items
    pats = [[0, 1, 1, 1, 1, 1], [1] * 6, [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]]
    cols = [f"s{i}" for i in range(1, 7)]
    res = bogardus(pd.DataFrame(pats, columns=cols), cols)
    assert res.scores.tolist() == [2, 1, 4, 3]
    assert res.quotient == 2.5
    assert res.reproducibility == 1.0
    res5 = bogardus(pd.DataFrame([*pats, [0, 1, 0, 1, 1, 1]], columns=cols), cols)
    assert res5.errors == 1
    assert res5.reproducibility == pytest.approx(1 - 1 / 30, rel=1e-12)
    assert res5.reproducibility == pytest.approx(0.9667, abs=ROUNDED)


def test_bogardus_no_acceptance_scores_seven():
    # METHODS 5.1: score 7 (exclude) when no step is accepted
    cols = [f"s{i}" for i in range(1, 7)]
    assert bogardus(pd.DataFrame([[0] * 6], columns=cols), cols).scores.tolist() == [7]


def test_composite_normalisations_and_aggregations():
    # METHODS 2.3 formulas on a hand-checkable frame
    df = pd.DataFrame({"a": [1.0, 3.0, 5.0], "b": [2.0, 2.0, 8.0]})
    mm = normalise_minmax(df, {"a": (1, 5), "b": (0, 10)})
    assert mm["a"].tolist() == [0.0, 0.5, 1.0]
    z = normalise_z(df, ["a"])
    assert z["a"].tolist() == [-1.0, 0.0, 1.0]
    zr = normalise_z(df, ["a"], reference=np.array([True, True, False]))
    assert zr["a"].tolist() == pytest.approx([-1 / np.sqrt(2), 1 / np.sqrt(2), 3 / np.sqrt(2)])
    assert distance_to_reference(df, {"b": 4.0})["b"].tolist() == [0.5, 0.5, 2.0]
    assert aggregate_arithmetic(df, ["a", "b"], {"a": 3, "b": 1}).tolist() == [1.25, 2.75, 5.75]
    geo = aggregate_geometric(df, ["a", "b"])
    assert geo.tolist() == pytest.approx(np.sqrt(df["a"] * df["b"]).tolist(), rel=1e-12)
    with pytest.raises(DataError):
        aggregate_geometric(df - 1, ["a", "b"])


def test_mazziotta_pareto_penalises_unbalanced_profiles():
    # Mazziotta & Pareto (2016): balanced profile keeps its mean, an unbalanced one is penalised
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0], "c": [3.0, 2.0, 1.0]})
    mpi = mazziotta_pareto(df, ["a", "b", "c"])
    z = 100 + 10 * (df - df.mean()) / df.std()
    m, s = z.mean(axis=1), z.std(axis=1, ddof=0)
    assert mpi.tolist() == pytest.approx((m - s**2 / m).tolist(), rel=1e-12)
    assert mpi[1] == pytest.approx(100.0)
