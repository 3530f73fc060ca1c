"""Integration strategies by latent class analysis of the standard instrument's strategy module.

Indicators (``str_*``): the six adaptation practices (``str_adapt/1..6``: survival, reactive)
and the seven integration practices (``str_integr/1..7``: realisation, goal-directed) as 0/1
items, the orientation scale (``str_or_*`` with ``str_horizon``, reverse-keyed where the
instrument says so) as *one* ordered indicator, and the savings and housing plans. The
orientation items measure one continuous attitude; entered one by one they would break the
model's local independence (Linzer & Lewis 2011), so their mean enters, cut at 2, 2.5, 3, 3.5 and
4 into six ordered categories.

Classes are named after their profile: with two classes the one whose members choose integration
practices more often than adaptation practices (mean :math:`P(\\text{integr}) -
P(\\text{adapt})`) is the *integration* strategy, the other *adaptation*; with more classes they
are numbered in the same order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.results import Meta, ResultMixin, tidy_frame

__all__ = ["ORIENTATION_CUTS", "StrategyClasses", "label_strategy_classes", "strategy_indicators"]

ADAPT = tuple(f"str_adapt/{c}" for c in range(1, 7))
INTEGR = tuple(f"str_integr/{c}" for c in range(1, 8))
ORIENTATION = ("str_or_plan", "str_or_daytoday", "str_or_effort", "str_or_temporary", "str_horizon")
ORIENTATION_REVERSED = ("str_or_daytoday", "str_or_temporary")
PLANS = ("str_savings", "str_housing_plan")
ORIENTATION_CUTS = (2.0, 2.5, 3.0, 3.5, 4.0)


def strategy_indicators(
    frame: pd.DataFrame, *, plans: bool = True, missing_codes: Sequence[int] = (98, 99)
) -> pd.DataFrame:
    """The LCA indicators of the strategy module (see the module docstring).

    Raises
    ------
    DataError
        ``typology.strategy-items`` when the practice items are absent.

    Examples
    --------
    >>> df = pd.DataFrame({**{c: [1, 0] for c in ADAPT}, **{c: [0, 1] for c in INTEGR},
    ...                    "str_or_plan": [1, 5], "str_or_daytoday": [5, 1]})
    >>> strategy_indicators(df)["orientation"].tolist()
    [0.0, 5.0]
    """
    missing = [c for c in (*ADAPT, *INTEGR) if c not in frame.columns]
    if missing:
        raise DataError(
            f"the strategy practice items {missing[:3]}... are not in the data",
            where=Where(variable=missing[0]),
            rule="typology.strategy-items",
            hint="The strategy module's multiple-response items str_adapt and str_integr "
            "are needed as name/code dummies.",
        )
    out = frame[[*ADAPT, *INTEGR]].apply(pd.to_numeric, errors="coerce").astype(float)
    for name in ("str_adapt", "str_integr"):
        refused = f"{name}/99"
        if refused in frame.columns:
            r = pd.to_numeric(frame[refused], errors="coerce") == 1
            cols = [c for c in out.columns if c.startswith(name + "/")]
            out.loc[r, cols] = np.nan
    orient = [c for c in ORIENTATION if c in frame.columns]
    if orient:
        o = frame[orient].apply(pd.to_numeric, errors="coerce").astype(float)
        o = o.where(~o.isin(list(missing_codes)))
        for c in ORIENTATION_REVERSED:
            if c in o.columns:
                o[c] = 6.0 - o[c]
        score = o.mean(axis=1)
        out["orientation"] = pd.Series(
            np.searchsorted(np.asarray(ORIENTATION_CUTS), score.to_numpy(), side="left"),
            index=frame.index,
            dtype=float,
        ).where(score.notna())
    if plans:
        for c in PLANS:
            if c in frame.columns:
                v = pd.to_numeric(frame[c], errors="coerce").astype(float)
                out[c] = v.where(~v.isin(list(missing_codes)))
    return out


def label_strategy_classes(model: Any, columns: Sequence[str]) -> list[str]:
    """Names of the fitted classes, in the model's class order (module docstring)."""
    cols = list(columns)

    def p_yes(j: int) -> np.ndarray:
        cats = np.asarray(model.categories_[j], float)
        probs = model.item_probs_[j]
        return np.asarray(probs[:, cats == 1.0].sum(axis=1))

    k = len(model.weights_)
    a = np.mean([p_yes(cols.index(c)) for c in ADAPT if c in cols], axis=0)
    i = np.mean([p_yes(cols.index(c)) for c in INTEGR if c in cols], axis=0)
    order = np.argsort(-(i - a), kind="stable")
    names = [""] * k
    if k == 2:
        names[int(order[0])], names[int(order[1])] = "integration", "adaptation"
    else:
        for rank, cls in enumerate(order):
            names[int(cls)] = f"class {rank + 1}"
    return names


@dataclasses.dataclass(frozen=True, slots=True)
class StrategyClasses(ResultMixin):
    """The chosen latent class model of strategies: shares, labels and respondents' classes.

    Attributes
    ----------
    labels : tuple of str
        Class names, in the model's order.
    shares : ndarray
        Estimated (weighted) class shares.
    posterior : DataFrame
        Posterior class probabilities, one column per class name (respondents' rows).
    modal : Series
        Modal class name per respondent (missing where every indicator is missing).
    selection : Any
        The :class:`qonys.typology.ClassSelection` of K = 1..6.
    """

    labels: tuple[str, ...]
    shares: np.ndarray
    posterior: pd.DataFrame
    modal: pd.Series
    selection: Any
    model: Any
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Class shares (``variable`` = ``strategy``, ``level`` = class name)."""
        rows = [
            {"variable": "strategy", "level": lab, "estimate": float(s)}
            for lab, s in zip(self.labels, self.shares, strict=True)
        ]
        return tidy_frame(rows)
