"""Design-based estimation: means, totals, proportions, ratios, variances, quantiles, tables.

Every estimator is a plain function taking :class:`~qonys.design.SurveyData` and returning a
frozen result whose ``to_frame()`` has the tidy columns ``variable, level, domain, estimate, se,
ci_low, ci_high, df, deff, n``. Variances come from Taylor linearisation or replicate weights;
``vcov_total`` is the primitive for models.
"""

from .variance import replicate_cov, taylor_cov, unit_sums, vcov_total

__all__ = ["replicate_cov", "taylor_cov", "unit_sums", "vcov_total"]
