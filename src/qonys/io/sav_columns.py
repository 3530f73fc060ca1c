"""One qonys column as SPSS wants it: values, labels, missing values, measure and format.

Rules (the SPSS writer's conventions):

- ``select_one`` with numeric codes: numbers, with value labels. With string codes: the codes
  are recoded to 1..k in choice order (string missing codes that are not choices follow), the
  choice labels become value labels (the code itself when a choice has no label), and the
  mapping is stored in the file (:mod:`qonys.io.sav_meta`) so that qonys reads the strings back.
  Values outside the list (a foreign file's unlabelled codes) get the next numbers, unlabelled,
  with a :class:`~qonys._core.errors.DataWarning`; they are never blanked.
- pandas ``Categorical`` columns without a choice list are written like string-coded
  ``select_one`` columns (categories in order), or as numbers when the categories are numbers.
- ``integer``, ``decimal``, ``binary`` (and ``calculate`` with numeric values): numbers;
  ``bool`` becomes 0/1; a text value in such a column is an error (rule ``sav.not-numeric``).
- Dates, datetimes and times held as such are written with SPSS date formats; held as text they
  stay text. Everything else is written as text (numbers in a text column become their text).
- Labels are taken in the chosen language, else in the codebook's default language, else in any
  language. SPSS limits (bytes of UTF-8): variable labels 256, value labels 120; longer labels are
  cut at a character boundary with a :class:`~qonys._core.errors.DataWarning` naming the
  variable (the full labels stay in the stored codebook).
- User-missing values: SPSS holds at most three discrete values, or one range plus one value;
  string variables at most three values of at most 8 bytes. Discrete codes inside a range are
  dropped (they are missing anyway). When the codes still do not fit, they are written as one
  range (or one range plus one value) **only if no valid value of the variable (a data value or
  a non-missing choice code) falls inside that range**, with a DataWarning; otherwise the write
  fails with rule ``sav.too-many-missing``. The exact codes and kinds are kept in the stored
  codebook either way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import (
    Choice,
    ChoiceList,
    Code,
    Codebook,
    DataWarning,
    MissingCode,
    Variable,
    Where,
    WriteError,
)
from ._names import cut_bytes

__all__ = [
    "Column",
    "as_dates",
    "complete_codebook",
    "fit_missing",
    "pick_label",
    "prepare_column",
]

VAR_LABEL_BYTES = 256
VALUE_LABEL_BYTES = 120
_NUMERIC_FORMAT = re.compile(r"^(F|N|COMMA|DOT|DOLLAR|PCT|E)\d+(\.\d+)?$")


@dataclasses.dataclass
class Column:
    """A column ready for ``pyreadstat.write_sav``."""

    values: pd.Series
    label: str | None = None
    value_labels: dict[Any, str] | None = None
    missing: list[Any] = dataclasses.field(default_factory=list)
    missing_pairs: list[tuple[Any, Any]] = dataclasses.field(default_factory=list)
    measure: str | None = None
    format: str | None = None
    recode: tuple[Code, ...] | None = None


def pick_label(labels: Any, lang: str | None, default: str | None) -> str | None:
    """The label in ``lang``, else ``default``'s, else any; ``None`` when there is none."""
    if not labels:
        return None
    for key in (lang, default, "default"):
        if key is not None and key in labels:
            return str(labels[key])
    return str(next(iter(labels.values())))


def _cut(text: str | None, limit: int, what: str, name: str) -> str | None:
    if text is None:
        return None
    cut = cut_bytes(text, limit)
    if cut != text:
        warnings.warn(
            f"variable {name}: {what} cut to {limit} bytes, the SPSS limit",
            DataWarning,
            stacklevel=4,
        )
    return cut


