"""Segregation indices: hand formulas, PySAL segregation 2.5.4, inference and decomposition.

Numbers asserted here come from (a) arithmetic written out next to them, or (b) PySAL's
``segregation`` computed in the test on the same data (the package is a dependency), or
(c) identities of the indices (interaction = 1 - isolation, M = between + within).
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from qonys._core import DataError
from qonys.spatial.analysis import segregation_indices, unit_counts
from qonys.spatial.decompose import decompose_segregation
from qonys.spatial.indices import (
    INDICES,
    atkinson,
    dissimilarity,
    entropy_index,
    gini_index,
    interaction,
    isolation,
    multi_dissimilarity,
    multi_information,
    mutual_information,
)
from qonys.spatial.inference import carrington_troske, permutation_test, random_allocation
from qonys.spatial.pysal_bridge import compare_segregation, pysal_index

# Three units of 100 people; 10, 10 and 80 migrants (X = 100, Y = 200, P = 1/3).
X3, T3 = np.array([10.0, 10, 80]), np.array([100.0, 100, 100])


def test_dissimilarity_by_hand() -> None:
    # x_i/X = .1, .1, .8; y_i/Y = .45, .45, .1 -> 1/2 (.35 + .35 + .7) = 0.7
    assert float(dissimilarity(X3, T3)) == pytest.approx(0.7, abs=1e-15)


def test_isolation_interaction_by_hand() -> None:
    # xPx = .1*.1 + .1*.1 + .8*.8 = 0.66; xPy = .1*.9 + .1*.9 + .8*.2 = 0.34
    assert float(isolation(X3, T3)) == pytest.approx(0.66, abs=1e-15)
    assert float(interaction(X3, T3)) == pytest.approx(0.34, abs=1e-15)


def test_entropy_by_hand() -> None:
    def e(p: float) -> float:
        return -p * math.log(p) - (1 - p) * math.log(1 - p)

    big_e = e(1 / 3)  # 0.636514...
    h = sum(100 * (big_e - e(p)) for p in (0.1, 0.1, 0.8)) / (big_e * 300)
    assert float(entropy_index(X3, T3)) == pytest.approx(h, rel=1e-13)
    assert h == pytest.approx(0.397464, abs=1e-6)  # written out in docs/spatial.md


def test_gini_by_hand() -> None:
    # sum_ij t_i t_j |p_i - p_j| = 1e4 * 4 * 0.7 = 28000; 2 T^2 P(1-P) = 2 * 9e4 * 2/9 = 40000
    assert float(gini_index(X3, T3)) == pytest.approx(0.7, abs=1e-15)


def test_atkinson_by_hand() -> None:
    # b = .5: sum sqrt((1-p) p) t / (P T) = 100 (.3 + .3 + .4) / 100 = 1 -> A = 1 - (1/2) * 1^2
    assert float(atkinson(X3, T3)) == pytest.approx(0.5, abs=1e-15)


def test_multigroup_by_hand() -> None:
    # two groups: multigroup D equals D, multigroup H equals Theil's H
    tab = np.column_stack([X3, T3 - X3])
    assert float(multi_dissimilarity(tab)) == pytest.approx(0.7, abs=1e-15)
    assert float(multi_information(tab)) == pytest.approx(float(entropy_index(X3, T3)), rel=1e-13)


def test_undefined_cases_are_nan() -> None:
    assert math.isnan(float(dissimilarity([0, 0], [5, 5])))
    assert math.isnan(float(isolation([5, 5], [5, 5])))
    assert math.isnan(float(multi_information([[3, 0], [4, 0]])))


def test_bad_counts_are_named_errors() -> None:
    with pytest.raises(DataError) as err:
        dissimilarity([5, -1], [10, 10])
    assert err.value.rule == "spatial.negative-count"
    with pytest.raises(DataError) as err:
        dissimilarity([11, 1], [10, 10])
    assert err.value.rule == "spatial.group-exceeds-total"


def _grid() -> gpd.GeoDataFrame:
    """6 x 6 grid of 1 km cells in UTM 43N; migrants clustered in the west (our own toy data:
    the grid behind the values quoted in research/spatial-data.md section 3.2 is not in
    ../shared, so those numbers are not asserted)."""
    rng = np.random.default_rng(20261127)
    col = np.tile(np.arange(6), 6)
    total = rng.integers(200, 800, 36)
    migrants = rng.binomial(total, np.linspace(0.6, 0.1, 6)[col])
    third = rng.binomial(total - migrants, 0.2)
    cells = [
        box(600000 + 1000 * i, 4790000 + 1000 * j, 601000 + 1000 * i, 4791000 + 1000 * j)
        for j in range(6)
        for i in range(6)
    ]
    return gpd.GeoDataFrame(
        {"x": migrants, "o": third, "l": total - migrants - third, "t": total},
        geometry=cells,
        crs="EPSG:32643",
    )


# Gini is checked against an explicit double loop below: PySAL's Gini spends ~15 s compiling
# its numba kernel, too long for the test suite.
@pytest.mark.parametrize(
    "name", ["dissimilarity", "isolation", "interaction", "entropy", "atkinson"]
)
def test_single_group_indices_equal_pysal(name: str) -> None:
    g = _grid()
    ours = float(INDICES.get(name).func(g["x"].to_numpy(), g["t"].to_numpy()))
    theirs = pysal_index(name, g, "x", "t")
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_gini_equals_its_double_sum() -> None:
    g = _grid()
    x, t = g["x"].to_numpy(float), g["t"].to_numpy(float)
    p, big_p = x / t, x.sum() / t.sum()
    num = sum(t[i] * t[j] * abs(p[i] - p[j]) for i in range(36) for j in range(36))
    expected = num / (2 * t.sum() ** 2 * big_p * (1 - big_p))
    assert float(gini_index(x, t)) == pytest.approx(expected, rel=1e-12)


def test_multigroup_indices_equal_pysal() -> None:
    from segregation.multigroup import MultiDissim, MultiInfoTheory

    g = _grid()
    frame = g[["x", "o", "l"]].astype(float)
    tab = frame.to_numpy()
    assert float(multi_dissimilarity(tab)) == pytest.approx(
        MultiDissim(frame, ["x", "o", "l"]).statistic, rel=1e-12
    )
    assert float(multi_information(tab)) == pytest.approx(
        MultiInfoTheory(frame, ["x", "o", "l"]).statistic, rel=1e-12
    )


def test_spatial_indices_run_in_utm_and_are_below_aspatial_d() -> None:
    g = _grid()
    d = pysal_index("dissimilarity", g, "x", "t")
    sd = pysal_index("spatial_dissimilarity", g, "x", "t")
    # spatial D discounts differences between neighbouring cells (Morrill 1991): 0 < SD < D
    assert 0 < sd < d


def test_pysal_random_label_needs_float_counts_and_gets_them() -> None:
    """PySAL's random-label test fails on integer counts with pandas 3; our wrapper casts."""
    from segregation.inference import TwoValueTest
    from segregation.singlegroup import Dissim

    g = _grid()
    even = g.assign(x=(g["t"] * 0.35).round().astype(int))
    if int(pd.__version__.split(".")[0]) >= 3:
        a, b = Dissim(g, "x", "t"), Dissim(even, "x", "t")
        with pytest.raises(TypeError), warnings.catch_warnings(action="ignore"):
            TwoValueTest(
                a,
                b,
                iterations_under_null=3,
                null_approach="random_label",
                n_jobs=1,
            )
    res = compare_segregation(g, even, "x", "t", permutations=49, seed=1).to_frame().iloc[0]
    d1, d2 = float(dissimilarity(g["x"], g["t"])), float(dissimilarity(even["x"], even["t"]))
    assert res["estimate"] == pytest.approx(d1 - d2, rel=1e-12)
    assert 0 <= res["p_value"] <= 1


