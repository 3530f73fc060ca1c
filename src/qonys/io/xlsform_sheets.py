"""Loading an XLSForm workbook: its sheets as numbered rows, header aliases, question types.

This is the first step of every XLSForm operation in :mod:`qonys.io` (reading a codebook,
linting). The workbook is read with pyxform's own sheet readers, so qonys sees exactly the cells
pyxform sees (text stripped, numbers written without ``.0``, whitespace in headers collapsed,
empty rows inside a sheet kept so that row numbers match the spreadsheet, reading stopped after a
long run of empty rows). Row numbers (``Where.row``) are the spreadsheet's, as Excel and pyxform
count them: the header is row 1, the first question row 2.

:func:`check_with_pyxform` then runs ``pyxform.xls2xform.convert(..., validate=False)`` (no Java
needed) on the same cells and turns a pyxform error into a :class:`CodebookError` with rule
``xlsform.pyxform`` and the row pyxform names.

Rules raised here
-----------------
``xlsform.empty``
    the file has no bytes;
``xlsform.not-a-workbook``
    the file is neither an .xlsx (zip) nor a legacy .xls (OLE2) workbook;
``xlsform.unreadable``
    the workbook is damaged;
``xlsform.xls-needs-xlrd``
    a legacy .xls file while the optional ``xlrd`` package is not installed;
``xlsform.no-survey``
    no ``survey`` sheet;
``xlsform.pyxform``
    pyxform refused the form (message and row are pyxform's).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core import CodebookError, ReadError, Where, parse_language_header

__all__ = [
    "Sheet",
    "SheetRow",
    "XLSFormBook",
    "canonical_header",
    "check_with_pyxform",
    "load_xlsform",
]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Column aliases accepted by pyxform (left) and the canonical names qonys uses (right).
_SURVEY_ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "constraining_message": "constraint_message",
    "constraint message": "constraint_message",
    "calculate": "calculation",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "choice filter": "choice_filter",
    "required message": "required_message",
    "requiredmsg": "required_message",
    "read_only": "read_only",
}
_CHOICES_ALIASES = {"caption": "label", "value": "name", "list name": "list_name"}
_SETTINGS_ALIASES = {
    "set_form_title": "form_title",
    "set_form_id": "form_id",
    "id_string": "form_id",
}

_ROW_IN_MESSAGE = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET_IN_MESSAGE = re.compile(r"On the '(\w+)' sheet")


def canonical_header(header: str, sheet: str) -> str:
    """Header with pyxform's aliases resolved; a language suffix is kept as written.

    Examples
    --------
    >>> canonical_header("caption::English (en)", "survey")
    'label::English (en)'
    >>> canonical_header("id_string", "settings")
    'form_id'
    """
    aliases = {"survey": _SURVEY_ALIASES, "choices": _CHOICES_ALIASES}.get(sheet, _SETTINGS_ALIASES)
    base, _code, display = parse_language_header(header)
    base = aliases.get(base, aliases.get(base.lower(), base))
    return f"{base}::{display}" if display is not None else base


@dataclasses.dataclass(frozen=True, slots=True)
class SheetRow:
    """One non-empty row: its spreadsheet row number and its cells under canonical headers."""

    row: int
    cells: Mapping[str, str]

    def get(self, column: str) -> str | None:
        """The cell under ``column`` (``None`` when empty)."""
        return self.cells.get(column)


@dataclasses.dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet: its name, headers (canonical, in order) and non-empty rows."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    raw_headers: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class XLSFormBook:
    """The three XLSForm sheets of a workbook, plus pyxform's view of it for checking."""

    file: str
    survey: Sheet
    choices: Sheet | None
    settings: Sheet | None
    pyxform_dict: Mapping[str, Any]

    def setting(self, key: str) -> str | None:
        """A value of the first settings row (``None`` when absent)."""
        if self.settings is None or not self.settings.rows:
            return None
        return self.settings.rows[0].get(key)


def _read_error(path: Path, message: str, rule: str, hint: str) -> ReadError:
    return ReadError(message, where=Where(file=str(path)), rule=rule, hint=hint)


