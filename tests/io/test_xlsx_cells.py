"""The fast XLSX cell path (calamine) gives openpyxl's values, cell by cell and type by type.

The reference is openpyxl's read-only ``iter_rows(values_only=True)`` (``xlsx_rows(...,
fast=False)``), which the Kobo and generic XLSX readers used alone before. Every real KoboToolbox
XLSX of ../shared/data/realfiles/kobo (server exports, formpack exports and the forms beside
them) is compared whole; hand-written workbooks cover the edge cases one by one and whether
each is read fast or sent back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qonys.io import read
from qonys.io._xlsx_cells import xlsx_rows
from qonys.io.kobo import _sheet_rows
from sharedpaths import shared_path

_REAL = sorted(
    p.relative_to(shared_path("data", "realfiles", "kobo")).as_posix()
    for p in shared_path("data", "realfiles", "kobo").rglob("*.xlsx")
)


def _rows(raw: bytes, fast: bool) -> tuple[dict[str, list[list[object]]], dict[str, bool]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl: "no default style"
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        out, used = {}, {}
        for ws, values in xlsx_rows(wb, raw, fast=fast):
            used[ws.title] = isinstance(values, list)
            out[ws.title] = [list(r) for r in values]
        wb.close()
    return out, used


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing empty cells (openpyxl pads rows to the declared width)."""
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] is None:
            r.pop()
        out.append(r)
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def _assert_identical(raw: bytes) -> dict[str, bool]:
    ref, _ = _rows(raw, fast=False)
    got, used = _rows(raw, fast=True)
    assert list(got) == list(ref)
    for title in ref:
        a, b = _trimmed(ref[title]), _trimmed(got[title])
        assert len(a) == len(b), title
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert len(x) == len(y), (title, i + 1, x, y)
            assert all(map(_same, x, y)), (title, i + 1, x, y)
    return used


@pytest.mark.shared
@pytest.mark.parametrize("name", _REAL)
def test_real_kobo_workbooks_read_identically(name: str) -> None:
    raw = shared_path("data", "realfiles", "kobo", *name.split("/")).read_bytes()
    used = _assert_identical(raw)
    # every real file is plain SpreadsheetML: the fast path must not give up on any of them
    assert all(used.values()), used


@pytest.mark.shared
def test_real_kobo_reader_gives_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared_path(
        "data", "realfiles", "kobo", "kobo_server_exports", "demo_project", "DemoDownloaded.xlsx"
    )
    fast = read(path)
    import qonys.io.kobo as kobo

    real = kobo.xlsx_rows
    monkeypatch.setattr(kobo, "xlsx_rows", lambda wb, raw: real(wb, raw, fast=False))
    slow = read(path)
    assert fast.data.equals(slow.data)
    assert fast.data.dtypes.equals(slow.data.dtypes)
    assert fast.codebook == slow.codebook
    assert fast.rosters.keys() == slow.rosters.keys()
    for k in fast.rosters:
        assert fast.rosters[k].equals(slow.rosters[k])


# ---------------------------------------------------------------- hand-written workbooks
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (
    f'<styleSheet xmlns="{_NS}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="[h]:mm"/>'
    '</numFmts><fonts count="1"><font><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    '<xf numFmtId="20"/><xf numFmtId="165"/></cellXfs></styleSheet>'
)


