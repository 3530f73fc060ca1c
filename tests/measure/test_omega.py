"""Omega against lavaan / psych (refs/measure/measure_refs_long.csv, analyses omega1f_* and
omega_psych_SL3_minres_oblimin; the three one-factor variants are defined in the refs README).

Tolerances: one-factor omegas and CFA loadings rel 1e-5 (lavaan estimates, README); psych's
minres omega and Schmid-Leiman quantities 1e-4 (psych's minres optimiser, README).
"""

from __future__ import annotations

import pytest
from _measure_refs import data, long_rows

from qonys import DataError
from qonys.measure import omega, omega_hierarchical

HS_SCALES = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
    "all9": [f"x{i}" for i in "123456789"],
}
BFI_REVERSED = ("A1", "C4", "C5", "E1", "E2", "O2", "O5")  # measure_refs.R: 7 - x

CASES = [("HolzingerSwineford1939", f"omega1f_{s}", items) for s, items in HS_SCALES.items()] + [
    ("bfi25_complete", f"omega1f_{s}", [f"{s}{i}" for i in range(1, 6)]) for s in "AC"
]


@pytest.mark.shared
@pytest.mark.parametrize(("dataset", "analysis", "items"), CASES)
def test_one_factor_omega_every_row(dataset, analysis, items):
    df = data(dataset).copy()
    if dataset == "bfi25_complete":
        for v in BFI_REVERSED:
            df[v] = 7 - df[v]
    res = omega(df, items)
    scale = {
        "omega_model": (res.omega_model, 1e-5),
        "omega_std": (res.omega_std, 1e-5),
        "omega_obs": (res.omega_obs, 1e-5),
        "df": (res.fit["df"], 1e-12),
        "psych_omega1_omega_tot": (res.omega_psych, 1e-4),
    }
    cols = {
        "lambda_est": "lambda",
        "lambda_std_all": "lambda_std",
        "theta_est": "theta",
        "theta_std_all": "theta_std",
    }
    for r in long_rows(dataset, analysis).itertuples():
        if r.term == "scale":
            if r.stat == "chisq":
                # just-identified 3-item models have chisq ~ 0 (lavaan prints 1e-13)
                assert res.fit["chisq"] == pytest.approx(r.value, rel=1e-5, abs=1e-8)
            elif r.stat in scale:
                got, tol = scale[r.stat]
                assert got == pytest.approx(r.value, rel=tol), r.stat
            # psych_omega1_alpha is the standardised alpha, tested in test_reliability.py
        else:
            got = res.loadings.loc[r.term, cols[r.stat]]
            assert got == pytest.approx(r.value, rel=1e-5), (r.term, r.stat)


@pytest.mark.shared
def test_schmid_leiman_every_row():
    res = omega_hierarchical(data("HolzingerSwineford1939"), HS_SCALES["all9"], n_factors=3)
    for r in long_rows("HolzingerSwineford1939", "omega_psych_SL3_minres_oblimin").itertuples():
        if r.term == "all9":
            got = res.stats[r.stat]
        elif r.stat.startswith("omega_group_"):
            got = res.groups.loc[r.term, r.stat.removeprefix("omega_group_")]
        else:
            got = res.loadings.loc[r.term, r.stat.removeprefix("sl_")]
        assert got == pytest.approx(r.value, abs=1e-4), (r.term, r.stat)


def test_omega_needs_three_items():
    import pandas as pd

    with pytest.raises(DataError) as ei:
        omega(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3]}), ["a", "b"])
    assert ei.value.rule == "measure.too-few-items"
