"""Choosing the number of classes: a K = 1..6 table of fit, entropy and smallest class."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import ConvergenceError
from .._core.results import Meta, ResultMixin, tidy_frame
from .lca import LatentClassModel

__all__ = ["ClassSelection", "select_classes"]


@dataclasses.dataclass(frozen=True, slots=True)
class ClassSelection(ResultMixin):
    """Model-selection table and the fitted models (``None`` where a K failed)."""

    table: pd.DataFrame
    models: dict[int, Any]
    best_bic: int
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One row per K and statistic (``variable`` = ``K=k``, ``stat`` = column)."""
        rows = []
        for k, rec in self.table.iterrows():
            for stat, v in rec.items():
                rows.append({"variable": f"K={k}", "estimate": float(v), "stat": str(stat)})
        return tidy_frame(rows, extra=("stat",))


def select_classes(
    X: Any,
    n_classes: Iterable[int] = range(1, 7),
    *,
    n_init: int = 50,
    sample_weight: Any = None,
    random_state: int | None = None,
    model: type = LatentClassModel,
    **kwargs: Any,
) -> ClassSelection:
    """Fit K = 1..6 latent class (or profile) models and tabulate the selection criteria.

    Parameters
    ----------
    X : array-like
        Indicators.
    n_classes : iterable of int
        Numbers of classes to fit.
    n_init : int
        Random starts per K.
    sample_weight : array-like, optional
        Sampling weights (pseudo-likelihood).
    model : class
        :class:`LatentClassModel` (default) or :class:`LatentProfileModel`.

    Returns
    -------
    ClassSelection
        ``table`` indexed by K: ``loglik, npar, aic, bic, sabic, entropy, smallest_class,
        smallest_modal, starts_at_best`` (share of starts within 1e-3 of the best
        log-likelihood: low values warn that more starts are needed) and ``converged``.
        A K whose every start degenerated is reported with missing values and a note.

    Notes
    -----
    sample-size adjusted BIC: :math:`-2LL + npar \\ln((N + 2)/24)`. Common practice: choose the
    lowest BIC among solutions with entropy above .80 and no class under 5 %.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.integers(0, 2, 300)
    >>> X = (rng.uniform(size=(300, 6)) < np.where(z[:, None] == 1, .85, .15)).astype(int)
    >>> sel = select_classes(X, range(1, 4), n_init=5, random_state=1)
    >>> sel.best_bic
    2
    >>> # In R: sapply(1:3, function(k) poLCA(f, data, nclass = k, nrep = 5)$bic)
    """
    rows: list[dict[str, float]] = []
    models: dict[int, Any] = {}
    notes: list[str] = []
    w = None if sample_weight is None else np.asarray(sample_weight, float)
    n_eff = float(np.asarray(X).shape[0] if w is None else w.sum())
    for k in n_classes:
        m = model(k, n_init=n_init, random_state=random_state, **kwargs)
        try:
            m.fit(X, sample_weight=w)
        except ConvergenceError as err:
            notes.append(f"K={k}: {err.message}")
            models[k] = None
            rows.append({"K": float(k)})
            continue
        models[k] = m
        ll = m.start_logliks_
        rows.append(
            {
                "K": float(k),
                "loglik": m.loglik_,
                "npar": float(m.n_parameters_),
                "aic": m.aic_,
                "bic": m.bic_,
                "sabic": -2 * m.loglik_ + m.n_parameters_ * np.log((n_eff + 2) / 24),
                "entropy": m.entropy_,
                "smallest_class": float(np.min(m.weights_)),
                "smallest_modal": float(np.min(m.modal_shares_)),
                "starts_at_best": float(np.mean(ll > ll.max() - 1e-3)),
                "converged": float(m.converged_),
            }
        )
    table = pd.DataFrame(rows)
    table["K"] = table["K"].astype(int)
    table = table.set_index("K")
    best = int(table.index[int(np.nanargmin(table["bic"].to_numpy()))])
    meta = Meta(
        method=f"{model.__name__} model selection",
        call={"n_classes": list(table.index), "n_init": n_init, "random_state": random_state},
        notes=tuple(notes),
    )
    return ClassSelection(table, models, best, meta)