def test_random_allocation_keeps_margins() -> None:
    tab = np.array([[5, 1, 0], [2, 2, 2], [0, 3, 9]])
    sims = random_allocation(tab, 50, np.random.default_rng(0))
    assert (sims.sum(axis=2) == tab.sum(axis=1)).all()
    assert (sims.sum(axis=1) == tab.sum(axis=0)).all()


def test_permutation_test_and_small_unit_correction() -> None:
    g = _grid()
    tab = g[["x", "l"]].assign(l=g["t"] - g["x"]).to_numpy()
    res = permutation_test(INDICES.get("dissimilarity"), tab, focal=0, permutations=199, rng=3)
    assert res.observed == pytest.approx(float(dissimilarity(g["x"], g["t"])), rel=1e-12)
    assert res.p_value == pytest.approx(1 / 200)  # clustered data: no random city reaches it
    # with about 500 people per cell random allocation leaves a small D (binomial noise)
    assert 0 < res.expected < 0.06
    assert res.corrected == pytest.approx((res.observed - res.expected) / (1 - res.expected))


def test_random_allocation_is_not_segregated() -> None:
    rng = np.random.default_rng(7)
    total = rng.integers(10, 40, 30)
    x = rng.binomial(total, 0.3)
    res = permutation_test(
        INDICES.get("dissimilarity"),
        np.column_stack([x, total - x]),
        focal=0,
        permutations=199,
        rng=5,
    )
    assert res.p_value > 0.05
    # small units: D of a random city is far from 0, which the correction removes
    assert res.expected > 0.1
    assert abs(res.corrected) < 0.35


