"""Frozen, tidy results of fitted typology models (what the report layer consumes)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._core.results import Meta, ResultMixin, tidy_frame

__all__ = ["ClassModelResult", "class_model_result"]


@dataclasses.dataclass(frozen=True, slots=True)
class ClassModelResult(ResultMixin):
    """Class shares and class-specific item parameters of a fitted latent class/profile model.

    ``to_frame()`` rows: ``variable = "class share"`` with ``domain`` = class, then one row per
    item parameter (``variable`` = item, ``level`` = category or ``mean``/``variance``,
    ``domain`` = class).
    """

    shares: np.ndarray
    parameters: pd.DataFrame
    fit: dict[str, float]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame (see the class docstring)."""
        rows: list[dict[str, Any]] = [
            {"variable": "class share", "domain": f"class {k + 1}", "estimate": float(s)}
            for k, s in enumerate(self.shares)
        ]
        rows += [{str(k): v for k, v in r.items()} for r in self.parameters.to_dict("records")]
        return tidy_frame(rows)


def class_model_result(model: Any, feature_names: list[str] | None = None) -> ClassModelResult:
    """Package a fitted :class:`LatentClassModel` or :class:`LatentProfileModel`.

    Examples
    --------
    >>> from qonys.typology import LatentClassModel
    >>> X = np.array([[1, 1], [1, 2], [2, 2], [2, 1]] * 10)
    >>> m = LatentClassModel(1, n_init=1).fit(X)
    >>> class_model_result(m).to_frame()["estimate"].iloc[0]
    np.float64(1.0)
    """
    names = feature_names or [
        str(c) for c in getattr(model, "feature_names_in_", range(model.n_features_in_))
    ]
    rows = []
    if hasattr(model, "item_probs_"):
        for j, name in enumerate(names):
            for k in range(len(model.weights_)):
                for r, cat in enumerate(model.categories_[j]):
                    rows.append(
                        {
                            "variable": name,
                            "level": str(cat),
                            "domain": f"class {k + 1}",
                            "estimate": float(model.item_probs_[j][k, r]),
                        }
                    )
    else:
        for j, name in enumerate(names):
            for k in range(len(model.weights_)):
                rows.append(
                    {
                        "variable": name,
                        "level": "mean",
                        "domain": f"class {k + 1}",
                        "estimate": float(model.means_[k, j]),
                    }
                )
                rows.append(
                    {
                        "variable": name,
                        "level": "variance",
                        "domain": f"class {k + 1}",
                        "estimate": float(model.variances_[k, j]),
                    }
                )
    fit = {
        "loglik": float(model.loglik_),
        "aic": float(model.aic_),
        "bic": float(model.bic_),
        "npar": float(model.n_parameters_),
        "entropy": float(model.entropy_),
    }
    meta = Meta(method=type(model).__name__, call=dict(model.get_params()))
    return ClassModelResult(np.asarray(model.weights_, float), pd.DataFrame(rows), fit, meta)
