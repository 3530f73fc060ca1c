"""Result objects of the network module (the ``Result`` protocol of :mod:`qonys._core`)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._core.results import Meta, ResultMixin, tidy_frame

__all__ = ["EgoMeasures", "TieClassification"]


def _long(values: pd.DataFrame, n: pd.Series | None) -> pd.DataFrame:
    """Per-ego wide values -> tidy rows (variable = measure, estimate = value, ego column)."""
    if values.empty and not len(values.columns):
        return tidy_frame([], extra=("ego",))
    num = values.select_dtypes(include=[np.number, "bool"])
    long = num.astype(float).stack(future_stack=True).reset_index()
    long.columns = ["ego", "variable", "estimate"]
    if n is not None:
        long["n"] = n.reindex(long["ego"]).to_numpy(dtype=float)
    return tidy_frame(long, extra=("ego",))


@dataclasses.dataclass(frozen=True, slots=True)
class EgoMeasures(ResultMixin):
    """Measures computed for every ego: one row per ego, one column per measure.

    Attributes
    ----------
    values : DataFrame
        Indexed by ego id (the order of :attr:`EgoNetworks.ego_ids`); undefined values are
        ``NaN`` as each measure documents.
    n : Series
        Alters (or items) each ego's measures rest on.
    meta : Meta
        Method, options and notes.

    Notes
    -----
    :meth:`to_frame` is long: ``variable`` = measure name, ``estimate`` = its value, ``n``,
    and the extra column ``ego``. These are respondent-level scores; population estimates of
    them (with standard errors) come from :func:`qonys.network.social_capital_profile`.
    """

    values: pd.DataFrame
    n: pd.Series
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame, one row per ego and measure."""
        return _long(self.values, self.n)

    def __getitem__(self, measure: str) -> pd.Series:
        """One measure as a Series indexed by ego id."""
        return self.values[measure]

    def join(self, other: EgoMeasures) -> EgoMeasures:
        """Columns of both (same egos), notes of both."""
        meta = dataclasses.replace(
            self.meta,
            method=f"{self.meta.method}; {other.meta.method}",
            notes=(*self.meta.notes, *other.meta.notes),
        )
        return EgoMeasures(self.values.join(other.values, how="outer"), self.n, meta)


@dataclasses.dataclass(frozen=True, slots=True)
class TieClassification(ResultMixin):
    """Bonding / bridging / linking type of every tie, and counts and shares per ego.

    Attributes
    ----------
    ties : DataFrame
        One row per classified contact: ``ego``, ``alter`` (alter id, or item name for
        generator contacts), ``tie_type`` and ``rule`` (the condition that decided it).
    per_ego : DataFrame
        Indexed by ego id: ``n_<type>`` counts and ``share_<type>`` shares of all contacts
        (``NaN`` for an ego without contacts), for every type in :attr:`types`.
    types : tuple of str
        Tie types in report order.
    meta : Meta
    """

    ties: pd.DataFrame
    per_ego: pd.DataFrame
    types: tuple[str, ...]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame of the per-ego counts and shares (``ego`` column)."""
        n = self.per_ego[[f"n_{t}" for t in self.types]].sum(axis=1)
        return _long(self.per_ego, n)

    def shares(self) -> pd.DataFrame:
        """The ``share_<type>`` columns, renamed to the bare type names."""
        cols = {f"share_{t}": t for t in self.types}
        return self.per_ego[list(cols)].rename(columns=cols)

    def counts(self) -> pd.DataFrame:
        """The ``n_<type>`` columns, renamed to the bare type names."""
        cols = {f"n_{t}": t for t in self.types}
        return self.per_ego[list(cols)].rename(columns=cols)
