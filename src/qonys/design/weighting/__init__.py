"""Weighting: non-response adjustment, post-stratification, raking, calibration, trimming.

Every method is registered by name in :data:`WEIGHTING_METHODS` (plugins register there too)
and returns a :class:`Weighted` result: the new weights, survey data carrying them (with what
calibration-aware variances need, and replicate weights re-weighted replicate by replicate),
the achieved control totals and weight diagnostics (Kish's design effect and effective n).

Examples
--------
>>> import pandas as pd
>>> from qonys.design import SurveyData, SurveyDesign
>>> from qonys.design.weighting import WEIGHTING_METHODS, weight
>>> sorted(WEIGHTING_METHODS.names())
['calibrate', 'nonresponse', 'poststratify', 'rake', 'trim']
>>> df = pd.DataFrame({"sex": ["f", "m", "m"], "w": [1.0, 1.0, 1.0]})
>>> weight(SurveyData(df, SurveyDesign(weights="w")), "poststratify", strata="sex",
...        population={"f": 5, "m": 5}).weights.tolist()
[5.0, 2.5, 2.5]
"""

from __future__ import annotations

from typing import Any

from ..data import SurveyData
from ._common import WEIGHTING_METHODS, Weighted, effective_n, kish_deff, weight_summary
from .calibrate import CalibrationDistance, calibrate, calibration_g
from .poststratify import nonresponse, poststratify
from .rake import rake, rake_weights
from .trim import trim, trim_weights

__all__ = [
    "WEIGHTING_METHODS",
    "CalibrationDistance",
    "Weighted",
    "calibrate",
    "calibration_g",
    "effective_n",
    "kish_deff",
    "nonresponse",
    "poststratify",
    "rake",
    "rake_weights",
    "trim",
    "trim_weights",
    "weight",
    "weight_summary",
]


def weight(data: SurveyData, method: str, **options: Any) -> Weighted:
    """Run the weighting method registered as ``method`` with ``options``."""
    fn = WEIGHTING_METHODS.get(method)
    result: Weighted = fn(data, **options)
    return result
