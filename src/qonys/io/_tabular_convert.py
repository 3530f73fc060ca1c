"""Column conversion for the CSV, XLSX and Parquet readers and writers (see :mod:`.tabular`).

Reading turns cells (strings from CSV, Python values from XLSX, typed arrays from Parquet) into
the in-memory types the codebook asks for; writing turns them back into text or cells. Nothing
is coerced silently: a cell that does not fit its variable's type is a
:class:`~qonys._core.errors.ReadError` naming file, sheet, row, line and variable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from .._core import ReadError, Where, WriteError
from ._tabular_kinds import Kind, infer_kind

__all__ = ["convert_column", "format_cell", "format_column"]

_INT_RE = re.compile(r"^[+-]?\d+$")
_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_COMMA_NUM_RE = re.compile(r"^[+-]?\d+,\d+$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_DMY_RE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_INT64_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True)
class _Loc:
    file: str | None
    sheet: str | None
    variable: str
    line_of: Callable[[int], int | None] | None

    def error(self, i: int, message: str, rule: str, hint: str) -> ReadError:
        line = self.line_of(i) if self.line_of is not None else None
        return ReadError(
            message,
            where=Where(
                file=self.file, sheet=self.sheet, row=i + 1, line=line, variable=self.variable
            ),
            rule=rule,
            hint=hint,
        )


def _show(x: object) -> str:
    text = repr(x) if isinstance(x, str) else str(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _empty(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, float | np.floating):
        return bool(np.isnan(x))
    return isinstance(x, str) and x == ""


def _to_number(x: object, i: int, loc: _Loc, decimal: str, want_int: bool) -> float | int:
    if isinstance(x, bool | np.bool_):
        return int(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        v = float(x)
    elif isinstance(x, str):
        s = x.strip()
        if decimal == "," and _COMMA_NUM_RE.match(s):
            s = s.replace(",", ".")
        if want_int and _INT_RE.match(s):
            return int(s)
        if not _NUM_RE.match(s):
            hint = "Correct the cell, or declare the variable as text in the codebook."
            if _COMMA_NUM_RE.match(s):
                hint = "This looks like a decimal comma: read with decimal=','."
            raise loc.error(i, f"value {_show(x)} is not a number", "tabular.not-a-number", hint)
        v = float(s)
    else:
        raise loc.error(
            i,
            f"a {type(x).__name__} cell cannot be read as a number",
            "tabular.not-a-number",
            "Store numbers as numbers, or declare the variable as text.",
        )
    if not math.isfinite(v):
        raise loc.error(
            i,
            f"value {_show(x)} is not a finite number",
            "tabular.not-a-number",
            "Replace infinite values by a missing code.",
        )
    if want_int:
        if v != int(v):
            raise loc.error(
                i,
                f"value {_show(x)} is not a whole number",
                "tabular.not-an-integer",
                "Correct the cell, or declare the variable as decimal in the codebook.",
            )
        return int(v)
    return v


def _to_text(x: object) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        v = float(x)
        return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
    if isinstance(x, datetime | pd.Timestamp):
        if x.hour == x.minute == x.second == x.microsecond == 0 and x.tzinfo is None:
            return x.strftime("%Y-%m-%d")
        return x.isoformat()
    if isinstance(x, date | time):
        return x.isoformat()
    return str(x)


def _to_timestamp(x: object, i: int, loc: _Loc, kind: Kind) -> pd.Timestamp:
    what = "date" if kind == "date" else "date-time"
    hint = (
        "Write dates as YYYY-MM-DD (or DD.MM.YYYY)."
        if kind == "date"
        else "Write date-times as ISO 8601, e.g. 2024-03-14T09:51:14+06:00."
    )
    if isinstance(x, datetime | pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(x)
    elif isinstance(x, date):
        ts = pd.Timestamp(x.year, x.month, x.day)
    elif isinstance(x, str):
        s = x.strip()
        m = _DMY_RE.match(s) if kind == "date" else None
        try:
            if m is not None:
                ts = pd.Timestamp(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            elif (kind == "date" and _DATE_RE.match(s)) or (
                kind == "datetime" and _DATETIME_RE.match(s)
            ):
                ts = pd.Timestamp(s)
            else:
                raise ValueError(s)
        except (ValueError, OverflowError):
            raise loc.error(
                i, f"value {_show(x)} is not a {what}", f"tabular.not-a-{what}", hint
            ) from None
    else:
        raise loc.error(
            i, f"a {type(x).__name__} cell is not a {what}", f"tabular.not-a-{what}", hint
        )
    if kind == "date" and (ts.tzinfo is not None or ts != ts.normalize()):
        raise loc.error(
            i,
            f"value {_show(x)} has a time of day but the variable is a date",
            "tabular.not-a-date",
            "Declare the variable as datetime in the codebook, or remove the time.",
        )
    return ts


_INT_LINES = re.compile(r"(?:[+-]?\d{1,18}\n)*[+-]?\d{1,18}")
_NUM_LINES = re.compile(
    r"(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\n)*"
    r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
)


def _fast_numeric(filled: np.ndarray, want_int: bool) -> np.ndarray | None:
    """Numbers from plain number strings with one regex pass; ``None`` to fall back to the
    cell-by-cell path (which also finds and names the first bad cell)."""
    if len(filled) == 0:
        return np.empty(0, dtype=np.int64 if want_int else float)
    joined = "\n".join(filled)
    if joined.count("\n") != len(filled) - 1:
        return None  # a cell holds a newline
    rx = _INT_LINES if want_int else _NUM_LINES
    if rx.fullmatch(joined) is None:
        return None
    return filled.astype(np.int64 if want_int else float)


def convert_column(
    col: pd.Series,
    kind: Kind,
    *,
    file: str | None = None,
    sheet: str | None = None,
    line_of: Callable[[int], int | None] | None = None,
    decimal: str = ".",
    notes: list[str] | None = None,
) -> pd.Series:
    """Convert one column to ``kind``'s in-memory dtype, or raise naming the first bad cell.

    Empty cells (``''``, ``None``, ``NaN``) are system-missing. Rows are never dropped.
    Date-times with different UTC offsets are converted to UTC (the instants are kept) and a
    sentence saying so is appended to ``notes``.

    Examples
    --------
    >>> convert_column(pd.Series(["1", "", "30"], name="age"), "integer").tolist()
    [1, <NA>, 30]
    >>> try:
    ...     convert_column(pd.Series(["1.5", "x"], name="w"), "decimal", file="s.csv")
    ... except ReadError as err:
    ...     print(err.where, err.rule)
    s.csv, row 2, variable w tabular.not-a-number
    """
    loc = _Loc(file, sheet, str(col.name), line_of)
    typed = _typed_fast_path(col, kind)
    if typed is not None:
        return typed
    values = col.tolist()
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    all_text = all(type(x) is str for x in values)  # CSV cells: the common, fast case
    if all_text:
        empty = np.asarray(arr == "", dtype=bool)
    else:
        empty = np.fromiter((_empty(x) for x in values), dtype=bool, count=len(values))
    index = col.index
    if kind == "auto":
        kind = _auto_kind(values, empty)
    if kind == "text":
        if all_text:
            text = arr.copy()
            text[empty] = None
            return pd.Series(text, index=index, name=col.name, dtype="str")
        out = [None if e else _to_text(x) for x, e in zip(values, empty, strict=True)]
        return pd.Series(out, index=index, name=col.name, dtype="str")
    if kind in ("integer", "decimal"):
        want_int = kind == "integer"
        fast_arr = _fast_numeric(arr[~empty], want_int) if all_text and decimal == "." else None
        if fast_arr is not None:
            fast = pd.Series(fast_arr)
        else:
            fast = pd.Series(
                [
                    _to_number(x, i, loc, decimal, want_int)
                    for i, (x, e) in enumerate(zip(values, empty, strict=True))
                    if not e
                ],
                dtype=object,
            )
        if want_int:
            out_int = pd.Series(pd.NA, index=index, name=col.name, dtype="Int64")
            if len(fast):
                if fast_arr is None:
                    _check_int64(fast, empty, loc)
                out_int[~empty] = fast.astype("int64").to_numpy()
            return out_int
        out_f = np.full(len(values), np.nan)
        out_f[~empty] = fast.astype(float).to_numpy()
        return pd.Series(out_f, index=index, name=col.name, dtype=float)
    if kind == "boolean":
        out_b: list[Any] = []
        for i, (x, e) in enumerate(zip(values, empty, strict=True)):
            if e:
                out_b.append(pd.NA)
            elif isinstance(x, bool | np.bool_):
                out_b.append(bool(x))
            elif isinstance(x, str) and x.strip().lower() in ("true", "false"):
                out_b.append(x.strip().lower() == "true")
            else:
                raise loc.error(
                    i,
                    f"value {_show(x)} is not true or false",
                    "tabular.not-a-boolean",
                    "Write booleans as true or false.",
                )
        return pd.Series(out_b, index=index, name=col.name, dtype="boolean")
    stamps = [
        pd.NaT if e else _to_timestamp(x, i, loc, kind)
        for i, (x, e) in enumerate(zip(values, empty, strict=True))
    ]
    return _stamps_series(stamps, index, col.name, loc, notes)


def _check_int64(numbers: pd.Series, empty: np.ndarray, loc: _Loc) -> None:
    for i, v in zip(np.flatnonzero(~empty), numbers, strict=True):
        if abs(int(v)) > _INT64_MAX:
            raise loc.error(
                int(i),
                "the number is too large for a 64-bit integer",
                "tabular.integer-too-large",
                "Declare the variable as text (identifiers) or decimal.",
            )


def _typed_fast_path(col: pd.Series, kind: Kind) -> pd.Series | None:
    """Columns that already have the right dtype (Parquet, in-memory) convert without a loop."""
    dt = col.dtype
    if pd.api.types.is_bool_dtype(dt):
        return None
    if kind in ("integer", "auto") and pd.api.types.is_integer_dtype(dt):
        return col.astype("Int64")
    if kind == "decimal" and (pd.api.types.is_float_dtype(dt) or pd.api.types.is_integer_dtype(dt)):
        out = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(out).any():
            return None
        return pd.Series(out, index=col.index, name=col.name, dtype=float)
    if kind == "auto" and pd.api.types.is_float_dtype(dt):
        out = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(out, index=col.index, name=col.name, dtype=float)
    if kind == "datetime" and pd.api.types.is_datetime64_any_dtype(dt):
        return col
    if kind == "text" and pd.api.types.is_string_dtype(dt) and not pd.api.types.is_object_dtype(dt):
        out_s = col.astype("str")
        return out_s.mask(out_s == "")
    return None


def _stamps_series(
    stamps: list[Any], index: pd.Index, name: Any, loc: _Loc, notes: list[str] | None
) -> pd.Series:
    zones = {str(t.tzinfo) for t in stamps if t is not pd.NaT and t.tzinfo is not None}
    naive = any(t is not pd.NaT and t.tzinfo is None for t in stamps)
    if zones and naive:
        first = next(i for i, t in enumerate(stamps) if t is not pd.NaT and t.tzinfo is None)
        raise loc.error(
            first,
            "date-times with and without a time zone are mixed",
            "tabular.mixed-time-zones",
            "Give every date-time its UTC offset, or none.",
        )
    if len(zones) > 1:
        stamps = [t if t is pd.NaT else t.tz_convert("UTC") for t in stamps]
        if notes is not None:
            notes.append(
                f"{loc.variable}: date-times had {len(zones)} different UTC offsets and were "
                "converted to UTC"
            )
    return pd.Series(pd.DatetimeIndex(stamps), index=index, name=name)


def _auto_kind(values: list[Any], empty: np.ndarray) -> Kind:
    texts: list[str] = []
    for x, e in zip(values, empty, strict=True):
        if e:
            continue
        if isinstance(x, bool | np.bool_ | datetime | date):
            return "text"
        if isinstance(x, int | np.integer):
            texts.append(str(int(x)))
        elif isinstance(x, float | np.floating):
            texts.append(repr(float(x)))
        else:
            texts.append(str(x))
    return infer_kind(texts)


def format_cell(
    x: object, *, kind: Kind, file: str, sheet: str | None, row: int, variable: str
) -> str:
    """A value as CSV text: the inverse of :func:`convert_column` (empty for missing).

    Floats keep a decimal point (``2.0``) so that a calculated column reads back as decimals.
    """
    if _empty(x):
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, bool | np.bool_):
        if kind in ("integer", "decimal"):
            return "1" if x else "0"
        return "true" if x else "false"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        v = float(x)
        if not math.isfinite(v):
            raise WriteError(
                f"value {v} cannot be written as text",
                where=Where(file=file, sheet=sheet, row=row, variable=variable),
                rule="tabular.non-finite",
                hint="Replace infinite values by a missing code before writing.",
            )
        if kind == "integer" and v == int(v):
            return str(int(v))
        return repr(v)
    if isinstance(x, datetime | pd.Timestamp | date | time):
        return _to_text(x)
    raise WriteError(
        f"a {type(x).__name__} value cannot be written to a table",
        where=Where(file=file, sheet=sheet, row=row, variable=variable),
        rule="tabular.unsupported-value",
        hint="Store numbers, text or dates in data columns.",
    )


def format_column(col: pd.Series, kind: Kind, *, file: str, sheet: str | None) -> list[str]:
    """A whole column as CSV text (see :func:`format_cell`), with fast paths by dtype."""
    name = str(col.name)
    dt = col.dtype
    if pd.api.types.is_integer_dtype(dt) and not pd.api.types.is_bool_dtype(dt):
        mask = col.isna().to_numpy(dtype=bool)
        return ["" if m else str(v) for v, m in zip(col.tolist(), mask, strict=True)]
    if pd.api.types.is_float_dtype(dt):
        values = col.to_numpy(dtype=float, na_value=np.nan)
        infinite = np.flatnonzero(np.isinf(values))
        if len(infinite):
            format_cell(
                float(values[infinite[0]]),
                kind=kind,
                file=file,
                sheet=sheet,
                row=int(infinite[0]) + 1,
                variable=name,
            )
        if kind == "integer":
            return [
                "" if math.isnan(v) else (str(int(v)) if v == int(v) else repr(v))
                for v in values.tolist()
            ]
        return ["" if math.isnan(v) else repr(v) for v in values.tolist()]
    if pd.api.types.is_string_dtype(dt) and not pd.api.types.is_object_dtype(dt):
        return [v if isinstance(v, str) else "" for v in col.tolist()]
    return [
        format_cell(x, kind=kind, file=file, sheet=sheet, row=i + 1, variable=name)
        for i, x in enumerate(col.tolist())
    ]
