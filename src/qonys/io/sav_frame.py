"""Turning a pyreadstat frame into a qonys frame, and joining codebooks (SPSS and Stata readers).

See :mod:`qonys.io.sav_read` for the conventions applied to values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._core import ChoiceList, Code, Codebook, ReadError, Variable, Where
from .sav_dict import Dictionary

__all__ = [
    "attach_codebook",
    "blank_to_missing",
    "is_integral",
    "merge_roster_codebooks",
    "to_int_if_integral",
    "to_qonys_frame",
]

_INT_TYPES = frozenset({"select_one", "integer", "binary"})


def is_integral(values: np.ndarray[Any, Any]) -> bool:
    """Whether every non-missing float is a whole number that ``Int64`` holds exactly.

    >>> is_integral(np.array([1.0, np.nan, 3.0])), is_integral(np.array([1.5]))
    (True, False)
    """
    finite = values[~np.isnan(values)]
    return bool(np.all(np.mod(finite, 1) == 0) and np.all(np.abs(finite) < 2**53))


def to_int_if_integral(col: pd.Series) -> pd.Series:
    """``Int64`` copy of a float column when all its values are whole numbers, else as it is."""
    if not pd.api.types.is_float_dtype(col):
        return col
    values = col.to_numpy(dtype="float64", na_value=np.nan)
    if not is_integral(values):
        return col
    return col.astype("Int64")


def blank_to_missing(col: pd.Series) -> pd.Series:
    """Empty strings as missing values (SPSS and Stata have no other missing string)."""
    return col.mask(col == "")


def _recode_back(col: pd.Series, codes: tuple[Code, ...], file: str, name: str) -> pd.Series:
    values = col.to_numpy(dtype="float64", na_value=np.nan)
    out: list[object] = []
    for i, x in enumerate(values):
        if np.isnan(x):
            out.append(np.nan)
            continue
        if not float(x).is_integer() or not 1 <= x <= len(codes):
            raise ReadError(
                f"value {x:g} is not one of the {len(codes)} codes qonys wrote for this variable",
                where=Where(file=file, row=i + 1, variable=name),
                rule="sav.unknown-code",
                hint="The data were changed after qonys wrote the file; add a value label for "
                "the new code in SPSS, or read with the original codebook.",
            )
        out.append(codes[int(x) - 1])
    return pd.Series(out, index=col.index, name=col.name, dtype="str")


def to_qonys_frame(
    df: pd.DataFrame, dictionary: Dictionary, file: str
) -> tuple[pd.DataFrame, Codebook]:
    """Rename columns to qonys names and apply the value conventions; return (frame, codebook).

    The codebook changes only where the data contradict it: an ``integer`` column holding
    fractions becomes ``decimal``.
    """
    frame = df.rename(columns=dictionary.names)
    cb = dictionary.codebook
    cols: dict[str, pd.Series] = {}
    for name in frame.columns:
        col = frame[name]
        var = cb[name]
        if name in dictionary.recode:
            col = _recode_back(col, dictionary.recode[name], file, name)
        elif pd.api.types.is_float_dtype(col) and var.type in _INT_TYPES:
            converted = to_int_if_integral(col)
            if converted is col and var.type == "integer" and col.notna().any():
                cb = cb.with_variable(var.replace(type="decimal"))
            col = converted
        elif pd.api.types.is_string_dtype(col) or col.dtype == object:
            col = blank_to_missing(col)
        cols[name] = col
    out = pd.DataFrame(cols, index=pd.RangeIndex(len(frame)))
    return out, cb


def _same_list(a: ChoiceList, b: ChoiceList) -> bool:
    return a.choices == b.choices


def _add_lists(
    base: list[ChoiceList], extra: Mapping[str, ChoiceList], suffix: str
) -> dict[str, str]:
    """Add lists to ``base``; return renames (old -> new) for lists whose name was taken."""
    renames: dict[str, str] = {}
    names = {c.name: c for c in base}
    for name, cl in extra.items():
        if name in names and _same_list(names[name], cl):
            continue
        new = name
        k = 2
        while new in names:
            new = f"{name}_{suffix}" if k == 2 else f"{name}_{suffix}{k}"
            k += 1
        renames[name] = new
        names[new] = ChoiceList(new, cl.choices)
        base.append(names[new])
    return {k: v for k, v in renames.items() if k != v}


def merge_roster_codebooks(main: Codebook, parts: Mapping[str, Codebook]) -> Codebook:
    """The main table's codebook plus the variables, lists and sets of each roster's codebook."""
    variables = list(main.variables)
    lists = list(main.choice_lists)
    sets = list(main.mr_sets)
    rosters = {r.name: r for r in main.rosters}
    seen = set(main.names)
    for roster, cb in parts.items():
        renames = _add_lists(lists, {c.name: c for c in cb.choice_lists}, roster)
        for v in cb.variables:
            if v.name in seen:
                continue
            seen.add(v.name)
            variables.append(
                v.replace(choices=renames.get(v.choices, v.choices)) if v.choices else v
            )
        for r in cb.rosters:
            rosters.setdefault(r.name, r)
        sets += [s for s in cb.mr_sets if s.name not in {x.name for x in sets}]
    return main.replace(
        variables=tuple(variables),
        choice_lists=tuple(lists),
        mr_sets=tuple(sets),
        rosters=tuple(rosters.values()),
    )


def _merged(first: tuple[Any, ...], second: tuple[Any, ...]) -> tuple[Any, ...]:
    """Items of ``first`` then those of ``second`` whose name is not taken (rosters, scales).

    A codebook given for the main file may not describe the roster files read beside it (the
    dictionary of ``survey.sav`` says nothing of ``survey_net_alter.sav``); their rosters must
    stay declared for the roster variables the data carry.
    """
    names = {x.name for x in first}
    return (*first, *(x for x in second if x.name not in names))


def attach_codebook(derived: Codebook, given: Codebook) -> Codebook:
    """``derived`` with every variable ``given`` also describes replaced by ``given``'s version.

    Choice lists, multiple-response sets, rosters and scales of ``given`` come along for the
    variables they concern; the codebook-level fields (languages, title...) are ``given``'s.
    """
    present = set(derived.names)
    keep = [n for n in given.names if n in present]
    chosen = given.select(keep) if keep else Codebook()
    lists = list(chosen.choice_lists)
    used_derived = {v.choices for v in derived.variables if v.name not in chosen and v.choices}
    renames = _add_lists(
        lists, {c.name: c for c in derived.choice_lists if c.name in used_derived}, "file"
    )
    variables: list[Variable] = []
    for v in derived.variables:
        if v.name in chosen:
            variables.append(chosen[v.name])
        elif v.choices:
            variables.append(v.replace(choices=renames.get(v.choices, v.choices)))
        else:
            variables.append(v)
    sets = list(chosen.mr_sets)
    sets += [s for s in derived.mr_sets if s.name not in {x.name for x in sets}]
    return Codebook(
        variables=tuple(variables),
        choice_lists=tuple(lists),
        mr_sets=tuple(sets),
        rosters=_merged(chosen.rosters, derived.rosters),
        scales=_merged(chosen.scales, derived.scales),
        languages=given.languages or derived.languages,
        default_language=given.default_language or derived.default_language,
        title=given.title or derived.title,
        form_id=given.form_id,
        version=given.version,
        id_variable=given.id_variable if given.id_variable in present else None,
        notes=(*given.notes, *(n for n in derived.notes if n not in given.notes)),
    )
