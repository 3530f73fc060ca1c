"""Cell values of .xlsx sheets, fast: calamine parses, the values are openpyxl's.

The XLSX readers (:mod:`qonys.io.kobo`, :mod:`qonys.io._tabular_xlsx`) define a cell's value as
what openpyxl's read-only mode returns (``iter_rows(values_only=True)``, ``data_only=True``): an
``int`` for a number written without ``.``/``e`` and a ``float`` otherwise, a ``datetime``,
``time`` or ``timedelta`` for a number in a date style (openpyxl's date rules and epoch), text
exactly as stored (spaces and leading zeros kept, ``_x000D_`` left as written), ``True``/``False``,
``None`` for an empty cell. openpyxl builds that one cell at a time in Python, which takes about
20 s for a 3,000 x 400 export; python-calamine parses the sheet in Rust in a fraction of that.

:func:`sheet_values` takes calamine's grid and makes it openpyxl's: whole floats become ``int``
unless the cell's text had ``.``/``e`` (found in the sheet XML), empty strings become ``None``,
cells in a date style are converted by openpyxl's own ``from_excel``. Whatever the two libraries
could read differently sends the sheet back to openpyxl (the return value is ``None``): error
and ISO-date cells, ``_xHHHH_`` escapes, phonetic runs, carriage returns, empty strings,
leading or trailing spaces not marked ``xml:space="preserve"``, spaces around a number, numbers
beyond 2**53, a missing or too small ``<dimension>``, rows or cells without a reference,
namespace prefixes, a cell whose type calamine and openpyxl see differently. Correctness never
depends on the fast path: it is a shortcut to the same values, checked on every real export in
the tests (``tests/io/test_xlsx_cells.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

__all__ = ["open_fast", "rows_of", "shared_strings_ok", "sheet_values", "xlsx_rows"]

_TEXT_HAZARDS = re.compile(rb"_x[0-9A-Fa-f]{4}_|<rPh|<!\[CDATA\[")
_SPACED_V = re.compile(rb"<v>\s|\s</v>")
_STYLE_ODD = re.compile(rb'[\t\r\n]s="| s="0[0-9]')
_EDGE_SPACE_T = re.compile(rb"<t(\s[^>]*)?>(?:\s[^<]*|[^<]*\s)</t>")
_EMPTY_T = re.compile(rb"<t(?:\s[^>]*)?(?:/>|></t>)|<is\s*/>|<is></is>")
_ROW = re.compile(rb'<row r="([0-9]+)"')
_ROW_TAG = re.compile(rb"<row[\s>/]")
_FLOAT_V = re.compile(rb"<v>\s*[-+0-9]*[.eE]")
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*?)(/?)>')
_TYPE = re.compile(rb'\bt="([^"]*)"')
_STYLE = re.compile(rb'\bs="([^"]*)"')
_LIMIT = 2.0**53
_DATES = (dt.datetime, dt.date, dt.time, dt.timedelta)
_DATE_KINDS = set(_DATES)
_STR = {str}
_KNOWN = {str, float, bool, *_DATES}


class _UnsureError(Exception):
    """The fast path cannot vouch for a value: read the sheet with openpyxl."""


def _has_cr(xml: bytes) -> bool:
    """A carriage return past the XML declaration's line end (expat turns CR LF into LF)."""
    start = xml.find(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    if xml.startswith(b"\r\n", start):
        start += 2
    return xml.find(b"\r", start) >= 0


def _text_ok(xml: bytes) -> bool:
    """Text that calamine and openpyxl read alike (no escapes, no trimmed or empty strings)."""
    if _TEXT_HAZARDS.search(xml) or _EMPTY_T.search(xml) or _has_cr(xml):
        return False
    return all(b'xml:space="preserve"' in (m.group(1) or b"") for m in _EDGE_SPACE_T.finditer(xml))


def shared_strings_ok(wb: Any) -> bool:
    """Whether the workbook's shared strings read the same in calamine as in openpyxl."""
    archive = getattr(wb, "_archive", None)
    sheets = getattr(wb, "worksheets", None) or [None]
    strings = getattr(sheets[0], "_shared_strings", None)
    if archive is None or strings is None:
        return False
    if not strings:
        return True
    if "" in strings:
        return False
    names = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
    if len(names) != 1:
        return False
    return _text_ok(archive.read(names[0]))


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _cell_at(xml: bytes, start: int) -> tuple[int, int, bytes | None, bytes | None, bytes | None]:
    """Row, column, ``t``, ``s`` and ``<v>`` text of the cell whose tag starts at ``start``."""
    m = _CELL.match(xml, start)
    if m is None:
        raise _UnsureError
    attrs = m.group(3)
    t = _TYPE.search(attrs)
    s = _STYLE.search(attrs)
    text = None
    if not m.group(4):
        end = xml.find(b"</c>", m.end())
        v = xml.find(b"<v>", m.end(), end)
        if v >= 0:
            text = xml[v + 3 : xml.find(b"</v>", v, end)]
    return (
        int(m.group(2)),
        _col(m.group(1)),
        t.group(1) if t else None,
        s.group(1) if s else None,
        text,
    )


def _numbers(xml: bytes, date_styles: set[int]) -> dict[tuple[int, int], bytes]:
    """Number cells written with ``.``/``e`` and not in a date style: (row, col) -> text."""
    out: dict[tuple[int, int], bytes] = {}
    for m in _FLOAT_V.finditer(xml):
        start = xml.rfind(b"<c ", 0, m.start())
        row, col, t, s, text = _cell_at(xml, start)
        if t not in (None, b"n") or text is None:
            continue
        if s is not None and int(s) in date_styles:
            continue
        out[row, col] = text
    return out


def _dated(xml: bytes, wb: Any) -> dict[tuple[int, int], object]:
    """Values of number cells in a date style, converted as openpyxl converts them."""
    from openpyxl.utils.datetime import from_excel

    out: dict[tuple[int, int], object] = {}
    for style in wb._date_formats:
        needle = b' s="%d"' % style
        at = xml.find(needle)
        while at >= 0:
            start = xml.rfind(b"<", 0, at)
            at = xml.find(needle, at + 1)
            if not xml.startswith(b"<c ", start):
                continue  # a row's style
            row, col, t, _, text = _cell_at(xml, start)
            if t not in (None, b"n") or not text:
                continue
            number = text.decode("ascii")
            value = float(number) if any(c in number for c in ".eE") else int(number)
            try:
                out[row, col] = from_excel(
                    value, wb.epoch, timedelta=style in wb._timedelta_formats
                )
            except (OverflowError, ValueError):
                raise _UnsureError from None  # openpyxl warns and reads '#VALUE!'
    return out


def _layout_ok(xml: bytes, ws: Any, dates: bool) -> list[int] | None:
    """Row numbers of the sheet's ``<row>`` elements, if the fast path can vouch for the sheet.

    Each check costs a scan of the sheet XML, so only what could make the two readers differ
    without the counts in :func:`_convert` noticing is checked, and text checks only when the
    sheet holds text of its own (inline strings, formula results).
    """
    if b"<sheetData" not in xml or ws.max_row is None or ws.max_column is None:
        return None
    # cells placed by position rather than by reference; error cells (calamine: empty)
    if xml.count(b"<c ") + xml.count(b"<c>") != xml.count(b'<c r="') or b't="e"' in xml:
        return None
    if dates and _STYLE_ODD.search(xml):
        return None  # a style reference the date-cell search below would not see
    rows = [int(r) for r in _ROW.findall(xml)]
    if len(rows) != len(_ROW_TAG.findall(xml)) or any(b <= a for a, b in itertools.pairwise(rows)):
        return None
    if rows and rows[-1] > ws.max_row:
        return None  # openpyxl stops at the declared dimension
    inline = b"<is>" in xml or b"<is " in xml
    formula_text = b't="str"' in xml
    if (inline or formula_text) and (_TEXT_HAZARDS.search(xml) or _has_cr(xml)):
        return None
    if inline and not _text_ok(xml):
        return None
    if formula_text and _SPACED_V.search(xml):
        return None  # openpyxl keeps the spaces of a formula's text result
    return rows


def sheet_values(wb: Any, ws: Any, book: Any) -> list[list[object]] | None:
    """Rows of ``ws`` as openpyxl's ``iter_rows(values_only=True)`` gives them, or ``None``.

    Parameters
    ----------
    wb : openpyxl Workbook
        Opened with ``read_only=True, data_only=True``; its shared strings must have passed
        :func:`shared_strings_ok`.
    ws : openpyxl ReadOnlyWorksheet
        The sheet.
    book : python_calamine.CalamineWorkbook
        The same workbook opened by calamine.

    Returns
    -------
    list of list, or None
        One list per row up to the last ``<row>`` element (rows may be wider than openpyxl's:
        the extra cells are ``None``); ``None`` when the sheet must be read by openpyxl.
    """
    try:
        xml = wb._archive.read(ws._worksheet_path)
        row_numbers = _layout_ok(xml, ws, bool(wb._date_formats))
        if row_numbers is None:
            return None
        sheet = book.get_sheet_by_name(ws.title)
        grid = sheet.to_python(skip_empty_area=False)
        n_rows = row_numbers[-1] if row_numbers else 0
        if len(grid) > n_rows or (grid and len(grid[0]) > ws.max_column):
            return None
        numbers = _numbers(xml, wb._date_formats)
        dated = _dated(xml, wb) if wb._date_formats else {}
        return _convert(grid, n_rows, numbers, dated)
    except _UnsureError:
        return None
    except Exception:  # calamine refuses what openpyxl may still read (or fail on itself)
        return None


def _convert(
    grid: list[list[Any]],
    n_rows: int,
    numbers: dict[tuple[int, int], bytes],
    dated: dict[tuple[int, int], object],
) -> list[list[object]]:
    fractions = 0  # floats calamine gave that only a '.'/'e' text or a date style explains
    dates = 0
    for i, row in enumerate(grid):
        kinds = set(map(type, row))
        if kinds == _STR:
            if "" in row:
                grid[i] = [v or None for v in row]
            continue
        if kinds - _KNOWN:
            raise _UnsureError
        grid[i] = row = [
            (v or None)
            if v.__class__ is str
            else (int(v) if v.__class__ is float and v.is_integer() and -_LIMIT < v < _LIMIT else v)
            for v in row
        ]
        if float in kinds:
            fractions += sum(1 for v in row if v.__class__ is float)
        if kinds & _DATE_KINDS:
            dates += sum(1 for v in row if isinstance(v, _DATES))
    width = len(grid[0]) if grid else 0
    for (r, c), text in numbers.items():
        if r > len(grid) or c > width:
            raise _UnsureError
        old = grid[r - 1][c - 1]
        if old.__class__ is float:
            fractions -= 1
        elif old.__class__ is not int:
            raise _UnsureError
        grid[r - 1][c - 1] = float(text)
    for (r, c), value in dated.items():
        if r > len(grid) or c > width:
            raise _UnsureError
        old = grid[r - 1][c - 1]
        if isinstance(old, _DATES):
            dates -= 1
        elif old.__class__ is float:
            fractions -= 1
        elif old.__class__ is not int:
            raise _UnsureError
        grid[r - 1][c - 1] = value
    if fractions or dates:
        raise _UnsureError
    grid.extend([None] * width for _ in range(n_rows - len(grid)))
    return grid


def open_fast(wb: Any, data: bytes) -> Any:
    """The workbook opened by calamine, or ``None`` when the fast path cannot be used."""
    if not shared_strings_ok(wb):
        return None
    try:
        from python_calamine import CalamineWorkbook

        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # not installed, or a workbook calamine cannot open
        return None


def rows_of(wb: Any, ws: Any, book: Any) -> Iterable[Sequence[object]]:
    """The rows of ``ws``: calamine's made openpyxl's, else openpyxl's own."""
    values = sheet_values(wb, ws, book) if book is not None else None
    return values if values is not None else ws.iter_rows(values_only=True)


def xlsx_rows(
    wb: Any, data: bytes, *, fast: bool = True
) -> Iterator[tuple[Any, Iterable[Sequence[object]]]]:
    """Each worksheet of ``wb`` with its rows (see :func:`rows_of`).

    Parameters
    ----------
    wb : openpyxl Workbook
        Opened with ``read_only=True, data_only=True`` from ``data``.
    data : bytes
        The workbook file.
    fast : bool
        ``False`` reads every sheet with openpyxl (the reference the fast path must match).
    """
    book = open_fast(wb, data) if fast else None
    try:
        for ws in wb.worksheets:
            yield ws, rows_of(wb, ws, book)
    finally:
        if book is not None:
            book.close()
