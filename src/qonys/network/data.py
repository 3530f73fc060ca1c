"""The ego-network data model: an ego table, an alter table and an alter-alter tie table.

A name generator gives, for every respondent (the *ego*), a list of people named (the *alters*)
with their attributes, and which of those people know each other (the *alter-alter ties*). The
three tables are kept as they are in tidy form, as R's ``egor`` does (``ego``, ``alter`` and
``aatie`` tables), and every measure is computed on all egos at once by grouped array operations;
networkx graphs are made only on request, for one ego at a time (:meth:`EgoNetworks.to_networkx`).

Validation happens when an :class:`EgoNetworks` is built, so every instance is consistent. Each
broken rule raises a :class:`~qonys._core.errors.DataError` with a stable rule id:

==============================  ==============================================================
rule                            what is wrong
==============================  ==============================================================
``network.missing-id``          an ego, alter or tie row without its identifier
``network.duplicate-ego``       the same ego id twice in the ego table
``network.orphan-alter``        an alter whose ego is not in the ego table
``network.duplicate-alter``     the same alter id twice for one ego
``network.unknown-alter``       a tie naming an alter that this ego did not name
``network.self-tie``            a tie from an alter to itself
``network.duplicate-tie``       the same pair of alters twice (ties are undirected)
==============================  ==============================================================

Ties are undirected: ``(a, b)`` and ``(b, a)`` are the same tie. ``duplicate_ties="merge"``
keeps one of each pair, for rosters where both alters were asked about each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.policies import check_policy

__all__ = ["DuplicateTiePolicy", "EgoNetworks"]

DuplicateTiePolicy = Literal["fail", "merge"]
"""A pair of alters listed twice: ``fail`` (default) or ``merge`` (keep one, reported)."""

EGO, ALTER, SOURCE, TARGET = "ego", "alter", "source", "target"


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + 1


@dataclasses.dataclass(frozen=True, slots=True)
class EgoNetworks:
    """Ego networks of many respondents, as three validated tables.

    Parameters
    ----------
    egos : DataFrame
        One row per ego, indexed by ego id (unique); columns are ego attributes.
    alters : DataFrame
        One row per alter: columns ``ego`` (ego id), ``alter`` (alter id, unique within its
        ego; the name-generator position in the standard instrument) and alter attributes.
    ties : DataFrame, optional
        One row per alter-alter tie: columns ``ego``, ``source`` and ``target`` (alter ids).
    duplicate_ties : {"fail", "merge"}
        What to do with a pair of alters listed twice.
    notes : tuple of str
        What the constructor did that a user should know (merged ties, recoded values).

    Attributes
    ----------
    n_egos, n_alters, n_ties : int
        Table sizes (after merging duplicate ties).

    Raises
    ------
    DataError
        For every broken rule of the module docstring.

    See Also
    --------
    from_roster : build from a main table and a repeat-group (roster) export.

    Notes
    -----
    R: ``egor::egor(alters, egos, aaties, ID.vars = list(ego = "ego", alter = "alter",
    source = "source", target = "target"))`` holds the same three tables.

    Examples
    --------
    >>> egos = pd.DataFrame(index=pd.Index([1, 2], name="ego"))
    >>> alters = pd.DataFrame({"ego": [1, 1, 1, 2], "alter": [1, 2, 3, 1]})
    >>> ties = pd.DataFrame({"ego": [1], "source": [2], "target": [1]})
    >>> net = EgoNetworks(egos, alters, ties)
    >>> net.n_egos, net.n_alters, net.n_ties
    (2, 4, 1)
    >>> net.ties.to_dict("records")        # stored with source < target
    [{'ego': 1, 'source': 1, 'target': 2}]
    >>> bad = pd.DataFrame({"ego": [1], "source": [1], "target": [7]})
    >>> try:
    ...     EgoNetworks(egos, alters, bad)
    ... except DataError as err:
    ...     print(err.rule)
    network.unknown-alter
    """

    egos: pd.DataFrame
    alters: pd.DataFrame
    ties: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame({EGO: [], SOURCE: [], TARGET: []})
    )
    duplicate_ties: DuplicateTiePolicy = "fail"
    notes: tuple[str, ...] = ()
    # integer positions computed once: ego position of each alter row, alter rows of each tie
    alter_ego_pos: np.ndarray = dataclasses.field(init=False, repr=False, compare=False)
    tie_pos: np.ndarray = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_policy(self.duplicate_ties, DuplicateTiePolicy, "duplicate_ties")
        for name, frame in (("egos", self.egos), ("alters", self.alters), ("ties", self.ties)):
            if not isinstance(frame, pd.DataFrame):
                raise DataError(
                    f"the {name} table must be a pandas DataFrame",
                    where=Where(sheet=name),
                    rule="network.type",
                    hint="Build it with pandas.DataFrame(...).",
                )
        egos = self.egos.copy()
        if egos.index.hasnans:
            raise DataError(
                "an ego without an id",
                where=Where(sheet="egos", row=_first_row(np.asarray(egos.index.isna()))),
                rule="network.missing-id",
                hint="Every ego row needs its id in the index.",
            )
        if not egos.index.is_unique:
            dup = egos.index.duplicated()
            raise DataError(
                f"ego id {egos.index[dup][0]!r} appears twice",
                where=Where(sheet="egos", row=_first_row(dup)),
                rule="network.duplicate-ego",
                hint="Keep one row per respondent.",
            )
        egos.index.name = EGO
        alters = self._check_alters(egos)
        ties, merged = self._check_ties(egos, alters)
        object.__setattr__(self, "egos", egos)
        object.__setattr__(self, "alters", alters)
        object.__setattr__(self, "ties", ties)
        if merged:
            object.__setattr__(
                self,
                "notes",
                (*self.notes, f"{merged} duplicate alter-alter tie(s) merged"),
            )

    def _check_alters(self, egos: pd.DataFrame) -> pd.DataFrame:
        alters = self.alters
        for col in (EGO, ALTER):
            if col not in alters.columns:
                raise DataError(
                    f"the alter table has no column {col!r}",
                    where=Where(sheet="alters", variable=col),
                    rule="network.missing-column",
                    hint="Name the ego id column 'ego' and the alter id column 'alter'.",
                )
            miss = alters[col].isna().to_numpy()
            if miss.any():
                raise DataError(
                    f"an alter without its {col} id",
                    where=Where(sheet="alters", row=_first_row(miss), variable=col),
                    rule="network.missing-id",
                    hint="Every alter row needs its ego id and its alter id.",
                )
        ego_pos = egos.index.get_indexer(pd.Index(alters[EGO]))
        if (ego_pos < 0).any():
            bad = ego_pos < 0
            raise DataError(
                f"alter of ego {alters[EGO].to_numpy()[bad][0]!r}, who is not in the ego table "
                f"({int(bad.sum())} such alter row(s))",
                where=Where(sheet="alters", row=_first_row(bad), variable=EGO),
                rule="network.orphan-alter",
                hint="Check the roster's parent key, or add the missing respondents.",
            )
        dup = alters.duplicated([EGO, ALTER]).to_numpy()
        if dup.any():
            row = alters.iloc[int(np.flatnonzero(dup)[0])]
            raise DataError(
                f"ego {row[EGO]!r} names alter {row[ALTER]!r} twice",
                where=Where(sheet="alters", row=_first_row(dup), variable=ALTER),
                rule="network.duplicate-alter",
                hint="Alter ids must be unique within each ego (the roster position is).",
            )
        order = np.lexsort((alters[ALTER].to_numpy(), ego_pos))
        if (order != np.arange(len(order))).any():
            alters = alters.iloc[order]
            ego_pos = ego_pos[order]
        alters = alters.reset_index(drop=True)
        object.__setattr__(self, "alter_ego_pos", ego_pos.astype(np.int64))
        return alters

    def _check_ties(self, egos: pd.DataFrame, alters: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        ties = self.ties
        for col in (EGO, SOURCE, TARGET):
            if col not in ties.columns:
                raise DataError(
                    f"the tie table has no column {col!r}",
                    where=Where(sheet="ties", variable=col),
                    rule="network.missing-column",
                    hint="Name the tie columns 'ego', 'source' and 'target'.",
                )
            miss = ties[col].isna().to_numpy()
            if miss.any():
                raise DataError(
                    f"a tie without its {col} id",
                    where=Where(sheet="ties", row=_first_row(miss), variable=col),
                    rule="network.missing-id",
                    hint="Drop incomplete tie rows.",
                )
        key = pd.MultiIndex.from_arrays([alters[EGO], alters[ALTER]])
        pos = []
        for col in (SOURCE, TARGET):
            p = key.get_indexer(pd.MultiIndex.from_arrays([ties[EGO], ties[col]]))
            if (p < 0).any():
                bad = p < 0
                r = ties.iloc[int(np.flatnonzero(bad)[0])]
                raise DataError(
                    f"tie of ego {r[EGO]!r} names alter {r[col]!r}, whom this ego did not name",
                    where=Where(sheet="ties", row=_first_row(bad), variable=col),
                    rule="network.unknown-alter",
                    hint="Alter-alter ties may only join alters of the same ego's roster.",
                )
            pos.append(p)
        a, b = pos
        if (a == b).any():
            bad = a == b
            raise DataError(
                "a tie joins an alter to itself",
                where=Where(sheet="ties", row=_first_row(bad), variable=TARGET),
                rule="network.self-tie",
                hint="Remove the alter from its own list of acquaintances.",
            )
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        pair = lo.astype(np.int64) * (len(alters) + 1) + hi
        dup = pd.Series(pair).duplicated().to_numpy()
        merged = 0
        if dup.any():
            if self.duplicate_ties == "fail":
                r = ties.iloc[int(np.flatnonzero(dup)[0])]
                raise DataError(
                    f"ego {r[EGO]!r}: the tie between alters {r[SOURCE]!r} and {r[TARGET]!r} "
                    "is listed twice",
                    where=Where(sheet="ties", row=_first_row(dup)),
                    rule="network.duplicate-tie",
                    hint="Ties are undirected; pass duplicate_ties='merge' if both alters "
                    "were asked about each other.",
                )
            merged = int(dup.sum())
            lo, hi = lo[~dup], hi[~dup]
        order = np.lexsort((hi, lo))
        lo, hi = lo[order], hi[order]
        object.__setattr__(self, "tie_pos", np.stack([lo, hi]).astype(np.int64))
        out = pd.DataFrame(
            {
                EGO: alters[EGO].to_numpy()[lo],
                SOURCE: alters[ALTER].to_numpy()[lo],
                TARGET: alters[ALTER].to_numpy()[hi],
            }
        )
        return out, merged

    # ------------------------------------------------------------------ sizes and accessors
    @property
    def n_egos(self) -> int:
        """Number of egos (isolates included)."""
        return len(self.egos)

    @property
    def n_alters(self) -> int:
        """Number of alter rows."""
        return len(self.alters)

    @property
    def n_ties(self) -> int:
        """Number of alter-alter ties."""
        return int(self.tie_pos.shape[1])

    @property
    def ego_ids(self) -> pd.Index:
        """Ego ids in table order (the index of every per-ego result)."""
        return self.egos.index

    def size(self) -> np.ndarray:
        """Number of alters of each ego, in :attr:`ego_ids` order."""
        return np.bincount(self.alter_ego_pos, minlength=self.n_egos)

    def n_ties_per_ego(self) -> np.ndarray:
        """Number of alter-alter ties of each ego, in :attr:`ego_ids` order."""
        return np.bincount(self.alter_ego_pos[self.tie_pos[0]], minlength=self.n_egos)

    def alter_values(self, column: str) -> pd.Series:
        """An alter attribute (one value per alter row)."""
        if column not in self.alters.columns:
            raise DataError(
                f"the alter table has no attribute {column!r}",
                where=Where(sheet="alters", variable=column),
                rule="network.unknown-attribute",
                hint="Alter attributes: "
                + ", ".join(c for c in map(str, self.alters.columns) if c not in (EGO, ALTER)),
            )
        return self.alters[column]

    def ego_values(self, column: str) -> pd.Series:
        """An ego attribute broadcast to the ego's alters (one value per alter row)."""
        if column not in self.egos.columns:
            raise DataError(
                f"the ego table has no attribute {column!r}",
                where=Where(sheet="egos", variable=column),
                rule="network.unknown-attribute",
                hint="Ego attributes: " + ", ".join(map(str, self.egos.columns)),
            )
        return pd.Series(self.egos[column].to_numpy()[self.alter_ego_pos], name=column)

    # ------------------------------------------------------------------ networkx
    def to_networkx(self, ego: Any, *, ego_node: Any = "ego") -> Any:
        """The ego network of one ego as an undirected :class:`networkx.Graph`.

        The graph holds the ego (node ``ego_node``, with the ego's attributes), one node per
        alter (named by alter id, with the alter's attributes), a tie from the ego to every
        alter and the alter-alter ties: the graph ``nx.effective_size`` and ``nx.constraint``
        expect (METHODS 4.3).

        Examples
        --------
        >>> egos = pd.DataFrame(index=pd.Index(["r1"], name="ego"))
        >>> alters = pd.DataFrame({"ego": ["r1"] * 3, "alter": ["A", "B", "C"]})
        >>> ties = pd.DataFrame({"ego": ["r1"], "source": ["A"], "target": ["B"]})
        >>> g = EgoNetworks(egos, alters, ties).to_networkx("r1")
        >>> sorted(g.edges())
        [('A', 'B'), ('ego', 'A'), ('ego', 'B'), ('ego', 'C')]
        """
        import networkx as nx

        pos = self.egos.index.get_indexer(pd.Index([ego]))[0]
        if pos < 0:
            raise DataError(
                f"no ego {ego!r} in these networks",
                where=Where(sheet="egos"),
                rule="network.unknown-ego",
                hint="Use one of net.ego_ids.",
            )
        rows = np.flatnonzero(self.alter_ego_pos == pos)
        names = self.alters[ALTER].to_numpy()
        if ego_node in set(names[rows].tolist()):
            raise DataError(
                f"an alter of ego {ego!r} is named {ego_node!r}, the name of the ego node",
                rule="network.ego-node",
                hint="Pass another ego_node=.",
            )
        g = nx.Graph()
        g.add_node(ego_node, **{str(k): v for k, v in self.egos.iloc[pos].items()})
        attrs = self.alters.drop(columns=[EGO, ALTER])
        for r in rows:
            g.add_node(names[r], **{str(k): v for k, v in attrs.iloc[r].items()})
            g.add_edge(ego_node, names[r])
        in_ego = self.alter_ego_pos[self.tie_pos[0]] == pos
        for a, b in self.tie_pos[:, in_ego].T:
            g.add_edge(names[a], names[b])
        return g

    def iter_networkx(self, *, ego_node: Any = "ego") -> Iterator[tuple[Any, Any]]:
        """Yield ``(ego id, networkx.Graph)`` for every ego (slow: for small data only)."""
        for ego in self.egos.index:
            yield ego, self.to_networkx(ego, ego_node=ego_node)

    def replace(self, **changes: Any) -> EgoNetworks:
        """Copy with tables changed (validated again)."""
        kw = {f: getattr(self, f) for f in ("egos", "alters", "ties", "duplicate_ties", "notes")}
        kw.update(changes)
        return EgoNetworks(**kw)
