"""Bogardus social distance on survey data: design-based quotient, reproducibility, exclusion.

For each target group (newcomers from villages, from the south, from other cities) the
respondent accepts members in some of :math:`k` relations ordered from closest (spouse of a
relative) to farthest (temporary visitor); METHODS 5.1. Per respondent:

* **distance score**: the closest relation accepted (1..k), :math:`k + 1` when none is ("should
  not settle in my city");
* **Guttman errors**: cells that differ from the cumulative pattern the score implies;

and, estimated through the design overall and by domain (:func:`qonys.estimate.mean`):

* the **distance quotient**: the mean score;
* the **coefficient of reproducibility** :math:`CR = 1 - \\text{errors}/(N k)`, the mean of
  :math:`1 - e_i/k`, so it has a design-based standard error too (.90 or more is expected of a
  cumulative scale);
* the **share excluding** the group (score :math:`k + 1`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._core import DataError, Meta, ResultMixin, Variable, Where, tidy_frame
from ..design import SurveyData
from ..estimate import mean
from ._survey import add_columns, domain_value

__all__ = ["SocialDistance", "distance_scores", "social_distance"]

_STATS = ("quotient", "reproducibility", "exclusion")


@dataclasses.dataclass(frozen=True, slots=True)
class SocialDistance(ResultMixin):
    """Design-based Bogardus statistics per target group.

    Attributes
    ----------
    targets : tuple of str
    table : DataFrame
        Tidy rows: ``variable`` (target), ``level`` (``quotient``, ``reproducibility``,
        ``exclusion``), ``domain``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``,
        ``deff``, ``n``; then the domain variable.
    errors : Mapping[str, int]
        Unweighted number of Guttman errors per target.
    data : SurveyData
        The survey data with ``<prefix><target>`` score columns.
    meta : Meta
    """

    targets: tuple[str, ...]
    table: pd.DataFrame
    errors: Mapping[str, int]
    data: SurveyData
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """The tidy table."""
        return tidy_frame(self.table)


def distance_scores(accepted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and Guttman errors of 0/1 acceptance patterns (closest relation first).

    Examples
    --------
    >>> pats = np.array([[0, 1, 1, 1, 1, 1], [1] * 6, [0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 1, 1]])
    >>> s, e = distance_scores(pats)
    >>> s.tolist(), e.tolist()
    ([2, 1, 4, 2], [0, 0, 0, 1])
    """
    acc = np.asarray(accepted) == 1
    k = acc.shape[1]
    first = np.where(acc.any(axis=1), acc.argmax(axis=1) + 1, k + 1)
    ideal = np.arange(1, k + 1)[None, :] >= first[:, None]
    return first, (acc != ideal).sum(axis=1)


def social_distance(
    sd: SurveyData,
    targets: Mapping[str, Sequence[str]],
    *,
    missing_columns: Mapping[str, Sequence[str]] | None = None,
    by: str | None = None,
    prefix: str = "distance_",
    level: float = 0.95,
) -> SocialDistance:
    """Bogardus distance quotient, reproducibility and exclusion share, design-based.

    Parameters
    ----------
    sd : SurveyData
    targets : Mapping[str, sequence of str]
        Target group -> its acceptance columns (0/1), closest relation first; the exclusion
        step ("should not settle") is not a column: it is accepting none of them.
    missing_columns : Mapping[str, sequence of str], optional
        Target group -> 0/1 columns marking a missing answer (don't know, refused); those
        respondents, and those with a missing acceptance column (not asked), get no score and
        stay in the design.
    by : str, optional
        Domain variable.
    prefix : str
        Score columns are ``prefix + target``.
    level : float

    Returns
    -------
    SocialDistance

    Notes
    -----
    R: ``svymean(~score + I(1 - errors/k) + I(score == k + 1), design)`` on the scores of
    :func:`distance_scores`.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> pats = [[0,1,1,1,1,1], [1]*6, [0,0,0,1,1,1], [0,0,1,1,1,1], [0,1,0,1,1,1]]
    >>> df = pd.DataFrame(pats, columns=[f"s{i}" for i in range(1, 7)])
    >>> res = social_distance(SurveyData(df, SurveyDesign()), {"village": list(df.columns)})
    >>> est = res.table.set_index("level")["estimate"]
    >>> round(float(est["reproducibility"]), 4)       # METHODS 5.1: CR = 1 - 1/30
    0.9667
    """
    cols: dict[str, np.ndarray] = {}
    variables: list[Variable] = []
    errors: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for target, steps in targets.items():
        block = pd.DataFrame(
            {c: pd.to_numeric(sd.column(c), errors="coerce") for c in steps}, index=sd.data.index
        )
        bad = block.notna() & ~block.isin([0, 1])
        if bad.to_numpy().any():
            raise DataError(
                f"acceptance columns of {target!r} must be 0/1",
                where=Where(variable=str(block.columns[bad.any(axis=0).to_numpy()][0])),
                rule="measure.binary",
            )
        ok = block.notna().all(axis=1).to_numpy().copy()
        for c in (missing_columns or {}).get(target, ()):
            ok &= ~(pd.to_numeric(sd.column(c), errors="coerce").fillna(0).to_numpy() > 0)
        score, err = distance_scores(block.fillna(0).to_numpy())
        k = len(steps)
        trio = [f"{prefix}{target}", f"_cr_{target}", f"_excl_{target}"]
        cols[trio[0]] = np.where(ok, score, np.nan)
        cols[trio[1]] = np.where(ok, 1.0 - err / k, np.nan)
        cols[trio[2]] = np.where(ok, (score == k + 1).astype(float), np.nan)
        variables.append(
            Variable(
                trio[0], "decimal", label={"en": f"social distance: {target}"}, measure="scale"
            )
        )
        errors[target] = int(err[ok & sd.prepared.in_domain].sum())
        names[target] = trio
    data = add_columns(sd, cols, variables)
    flat = [c for trio in names.values() for c in trio]
    parts = [mean(data, flat, missing="available", level=level)]
    if by is not None:
        parts.append(mean(data, flat, by=by, missing="available", level=level))
    table = pd.concat([p.table for p in parts], ignore_index=True)
    which = {c: (t, _STATS[i]) for t, trio in names.items() for i, c in enumerate(trio)}
    table["level"] = [which[v][1] for v in table["variable"]]
    table["variable"] = [which[v][0] for v in table["variable"]]
    table["domain"] = [
        None if pd.isna(d) else f"{by}={domain_value(str(d))}" for d in table["domain"]
    ]
    meta = Meta(
        method="Bogardus social distance; design-based quotient, CR and exclusion share",
        design=sd.describe(),
        call={"targets": {t: list(s) for t, s in targets.items()}, "by": by, "level": level},
        notes=tuple(dict.fromkeys(n for p in parts for n in p.meta.notes)),
        n_used=parts[0].meta.n_used,
    )
    return SocialDistance(tuple(targets), table.drop(columns=["sum_weights"]), errors, data, meta)
