"""Testing "structural integration is not complex integration" (METHODS 2.6), design-based.

Given Esser's four dimension scores :math:`S_c, S_p, S_i, S_{id}` on [0, 1] and a threshold
:math:`\\tau` (one value, or one per dimension such as the long-term residents' medians):

* *structural high*: :math:`S_p \\ge \\tau_p`;
* *complex*: every dimension :math:`\\ge \\tau_d`;
* *structural only*: structural high and :math:`\\min(S_c, S_i, S_{id})` below its threshold.

The key quantity is the ratio of population totals

.. math:: \\hat P = P(\\text{complex} \\mid S_p \\ge \\tau)
    = \\frac{\\sum_i w_i\\, c_i h_i}{\\sum_i w_i\\, h_i},

estimated with its Taylor-linearised (or replicate) standard error from the survey design
(:func:`qonys.estimate.ratio`, R's ``svyratio``). The finding "structural integration does not
always lead to complex integration" is *supported* when the interval's upper end lies below
``1 - margin`` (default margin 0.2: at least a fifth of the structurally integrated are not
integrated on every dimension), *not supported* when its lower end lies above ``1 - margin``,
and *inconclusive* otherwise. The partial association of :math:`S_p` with the other dimensions
is reported by a survey-weighted logit of complex integration on :math:`S_p` plus controls
(:func:`qonys.estimate.glm`) and the design-weighted correlation matrix of the four scores.

References
----------
Esser, H. (2001). *Integration und ethnische Schichtung*. MZES Arbeitspapiere 40.
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
*International Statistical Review* 51, 279-292.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.results import Meta, ResultMixin, tidy_frame
from .indices import ESSER_DIMENSIONS

__all__ = ["StructuralComplexResult", "Verdict", "structural_complex", "verdict_of"]

Verdict = Literal["supported", "not supported", "inconclusive"]


def verdict_of(ci_low: float, ci_high: float, margin: float = 0.2) -> Verdict:
    """The verdict on "structural does not imply complex" from the interval of :math:`\\hat P`.

    >>> verdict_of(0.30, 0.45), verdict_of(0.85, 0.95), verdict_of(0.7, 0.9)
    ('supported', 'not supported', 'inconclusive')
    """
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return "inconclusive"
    if ci_high < 1 - margin:
        return "supported"
    if ci_low > 1 - margin:
        return "not supported"
    return "inconclusive"


@dataclasses.dataclass(frozen=True, slots=True)
class StructuralComplexResult(ResultMixin):
    """Shares, the conditional probability, correlations, the logit and the verdict.

    Attributes
    ----------
    shares : DataFrame
        Tidy rows ``structural_high``, ``complex``, ``structural_only``,
        ``complex_given_structural_high`` (estimate, se, ci, n).
    correlations : DataFrame
        Design-weighted Pearson correlations of the four scores (4 x 4).
    model : Any
        The :class:`qonys.estimate.GLMResult` of the logit, or ``None`` when not fitted.
    verdict : {"supported", "not supported", "inconclusive"}
    tau : Mapping[str, float]
        Thresholds used by dimension.
    margin : float
        The "well below 1" margin of the verdict.
    """

    shares: pd.DataFrame
    correlations: pd.DataFrame
    model: Any
    verdict: Verdict
    tau: Mapping[str, float]
    margin: float
    meta: Meta

    @property
    def conditional(self) -> pd.Series:
        """The row of :math:`P(\\text{complex} \\mid S_p \\ge \\tau)`."""
        f = self.shares
        return f[f["variable"] == "complex_given_structural_high"].iloc[0]

    def to_frame(self) -> pd.DataFrame:
        """The shares (tidy); correlations and the model have their own frames."""
        return tidy_frame(
            [{str(k): v for k, v in r.items()} for r in self.shares.to_dict("records")]
        )


def _weighted_corr(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mu = (w[:, None] * x).sum(axis=0) / w.sum()
    d = x - mu
    cov = (w[:, None] * d).T @ d / w.sum()
    s = np.sqrt(np.diag(cov))
    return np.asarray(cov / np.outer(s, s))


def structural_complex(
    data: Any,
    *,
    dimensions: Sequence[str] = ESSER_DIMENSIONS,
    structural: str = "placement",
    tau: float | Mapping[str, float] = 0.6,
    controls: Sequence[str] = (),
    margin: float = 0.2,
    level: float = 0.95,
) -> StructuralComplexResult:
    """METHODS 2.6 on survey data holding the four dimension scores (see the module docstring).

    Parameters
    ----------
    data : SurveyData
        The design with one column per dimension (scores on [0, 1]).
    dimensions : sequence of str
        Score columns, Esser's four by default.
    structural : str
        The structural (placement) dimension.
    tau : float or Mapping
        One threshold or one per dimension.
    controls : sequence of str
        Terms added to the logit (formula syntax: ``C(scr_city)``, ``scr_years_city``).
    margin : float
        The verdict's "well below 1": supported when the upper limit is under ``1 - margin``.
    level : float
        Confidence level.

    Returns
    -------
    StructuralComplexResult

    Raises
    ------
    DataError
        ``measure.structural-empty`` when nobody is structurally high or every score is missing,
        ``measure.constant-score`` when a dimension does not vary.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.uniform(0.3, 1, (400, 4)), columns=list(ESSER_DIMENSIONS))
    >>> r = structural_complex(SurveyData(df, SurveyDesign()))
    >>> r.verdict
    'supported'
    """
    from .. import estimate

    dims = list(dimensions)
    if structural not in dims:
        raise DataError(
            f"the structural dimension {structural!r} is not among {dims}",
            where=Where(variable=structural, key="structural"),
            rule="measure.structural-dimension",
            hint="Name one of the score columns.",
        )
    t = {d: float(tau[d] if isinstance(tau, Mapping) else tau) for d in dims}
    frame = data.data
    missing = [d for d in dims if d not in frame.columns]
    if missing:
        raise DataError(
            f"score columns {missing} are not in the data",
            where=Where(variable=missing[0]),
            rule="measure.structural-scores",
            hint="Compute Esser's dimension scores first (the integration stage).",
        )
    scores = frame[dims].apply(pd.to_numeric, errors="coerce").astype(float)
    complete = scores.notna().all(axis=1)
    if not complete.any():
        raise DataError(
            "no respondent has all four dimension scores",
            where=Where(variable=dims[0]),
            rule="measure.structural-empty",
            hint="Check the items of each dimension; lenient scoring needs half of them.",
        )
    for d in dims:
        v = scores.loc[complete, d]
        if float(v.max() - v.min()) == 0.0:
            raise DataError(
                f"the {d} score is constant ({float(v.iloc[0]):g}) among complete respondents",
                where=Where(variable=d),
                rule="measure.constant-score",
                hint="A constant dimension cannot separate structural from complex integration.",
            )
    high = scores[structural] >= t[structural]
    allhigh = pd.concat([scores[d] >= t[d] for d in dims], axis=1).all(axis=1)
    if not (high & complete).any():
        raise DataError(
            f"nobody reaches tau = {t[structural]:g} on {structural}",
            where=Where(variable=structural, key="tau"),
            rule="measure.structural-empty",
            hint="Lower tau or use the long-term residents' medians.",
        )
    f = frame.copy()
    f["_sc_high"] = high.astype(float).where(complete)
    f["_sc_complex"] = allhigh.astype(float).where(complete)
    f["_sc_only"] = (high & ~allhigh).astype(float).where(complete)
    f["_sc_both"] = (high & allhigh).astype(float).where(complete)
    sd = data.update(data=f)
    props = estimate.mean(
        sd, ["_sc_high", "_sc_complex", "_sc_only"], missing="drop", level=level
    ).to_frame()
    ratio_res = estimate.ratio(sd, "_sc_both", "_sc_high", missing="drop", level=level)
    ratio = ratio_res.to_frame()
    names = {
        "_sc_high": "structural_high",
        "_sc_complex": "complex",
        "_sc_only": "structural_only",
        "_sc_both/_sc_high": "complex_given_structural_high",
    }
    shares = pd.concat([props, ratio], ignore_index=True)
    shares["variable"] = shares["variable"].map(names)
    shares.loc[shares["variable"] == "complex_given_structural_high", "n"] = int(
        (high & complete).sum()
    )
    w = np.asarray(sd.prepared.weights, float)[complete.to_numpy()]
    corr = pd.DataFrame(_weighted_corr(scores[complete].to_numpy(), w), index=dims, columns=dims)
    f["_sc_complex_int"] = f["_sc_complex"]
    model = estimate.glm(
        data.update(data=f),
        ("_sc_complex_int", [structural, *controls]),
        "quasibinomial",
        missing="drop",
        level=level,
    )
    cond = shares[shares["variable"] == "complex_given_structural_high"].iloc[0]
    verdict = verdict_of(float(cond["ci_low"]), float(cond["ci_high"]), margin)
    meta = Meta(
        method="ratio of design-weighted totals, Taylor linearisation (METHODS 2.6)",
        design=ratio_res.meta.design,
        call={
            "tau": dict(t),
            "structural": structural,
            "controls": list(controls),
            "margin": margin,
            "level": level,
        },
        n_used=int(complete.sum()),
        n_dropped=int((~complete).sum()),
    )
    return StructuralComplexResult(shares, corr, model, verdict, t, margin, meta)