def _workbook_dict(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as err:
        raise _read_error(
            path,
            f"cannot open the file ({type(err).__name__})",
            "xlsform.unreadable",
            "Check the path and the file's permissions.",
        ) from None
    if not head:
        raise _read_error(
            path,
            "the file is empty",
            "xlsform.empty",
            "Save the XLSForm again from Excel or LibreOffice as .xlsx.",
        )
    from pyxform import xls2json_backends as backends

    if head.startswith(_ZIP_MAGIC):
        reader = backends.xlsx_to_dict
    elif head.startswith(_OLE_MAGIC):
        try:
            import xlrd  # noqa: F401
        except ImportError:
            raise _read_error(
                path,
                "a legacy .xls workbook needs the 'xlrd' package",
                "xlsform.xls-needs-xlrd",
                "Install xlrd (pip install xlrd) or save the form as .xlsx.",
            ) from None
        reader = backends.xls_to_dict
    else:
        raise _read_error(
            path,
            "this is not an Excel workbook (.xlsx or .xls)",
            "xlsform.not-a-workbook",
            "An XLSForm is a spreadsheet with 'survey', 'choices' and 'settings' sheets; "
            "save it as .xlsx.",
        )
    try:
        book: dict[str, Any] = reader(str(path))
    except Exception as err:  # pyxform wraps openpyxl/xlrd errors; any failure means unreadable
        raise _read_error(
            path,
            f"the workbook cannot be read ({type(err).__name__})",
            "xlsform.unreadable",
            "Open the file in Excel or LibreOffice and save it again as .xlsx.",
        ) from None
    return book


def _sheet(book: Mapping[str, Any], key: str, name: str) -> Sheet | None:
    if key not in book:
        return None
    header_rows = book.get(f"{key}_header") or [{}]
    raw_headers = tuple(str(h) for h in header_rows[0]) if header_rows else ()
    canon = {h: canonical_header(h, key) for h in raw_headers}
    rows = []
    for i, raw in enumerate(book.get(key) or []):
        cells = {canon.get(k, canonical_header(k, key)): str(v) for k, v in raw.items() if v}
        if cells:
            rows.append(SheetRow(row=i + 2, cells=cells))
    return Sheet(
        name=name,
        headers=tuple(canon[h] for h in raw_headers),
        rows=tuple(rows),
        raw_headers=raw_headers,
    )


def load_xlsform(path: str | Path) -> XLSFormBook:
    """Read the sheets of an XLSForm workbook (.xlsx, or .xls with xlrd).

    Raises
    ------
    ReadError
        The file is empty, not a workbook, damaged, or an .xls without xlrd.
    CodebookError
        The workbook has no ``survey`` sheet (rule ``xlsform.no-survey``).
    """
    p = Path(path)
    book = _workbook_dict(p)
    names = {str(n).lower(): str(n) for n in book.get("sheet_names") or []}
    survey = _sheet(book, "survey", names.get("survey", "survey"))
    if survey is None:
        raise CodebookError(
            "the workbook has no 'survey' sheet",
            where=Where(file=str(p)),
            rule="xlsform.no-survey",
            hint="An XLSForm needs sheets named 'survey', 'choices' and (optionally) 'settings'. "
            f"Sheets found: {', '.join(names.values()) or 'none'}.",
        )
    return XLSFormBook(
        file=str(p),
        survey=survey,
        choices=_sheet(book, "choices", names.get("choices", "choices")),
        settings=_sheet(book, "settings", names.get("settings", "settings")),
        pyxform_dict=book,
    )


def check_with_pyxform(book: XLSFormBook) -> list[str]:
    """Convert the form with pyxform (no ODK Validate); return pyxform's warnings.

    Raises
    ------
    CodebookError
        Rule ``xlsform.pyxform`` with pyxform's message, and the sheet and row it names.
    """
    from pyxform import xls2xform
    from pyxform.errors import PyXFormError

    warnings: list[str] = []
    data = copy.deepcopy(dict(book.pyxform_dict))
    try:
        xls2xform.convert(data, warnings=warnings, validate=False)
    except PyXFormError as err:
        message = str(err)
        context = getattr(err, "context", None) or {}
        row = context.get("row")
        m = _ROW_IN_MESSAGE.search(message)
        if row is None and m:
            row = int(m.group(1))
        sheet = context.get("sheet")
        ms = _SHEET_IN_MESSAGE.search(message)
        if sheet is None and ms:
            sheet = ms.group(1)
        if sheet is None and row is not None:
            sheet = "survey"
        raise CodebookError(
            _ROW_IN_MESSAGE.sub("", message).strip(),
            where=Where(file=book.file, sheet=sheet, row=int(row) if row is not None else None),
            rule="xlsform.pyxform",
            hint="pyxform (the XLSForm converter used by KoboToolbox and ODK) refused the form; "
            "fix the named row.",
        ) from None
    except Exception as err:  # pyxform failing on input it did not foresee
        raise CodebookError(
            f"pyxform could not convert the form ({type(err).__name__}: {err})",
            where=Where(file=book.file),
            rule="xlsform.pyxform",
            hint="Check the form in KoboToolbox or ODK's online converter.",
        ) from None
    return warnings
