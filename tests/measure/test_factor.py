"""KMO, Bartlett and EFA against psych 2.2.9 / GPArotation (refs/measure/measure_refs_long.csv).

Every row of the kmo_bartlett_* and efa_* analyses is compared. Tolerances: KMO and Bartlett are
closed form (1e-10, refs README); EFA loadings, communalities and factor correlations 1e-4 (refs
README: psych's L-BFGS-B stops early, "use a tolerance of about 1e-4 for rotated loadings");
psych's fit statistics, which depend on the same optimum, rel 1e-4; eigenvalues of R 1e-10.
"""

from __future__ import annotations

import math

import pytest
from _measure_refs import data, long_rows

from qonys import DataError
from qonys.measure import bartlett_sphericity, efa, kmo

HS_ITEMS = [f"x{i}" for i in range(1, 10)]
BFI_ITEMS = [f"{s}{i}" for s in "ACENO" for i in range(1, 6)]

KMO_CASES = [
    ("HolzingerSwineford1939", "kmo_bartlett_x1_x9", HS_ITEMS),
    ("bfi25_complete", "kmo_bartlett_25items", BFI_ITEMS),
]
EFA_CASES = [
    ("HolzingerSwineford1939", HS_ITEMS, 3, fm, rot)
    for fm in ("minres", "ml")
    for rot in ("none", "varimax", "oblimin")
] + [
    ("bfi25_complete", BFI_ITEMS, 5, "minres", "oblimin"),
    ("bfi25_complete", BFI_ITEMS, 5, "ml", "varimax"),
]


@pytest.mark.shared
@pytest.mark.parametrize(("dataset", "analysis", "items"), KMO_CASES)
def test_kmo_bartlett_every_row(dataset, analysis, items):
    df = data(dataset)
    overall, per_item = kmo(df, items)
    bart = bartlett_sphericity(df, items)
    got = {
        "KMO_MSA": overall,
        "bartlett_chisq": bart["chisq"],
        "bartlett_df": bart["df"],
        "bartlett_p": bart["pvalue"],
        "n_obs": bart["n"],
    }
    for r in long_rows(dataset, analysis).itertuples():
        value = per_item[r.term] if r.stat == "MSAi" else got[r.stat]
        assert value == pytest.approx(r.value, rel=1e-10, abs=1e-300), (r.term, r.stat)


@pytest.mark.shared
@pytest.mark.parametrize(("dataset", "items", "k", "fm", "rot"), EFA_CASES)
def test_efa_every_row(dataset, items, k, fm, rot):
    res = efa(data(dataset), items, n_factors=k, method=fm, rotation=rot)
    rows = long_rows(dataset, f"efa_{k}f_{fm}_{rot}")
    for r in rows.itertuples():
        if r.stat.startswith("loading_"):
            got, tol = res.loadings.loc[r.term, r.stat[8:]], 1e-4
        elif r.stat == "communality_h2":
            got, tol = res.communality[r.term], 1e-4
        elif r.stat == "uniqueness_u2":
            got, tol = res.uniqueness[r.term], 1e-4
        elif r.stat == "phi":
            a, b = r.term.split("|")
            got, tol = res.phi.loc[a, b], 1e-4
        elif r.stat == "eigen_R":
            got = res.eigenvalues[int(r.term[2:]) - 1]
            assert got == pytest.approx(r.value, rel=1e-10)
            continue
        else:
            got = res.stats[r.stat]
            if math.isnan(r.value):
                assert math.isnan(got)
                continue
            assert got == pytest.approx(r.value, rel=1e-4), (r.term, r.stat)
            continue
        assert got == pytest.approx(r.value, abs=tol), (r.term, r.stat)


def test_efa_needs_three_items_per_factor():
    import numpy as np
    import pandas as pd

    df = pd.DataFrame(np.random.default_rng(0).normal(size=(100, 5)))
    with pytest.raises(DataError) as ei:
        efa(df, n_factors=2)
    assert ei.value.rule == "measure.too-few-items"
