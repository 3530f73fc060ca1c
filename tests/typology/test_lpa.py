"""Latent profile analysis: agreement with scikit-learn's GaussianMixture (diag) and weights."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from qonys.typology import LatentProfileModel, select_classes


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack(
        [
            rng.normal([0, 0, 0], [1, 0.5, 1], (150, 3)),
            rng.normal([3, 2, -2], [0.7, 1, 1.2], (100, 3)),
        ]
    )


def test_matches_sklearn_gaussian_mixture_diag():
    X = _data()
    ours = LatentProfileModel(2, n_init=10, random_state=0, tol=1e-12).fit(X)
    gm = GaussianMixture(
        2,
        covariance_type="diag",
        reg_covar=0.0,
        tol=1e-12,
        max_iter=2000,
        n_init=10,
        random_state=0,
    ).fit(X)
    # same model and likelihood: the global maxima agree to the EM tolerance
    assert ours.loglik_ == pytest.approx(gm.score(X) * len(X), rel=1e-8)
    order = np.argsort(-gm.weights_)
    np.testing.assert_allclose(ours.weights_, gm.weights_[order], rtol=1e-5)
    np.testing.assert_allclose(ours.means_, gm.means_[order], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.variances_, gm.covariances_[order], rtol=1e-5)


def test_equal_variances_parameter_count_and_weights():
    X = _data(1)
    m = LatentProfileModel(2, covariance="equal", n_init=5, random_state=0).fit(X)
    assert m.n_parameters_ == 1 + 2 * 3 + 3
    np.testing.assert_allclose(m.variances_[0], m.variances_[1])
    w = np.random.default_rng(2).integers(1, 4, len(X))
    a = LatentProfileModel(2, n_init=5, random_state=0).fit(X, sample_weight=w)
    b = LatentProfileModel(2, n_init=5, random_state=0).fit(np.repeat(X, w, axis=0))
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-7)


def test_selection_table_for_profiles():
    sel = select_classes(_data(), range(1, 4), n_init=5, random_state=0, model=LatentProfileModel)
    assert sel.best_bic == 2
    assert sel.table.loc[2, "entropy"] > 0.8
