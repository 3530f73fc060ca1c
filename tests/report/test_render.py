"""Renderers: self-contained HTML, APA DOCX read back with python-docx, XLSX with openpyxl."""

from __future__ import annotations

import re
import zipfile
from html import unescape

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from qonys import QonysError
from qonys.report import LANGUAGES, RENDERERS, Report, render, render_html
from qonys.report.render_docx import DOCX_FONT


def test_renderers_registered_by_name():
    assert set(RENDERERS.names()) >= {"html", "docx", "xlsx"}
    with pytest.raises(QonysError, match="unknown report format"):
        render(Report("x"), "out.pdf")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_is_self_contained(report, lang):
    html = render_html(report, lang)
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    # no external resource of any kind: no URL scheme but data:, no script, no link element
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html)
    assert "<script" not in html
    assert "<link" not in html
    assert "@import" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert "default-src 'none'" in unescape(html)
    assert html.count('src="data:image/png;base64,') == len(report.figures()) == 3


def test_html_words_in_each_language(report):
    assert "Таблица 1" in render_html(report, "ru")
    assert "Кесте 1" in render_html(report, "kk")
    latn = render_html(report, "kk-Latn")
    assert "Keste 1" in latn
    assert "Sūraq" not in latn
    assert not re.search("[\u0400-\u04ff]", latn.split("<main>")[1].split("<img")[0])
    assert "Table 1" in render_html(report, "en")


def test_html_never_holds_a_suppressed_value(report):
    html = render_html(report, "en")
    # the frequency table's "Big city" row (3 respondents, weighted 2.7) is suppressed
    row = re.search(r"Big city</td>(.*?)</tr>", html).group(1)
    assert "2.7" not in row
    assert "3" not in re.sub(r"<[^>]+>", "", row).replace("x", "")
    assert "cannot be recomputed" in html


def test_html_base_weighting_provenance(report):
    html = render_html(report, "en")
    assert "Base: 336 respondents (unweighted)." in html
    assert "Unweighted." in html
    assert "Weighted: weights w_final" in html
    assert "χ²(4) = 23.57, p &lt; .001" in html
    assert "Provenance" in html
    assert "SHA-256 " + "ab" * 32 in html
    assert "Random seed" in html
    ru = render_html(report, "ru")
    assert "База: 336 респондентов (без взвешивания)." in ru
    assert "23,57" in ru


@pytest.mark.parametrize("lang", ["kk", "en"])
def test_docx_read_back(report, tmp_path, lang):
    path = render(report, tmp_path / f"r.{lang}.docx", lang=lang)
    doc = Document(str(path))
    assert len(doc.tables) == len(report.tables()) + 1  # + provenance
    word = {"kk": "Кесте", "en": "Table"}[lang]
    labels = [p for p in doc.paragraphs if p.text.startswith(f"{word} ")]
    assert [p.text for p in labels] == [f"{word} {i}" for i in range(1, 5)]
    assert all(p.runs[0].bold for p in labels)
    for p in labels:  # the title follows in italics
        nxt = p._p.getnext()
        assert nxt is not None
        runs = nxt.findall(qn("w:r"))
        assert runs
        assert runs[0].find(qn("w:rPr")).find(qn("w:i")) is not None
    # APA: only horizontal rules (no left/right/inside-vertical borders)
    for t in doc.tables:
        borders = t._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders.find(qn("w:top")).get(qn("w:val")) == "single"
        assert borders.find(qn("w:bottom")).get(qn("w:val")) == "single"
        for edge in ("left", "right", "insideV", "insideH"):
            assert borders.find(qn(f"w:{edge}")).get(qn("w:val")) == "nil"
        for tc in t._tbl.iter(qn("w:tc")):
            tcb = tc.find(qn("w:tcPr") + "/" + qn("w:tcBorders"))
            if tcb is not None:
                for edge in ("left", "right"):
                    assert tcb.find(qn(f"w:{edge}")) is None
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {DOCX_FONT}
    text = "\n".join(p.text for p in doc.paragraphs)
    assert len(doc.inline_shapes) == 3
    if lang == "en":
        # table 2 = the frequency table; its suppressed row holds the mark only
        freq = doc.tables[1]
        big = next(r for r in freq.rows if r.cells[0].text.strip() == "Big city")
        assert [c.text for c in big.cells[1:]] == ["x", "x", "x", "x", "x"]
        assert "Base: 326 respondents (unweighted)." in text
        assert "Not produced: This section could not be produced" in text
        prov = doc.tables[-1]
        assert any("SHA-256" in c.text for r in prov.rows for c in r.cells)


def test_xlsx_read_back(report, tmp_path):
    path = render(report, tmp_path / "r.ru.xlsx", lang="ru")
    wb = load_workbook(path)
    names = wb.sheetnames
    assert names[0] == "Содержание"
    assert names[-1] == "Сведения о расчётах"
    assert len(names) == len(report.tables()) + 2
    contents = wb[names[0]]
    assert [contents.cell(r, 2).value for r in range(4, 8)] == [1, 2, 3, 4]
    assert contents.cell(5, 4).value == 326  # base of table 2
    ws = wb[names[2]]  # the frequency table
    assert ws["A1"].value == "Таблица 2"
    assert ws["A1"].font.bold
    assert ws["A2"].font.italic
    values = {
        ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 7)]
        for r in range(1, ws.max_row + 1)
    }
    village = values["Село"]
    assert village[0] == pytest.approx(230.4)
    assert isinstance(village[0], float)
    assert values["Крупный город"] == ["x"] * 5
    assert ws.cell(6, 2).number_format == "#,##0"
    assert ws.cell(6, 3).number_format == "0.0"
    notes = [
        ws.cell(r, 1).value
        for r in range(1, ws.max_row + 1)
        if isinstance(ws.cell(r, 1).value, str)
    ]
    assert any(n.startswith("Примечание. База: 326 респондентов") for n in notes)
    assert any(n.startswith("Взвешено:") for n in notes)
    est = wb[names[4]]
    flagged = next(
        est.cell(r, 2) for r in range(1, est.max_row + 1) if est.cell(r, 1).value == "Алматы"
    )
    assert flagged.value == pytest.approx(455.0)
    assert flagged.number_format.endswith('" E"')


def test_outputs_do_not_depend_on_the_run(report, tmp_path):
    a = render_html(report, "kk")
    b = render_html(report, "kk")
    assert a == b
    render(report, tmp_path / "a.docx", lang="kk")
    render(report, tmp_path / "b.docx", lang="kk")
    with zipfile.ZipFile(tmp_path / "a.docx") as za, zipfile.ZipFile(tmp_path / "b.docx") as zb:
        assert za.read("word/document.xml") == zb.read("word/document.xml")