def _workbook(sheet_data: str, strings: list[str], dimension: str | None = "A1:H9") -> bytes:
    """A one-sheet workbook: ``sheet_data`` is the XML inside ``<sheetData>``."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_R}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_NS}" xmlns:r="{_R}"><sheets>'
            '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_R}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_R}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_R}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": f'<sst xmlns="{_NS}">' + "".join(strings) + "</sst>",
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<worksheet xmlns="{_NS}">{dim}<sheetData>{sheet_data}</sheetData></worksheet>'
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


_STRINGS = [
    "<si><t>name</t></si>",
    '<si><t xml:space="preserve">  two spaces  </t></si>',
    "<si><t>007</t></si>",
    '<si><t xml:space="preserve">   </t></si>',
    "<si><r><t>ri</t></r><r><t>ch</t></r></si>",
    "<si><t>Қазақ тілі\nжәне орыс</t></si>",
]

_PLAIN = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>'
    '<c r="F1" t="s"><v>5</v></c></row>'
    # whole numbers, '.0' and exponent texts, a negative zero, a boolean, an empty cell
    '<row r="2"><c r="A2"><v>5</v></c><c r="B2"><v>5.0</v></c><c r="C2" t="n"><v>1E3</v></c>'
    '<c r="D2"><v>-0</v></c><c r="E2" t="b"><v>1</v></c><c r="G2"><v>2.5</v></c></row>'
    # a row with no cells in the middle, then dates, a time, a duration, a formula's results
    '<row r="4"><c r="A4" s="1"><v>45356</v></c><c r="B4" s="2"><v>45356.5</v></c>'
    '<c r="C4" s="3"><v>0.5</v></c><c r="D4" s="4"><v>1.25</v></c>'
    '<c r="E4" t="str"><f>A1</f><v>12</v></c><c r="F4"><f>1+1</f></c>'
    '<c r="G4" s="1"/><c r="H4"><v>-0.0</v></c></row>'
    '<row r="5"><c r="A5" t="inlineStr"><is><t xml:space="preserve"> in line </t></is></c>'
    '<c r="B5" t="inlineStr"></c><c r="C5" t="b"><v>0</v></c><c r="D5"><v>9007199254740991</v></c>'
    "</row>"
    # formatted empty rows at the end (Excel keeps them)
    '<row r="6"/><row r="7" ht="15" customHeight="1"></row>'
)


def test_edge_cases_fast_and_identical() -> None:
    raw = _workbook(_PLAIN, _STRINGS)
    assert _assert_identical(raw) == {"data": True}
    rows, _ = _rows(raw, fast=True)
    data = _trimmed(rows["data"])
    assert data[0] == ["name", "  two spaces  ", "007", "   ", "rich", "Қазақ тілі\nжәне орыс"]
    assert [type(v) for v in data[1]] == [int, float, float, int, bool, type(None), float]
    assert data[2] == []
    assert data[3] == [
        dt.datetime(2024, 3, 5),
        dt.datetime(2024, 3, 5, 12),
        dt.time(12),
        dt.timedelta(days=1, hours=6),
        "12",
        None,
        None,
        -0.0,
    ]
    assert data[4] == [" in line ", None, False, 9007199254740991]
    assert len(data) == 7


@pytest.mark.parametrize(
    ("sheet_data", "strings", "dimension"),
    [
        # a whole number beyond 2**53: calamine's float would round it
        ('<row r="1"><c r="A1"><v>123456789012345678</v></c></row>', [], "A1:A1"),
        # an error cell: calamine reads it as empty
        ('<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>', [], "A1:A1"),
        # spaces that calamine trims (no xml:space="preserve")
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["<si><t> a </t></si>"], "A1:A1"),
        # an empty shared string: openpyxl gives '' (not None)
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["<si><t/></si>"], "A1:A1"),
        # an escaped character, which openpyxl leaves as written
        ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["<si><t>a_x000D_b</t></si>"], "A1:A1"),
        # no <dimension>, and a dimension smaller than the data (openpyxl cuts the sheet there)
        ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>', [], None),
        (
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>',
            [],
            "A1:A1",
        ),
        # cells and rows without a reference
        ("<row><c><v>1</v></c><c><v>2</v></c></row>", [], "A1:B1"),
        # an ISO date cell
        ('<row r="1"><c r="A1" t="d"><v>2024-03-05T10:00:00</v></c></row>', [], "A1:A1"),
        # an empty inline string, and inline text with an escape
        ('<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c></row>', [], "A1:A1"),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000A_</t></is></c></row>', [], "A1:A1"),
    ],
)
def test_unusual_sheets_go_back_to_openpyxl(
    sheet_data: str, strings: list[str], dimension: str | None
) -> None:
    raw = _workbook(sheet_data, strings, dimension)
    assert _assert_identical(raw) == {"data": False}


def test_kobo_sheet_rows_from_fast_values() -> None:
    header = '<row r="1">' + "".join(
        f'<c r="{c}1" t="s"><v>{6 + j}</v></c>' for j, c in enumerate("ABCDEFGH")
    )
    # whitespace-only text, spaces kept, a leading zero as text in a data row
    spaced = '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="s"><v>1</v></c>'
    spaced += '<c r="C3" t="s"><v>2</v></c></row>'
    body = _PLAIN[_PLAIN.index('<row r="2">') :]
    body = body.replace('<row r="4">', spaced + '<row r="4">')
    strings = _STRINGS + [f"<si><t>q{j}</t></si>" for j in range(8)]
    raw = _workbook(header + "</row>" + body, strings)
    fast, used = _rows(raw, fast=True)
    slow, _ = _rows(raw, fast=False)
    assert used == {"data": True}
    a = _sheet_rows(fast["data"], "data", "t.xlsx")
    b = _sheet_rows(slow["data"], "data", "t.xlsx")
    assert [[type(v) for v in r] for r in a[1]] == [[type(v) for v in r] for r in b[1]]
    assert a == b
    assert a[1][1][:3] == ["   ", "  two spaces  ", "007"]


def test_synthetic_export_is_read_fast(tmp_path: Path) -> None:
    from qonys.simulate import simulate_study, write_study

    study = simulate_study(n=120, n_locals=80, seed=11, scale=0.02)
    write_study(study, tmp_path, formats=["kobo_xlsx"])
    used = _assert_identical((tmp_path / "migrants.xlsx").read_bytes())
    assert all(used.values()), used