def test_carrington_troske_cases() -> None:
    assert carrington_troske(0.4, 0.1) == pytest.approx(0.3 / 0.9)
    assert carrington_troske(0.05, 0.1) == pytest.approx(-0.5)
    assert math.isnan(carrington_troske(float("nan"), 0.1))


def test_permutations_need_whole_counts() -> None:
    with pytest.raises(DataError) as err:
        permutation_test(INDICES.get("dissimilarity"), [[1.5, 2], [3, 4]], focal=0)
    assert err.value.rule == "spatial.non-integer-counts"


def test_segregation_indices_result() -> None:
    g = _grid()
    counts = g[["x", "o", "l"]].rename(columns={"x": "migrants"})
    res = segregation_indices(counts, focal=["migrants"], permutations=49, seed=1, domain="grid")
    frame = res.to_frame()
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
    assert res.value("interaction", "migrants") == pytest.approx(
        1 - res.value("isolation", "migrants"), abs=1e-12
    )
    assert frame["p_value"].notna().all()
    assert "random-allocation" in res.meta.method


def test_unit_counts_with_weights() -> None:
    df = pd.DataFrame({"d": [1, 1, 2], "g": ["m", "l", "m"], "w": [2.0, 1.0, 3.0]})
    tab = unit_counts(df, "d", "g", weight="w")
    assert tab.loc[1, "m"] == 2.0
    assert tab.loc[2, "m"] == 3.0
    assert tab.loc[2, "l"] == 0.0


def test_decomposition_adds_up() -> None:
    g = _grid()
    counts = g[["x", "o", "l"]]
    areas = ["west" if i % 6 < 3 else "east" for i in range(36)]
    res = decompose_segregation(counts, areas)
    m_total, h_total = res.value("M", "total"), res.value("H", "total")
    assert m_total == pytest.approx(float(mutual_information(counts.to_numpy())), rel=1e-12)
    assert h_total == pytest.approx(float(multi_information(counts.to_numpy())), rel=1e-12)
    assert m_total == pytest.approx(res.value("M", "between") + res.value("M", "within"), rel=1e-12)
    assert h_total == pytest.approx(res.value("H", "between") + res.value("H", "within"), rel=1e-12)
    # within part = weighted sum of the areas' own indices
    t = res.to_frame()
    own = t[(t.variable == "H") & t.level.str.startswith("within:")]
    assert (own["weight"] * own["estimate"]).sum() == pytest.approx(res.value("H", "within"))


def test_methods_segregation_fixture() -> None:
    # METHODS.md, Appendix A ("segregation"): migrants m = (500, 300, 100, 100) and locals
    # l = (200, 300, 400, 600) in four units give D = 0.4667 and isolation 0.5414.
    # By hand: m/M = (.5, .3, .1, .1), l/L = (.1333, .2, .2667, .4); D = 0.5 * (0.3667 + 0.1
    # + 0.1667 + 0.3) = 0.4667; isolation = sum (m/M)(m/t) = .5*(500/700) + .3*(300/600)
    # + .1*(100/500) + .1*(100/700) = 0.5414.
    m = np.array([500.0, 300, 100, 100])
    t = m + np.array([200.0, 300, 400, 600])
    assert dissimilarity(m, t) == pytest.approx(0.466666666666667, abs=1e-12)
    assert isolation(m, t) == pytest.approx(0.541428571428571, abs=1e-12)
    assert interaction(m, t) == pytest.approx(1 - 0.541428571428571, abs=1e-12)
