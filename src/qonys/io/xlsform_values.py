"""Cell values of XLSForm-collected data (KoboToolbox, ODK) -> typed pandas columns.

One function, :func:`convert_column`, turns the raw cells of one export column (text from a CSV,
or the str/int/float/datetime/bool an .xlsx cell holds) into a column of the variable's type;
:func:`infer_type` guesses the type when no form is given.

Conventions
-----------
* An empty cell (or one holding only spaces) is system-missing: ``<NA>``/``NaN``/``NaT``.
  Any other text is kept verbatim, leading and trailing spaces included.
* ``integer``, ``binary`` and ``select_one`` of a list whose codes are all integers become
  nullable ``Int64`` (``7.0`` from a spreadsheet is ``7``; ``7.5`` is an error); ``binary`` must
  be 0 or 1. ``decimal`` becomes ``float64``.
* ``date`` and ``datetime`` become ``datetime64``. ISO 8601 text is read as written; when any
  value of a column carries a UTC offset (``2017-12-28T10:01:27.000-05:00``) the whole column is
  converted to UTC (naive values of that column are taken as UTC), otherwise it stays naive
  (KoboToolbox's ``_submission_time`` is UTC without an offset). ODK Briefcase's locale format
  (``Apr 26, 2018 8:56:00 AM``) is read too.
* Everything else (text, select_multiple, time, geopoint, calculate, other) stays text, exactly as
  exported, in pandas' ``str`` dtype; numbers that a spreadsheet stored as numbers are written
  without a trailing ``.0``.
* A value that cannot be converted raises a :class:`~qonys._core.errors.DataError` naming the
  file, sheet, data row, variable and the single offending cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence

import pandas as pd

from .._core import DataError, Where
from .._core.codebook import VarType

__all__ = ["cell_text", "convert_column", "infer_type", "parse_date_text"]

_INT = re.compile(r"^[+-]?[0-9]+$")
_CANON_INT = re.compile(r"^-?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_LEADING_ZERO = re.compile(r"^[+-]?0[0-9]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_BRIEFCASE_FORMATS = ("%b %d, %Y %I:%M:%S %p", "%b %d, %Y")

WhereOf = Callable[[int], Where]


def cell_text(value: object) -> str | None:
    """Canonical text of a cell; ``None`` when empty or only spaces. Text is kept verbatim.

    Examples
    --------
    >>> cell_text(3.0), cell_text(" a "), cell_text("  "), cell_text(2.5)
    ('3', ' a ', None, '2.5')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


_INT64 = (-(2**63), 2**63 - 1)


