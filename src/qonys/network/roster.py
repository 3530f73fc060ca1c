"""Ego networks from survey exports: a main table and a name-generator roster (repeat group).

The standard instrument's name generator is the repeat group ``net_alter``: one row per person
named, linked to the respondent by the export's parent key (Kobo ``_parent_index`` -> ``_index``,
ODK Central ``PARENT_KEY`` -> ``KEY``); ``net_a_pos`` is the person's position in the list (1-5)
and ``net_a_knows`` lists, as space-separated positions, the people named *after* this one who
know this person (``0`` = none of them, ``98`` = don't know). Each pair is asked once, so the
undirected alter-alter ties are the union over the roster rows (instrument documentation,
module ``net``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core.checks import check_columns
from .._core.codebook import Codebook
from .._core.dataset import Dataset
from .._core.errors import DataError, Where
from .data import ALTER, EGO, SOURCE, TARGET, DuplicateTiePolicy, EgoNetworks

__all__ = ["blank_missing_codes", "from_dataset", "from_roster", "parse_knows"]

_PARENT_TO_KEY = {"_parent_index": "_index", "PARENT_KEY": "KEY"}


def _codes_equal(series: pd.Series, value: Any) -> np.ndarray:
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        num = pd.to_numeric(series, errors="coerce")
        return (num == float(value)).to_numpy(dtype=bool, na_value=False)
    return (series.astype("string") == str(value)).to_numpy(dtype=bool, na_value=False)


def blank_missing_codes(
    frame: pd.DataFrame, codebook: Codebook, columns: Sequence[str] | None = None
) -> tuple[pd.DataFrame, int]:
    """Replace user-missing codes (don't know, refused...) of the codebook by missing values.

    Parameters
    ----------
    frame : DataFrame
        Raw values as read (codes kept).
    codebook : Codebook
        Declares each variable's missing codes.
    columns : sequence of str, optional
        Columns to clean (default: every column the codebook knows).

    Returns
    -------
    (DataFrame, int)
        A cleaned copy and the number of values blanked.

    Examples
    --------
    >>> from qonys._core import MissingCode, Variable
    >>> cb = Codebook(variables=(Variable("q", "integer", missing=(MissingCode(value=98),)),))
    >>> out, n = blank_missing_codes(pd.DataFrame({"q": [1, 98, 2]}), cb)
    >>> out["q"].tolist(), n
    ([1.0, nan, 2.0], 1)
    """
    out = frame.copy()
    total = 0
    for col in columns if columns is not None else list(frame.columns):
        if col not in codebook or col not in out.columns:
            continue
        var = codebook.variable(col)
        if not var.missing:
            continue
        mask = np.zeros(len(out), dtype=bool)
        for m in var.missing:
            if m.is_range:
                num = pd.to_numeric(out[col], errors="coerce")
                mask |= ((num >= m.low) & (num <= m.high)).to_numpy(dtype=bool, na_value=False)
            else:
                mask |= _codes_equal(out[col], m.value)
        if mask.any():
            total += int(mask.sum())
            out[col] = out[col].mask(mask)
    return out, total


def parse_knows(
    values: pd.Series, *, none_codes: Sequence[Any] = (0,), unknown_codes: Sequence[Any] = (98,)
) -> tuple[pd.Series, np.ndarray]:
    """Split a select_multiple answer of alter positions into one row per listed alter.

    Parameters
    ----------
    values : Series
        Space-separated codes (``"2 4"``), a single number, or missing.
    none_codes, unknown_codes : sequence
        Codes meaning "none of them" and "don't know"; neither is a tie.

    Returns
    -------
    (Series, ndarray)
        The listed positions as integers, indexed like ``values`` (one entry per tie), and a
        boolean array marking rows that answered "don't know".

    Raises
    ------
    DataError
        A code that is not a whole number (rule ``network.knows-code``).

    Examples
    --------
    >>> ties, dk = parse_knows(pd.Series(["2 3", "0", None, "98", "5"]))
    >>> ties.to_dict(), dk.tolist()
    ({0: 3, 4: 5}, [False, False, False, True, False])
    >>> parse_knows(pd.Series(["2 3"]))[0].tolist()
    [2, 3]
    """
    text = values.astype("string").str.strip()
    parts = text.str.split().explode().dropna()
    parts = parts[parts != ""]
    none = {str(c) for c in none_codes}
    unknown = {str(c) for c in unknown_codes}
    norm = parts.str.replace(r"\.0$", "", regex=True)
    dk_rows = norm.isin(unknown)
    dk = np.zeros(len(values), dtype=bool)
    if dk_rows.any():
        dk[values.index.get_indexer(norm.index[dk_rows.to_numpy()].unique())] = True
    keep = ~(norm.isin(none) | dk_rows)
    norm = norm[keep]
    num = pd.to_numeric(norm, errors="coerce")
    bad = num.isna() | (num != np.floor(num))
    if bad.any():
        pos = int(values.index.get_indexer(pd.Index([norm.index[bad.to_numpy()][0]]))[0]) + 1
        raise DataError(
            f"alter-alter answer {norm[bad].iloc[0]!r} is not an alter position",
            where=Where(row=pos),
            rule="network.knows-code",
            hint="The answer lists alter positions (1-5) separated by spaces.",
        )
    return num.astype(np.int64), dk


def from_roster(
    main: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    ego_key: str = "_index",
    parent_key: str = "_parent_index",
    position: str | None = "net_a_pos",
    knows: str | None = "net_a_knows",
    none_codes: Sequence[Any] = (0,),
    unknown_codes: Sequence[Any] = (98,),
    duplicate_ties: DuplicateTiePolicy = "fail",
) -> EgoNetworks:
    """Build ego networks from a main table and a name-generator roster.

    Parameters
    ----------
    main : DataFrame
        One row per respondent; ``ego_key`` identifies the row (its values become ego ids).
    roster : DataFrame
        One row per alter; ``parent_key`` holds the respondent's ``ego_key`` value.
    ego_key, parent_key : str
        Linking columns (Kobo: ``_index`` / ``_parent_index``; ODK: ``KEY`` / ``PARENT_KEY``).
    position : str, optional
        Alter position column (the alter id). When ``None`` or absent, alters are numbered
        1, 2, ... in roster order within each respondent, as the repeat's ``position(..)`` is.
    knows : str, optional
        Alter-alter column listing positions (see :func:`parse_knows`); ``None`` for no ties.
    none_codes, unknown_codes : sequence
        Codes of "none of them" and "don't know" in ``knows``.
    duplicate_ties : {"fail", "merge"}
        See :class:`EgoNetworks`.

    Returns
    -------
    EgoNetworks
        Egos = the main table indexed by ``ego_key``; alters = the roster with columns
        ``ego`` and ``alter`` added; ties from ``knows``. Rows answering "don't know" to
        ``knows`` contribute no tie and are counted in ``notes``.

    Raises
    ------
    DataError
        Missing columns (``data.unknown-column``) and every rule of :class:`EgoNetworks`:
        roster rows whose parent is not in the main table are ``network.orphan-alter``.

    Examples
    --------
    >>> main = pd.DataFrame({"_index": [1, 2], "net_n": [3, 0]})
    >>> roster = pd.DataFrame({"_parent_index": [1, 1, 1], "net_a_pos": [1, 2, 3],
    ...                        "net_a_knows": ["2", "0", ""]})
    >>> net = from_roster(main, roster)
    >>> net.size().tolist(), net.ties[["source", "target"]].values.tolist()
    ([3, 0], [[1, 2]])
    """
    check_columns(main, [ego_key])
    check_columns(roster, [parent_key])
    egos = main.set_index(ego_key, drop=False)
    egos.index.name = EGO
    alters = roster.copy()
    if EGO in alters.columns and parent_key != EGO:
        alters = alters.drop(columns=[EGO])
    alters.insert(0, EGO, roster[parent_key].to_numpy())
    if position is not None and position in roster.columns:
        pos = pd.to_numeric(roster[position], errors="coerce")
        if pos.isna().any():
            row = int(np.flatnonzero(pos.isna().to_numpy())[0]) + 1
            raise DataError(
                f"alter position {position!r} is missing or not a number",
                where=Where(sheet="roster", row=row, variable=position),
                rule="network.missing-id",
                hint="Every roster row needs its position in the list.",
            )
        alter_id = pos.astype(np.int64).to_numpy()
    else:
        alter_id = roster.groupby(parent_key, sort=False).cumcount().to_numpy() + 1
    if ALTER in alters.columns:
        alters = alters.drop(columns=[ALTER])
    alters.insert(1, ALTER, alter_id)
    notes: list[str] = []
    if knows is not None and knows in roster.columns:
        listed, dk = parse_knows(
            roster[knows].reset_index(drop=True),
            none_codes=none_codes,
            unknown_codes=unknown_codes,
        )
        rows = listed.index.to_numpy()
        ties = pd.DataFrame(
            {
                EGO: alters[EGO].to_numpy()[rows],
                SOURCE: alter_id[rows],
                TARGET: listed.to_numpy(),
            }
        )
        if dk.any():
            notes.append(
                f"{int(dk.sum())} alter(s) with 'don't know' on {knows!r}: no ties recorded"
            )
    else:
        ties = pd.DataFrame({EGO: [], SOURCE: [], TARGET: []})
    return EgoNetworks(egos, alters, ties, duplicate_ties=duplicate_ties, notes=tuple(notes))


def from_dataset(
    data: Dataset,
    roster: str = "net_alter",
    *,
    ego_key: str | None = None,
    blank_missing: bool = True,
    **kwargs: Any,
) -> EgoNetworks:
    """Build ego networks from a :class:`~qonys._core.Dataset` read by :mod:`qonys.io`.

    Parameters
    ----------
    data : Dataset
        Survey data with the name-generator roster among its rosters.
    roster : str
        Roster name (the repeat group; ``net_alter`` in the standard instrument).
    ego_key : str, optional
        Main-table key column; by default the one matching the roster's parent key
        (``_index`` for ``_parent_index``, ``KEY`` for ``PARENT_KEY``).
    blank_missing : bool
        Replace the codebook's user-missing codes (don't know, refused) by missing values in
        both tables, so they never count as a category (``net_a_knows`` keeps its codes).
    **kwargs
        Passed to :func:`from_roster` (``position``, ``knows``, ``duplicate_ties``...).
    """
    table = data.table(roster)
    spec = next((r for r in data.codebook.rosters if r.name == roster), None)
    parent_key = kwargs.pop("parent_key", spec.parent_key if spec else "_parent_index")
    key = ego_key or _PARENT_TO_KEY.get(parent_key)
    if key is None:
        raise DataError(
            f"cannot tell which main-table column the roster's {parent_key!r} refers to",
            where=Where(sheet=roster, variable=parent_key),
            rule="network.ego-key",
            hint="Pass ego_key= (the main table's row key).",
        )
    main = data.data
    notes: list[str] = []
    if blank_missing:
        knows = kwargs.get("knows", "net_a_knows")
        keep = {parent_key, key, knows, kwargs.get("position", "net_a_pos")}
        main, n1 = blank_missing_codes(
            main, data.codebook, [str(c) for c in main.columns if c not in keep]
        )
        table, n2 = blank_missing_codes(
            table, data.codebook, [str(c) for c in table.columns if c not in keep]
        )
        if n1 + n2:
            notes.append(f"{n1 + n2} user-missing code(s) (don't know, refused) set to missing")
    net = from_roster(main, table, ego_key=key, parent_key=parent_key, **kwargs)
    return net.replace(notes=(*net.notes, *notes)) if notes else net
