"""Excel (XLSX) reports through openpyxl: a contents sheet, one sheet per table, provenance.

Every number stays a number with a number format (counts ``#,##0``, percentages ``0.0``,
estimates ``0.00``), so users can compute with it; Excel shows separators in the reader's own
locale. Suppressed cells hold the text ``x``; unreliable estimates keep their value and show a
trailing "E" through the number format, and significance letters are shown the same way.
Each table sheet has the title, the column headings,
the rows, the base (unweighted n), the weighting and the notes.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from .layout import SUPPRESSED_MARK, number_elements, provenance_rows, table_notes, ui
from .model import Column, Report, Table
from .text import Msg, resolve

__all__ = ["number_format", "write_xlsx"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def number_format(column: Column, unreliable: bool = False, letters: str = "") -> str:
    """The Excel number format of a cell: the column's, plus significance letters and flag.

    >>> number_format(Column("p", "%", kind="percent")), number_format(Column("n", "n", kind="n"))
    ('0.0', '#,##0')
    >>> number_format(Column("p", "%", kind="percent"), True, "ab")
    '0.0" ab"" E"'
    """
    places = column.places
    fmt = "#,##0" if column.kind in ("count", "n") else ("0." + "0" * places if places else "0")
    if letters:
        fmt += f'" {letters}"'
    return fmt + '" E"' if unreliable else fmt


def _sheet_name(num: int, key: str, used: set[str]) -> str:
    base = _BAD.sub("_", f"T{num} {key}".strip())[:31]
    name, k = base, 2
    while name.lower() in used:
        name = f"{base[:28]}~{k}"
        k += 1
    used.add(name.lower())
    return name


def _table_sheet(
    wb: Any, name: str, t: Table, num: int, report: Report, lang: str, w: dict[str, str]
) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    ws = wb.create_sheet(name)
    thin, thick = Side(style="thin"), Side(style="medium")
    ws["A1"] = f"{w['table']} {num}"
    ws["A1"].font = Font(bold=True)
    ws["A2"] = resolve(t.title, lang)
    ws["A2"].font = Font(italic=True)
    row = 4
    if any(c.group for c in t.columns):
        for j, c in enumerate(t.columns, 2):
            if c.group is not None:
                ws.cell(row, j, resolve(c.group, lang)).alignment = Alignment(horizontal="center")
        row += 1
    ws.cell(row, 1, resolve(t.stub, lang))
    for j, c in enumerate(t.columns, 2):
        cell = ws.cell(row, j, resolve(c.label, lang))
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for j in range(1, len(t.columns) + 2):
        ws.cell(4, j).border = Border(top=thick)
        ws.cell(row, j).border = Border(bottom=thin, top=thick if row == 4 else None)
    ws.freeze_panes = ws.cell(row + 1, 2)
    for r in t.rows:
        row += 1
        label = ws.cell(row, 1, resolve(r.label, lang))
        label.alignment = Alignment(indent=r.indent)
        if r.kind == "block":
            label.font = Font(italic=True)
        for j, (cv, col) in enumerate(zip(r.cells, t.columns, strict=False), 2):
            v = cv.value
            if "suppressed" in cv.flags:
                cell = ws.cell(row, j, SUPPRESSED_MARK)
                cell.alignment = Alignment(horizontal="right")
            elif isinstance(v, tuple):
                cell = ws.cell(row, j, f"{v[0]:.{col.places}f} – {v[1]:.{col.places}f}")
                cell.alignment = Alignment(horizontal="right")
            elif isinstance(v, int | float) and v == v:
                cell = ws.cell(row, j, float(v))
                base = Column(col.key, col.label, kind="n") if r.kind == "base" else col
                cell.number_format = number_format(base, "unreliable" in cv.flags, cv.letters)
            elif v is not None:
                ws.cell(row, j, str(v))
    for j in range(1, len(t.columns) + 2):
        cell = ws.cell(row, j)
        cell.border = Border(bottom=thick)
    row += 2
    for k, text in enumerate(table_notes(t, report, lang)):
        ws.cell(row, 1, (w["note"] + " " + text) if k == 0 else text)
        row += 1
    ws.column_dimensions["A"].width = 42
    for j in range(2, len(t.columns) + 2):
        ws.column_dimensions[ws.cell(1, j).column_letter].width = 14


def write_xlsx(report: Report, path: str | Path, *, lang: str = "en") -> Path:
    """Write the report's tables as a workbook in ``lang`` and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    w = ui(lang)
    wb = Workbook()
    contents = wb.active
    contents.title = w["contents"][:31]
    contents["A1"] = resolve(report.title, lang)
    contents["A1"].font = Font(bold=True, size=13)
    header = [w["sheet"], w["table"], w["title"], w["base"], w["weighting"]]
    for j, h in enumerate(header, 1):
        contents.cell(3, j, h).font = Font(bold=True)
    used: set[str] = {contents.title.lower()}
    numbers = number_elements(report)
    for i, t in enumerate(report.tables(), 4):
        num = numbers.of(t)
        name = _sheet_name(num, t.key, used)
        _table_sheet(wb, name, t, num, report, lang, w)
        contents.cell(i, 1, name).hyperlink = f"#'{name}'!A1"
        contents.cell(i, 2, num)
        contents.cell(i, 3, resolve(t.title, lang))
        if t.base_n is not None:
            contents.cell(i, 4, t.base_n).number_format = "#,##0"
        weighting = t.weighting if t.weighting is not None else Msg("Unweighted.")
        contents.cell(i, 5, resolve(weighting, lang))
    contents.column_dimensions["A"].width = 24
    contents.column_dimensions["C"].width = 60
    contents.column_dimensions["E"].width = 40
    if report.provenance is not None:
        ws = wb.create_sheet(w["provenance"][:31])
        ws["A1"], ws["B1"] = w["item"], w["value"]
        ws["A1"].font = ws["B1"].font = Font(bold=True)
        for i, (k, v) in enumerate(provenance_rows(report.provenance, lang), 2):
            ws.cell(i, 1, k)
            ws.cell(i, 2, v)
        ws.column_dimensions["A"].width = 40
        ws.column_dimensions["B"].width = 90
    wb.properties.creator = "qonys"
    wb.properties.title = resolve(report.title, lang)
    wb.properties.language = lang
    wb.properties.created = wb.properties.modified = datetime(2000, 1, 1)
    p = Path(path)
    wb.save(str(p))
    return p
