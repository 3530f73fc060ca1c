"""scikit-learn estimator contract (parametrize_with_checks) for the fitted typology models.

Checks that cannot hold by design are listed with their reason.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from qonys.typology import LatentClassModel, LatentProfileModel

CONTINUOUS_DATA = (
    "the checks feed continuous data; a latent class model treats every distinct value as a "
    "category, so values first seen at predict time raise the named error "
    "typology.unknown-category by design"
)
LCA_EXPECTED = {
    "check_fit_idempotent": CONTINUOUS_DATA,
    "check_sample_weight_equivalence_on_dense_data": CONTINUOUS_DATA,
    "check_dtype_object": "categorical answers may be any hashable codes; the check's dict "
    "values fail with Python's own 'unhashable type' message",
    "check_estimators_nan_inf": "missing answers raise qonys' DataError (rule typology.missing, "
    "policy missing='fail'), not ValueError",
}
LPA_EXPECTED = {
    "check_sample_weight_equivalence_on_dense_data": "random starts draw one membership vector "
    "per row, so weighted and repeated rows start EM from different points",
}


def _expected(est):
    return LCA_EXPECTED if isinstance(est, LatentClassModel) else LPA_EXPECTED


@parametrize_with_checks(
    [
        LatentClassModel(2, n_init=2, max_iter=50, random_state=0),
        LatentProfileModel(2, n_init=2, max_iter=50, random_state=0),
    ],
    expected_failed_checks=_expected,
)
def test_sklearn_contract(estimator, check):
    check(estimator)
