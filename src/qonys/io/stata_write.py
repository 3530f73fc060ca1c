"""Writing Stata ``.dta`` files (writer ``dta``, format 118 = Stata 14+, UTF-8).

- Names are made Stata-safe (:mod:`qonys.io._names`: at most 32 characters, letters, digits
  and ``_``, no reserved word); labels are written in one language (as for SPSS).
- Stata limits: variable and dataset labels at most 80 characters, cut with a
  :class:`~qonys._core.errors.DataWarning`; value labels only for whole-number codes.
- ``select_one`` with numeric codes: numbers with value labels. With string codes: recoded
  1..k in choice order with the labels, and a warning, because a .dta has no room to store the
  mapping (keep the codebook to restore the codes).
- Extended missing values: the strings ``".a"``...``".z"`` in a numeric column are written as
  Stata's ``.a``...``.z``, with their value labels. Numeric user-missing codes (``98``) have no
  Stata declaration: with ``user_missing="values"`` (default) they are written as plain values,
  with a warning; with ``user_missing="extended"`` each discrete code becomes the next free
  letter (``98`` -> ``.a``) and its label moves with it (values of a missing *range* all become
  one letter).
- What a .dta cannot hold is not written: multiple-response sets, other languages, notes,
  missing kinds (re-read from the labels), routing. Repeat groups go to separate files
  ``<name>_<roster>.dta``.

Returns every file written.
"""

from __future__ import annotations

import re
import string
import warnings
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyreadstat

from .._core import (
    ChoiceList,
    Codebook,
    Dataset,
    DataWarning,
    QonysError,
    Variable,
    Where,
    WriteError,
)
from ._names import safe_name, safe_names
from ._registry import WRITERS
from .sav_columns import as_dates, complete_codebook, pick_label
from .sav_write import choose_language, need_folder

__all__ = ["write_dta"]

LABEL_CHARS = 80
_EXT = re.compile(r"^\.([a-z])$")
_NUM_FORMAT = re.compile(r"^%-?\d+(\.\d+)?[gfe]c?$")
_STR_FORMAT = re.compile(r"^%-?\d+s$")


def _cut(text: str | None, what: str) -> str | None:
    if text is None or len(text) <= LABEL_CHARS:
        return text
    warnings.warn(f"{what} cut to {LABEL_CHARS} characters, the Stata limit", DataWarning, 4)
    return text[:LABEL_CHARS]


def _is_missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))


def _has_string_codes(cl: ChoiceList) -> bool:
    return any(isinstance(c, str) and not _EXT.match(c) for c in cl.codes())