def complete_codebook(frames: Sequence[pd.DataFrame], codebook: Codebook) -> Codebook:
    """``codebook`` plus a variable for every column it does not describe, from the dtype.

    Categorical columns become ``select_one`` with a list named after the column; whole
    numbers ``integer``; other numbers ``decimal``; ``bool`` ``binary`` (written as 0/1 and
    read back as ``Int64``); ``datetime64`` and ``datetime.datetime`` objects ``datetime``;
    ``datetime.date`` objects ``date``; ``datetime.time`` objects ``time``; everything else
    ``text``.
    """
    cb = codebook
    taken = {c.name for c in cb.choice_lists}
    for frame in frames:
        for name in frame.columns:
            name = str(name)
            if name in cb:
                continue
            col = frame[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                list_name, k = name, 2
                while list_name in taken:
                    list_name, k = f"{name}_{k}", k + 1
                taken.add(list_name)
                cl = ChoiceList(list_name, tuple(Choice(_py(c), {}) for c in col.cat.categories))
                cb = cb.with_choice_list(cl)
                var = Variable(
                    name,
                    "select_one",
                    choices=list_name,
                    measure="ordinal" if col.cat.ordered else "nominal",
                )
            elif pd.api.types.is_bool_dtype(col):
                var = Variable(name, "binary")
            elif pd.api.types.is_integer_dtype(col):
                var = Variable(name, "integer")
            elif pd.api.types.is_numeric_dtype(col):
                var = Variable(name, "decimal")
            elif pd.api.types.is_datetime64_any_dtype(col):
                var = Variable(name, "datetime")
            elif (kind := _temporal_kind(col)) is not None:
                var = Variable(name, kind)  # type: ignore[arg-type]
            else:
                var = Variable(name, "text")
            cb = cb.with_variable(var)
    return cb


def _py(x: Any) -> Code:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x if isinstance(x, int | float | str) else str(x)


def _is_numeric_code(c: Code) -> bool:
    return isinstance(c, numbers.Real) and not isinstance(c, bool | np.bool_)


def _numeric(col: pd.Series, name: str, file: str | None) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return pd.Series(col.to_numpy(dtype="float64", na_value=np.nan), index=col.index)
    out = np.full(len(col), np.nan)
    for i, x in enumerate(col.tolist()):
        if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
            continue
        if isinstance(x, bool | int | float | np.number):
            out[i] = float(x)
            continue
        hint = "Recode it to a number, or declare the variable as text."
        if isinstance(x, str) and re.fullmatch(r"\.[a-z]?", x):
            hint = "Stata's extended missing values (.a-.z) have no SPSS form; recode them first."
        raise WriteError(
            f"value {x!r} is not a number",
            where=Where(file=file, row=i + 1, variable=name),
            rule="sav.not-numeric",
            hint=hint,
        )
    return pd.Series(out, index=col.index)


def _text(col: pd.Series) -> pd.Series:
    def conv(x: Any) -> Any:
        if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
            return None
        return x if isinstance(x, str) else str(_py(x))

    return pd.Series([conv(x) for x in col.tolist()], index=col.index, dtype=object)


def _temporal_kind(col: pd.Series) -> str | None:
    vals = col.dropna().tolist()
    if not vals:
        return None
    if all(isinstance(v, dt.datetime) for v in vals):
        return "datetime"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in vals):
        return "date"
    if all(isinstance(v, dt.time) for v in vals):
        return "time"
    return None


