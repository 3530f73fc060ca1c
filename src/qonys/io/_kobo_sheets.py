"""SpreadsheetML for the Kobo XLSX writer: a workbook written directly, fast and deterministic.

One ``sheetN.xml`` per sheet with shared strings (one ``sharedStrings.xml``), empty cells left
out, minimal styles; every zip entry dated 1980-01-01 so that the same tables always give the
same bytes. Text cells hold shared-string indices; cells flagged numeric hold the number text.

Examples
--------
>>> import pathlib, tempfile, openpyxl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> write_workbook(path, [Sheet("data", ["a", "n"], [["x", None], ["1", "2"]], [False, True], 2)])
>>> list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
[('a', 'n'), ('x', 1), (None, 2)]
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["Sheet", "write_workbook"]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One sheet: name, headers, cell texts column by column (``None`` = empty), which
    columns hold numbers, and the number of data rows."""

    name: str
    headers: list[str]
    columns: list[list[str | None]]
    numeric: list[bool]
    n_rows: int


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml(text: str) -> str:
    return escape(_XML_BAD.sub("", text))


def _sheet_xml(sheet: Sheet, strings: dict[str, int]) -> str:
    headers, columns, numeric, n_rows = sheet.headers, sheet.columns, sheet.numeric, sheet.n_rows

    def sst(text: str) -> int:
        idx = strings.get(text)
        if idx is None:
            idx = strings[text] = len(strings)
        return idx

    letters = [_column_letter(i) for i in range(len(headers))]
    rows = [str(i + 2) for i in range(n_rows)]
    frags: list[list[str]] = []
    for j, col in enumerate(columns):
        letter = letters[j]
        if numeric[j]:
            frags.append(
                [
                    "" if t is None else f'<c r="{letter}{r}"><v>{t}</v></c>'
                    for t, r in zip(col, rows, strict=True)
                ]
            )
            continue
        ids = {t: sst(t) for t in dict.fromkeys(col) if t is not None}
        frags.append(
            [
                "" if t is None else f'<c r="{letter}{r}" t="s"><v>{ids[t]}</v></c>'
                for t, r in zip(col, rows, strict=True)
            ]
        )
    head = "".join(f'<c r="{letters[j]}1" t="s"><v>{sst(h)}</v></c>' for j, h in enumerate(headers))
    body = (
        "".join(
            f'<row r="{r}">{"".join(cells)}</row>'
            for r, cells in zip(rows, zip(*frags, strict=True), strict=True)
        )
        if frags
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<dimension ref="A1:{letters[-1] if letters else "A"}{n_rows + 1}"/><sheetData>'
        f'<row r="1">{head}</row>{body}</sheetData></worksheet>'
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    """Write ``sheets`` as an .xlsx workbook at ``path``."""
    strings: dict[str, int] = {}
    xml = [_sheet_xml(s, strings) for s in sheets]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(xml))
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{_xml(s.name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, s in enumerate(sheets)
        )
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(xml))
        )
        + f'<Relationship Id="rId{len(xml) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        + f'<Relationship Id="rId{len(xml) + 2}" Type="{_REL}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    n_refs = sum(s.count(' t="s"') for s in xml)
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{n_refs}" uniqueCount="{len(strings)}">'
        + "".join(
            f'<si><t xml:space="preserve">{_xml(s)}</t></si>'
            if s != s.strip()
            else f"<si><t>{_xml(s)}</t></si>"
            for s in strings
        )
        + "</sst>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides)),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", shared),
        *((f"xl/worksheets/sheet{i + 1}.xml", s) for i, s in enumerate(xml)),
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"), compresslevel=1)