def _numeric(col: pd.Series, name: str, file: str) -> tuple[list[Any], set[str]]:
    """Values as floats, with extended missing values as letters; and the letters used."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    out: list[Any] = []
    letters: set[str] = set()
    for i, x in enumerate(col.tolist()):
        if _is_missing(x):
            out.append(np.nan)
        elif isinstance(x, bool | int | float | np.number):
            out.append(float(x))
        elif isinstance(x, str) and _EXT.match(x):
            out.append(x[1])
            letters.add(x[1])
        else:
            raise WriteError(
                f"value {x!r} is not a number",
                where=Where(file=file, row=i + 1, variable=name),
                rule="dta.not-numeric",
                hint="Recode it to a number, or declare the variable as text.",
            )
    return out, letters


def _column(
    col: pd.Series,
    var: Variable,
    cl: ChoiceList | None,
    *,
    lang: str | None,
    default: str | None,
    user_missing: str,
    file: str,
) -> tuple[pd.Series, dict[Any, str] | None, list[str], list[str]]:
    """(values, value labels, extended letters, numeric missing codes written as values)."""
    name = var.name
    if var.type in ("date", "datetime", "time") and (
        pd.api.types.is_datetime64_any_dtype(col) or col.dtype == object
    ):
        return (as_dates(col) if var.type == "date" else col), None, [], []
    codes = cl.codes() if cl else ()
    string_codes = bool(codes) and not all(
        isinstance(c, int | float) or (isinstance(c, str) and _EXT.match(c)) for c in codes
    )
    numeric = var.type in ("select_one", "integer", "decimal", "binary") or (
        var.type == "calculate" and pd.api.types.is_numeric_dtype(col)
    )
    labels: dict[Any, str] = {}
    if string_codes and cl is not None:
        index = {str(c): i + 1 for i, c in enumerate(codes)}
        values: list[Any] = []
        for x in col.tolist():
            if _is_missing(x):
                values.append(np.nan)
                continue
            if str(x) not in index:
                index[str(x)] = len(index) + 1
            values.append(float(index[str(x)]))
        for ch in cl.choices:
            labels[index[str(ch.code)]] = pick_label(ch.labels, lang, default) or str(ch.code)
        warnings.warn(
            f"variable {name}: string codes written as 1..{len(index)}; a .dta cannot store them,"
            " keep the codebook to restore them",
            DataWarning,
            4,
        )
        return pd.Series(values, dtype="float64"), labels, [], []
    if not numeric:
        texts = [None if _is_missing(x) else (x if isinstance(x, str) else str(x)) for x in col]
        return pd.Series(texts, dtype=object), None, [], []
    values, letters = _numeric(col, name, file)
    plain: list[str] = []
    for m in var.missing:
        if m.value is not None and isinstance(m.value, str) and _EXT.match(m.value):
            letters.add(m.value[1])
    numeric_missing = [m for m in var.missing if not (isinstance(m.value, str))]
    remap: dict[float, str] = {}
    if numeric_missing and user_missing == "extended":
        free = [c for c in string.ascii_lowercase if c not in letters]
        for m, letter in zip(numeric_missing, free, strict=False):
            letters.add(letter)
            if m.is_range:
                for x in values:
                    if isinstance(x, float) and m.matches(x):
                        remap[x] = letter
            else:
                remap[float(m.value)] = letter  # type: ignore[arg-type]
        values = [remap.get(x, x) if isinstance(x, float) else x for x in values]
    elif numeric_missing:
        plain = [
            str(m.value if not m.is_range else f"{m.low:g}..{m.high:g}") for m in numeric_missing
        ]
    if cl is not None:
        for ch in cl.choices:
            text = pick_label(ch.labels, lang, default)
            if text is None:
                continue
            code = ch.code
            if isinstance(code, str):
                labels[code[1]] = text
            elif float(code) in remap:
                labels[remap[float(code)]] = text
            elif float(code).is_integer():
                labels[int(code)] = text
    series = pd.Series(values, dtype=object if letters else "float64")
    return series, labels or None, sorted(letters), plain


@WRITERS.register("dta", doc="Stata .dta (release 118) with value labels and .a-.z missing")
def write_dta(
    dataset: Dataset,
    path: str | Path,
    *,
    language: str | None = None,
    name_collisions: Literal["fail", "suffix"] = "fail",
    user_missing: Literal["values", "extended"] = "values",
    **options: Any,
) -> list[Path]:
    """Write ``dataset`` as a Stata file (see the module docstring).

    Raises
    ------
    WriteError
        Rules ``dta.name-collision``, ``dta.not-numeric``, ``dta.write-failed``, ``write.io``.
    """
    p = Path(path)
    display = str(path)
    if options:
        raise QonysError(
            f"unknown option(s) for the Stata writer: {', '.join(sorted(options))}",
            where=Where(file=display, key=sorted(options)[0]),
            rule="write.unknown-option",
            hint="Options: language, name_collisions, user_missing.",
        )
    need_folder(p)
    cb = complete_codebook([dataset.data, *dataset.rosters.values()], dataset.codebook)
    lang = choose_language(cb, language)
    written = [p]
    _write_table(dataset.data, cb, p, lang, name_collisions, user_missing)
    for r, frame in dataset.rosters.items():
        rp = p.parent / f"{p.stem}_{safe_name(r, 'stata')}.dta"
        _write_table(frame, cb, rp, lang, name_collisions, user_missing)
        written.append(rp)
    return written


def _write_table(
    frame: pd.DataFrame,
    cb: Codebook,
    path: Path,
    lang: str | None,
    name_collisions: Literal["fail", "suffix"],
    user_missing: str,
) -> None:
    display = str(path)
    originals = [str(c) for c in frame.columns]
    names = safe_names(originals, "stata", collisions=name_collisions, file=display)
    data: dict[str, Any] = {}
    labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, list[str]] = {}
    formats: dict[str, str] = {}
    plain: list[str] = []
    for orig in originals:
        var = cb[orig]
        cl = cb.choice_list(var.choices) if var.choices else None
        values, vl, letters, kept = _column(
            frame[orig],
            var,
            cl,
            lang=lang,
            default=cb.default_language,
            user_missing=user_missing,
            file=display,
        )
        s = names[orig]
        data[s] = values.to_numpy()
        label = _cut(pick_label(var.label, lang, cb.default_language), f"label of {orig}")
        if label:
            labels[s] = label
        if vl:
            value_labels[s] = vl
        if letters:
            missing[s] = letters
        fmt = var.format or ""
        numeric_out = pd.api.types.is_float_dtype(values) or bool(letters)
        fits = (numeric_out and _NUM_FORMAT.match(fmt)) or (
            values.dtype == object and not letters and _STR_FORMAT.match(fmt)
        )
        if fits and not (cl is not None and _has_string_codes(cl)):
            formats[s] = fmt
        if kept:
            plain.append(f"{orig} ({', '.join(kept)})")
    if plain:
        warnings.warn(
            "Stata has no user-missing declaration; these missing codes are written as plain "
            f"values: {'; '.join(plain)}. Pass user_missing='extended' to write them as .a, .b...",
            DataWarning,
            3,
        )
    title = _cut(pick_label(cb.title, lang, cb.default_language), "dataset label") or ""
    try:
        pyreadstat.write_dta(
            pd.DataFrame(data),
            display,
            file_label=title,
            column_labels=labels,
            version=15,
            variable_value_labels=value_labels,
            missing_user_values=missing,
            variable_format=formats,
        )
    except OSError as err:
        raise WriteError(
            f"cannot write the file: {err.strerror or err}",
            where=Where(file=display),
            rule="write.io",
            hint="Check that the folder exists and that you may write there.",
        ) from None
    except Exception as err:
        raise WriteError(
            f"pyreadstat refused the data: {err}",
            where=Where(file=display),
            rule="dta.write-failed",
            hint="Check the names, labels and values of the variables.",
        ) from None
