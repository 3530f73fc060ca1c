"""Design-based estimation: means, totals, proportions, ratios, variances, quantiles, tables,
and survey models (GLMs, ordinal and multinomial logit).

Every estimator is a plain function taking :class:`~qonys.design.SurveyData` and returning a
frozen result whose ``to_frame()`` has the tidy columns ``variable, level, domain, estimate, se,
ci_low, ci_high, df, deff, n``. Variances come from Taylor linearisation or replicate weights;
``vcov_total`` is the primitive for models.

Examples
--------
>>> import pandas as pd
>>> from qonys.design import SurveyData, SurveyDesign
>>> from qonys import estimate
>>> df = pd.DataFrame({"city": ["A", "A", "B", "B"], "w": [1.0, 1, 2, 2], "y": [1.0, 3, 2, 6]})
>>> sd = SurveyData(df, SurveyDesign(weights="w", strata="city"))
>>> estimate.mean(sd, ["y"], by=["city"]).to_frame()[["domain", "estimate"]].to_numpy().tolist()
[['city=A', 2.0], ['city=B', 4.0]]
"""

from ._models import ModelFit, ModelResult
from .backends import LargeSurvey, scan
from .descriptive import mean, proportion, ratio, total
from .dispersion import var
from .glm import GLMResult, glm
from .multinom import MultinomResult, multinom
from .ordinal import OLRResult, olr
from .quantiles import ciprop, quantile, weighted_quantile
from .results import Estimates, critical_value, wald_ci
from .tables import ChisqResult, chisq, crosstab
from .termtest import TermTestResult, reg_term_test
from .ttest import TTestResult, ttest
from .variance import replicate_cov, taylor_cov, unit_sums, vcov_total

__all__ = [
    "ChisqResult",
    "Estimates",
    "GLMResult",
    "LargeSurvey",
    "ModelFit",
    "ModelResult",
    "MultinomResult",
    "OLRResult",
    "TTestResult",
    "TermTestResult",
    "chisq",
    "ciprop",
    "critical_value",
    "crosstab",
    "glm",
    "mean",
    "multinom",
    "olr",
    "proportion",
    "quantile",
    "ratio",
    "reg_term_test",
    "replicate_cov",
    "scan",
    "taylor_cov",
    "total",
    "ttest",
    "unit_sums",
    "var",
    "vcov_total",
    "wald_ci",
    "weighted_quantile",
]
