"""Segregation of groups across areal units: counts, indices, inference, one tidy result.

>>> import pandas as pd
>>> counts = pd.DataFrame({"migrants": [90, 80, 10, 20], "locals": [10, 20, 90, 80]},
...                       index=["a", "b", "c", "d"])
>>> res = segregation_indices(counts, focal=["migrants"], indices=["dissimilarity", "isolation"])
>>> res.to_frame()[["variable", "level", "n"]].values.tolist()
[['dissimilarity', 'migrants', 4.0], ['isolation', 'migrants', 4.0]]
>>> round(res.value("dissimilarity"), 12), round(res.value("isolation"), 12)
(0.7, 0.75)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core import DataError, Meta, ResultMixin, Where, tidy_frame
from .indices import INDICES
from .inference import permutation_test

__all__ = ["SegregationResult", "segregation_indices", "unit_counts"]

DEFAULT_INDICES: tuple[str, ...] = (
    "dissimilarity",
    "isolation",
    "interaction",
    "entropy",
    "gini",
    "multi_dissimilarity",
    "multi_information",
)

_EXTRA = ("label", "expected", "p_value", "corrected", "permutations", "population", "method")


@dataclasses.dataclass(frozen=True, slots=True)
class SegregationResult(ResultMixin):
    """Segregation indices of one set of units.

    ``table`` holds one row per index and focal group with the tidy columns (``n`` is the
    number of units with people) and ``label``, ``expected`` (mean under random allocation),
    ``p_value``, ``corrected`` (Carrington-Troske), ``permutations``, ``population`` and
    ``method``.
    """

    table: pd.DataFrame
    meta: Meta
    title: str = "Residential segregation"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()

    def value(self, index: str, level: str | None = None) -> float:
        """One index value (``res.value("dissimilarity", "migrants")``)."""
        t = self.table
        mask = t["variable"] == index
        if level is not None:
            mask &= t["level"] == level
        if not mask.any():
            raise DataError(
                f"no {index!r} in this result",
                rule="spatial.no-index",
                where=Where(key=index),
                hint="See result.to_frame().",
            )
        return float(t.loc[mask, "estimate"].iloc[0])


def unit_counts(
    data: pd.DataFrame,
    unit: str,
    group: str,
    *,
    weight: str | None = None,
    levels: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Count people (or sum weights) per unit and group: a units x groups table.

    Rows with a missing unit or group are left out (their number is in ``attrs["n_dropped"]``).

    Examples
    --------
    >>> df = pd.DataFrame({"d": [1, 1, 2, 2, 2], "g": ["m", "l", "m", "m", None]})
    >>> unit_counts(df, "d", "g").to_dict()
    {'l': {1: 1.0, 2: 0.0}, 'm': {1: 1.0, 2: 2.0}}
    """
    for col in (unit, group, weight):
        if col is not None and col not in data.columns:
            raise DataError(
                f"column {col!r} is not in the data",
                rule="data.unknown-column",
                where=Where(variable=col),
                hint="Check the column name.",
            )
    ok = data[unit].notna() & data[group].notna()
    w = data.loc[ok, weight].astype(float) if weight else pd.Series(1.0, index=data.index[ok])
    table = (
        pd.DataFrame({"u": data.loc[ok, unit], "g": data.loc[ok, group], "w": w})
        .pivot_table(index="u", columns="g", values="w", aggfunc="sum", fill_value=0.0)
        .astype(float)
    )
    if levels is not None:
        table = table.reindex(columns=list(levels), fill_value=0.0)
    table.index.name = unit
    table.columns.name = group
    table.attrs["n_dropped"] = int((~ok).sum())
    return table


def segregation_indices(
    counts: pd.DataFrame,
    *,
    indices: Sequence[str] | None = None,
    focal: Sequence[object] | None = None,
    permutations: int = 0,
    seed: int | None = None,
    domain: str | None = None,
) -> SegregationResult:
    """Segregation indices of a units x groups table.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per areal unit (district), one column per group, counts of people or
        weighted estimates; see :func:`unit_counts`.
    indices : sequence of str, optional
        Names in :data:`~qonys.spatial.indices.INDICES` (default: D, isolation, interaction,
        Theil's H, Gini, multigroup D and H).
    focal : sequence, optional
        Groups for the single-group indices (each against all others); default every column.
    permutations : int
        Random-allocation simulations for p-values, the small-unit bias and the
        Carrington-Troske correction (needs whole counts); 0 skips inference.
    seed : int, optional
        Seed of the simulations.
    domain : str, optional
        Label of the set of units (a city).

    Returns
    -------
    SegregationResult

    Notes
    -----
    Units with no people are dropped. With fewer than two groups present the indices are
    ``NaN`` (documented, not an error). PySAL: ``segregation.batch.batch_compute_singlegroup``;
    R: ``OasisR`` and ``segregation``.
    """
    names = list(indices) if indices is not None else list(DEFAULT_INDICES)
    specs = [INDICES.get(n) for n in names]
    table = counts.astype(float)
    if table.shape[1] < 2:
        raise DataError(
            "segregation needs at least two groups (columns)",
            rule="spatial.shape",
            where=Where(key="counts"),
            hint="Pass one column per group.",
        )
    keep = table.sum(axis=1) > 0
    table = table.loc[keep]
    arr = table.to_numpy()
    groups: list[object] = list(table.columns)
    foci = list(focal) if focal is not None else groups
    for f in foci:
        if f not in groups:
            raise DataError(
                f"focal group {f!r} is not a column",
                rule="spatial.focal",
                where=Where(key="focal"),
                hint=f"Columns: {groups}.",
            )
    rng = np.random.default_rng(seed)
    rows = []
    for spec in specs:
        targets: list[object | None] = list(foci) if spec.kind == "single" else [None]
        for f in targets:
            k = None if f is None else groups.index(f)
            if spec.kind == "single":
                est = float(spec.func(arr[:, k], arr.sum(1)))
            else:
                est = float(spec.func(arr))
            row = {
                "variable": spec.name,
                "level": None if f is None else str(f),
                "domain": domain,
                "estimate": est,
                "n": float(len(table)),
                "label": spec.label,
                "population": float(arr.sum()),
                "permutations": float(permutations),
                "method": "random allocation" if permutations else "point estimate",
            }
            if permutations:
                null = permutation_test(spec, arr, focal=k, permutations=permutations, rng=rng)
                row |= {
                    "expected": null.expected,
                    "p_value": null.p_value,
                    "corrected": null.corrected,
                }
            rows.append(row)
    frame = tidy_frame(rows, extra=_EXTRA)
    notes = []
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} unit(s) without people left out")
    if permutations:
        notes.append(f"p-values from {permutations} random allocations (one-sided)")
    meta = Meta(
        method="segregation indices"
        + (" with random-allocation inference" if permutations else ""),
        call={
            "indices": names,
            "focal": [str(f) for f in foci],
            "permutations": permutations,
            "seed": seed,
            "domain": domain,
        },
        notes=tuple(notes),
        n_used=int(keep.sum()),
        n_dropped=int((~keep).sum()),
    )
    return SegregationResult(frame, meta)