def _is_temporal(col: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(col):
        return True
    vals = col.dropna().tolist()
    return bool(vals) and all(isinstance(v, dt.date | dt.time) for v in vals)


def as_dates(col: pd.Series) -> pd.Series:
    """A ``datetime64`` column of a ``date`` variable as ``datetime.date`` objects, so that the
    writers give it a date format rather than a date-time one."""
    if not pd.api.types.is_datetime64_any_dtype(col):
        return col
    return pd.Series([None if pd.isna(x) else x.date() for x in col], index=col.index, dtype=object)


def fit_missing(
    codes: Sequence[MissingCode], valid: set[float], name: str, file: str | None
) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Numeric user-missing values in pyreadstat's form, within SPSS's limits (module doc)."""
    ranges = sorted({(float(m.low), float(m.high)) for m in codes if m.is_range})  # type: ignore[arg-type]
    singles = {float(m.value) for m in codes if not m.is_range}  # type: ignore[arg-type]
    discrete = sorted(v for v in singles if not any(lo <= v <= hi for lo, hi in ranges))
    if (not ranges and len(discrete) <= 3) or (len(ranges) == 1 and len(discrete) <= 1):
        return _missing_form(ranges, discrete)
    span = [b for r in ranges for b in r]
    everything = [*discrete, *span]
    options: list[tuple[float, float, float | None]] = [(min(everything), max(everything), None)]
    for d in discrete:
        rest = [x for x in discrete if x != d] + span
        if rest:
            options.append((min(rest), max(rest), d))
    for lo, hi, single in options:
        if any(lo <= v <= hi for v in valid):
            continue
        if single is not None and lo <= single <= hi:
            continue
        warnings.warn(
            f"variable {name}: its missing codes exceed SPSS's limit (3 values, or 1 range and "
            f"1 value); written as the range {lo:g} THRU {hi:g}"
            + (f" and the value {single:g}" if single is not None else ""),
            DataWarning,
            stacklevel=3,
        )
        return _missing_form([(lo, hi)], [] if single is None else [single])
    raise WriteError(
        f"{len(discrete)} missing values and {len(ranges)} ranges do not fit SPSS's limit "
        "(3 values, or 1 range and 1 value), and a range over them would cover valid values",
        where=Where(file=file, variable=name),
        rule="sav.too-many-missing",
        hint="Merge the missing codes into one range (e.g. 96..99) that holds no valid answer.",
    )


def _missing_form(
    ranges: list[tuple[float, float]], discrete: list[float]
) -> tuple[list[Any], list[tuple[Any, Any]]]:
    written: list[Any] = [{"lo": lo, "hi": hi} for lo, hi in ranges] + list(discrete)
    pairs = [*ranges, *((d, d) for d in discrete)]
    return written, sorted(pairs)


def _string_missing(
    codes: Sequence[MissingCode], name: str, file: str | None
) -> tuple[list[Any], list[tuple[Any, Any]]]:
    values = [str(m.value) for m in codes if not m.is_range]
    too_long = [v for v in values if len(v.encode("utf-8")) > 8]
    if len(values) > 3 or too_long:
        raise WriteError(
            "SPSS holds at most 3 missing values of at most 8 bytes for a text variable; "
            f"this one has {len(values)}" + (f", {too_long[0]!r} is longer" if too_long else ""),
            where=Where(file=file, variable=name),
            rule="sav.too-many-missing",
            hint="Use shorter codes, or turn the variable into a select_one with choices.",
        )
    return values, sorted((v, v) for v in values)


def prepare_column(
    col: pd.Series,
    var: Variable,
    cl: ChoiceList | None,
    *,
    lang: str | None,
    default_lang: str | None,
    file: str | None,
) -> Column:
    """Values and dictionary entries of one column (rules in the module docstring)."""
    name = var.name
    label = _cut(pick_label(var.label, lang, default_lang), VAR_LABEL_BYTES, "label", name)
    measure = var.measure if var.measure in ("nominal", "ordinal", "scale") else None
    out = Column(values=col, label=label, measure=measure)
    codes = cl.codes() if cl else ()
    string_coded = codes and not all(_is_numeric_code(c) for c in codes)
    if (
        cl
        and string_coded
        and (var.type == "select_one" or isinstance(col.dtype, pd.CategoricalDtype))
    ):
        return _recoded(col, var, cl, out, lang=lang, default_lang=default_lang, file=file)
    numeric = var.type in ("select_one", "integer", "decimal", "binary") or (
        var.type == "calculate" and pd.api.types.is_numeric_dtype(col)
    )
    if var.type in ("date", "datetime", "time") and _is_temporal(col):
        out.values = as_dates(col) if var.type == "date" else col
        return out
    if numeric:
        out.values = _numeric(col, name, file)
        data = out.values.dropna().to_numpy()
        valid = {float(v) for v in data if not any(m.matches(v) for m in var.missing)}
        if cl:
            out.value_labels = {}
            for ch in cl.choices:
                text = pick_label(ch.labels, lang, default_lang)
                if text is not None:
                    out.value_labels[_py(ch.code)] = (
                        _cut(text, VALUE_LABEL_BYTES, f"value label of {ch.code}", name) or ""
                    )
                if ch.missing is None and not var.missing_kind(ch.code):
                    valid.add(float(ch.code))
        if var.missing:
            out.missing, out.missing_pairs = fit_missing(var.missing, valid, name, file)
        if var.format and _NUMERIC_FORMAT.match(var.format):
            out.format = var.format
        elif (
            var.type in ("select_one", "integer", "binary") and len(data) and np.all(data % 1 == 0)
        ):
            out.format = (
                f"F{max(len(str(int(abs(data).max()))) + int(bool((data < 0).any())), 1)}.0"
            )
        return out
    out.values = _text(col)
    if out.measure == "scale":
        out.measure = None
    if var.missing:
        out.missing, out.missing_pairs = _string_missing(var.missing, name, file)
    return out


def _recoded(
    col: pd.Series,
    var: Variable,
    cl: ChoiceList,
    out: Column,
    *,
    lang: str | None,
    default_lang: str | None,
    file: str | None,
) -> Column:
    codes: list[Code] = list(cl.codes())
    for m in var.missing:
        if not m.is_range and m.value is not None and all(str(m.value) != str(c) for c in codes):
            codes.append(m.value)
    index = {str(c): i + 1 for i, c in enumerate(codes)}
    listed = len(index)
    values = np.full(len(col), np.nan)
    for i, x in enumerate(col.tolist()):
        if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
            continue
        key = str(_py(x))
        if key not in index:
            codes.append(key)
            index[key] = len(codes)
        values[i] = index[key]
    if len(index) > listed:
        warnings.warn(
            f"variable {var.name}: {len(index) - listed} value(s) not in choice list {cl.name!r}"
            f" written as codes {listed + 1}..{len(index)} without value labels",
            DataWarning,
            stacklevel=4,
        )
    out.values = pd.Series(values, index=col.index)
    out.recode = tuple(codes)
    out.value_labels = {}
    for ch in cl.choices:
        text = pick_label(ch.labels, lang, default_lang) or str(ch.code)
        out.value_labels[index[str(ch.code)]] = (
            _cut(text, VALUE_LABEL_BYTES, f"value label of {ch.code}", var.name) or ""
        )
    miss = [
        MissingCode(value=index[str(m.value)], kind=m.kind)
        for m in var.missing
        if not m.is_range and m.value is not None
    ]
    valid = {float(i) for c, i in index.items() if not any(m.matches(c) for m in var.missing)}
    if miss:
        out.missing, out.missing_pairs = fit_missing(miss, valid, var.name, file)
    out.format = f"F{len(str(len(codes)))}.0"
    return out
