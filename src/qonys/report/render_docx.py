"""Word (DOCX) reports with APA 7 tables, through python-docx.

Tables: "Table N" in bold, the title in italics on the next line, and only horizontal rules
(above the header, under the header, under the last row), set through OXML borders because
python-docx has no public border API. Notes follow the table, starting with an italic *Note.*
Figures are embedded PNGs. Text uses Times New Roman, which has every Kazakh Cyrillic and 2021
Kazakh Latin letter and is on every Word installation; the font is set for all scripts
(``w:rFonts`` ascii, hAnsi, cs, eastAsia), so Word never substitutes another one.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from .layout import (
    UNRELIABLE_MARK,
    cell_text,
    figure_notes,
    number_elements,
    provenance_rows,
    table_notes,
    ui,
)
from .model import Figure, Note, Report, Section, Table
from .text import resolve

__all__ = ["DOCX_FONT", "write_docx"]

DOCX_FONT = "Times New Roman"


def _set_font(style: Any, size_pt: float | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = DOCX_FONT
    if size_pt:
        style.font.size = Pt(size_pt)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        from docx.oxml import OxmlElement

        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), DOCX_FONT)


def _borders(element: Any, tag: str, **edges: str | None) -> None:
    """Set ``w:tblBorders`` / ``w:tcBorders`` edges: size in eighths of a point, or ``None``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    pr = element.tblPr if tag == "w:tblBorders" else element.get_or_add_tcPr()
    box = pr.find(qn(tag))
    if box is None:
        box = OxmlElement(tag)
        pr.append(box)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge not in edges:
            continue
        el = box.find(qn(f"w:{edge}"))
        if el is None:
            el = OxmlElement(f"w:{edge}")
            box.append(el)
        size = edges[edge]
        if size is None:
            el.set(qn("w:val"), "nil")
        else:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), size)
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")


def _notes(doc: Any, notes: list[str], note_word: str) -> None:
    from docx.shared import Pt

    for k, text in enumerate(notes):
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        if k == 0:
            run = p.add_run(note_word + " ")
            run.italic = True
        p.add_run(text).font.size = Pt(10)


def _table(doc: Any, t: Table, num: int, report: Report, lang: str, w: dict[str, str]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    head = doc.add_paragraph()
    head.paragraph_format.keep_with_next = True
    head.add_run(f"{w['table']} {num}").bold = True
    title = doc.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.add_run(resolve(t.title, lang)).italic = True
    groups = any(c.group for c in t.columns)
    n_head = 2 if groups else 1
    table = doc.add_table(rows=n_head + len(t.rows), cols=1 + len(t.columns))
    table.autofit = True
    _borders(
        table._tbl,
        "w:tblBorders",
        top="12",
        bottom="12",
        left=None,
        right=None,
        insideH=None,
        insideV=None,
    )
    hdr = table.rows[n_head - 1].cells
    hdr[0].text = resolve(t.stub, lang)
    for j, c in enumerate(t.columns, 1):
        hdr[j].text = resolve(c.label, lang)
        hdr[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if groups:
        top = table.rows[0].cells
        j = 1
        while j <= len(t.columns):
            g = t.columns[j - 1].group
            k = j
            while k < len(t.columns) and g is not None and t.columns[k].group == g:
                k += 1
            if g is not None:
                merged = top[j].merge(top[k]) if k > j else top[j]
                merged.text = resolve(g, lang)
                merged.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _borders(merged._tc, "w:tcBorders", bottom="6")
            j = k + 1
    for cell in table.rows[n_head - 1].cells:
        _borders(cell._tc, "w:tcBorders", bottom="8")
    for i, r in enumerate(t.rows, n_head):
        cells = table.rows[i].cells
        label = resolve(r.label, lang)
        cells[0].text = ("    " * r.indent) + label
        if r.kind == "block":
            for run in cells[0].paragraphs[0].runs:
                run.italic = True
        for j, (cv, col) in enumerate(zip(r.cells, t.columns, strict=False), 1):
            para = cells[j].paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            para.add_run(cell_text(cv, col, lang, r.kind))
            if cv.letters:
                para.add_run(cv.letters).font.subscript = True
            if "unreliable" in cv.flags:
                para.add_run(UNRELIABLE_MARK).font.superscript = True
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.space_after = Pt(0)
                for run in para.runs:
                    run.font.size = Pt(10)
    _notes(doc, table_notes(t, report, lang), w["note"])


def _figure(doc: Any, f: Figure, num: int, lang: str, w: dict[str, str]) -> None:
    from docx.shared import Inches

    head = doc.add_paragraph()
    head.paragraph_format.keep_with_next = True
    head.add_run(f"{w['figure']} {num}").bold = True
    title = doc.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.add_run(resolve(f.title, lang)).italic = True
    doc.add_picture(io.BytesIO(f.image(lang)), width=Inches(6.0))
    _notes(doc, figure_notes(f, lang), w["note"])


def write_docx(report: Report, path: str | Path, *, lang: str = "en") -> Path:
    """Write the report as a Word document in ``lang`` and return the path."""
    from docx import Document

    w = ui(lang)
    doc = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        _set_font(doc.styles[name], 12 if name == "Normal" else None)
    props = doc.core_properties
    props.title = resolve(report.title, lang)
    props.language = lang
    props.author = "qonys"
    props.created = props.modified = datetime(2000, 1, 1)
    props.revision = 1
    doc.add_heading(resolve(report.title, lang), level=0)
    if report.subtitle:
        doc.add_paragraph(resolve(report.subtitle, lang))
    numbers = number_elements(report)

    def walk(section: Section, level: int) -> None:
        doc.add_heading(resolve(section.title, lang), level=level)
        for e in section.elements:
            if isinstance(e, Table):
                _table(doc, e, numbers.of(e), report, lang, w)
            elif isinstance(e, Figure):
                _figure(doc, e, numbers.of(e), lang, w)
            elif isinstance(e, Note):
                prefix = {"error": w["error"] + ": ", "warning": w["warning"] + ": "}.get(
                    e.kind, ""
                )
                p = doc.add_paragraph()
                run = p.add_run(prefix + resolve(e.text, lang))
                run.italic = e.kind != "info"
            elif isinstance(e, Section):
                walk(e, min(level + 1, 3))

    for s in report.sections:
        walk(s, 1)
    if report.provenance is not None:
        doc.add_heading(w["provenance"], level=1)
        rows = provenance_rows(report.provenance, lang)
        table = doc.add_table(rows=len(rows) + 1, cols=2)
        _borders(
            table._tbl,
            "w:tblBorders",
            top="12",
            bottom="12",
            left=None,
            right=None,
            insideH=None,
            insideV=None,
        )
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = w["item"], w["value"]
        for cell in table.rows[0].cells:
            _borders(cell._tc, "w:tcBorders", bottom="8")
        for i, (k, v) in enumerate(rows, 1):
            table.rows[i].cells[0].text, table.rows[i].cells[1].text = k, v
    p = Path(path)
    doc.save(str(p))
    return p
