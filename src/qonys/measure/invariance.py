"""Measurement invariance across groups: configural -> metric -> scalar (-> strict).

Each step adds cross-group equality constraints (``group_equal``) and is compared with the
previous one by the likelihood-ratio test and by the change in fit indices. A step is accepted
when :math:`\\Delta CFI \\ge -0.01` (Cheung & Rensvold 2002) and :math:`\\Delta RMSEA \\le 0.015`
(Chen 2007); both cut-offs are parameters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd
from scipy import stats

from .._core.results import Meta, ResultMixin, tidy_frame
from .cfa import Estimator, cfa
from .sem.result import CFAResult

__all__ = ["INVARIANCE_STEPS", "InvarianceResult", "measurement_invariance"]

INVARIANCE_STEPS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

_COLS = (
    "npar",
    "chisq",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea.ci.lower",
    "rmsea.ci.upper",
    "srmr",
    "logl",
    "aic",
    "bic",
)


@dataclasses.dataclass(frozen=True, slots=True)
class InvarianceResult(ResultMixin):
    """The comparison table and the fitted models of each step."""

    table: pd.DataFrame
    models: dict[str, CFAResult]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One row per step and statistic (``variable`` = step, ``stat`` = measure)."""
        rows = []
        for step, rec in self.table.iterrows():
            for stat, value in rec.items():
                if isinstance(value, bool):
                    value = float(value)
                rows.append({"variable": str(step), "estimate": value, "stat": str(stat)})
        return tidy_frame(rows, extra=("stat",))


def measurement_invariance(
    frame: pd.DataFrame,
    model: str,
    group: str,
    *,
    steps: Sequence[str] = ("configural", "metric", "scalar"),
    estimator: Estimator = "ML",
    delta_cfi: float = -0.01,
    delta_rmsea: float = 0.015,
) -> InvarianceResult:
    """Fit the invariance sequence and tabulate fit, LR tests and the Delta-fit decisions.

    Parameters
    ----------
    frame, model, group
        As in :func:`~qonys.measure.cfa`.
    steps : sequence of str
        Any of ``configural, metric, scalar, strict`` in that order.
    delta_cfi, delta_rmsea : float
        Cut-offs: a step holds when :math:`CFI_k - CFI_{k-1} \\ge` ``delta_cfi`` and
        :math:`RMSEA_k - RMSEA_{k-1} \\le` ``delta_rmsea``.

    Returns
    -------
    InvarianceResult
        ``table`` indexed by step: the fit measures, ``delta_chisq, delta_df, p`` (plain
        likelihood-ratio difference for ML), ``delta_cfi, delta_rmsea`` and ``holds``.

    References
    ----------
    Cheung, G. W. & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
    measurement invariance. *SEM* 9(2), 233-255. Chen, F. F. (2007). Sensitivity of goodness of
    fit indexes to lack of measurement invariance. *SEM* 14(3), 464-504.

    Examples
    --------
    >>> # In R: lavaan::cfa(model, data, group = "school", group.equal = "loadings") and
    >>> #       lavaan::lavTestLRT(configural, metric)
    """
    models: dict[str, CFAResult] = {}
    rows = []
    prev: CFAResult | None = None
    for step in steps:
        res = cfa(
            frame, model, estimator=estimator, group=group, group_equal=INVARIANCE_STEPS[step]
        )
        models[step] = res
        row: dict[str, object] = {c: res.fit.get(c, float("nan")) for c in _COLS}
        if prev is None:
            row.update(
                delta_chisq=float("nan"),
                delta_df=float("nan"),
                p=float("nan"),
                delta_cfi=float("nan"),
                delta_rmsea=float("nan"),
                holds=True,
            )
        else:
            dchi = res.fit["chisq"] - prev.fit["chisq"]
            ddf = res.fit["df"] - prev.fit["df"]
            dcfi = res.fit["cfi"] - prev.fit["cfi"]
            drm = res.fit["rmsea"] - prev.fit["rmsea"]
            row.update(
                delta_chisq=dchi,
                delta_df=ddf,
                p=float(stats.chi2.sf(dchi, ddf)),
                delta_cfi=dcfi,
                delta_rmsea=drm,
                holds=bool(dcfi >= delta_cfi and drm <= delta_rmsea),
            )
        rows.append(row)
        prev = res
    table = pd.DataFrame(rows, index=pd.Index(list(steps), name="step"))
    meta = Meta(
        method="measurement invariance (Delta-CFI, Delta-RMSEA rules)",
        call={
            "model": model,
            "group": group,
            "steps": list(steps),
            "estimator": estimator,
            "delta_cfi": delta_cfi,
            "delta_rmsea": delta_rmsea,
        },
        n_used=int(sum(models[steps[0]].n_obs)),
    )
    return InvarianceResult(table, models, meta)
