"""Polychoric / tetrachoric correlations and ordinal alpha against psych 2.2.9 and lavaan's
lavCor (refs/measure/measure_refs_long.csv: bfi25_complete/polychoric_A,
ability_complete/tetrachoric_all16).

Tolerances: thresholds are closed form (1e-10). Correlations are the exact two-step ML estimate;
psych finds it with optimize() at its default tolerance (about 1.2e-4 in rho), so psych's rows
are compared at 1e-4 (refs README), lavaan's (a tighter optimiser) at 1e-6 (we agree to 4e-8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _measure_refs import data, long_rows

from qonys import DataError
from qonys.measure import alpha_from_cov, ordinal_alpha, polychoric, tetrachoric

TOL = {"rho_psych_correct0.5": 1e-4, "rho_psych_correct0": 1e-4, "rho_lavaan_lavCor": 1e-6}


def _bfi_a():
    df = data("bfi25_complete").copy()
    df["A1"] = 7 - df["A1"]  # measure_refs.R reverses A1 as 7 - x
    return df, [f"A{i}" for i in range(1, 6)]


def _ability():
    df = data("ability_complete")
    return df, [c for c in df.columns if c != "id"]


CASES = {
    "polychoric_A": ("bfi25_complete", _bfi_a, polychoric),
    "tetrachoric_all16": ("ability_complete", _ability, tetrachoric),
}


@pytest.mark.shared
@pytest.mark.parametrize("analysis", list(CASES))
def test_every_reference_row(analysis):
    dataset, load, fn = CASES[analysis]
    df, items = load()
    res = fn(df, items)
    res0 = fn(df, items, correct=0)
    rho = res.rho.to_numpy()
    p = len(items)
    ord_alpha = {
        "ordinal_alpha_psych_correct0.5": (alpha_from_cov(rho)["raw_alpha"], 1e-4),
        "ordinal_alpha_psych_correct0": (alpha_from_cov(res0.rho.to_numpy())["raw_alpha"], 1e-4),
        "ordinal_alpha_lavCor": (alpha_from_cov(rho)["raw_alpha"], 1e-6),
        "ordinal_average_r_psych_correct0.5": (
            (rho.sum() - p) / (p * (p - 1)),
            1e-4,
        ),
        "n_obs": (res.n, 0),
    }
    for r in long_rows(dataset, analysis).itertuples():
        if r.stat.startswith("rho_"):
            a, b = r.term.split("|")
            got = (res0 if r.stat.endswith("correct0") else res).rho.loc[a, b]
            assert got == pytest.approx(r.value, abs=TOL[r.stat]), (r.term, r.stat)
        elif r.stat.startswith("tau_"):
            assert res.tau.loc[r.term, r.stat[4:]] == pytest.approx(r.value, abs=1e-10)
        elif r.stat in ord_alpha:
            got, tol = ord_alpha[r.stat]
            assert got == pytest.approx(r.value, abs=tol), r.stat
        # pearson_* rows are the ordinary alphas, tested in test_reliability.py


@pytest.mark.shared
def test_ordinal_alpha_function():
    # bfi25_complete / polychoric_A / scale / ordinal_alpha_lavCor (exact MLE, see module doc)
    df, items = _bfi_a()
    ref = long_rows("bfi25_complete", "polychoric_A")
    want = ref[ref["stat"] == "ordinal_alpha_lavCor"]["value"].iloc[0]
    assert ordinal_alpha(df, items) == pytest.approx(want, abs=1e-6)


def test_tetrachoric_needs_binary_items():
    df = pd.DataFrame({"a": [0, 1, 2, 1] * 5, "b": [0, 1, 1, 0] * 5})
    with pytest.raises(DataError) as ei:
        tetrachoric(df)
    assert ei.value.rule == "measure.not-binary"


def test_recovers_latent_correlation():
    rng = np.random.default_rng(4)
    z = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=5000)
    df = pd.DataFrame(np.digitize(z, [-1.0, 0.0, 0.8]), columns=["a", "b"])
    assert polychoric(df).rho.loc["a", "b"] == pytest.approx(0.5, abs=0.03)
