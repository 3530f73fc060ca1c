"""Reliability against psych 2.2.9 (refs/measure/measure_refs_long.csv) and METHODS 2.4."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _measure_refs import data, long_rows, ref_value

from qonys import DataError
from qonys.measure import (
    cronbach_alpha,
    omega_from_loadings,
    spearman_brown,
    two_item_reliability,
)

BFI_REVERSED = ("A1", "C4", "C5", "E1", "E2", "O2", "O5")  # measure_refs.R: reversed as 7 - x

ALPHA_CASES = [
    ("HolzingerSwineford1939", "alpha_visual", "HolzingerSwineford1939", ["x1", "x2", "x3"]),
    ("HolzingerSwineford1939", "alpha_textual", "HolzingerSwineford1939", ["x4", "x5", "x6"]),
    ("HolzingerSwineford1939", "alpha_speed", "HolzingerSwineford1939", ["x7", "x8", "x9"]),
    (
        "HolzingerSwineford1939",
        "alpha_all9",
        "HolzingerSwineford1939",
        [f"x{i}" for i in range(1, 10)],
    ),
    *[
        ("bfi25_complete", f"alpha_{s}", "bfi25_complete", [f"{s}{i}" for i in range(1, 6)])
        for s in "ACENO"
    ],
    ("ability_complete", "alpha_all16", "ability_complete", None),
    ("sat_act", "alpha_SATV_SATQ", "sat_act", ["SATV", "SATQ"]),
]

# psych's sanitised names (measure_refs.R `clean`) -> ours
TOTAL_NAMES = {"G6_smc_": "G6_smc"}
DROP_NAMES = {"G6_smc_": "G6_smc", "med_r": "median_r"}


def _frame(name: str, items: list[str] | None) -> pd.DataFrame:
    df = data(name).copy()
    if name == "bfi25_complete":
        for v in BFI_REVERSED:
            df[v] = 7 - df[v]
    if name == "sat_act":
        df = df.dropna(subset=["SATV", "SATQ"])
    if items is None:
        df = df.drop(columns="id")
    return df


@pytest.mark.shared
@pytest.mark.parametrize(("dataset", "analysis", "dname", "items"), ALPHA_CASES)
def test_alpha_matches_psych_every_row(dataset, analysis, dname, items):
    df = _frame(dname, items)
    res = cronbach_alpha(df, items)
    rows = long_rows(dataset, analysis)
    checked = 0
    for r in rows.itertuples():
        stat, term, ref = r.stat, r.term, r.value
        if stat in ("n_obs",):
            got = res.n
        elif stat == "n_items":
            got = len(res.items)
        elif term == "total":
            got = res.total[TOTAL_NAMES.get(stat, stat)]
        elif stat.startswith("item_"):
            got = res.items.loc[term, stat[5:]]
        else:
            got = res.drop.loc[term, DROP_NAMES.get(stat[5:], stat[5:])]
        if math.isnan(ref):
            assert math.isnan(got), (analysis, term, stat)
        else:
            # closed-form statistics: refs README suggests 1e-10
            assert got == pytest.approx(ref, rel=1e-10, abs=1e-12), (analysis, term, stat)
        checked += 1
    assert checked == len(rows)


@pytest.mark.shared
def test_spearman_brown_sat_act():
    # measure_refs_long.csv: sat_act / splithalf_SATV_SATQ / scale / {pearson_r, spearman_brown,
    # flanagan_rulon_guttman_split}
    df = _frame("sat_act", ["SATV", "SATQ"])
    got = two_item_reliability(df, ["SATV", "SATQ"])
    key = ("sat_act", "splithalf_SATV_SATQ", "scale")
    assert got["pearson_r"] == pytest.approx(ref_value(*key, "pearson_r"), rel=1e-10)
    assert got["spearman_brown"] == pytest.approx(ref_value(*key, "spearman_brown"), rel=1e-10)
    assert got["flanagan_rulon"] == pytest.approx(
        ref_value(*key, "flanagan_rulon_guttman_split"), rel=1e-10
    )
    assert spearman_brown(got["pearson_r"]) == pytest.approx(
        ref_value(*key, "splitHalf_maxrb"), rel=1e-10
    )


TOY = pd.DataFrame(
    [[4, 5, 4, 3], [3, 4, 3, 3], [5, 5, 4, 4], [2, 3, 2, 1], [4, 4, 5, 4], [3, 2, 3, 2]],
    columns=list("abcd"),
)


def test_methods_toy_alpha():
    # METHODS.md 2.4 fixture: alpha 0.9290, std alpha 0.9308, mean r 0.7708, item variances
    # 1.1, 1.3667, 1.1, 1.3667 (4 decimals printed there)
    res = cronbach_alpha(TOY)
    assert res.raw_alpha == pytest.approx(0.9290, abs=5e-5)
    assert res.std_alpha == pytest.approx(0.9308, abs=5e-5)
    assert res.total["average_r"] == pytest.approx(0.7708, abs=5e-5)
    np.testing.assert_allclose(res.items["sd"] ** 2, [1.1, 1.3667, 1.1, 1.3667], atol=5e-5)


def test_methods_toy_omega():
    # METHODS.md 2.4 fixture: loadings (.7, .8, .6, .5), theta = 1 - lambda^2 -> omega 0.7494
    assert omega_from_loadings([0.7, 0.8, 0.6, 0.5]) == pytest.approx(0.7494, abs=5e-5)


def test_weighted_alpha_equal_weights_is_unweighted():
    a = cronbach_alpha(TOY).raw_alpha
    b = cronbach_alpha(TOY, sample_weight=np.full(6, 3.0)).raw_alpha
    assert a == pytest.approx(b, rel=1e-12)


def test_weighted_alpha_integer_weights_equal_replication():
    w = np.array([1, 2, 1, 3, 1, 2])
    rep = TOY.loc[TOY.index.repeat(w)]
    a = cronbach_alpha(TOY, sample_weight=w).total
    b = cronbach_alpha(rep).total
    # replication changes n (n/(n-1) factor) but alpha is scale-free in that factor
    assert a["raw_alpha"] == pytest.approx(b["raw_alpha"], rel=1e-12)


def test_constant_item_is_named_error():
    df = TOY.assign(e=1)
    with pytest.raises(DataError) as ei:
        cronbach_alpha(df)
    assert ei.value.rule == "measure.constant-item"


def test_missing_fails_by_default_and_drop_reports():
    df = TOY.astype(float)
    df.iloc[0, 0] = np.nan
    with pytest.raises(DataError) as ei:
        cronbach_alpha(df)
    assert ei.value.rule == "measure.missing"
    res = cronbach_alpha(df, missing="drop")
    assert res.meta.n_dropped == 1
    assert res.n == 5


def test_to_frame_is_tidy():
    frame = cronbach_alpha(TOY).to_frame()
    assert list(frame.columns[:10]) == [
        "variable",
        "level",
        "domain",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "deff",
        "n",
    ]
