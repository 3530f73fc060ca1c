"""Shared pieces of the weighting methods: result type, registry, margins and replicates."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._core import DesignError, Meta, Registry, ResultMixin, Where, suggest, tidy_frame
from ..calibration import Calibration
from ..data import SurveyData
from ..replicates import ReplicateWeights

__all__ = [
    "WEIGHTING_METHODS",
    "Weighted",
    "apply_weights",
    "effective_n",
    "indicator_matrix",
    "kish_deff",
    "level_codes",
    "parse_margin",
    "weight_summary",
]

WEIGHTING_METHODS: Registry[Callable[..., Weighted]] = Registry("weighting method")
"""Weighting methods by name (``poststratify``, ``rake``, ``calibrate``, ``trim``,
``nonresponse``); plugins register here too."""


def kish_deff(w: np.ndarray) -> float:
    """Kish's design effect due to unequal weights, :math:`n \\sum w^2 / (\\sum w)^2`.

    Examples
    --------
    >>> kish_deff(np.array([1.0, 1.0, 2.0, 4.0]))  # 4 * 22 / 8**2
    1.375
    """
    w = np.asarray(w, dtype=float)
    w = w[w > 0]
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_n(w: np.ndarray) -> float:
    """Kish's effective sample size :math:`(\\sum w)^2 / \\sum w^2`.

    Examples
    --------
    >>> effective_n(np.array([1.0, 1.0, 2.0, 4.0]))  # 8**2 / 22
    2.909090909090909
    """
    w = np.asarray(w, dtype=float)
    w = w[w > 0]
    return float(np.sum(w) ** 2 / np.sum(w**2))


def weight_summary(w: np.ndarray) -> dict[str, float]:
    """n, sum, mean, min, max, sd, Kish deff and effective n of the positive weights."""
    w = np.asarray(w, dtype=float)
    pos = w[w > 0]
    return {
        "n": float(pos.size),
        "sum": float(pos.sum()),
        "mean": float(pos.mean()) if pos.size else float("nan"),
        "min": float(pos.min()) if pos.size else float("nan"),
        "max": float(pos.max()) if pos.size else float("nan"),
        "sd": float(pos.std(ddof=1)) if pos.size > 1 else float("nan"),
        "kish_deff": kish_deff(pos) if pos.size else float("nan"),
        "kish_neff": effective_n(pos) if pos.size else float("nan"),
    }


@dataclasses.dataclass(frozen=True, eq=False)
class Weighted(ResultMixin):
    """New weights and what they achieve.

    Attributes
    ----------
    method : str
        Weighting method name.
    weights : ndarray
        The new weight of every row.
    data : SurveyData
        The survey data carrying the new weights (a new column named in its design), the
        calibration record for calibration-aware variances, and re-weighted replicates.
    margins : pandas.DataFrame
        One row per control total: ``variable``, ``level``, ``target``, ``before``, ``after``.
    stats : Mapping
        :func:`weight_summary` of the new weights plus ``iterations`` and ``converged``.
    meta : Meta
    """

    method: str
    weights: np.ndarray
    data: SurveyData
    margins: pd.DataFrame
    stats: Mapping[str, float]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per control total (``estimate`` = achieved total), then weight stats."""
        rows: list[dict[str, Any]] = [
            {
                "variable": r["variable"],
                "level": r["level"],
                "estimate": r["after"],
                "target": r["target"],
                "before": r["before"],
            }
            for _, r in self.margins.iterrows()
        ]
        rows.extend(
            {"variable": "weights", "level": k, "estimate": v} for k, v in self.stats.items()
        )
        return tidy_frame(rows, extra=("target", "before"))


def level_codes(data: SurveyData, name: str) -> tuple[np.ndarray, list[str]]:
    """Codes of a categorical variable's levels (as text), -1 where missing."""
    col = data.column(name)
    if col.isna().any():
        raise DesignError(
            f"weighting variable {name!r} has {int(col.isna().sum())} missing values",
            where=Where(variable=name),
            rule="weighting.missing-values",
            hint="Impute or recode missing values before weighting.",
        )
    # factorize the values, then name and sort the few distinct ones (values whose text is
    # the same share a level, as when the whole column is converted to text)
    raw, uniques = pd.factorize(col, sort=False)
    text = pd.Series(uniques).astype(str).to_numpy()
    levels = sorted(set(text))
    lut = pd.Index(levels).get_indexer(text).astype(np.int64)
    return lut[raw], levels


