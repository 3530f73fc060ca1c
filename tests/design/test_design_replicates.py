"""Hadamard matrices for BRR, and replicate weights made from a design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qonys.design import SurveyData, SurveyDesign, as_replicate, hadamard


@pytest.mark.parametrize("k", range(2, 41))
def test_hadamard_is_orthogonal_and_normalized(k: int) -> None:
    h = hadamard(k)
    m = h.shape[0]
    assert m >= k
    assert m == 2 or m % 4 == 0
    np.testing.assert_array_equal(h @ h.T, m * np.eye(m))
    assert (h[0] == 1).all()
    assert (h[:, 0] == 1).all()


def test_jkn_rscales_and_lonely_policies() -> None:
    df = pd.DataFrame(
        {
            "h": [1, 1, 1, 2, 2, 3],
            "psu": range(6),
            "N": [30, 30, 30, 8, 8, 5],
            "y": [1.0, 2, 4, 3, 5, 7],
        }
    )
    sd = SurveyData(df, SurveyDesign(strata="h", ids="psu", fpc="N", lonely_psu="remove"))
    rep = as_replicate(sd, "JKn")
    r = rep.prepared.replicates
    assert r is not None
    # one replicate per PSU of the strata with 2+ PSUs: (1 - n/N)(n - 1)/n
    np.testing.assert_allclose(r.rscales, [27 / 30 * 2 / 3] * 3 + [6 / 8 * 1 / 2] * 2)
    assert r.n_replicates == 5