def _int(value: object) -> int:
    """A whole number within int64 (``ValueError`` otherwise)."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        out = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        out = int(value)
    else:
        text = str(value).strip()
        if _INT.match(text):
            out = int(text)
        else:
            number = float(text)
            if not number.is_integer():
                raise ValueError
            out = int(number)
    if not _INT64[0] <= out <= _INT64[1]:
        raise ValueError
    return out


def _float(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).strip())


def parse_date_text(text: str) -> tuple[dt.datetime, bool]:
    """Parse ISO 8601 or ODK Briefcase date/datetime text; return (value, has_offset).

    Examples
    --------
    >>> parse_date_text("Apr 26, 2018 8:58:20 AM")
    (datetime.datetime(2018, 4, 26, 8, 58, 20), False)
    >>> parse_date_text("2017-12-28T10:01:27.000-05:00")[1]
    True
    """
    text = text.strip()
    if _ISO_DATE.match(text) or _ISO_DATETIME.match(text):
        iso = text[:-1] + "+00:00" if text.endswith("Z") else text
        value = dt.datetime.fromisoformat(iso)
        return value, value.tzinfo is not None
    for fmt in _BRIEFCASE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt), False
        except ValueError:
            continue
    raise ValueError(text)


def _datetimes(cells: Sequence[object], where: WhereOf, rule: str, what: str) -> pd.Series:
    values: list[dt.datetime | None] = []
    aware = False
    for i, cell in enumerate(cells):
        if isinstance(cell, dt.datetime):
            values.append(cell)
            aware = aware or cell.tzinfo is not None
            continue
        if isinstance(cell, dt.date):
            values.append(dt.datetime(cell.year, cell.month, cell.day))
            continue
        text = cell_text(cell)
        if text is None:
            values.append(None)
            continue
        try:
            value, has_offset = parse_date_text(text)
        except ValueError:
            raise _bad(text, what, where(i), rule) from None
        values.append(value)
        aware = aware or has_offset
    if aware:
        fixed = [
            None if v is None else (v if v.tzinfo else v.replace(tzinfo=dt.UTC)) for v in values
        ]
        return pd.Series(pd.to_datetime(pd.Series(fixed, dtype=object), utc=True))
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)))


def _bad(text: str, what: str, where: Where, rule: str) -> DataError:
    return DataError(
        f"value {text!r} is not {what}",
        where=where,
        rule=rule,
        hint="Correct the cell, or give the form whose question types match the export.",
    )


_WHAT = {
    "integer": "a whole number",
    "binary": "0 or 1",
    "decimal": "a number",
    "date": "a date",
    "datetime": "a date and time",
    "select_one": "a whole-number choice code",
}


def convert_column(
    cells: Sequence[object],
    vtype: VarType,
    *,
    int_codes: bool,
    where: WhereOf,
    rule: str,
) -> pd.Series:
    """Convert the raw cells of one column to the type ``vtype`` (see the module docstring).

    Parameters
    ----------
    cells : sequence
        Raw cells, one per data row.
    vtype : VarType
        Target analysis type.
    int_codes : bool
        For ``select_one``: whether the choice list's codes are integers.
    where : callable
        Data row index (0-based) -> :class:`Where` of that cell, for errors.
    rule : str
        Rule id of conversion errors (``kobo.value``, ``odk.value``).

    Examples
    --------
    >>> convert_column(["1", "", 2.0], "integer", int_codes=False, where=lambda i: Where(),
    ...                rule="x").tolist()
    [1, <NA>, 2]
    """
    if vtype in ("integer", "binary") or (vtype == "select_one" and int_codes):
        ints: list[int | None] = []
        for i, cell in enumerate(cells):
            text = cell_text(cell)
            if text is None:
                ints.append(None)
                continue
            try:
                value = _int(cell)
            except (ValueError, OverflowError):
                raise _bad(text, _WHAT[vtype], where(i), rule) from None
            if vtype == "binary" and value not in (0, 1):
                raise _bad(text, _WHAT[vtype], where(i), rule)
            ints.append(value)
        return pd.Series(ints, dtype="Int64")
    if vtype == "decimal":
        floats: list[float] = []
        for i, cell in enumerate(cells):
            text = cell_text(cell)
            if text is None:
                floats.append(math.nan)
                continue
            try:
                floats.append(_float(cell))
            except ValueError:
                raise _bad(text, _WHAT[vtype], where(i), rule) from None
        return pd.Series(floats, dtype="float64")
    if vtype in ("date", "datetime"):
        return _datetimes(cells, where, rule, _WHAT[vtype])
    return pd.Series([cell_text(c) for c in cells], dtype="str")


def _fits_int(cell: object, text: str) -> bool:
    if not (isinstance(cell, int | float) or _CANON_INT.match(text)):
        return False
    try:
        _int(cell)
    except (ValueError, OverflowError):
        return False
    return True


def _is_datetime_text(text: str) -> bool:
    try:
        parse_date_text(text)
    except ValueError:
        return False
    return True


def infer_type(cells: Sequence[object]) -> VarType:
    """Guess a column's type from its values (used when no form is given).

    Empty -> ``text``; any number written with a leading zero (barcodes such as ``09929760``,
    phone numbers) -> ``text``; all whole numbers -> ``integer``; all numbers -> ``decimal``;
    all dates at midnight or ISO dates -> ``date``; all date-times -> ``datetime``; anything
    else -> ``text``.

    Examples
    --------
    >>> infer_type(["1", "2", None]), infer_type(["09929760", "1"]), infer_type(["2.5", 3])
    ('integer', 'text', 'decimal')
    >>> infer_type(["2024-03-05"]), infer_type(["Apr 26, 2018 8:56:00 AM"])
    ('date', 'datetime')
    """
    values = [c for c in cells if cell_text(c) is not None]
    if not values or any(isinstance(c, bool) for c in values):
        return "text"
    pairs = [(c, (cell_text(c) or "").strip()) for c in values]
    if any(isinstance(c, str) and _LEADING_ZERO.match(t) for c, t in pairs):
        return "text"
    if all(_fits_int(c, t) for c, t in pairs):
        return "integer"
    if all(
        isinstance(c, int | float) or (isinstance(c, str) and _FLOAT.match(t) is not None)
        for c, t in pairs
    ):
        return "decimal"
    if all(
        isinstance(c, dt.date) or (isinstance(c, str) and _is_datetime_text(t)) for c, t in pairs
    ):
        midnight = all(
            (isinstance(c, dt.datetime) and c.time() == dt.time(0))
            or (isinstance(c, dt.date) and not isinstance(c, dt.datetime))
            or (isinstance(c, str) and (_ISO_DATE.match(t) or t.count(":") == 0))
            for c, t in pairs
        )
        return "date" if midnight else "datetime"
    return "text"