def indicator_matrix(codes: np.ndarray, k: int) -> np.ndarray:
    """Dense n x k 0/1 matrix of level codes."""
    out = np.zeros((codes.size, k))
    ok = codes >= 0
    out[np.flatnonzero(ok), codes[ok]] = 1.0
    return out


def parse_margin(name: str, spec: Any, levels: Sequence[str]) -> np.ndarray:
    """Population totals of the levels of ``name`` from a mapping, Series or two-column frame."""
    if isinstance(spec, pd.DataFrame):
        if spec.shape[1] != 2:
            raise DesignError(
                f"margin for {name!r} must have two columns (level, total)",
                where=Where(variable=name),
                rule="weighting.margin-format",
            )
        spec = dict(zip(spec.iloc[:, 0], spec.iloc[:, 1], strict=True))
    elif isinstance(spec, pd.Series):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise DesignError(
            f"margin for {name!r} must map each level to its population total",
            where=Where(variable=name),
            rule="weighting.margin-format",
        )
    given = {str(k): float(v) for k, v in spec.items()}
    missing = [lev for lev in levels if lev not in given]
    if missing:
        raise DesignError(
            f"margin for {name!r} has no population total for level {missing[0]!r}",
            where=Where(variable=name),
            rule="weighting.margin-levels",
            hint="Give a total for every level present in the sample.",
        )
    extra = [k for k in given if k not in levels and given[k] != 0]
    if extra:
        raise DesignError(
            f"margin for {name!r} has a positive total for level {extra[0]!r}, which no "
            "respondent has",
            where=Where(variable=name),
            rule="weighting.infeasible-margin",
            hint="Collapse that level with a neighbouring one in the data and the margin. "
            + suggest(extra[0], levels),
        )
    tot = np.array([given[lev] for lev in levels])
    if (tot < 0).any() or not np.isfinite(tot).all():
        raise DesignError(
            f"margin for {name!r} has negative or missing totals",
            where=Where(variable=name),
            rule="weighting.margin-format",
        )
    return tot


def apply_weights(
    data: SurveyData,
    new_w: np.ndarray,
    *,
    method: str,
    name: str | None,
    calibration: Calibration | None,
    replicate_fn: Callable[[np.ndarray], np.ndarray] | None,
) -> SurveyData:
    """Survey data with ``new_w`` as weights; replicates re-weighted by ``replicate_fn``.

    Only the weight column changes: the frame is copied shallowly (copy-on-write keeps the
    caller's frame as it was), and a Taylor design whose new weights are valid keeps its
    resolved strata and sampling units instead of factorizing the design columns again.
    """
    col = name or f"_weight_{method}"
    frame = data.data.copy(deep=False)
    frame[col] = new_w
    reps = data.prepared.replicates
    new_reps: ReplicateWeights | None = data.replicate_weights
    if reps is not None and replicate_fn is not None:
        w_old = data.prepared.weights
        analysis = reps.analysis_weights(w_old)
        adjusted = np.column_stack([replicate_fn(analysis[:, r]) for r in range(analysis.shape[1])])
        pos = new_w > 0
        factors = np.zeros_like(adjusted)
        factors[pos] = adjusted[pos] / new_w[pos, None]
        new_reps = reps.with_factors(factors, np.arange(data.n, dtype=np.int64))
    calibs = data.calibrations
    if calibration is not None and reps is None:
        calibs = (*calibs, calibration)
    design = data.design.update(weights=col, na_weights="fail")
    if design.replicates is not None and new_reps is not None:
        design = design.update(replicates=dataclasses.replace(design.replicates, columns=()))
    resolved = None
    prep = data.prepared
    w_new = np.asarray(new_w, dtype=float)
    if (
        reps is None
        and prep.structure is not None
        and w_new.shape == prep.weights.shape
        and bool(np.isfinite(w_new).all())
        and not bool((w_new < 0).any())
    ):
        # what resolving the new design would give: the same structure and units, these
        # weights (named, finite, non-negative: nothing dropped, no notes)
        resolved = dataclasses.replace(prep, weights=w_new, n_dropped=0, notes=())
    return dataclasses.replace(
        data,
        data=frame,
        design=design,
        replicate_weights=new_reps,
        calibrations=calibs,
        _resolved=resolved,
    )
