"""Self-contained HTML: one file, inline CSS, figures as ``data:`` URIs, nothing fetched.

The page declares a Content-Security-Policy that forbids every external resource (no scripts,
fonts, style sheets or images from anywhere but the page itself), so it opens identically
offline. Text is escaped by Jinja2's autoescaping. Tables follow APA 7: "Table N" in bold, the
title in italics, horizontal rules only.

Examples
--------
>>> from qonys.report.model import Report, Section, Note
>>> from qonys.report.text import Msg
>>> html = render_html(Report(Msg("Report"), (Section(Msg("Weighting"), (Note("ok"),)),)), "ru")
>>> "<h2" in html and "Взвешивание" in html and "http" not in html.split("<body")[1]
True
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, Environment, select_autoescape

from .._version import __version__
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

__all__ = ["render_html", "write_html"]

_CSS = """
body{font-family:"Times New Roman","DejaVu Serif",Georgia,serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}
h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:1px solid #999}
h3{font-size:1.1rem}.subtitle{color:#444;margin-top:0}
nav ol{padding-left:1.2rem}figure{margin:1.5rem 0}
.tlabel{font-weight:bold;margin:1.6rem 0 .1rem}.ttitle{font-style:italic;margin:0 0 .4rem}
table.apa{border-collapse:collapse;margin:.2rem 0;font-size:.95rem}
table.apa th,table.apa td{border:none;padding:.2rem .6rem}
table.apa thead{border-top:1.5px solid #000;border-bottom:1px solid #000}
table.apa tbody{border-bottom:1.5px solid #000}
table.apa th{text-align:center;font-weight:normal}table.apa th.stub{text-align:left}
table.apa td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.apa td.stub{text-align:left;white-space:normal}
table.apa tr.block td{font-style:italic}
table.apa tr.total td,table.apa tr.subtotal td{border-top:1px solid #bbb}
table.apa tr.base td{color:#333}
.ind1{padding-left:1.4rem!important}.ind2{padding-left:2.6rem!important}
th.group{border-bottom:1px solid #000}
.notes{font-size:.88rem;margin:.3rem 0 1rem}.notes p{margin:.1rem 0}.notes em{font-style:italic}
.note-error{border-left:4px solid #a33;padding:.3rem .8rem;background:#fbeeee}
.note-warning{border-left:4px solid #b80;padding:.3rem .8rem;background:#fdf6e6}
img{max-width:100%;height:auto}
table.prov td{text-align:left;white-space:normal;font-size:.85rem}
footer{margin-top:3rem;font-size:.85rem;color:#555}
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qonys {{ version }}">
<title>{{ title }}</title>
<style>{{ css }}</style>
</head>
<body>
<header><h1>{{ title }}</h1>
{% if subtitle %}<p class="subtitle">{{ subtitle }}</p>{% endif %}</header>
{% if toc %}<nav><h2>{{ w.contents }}</h2><ol>
{% for a, t in toc %}<li><a href="#{{ a }}">{{ t }}</a></li>
{% endfor %}</ol></nav>{% endif %}
<main>{{ body }}</main>
{% if prov %}<section id="provenance"><h2>{{ w.provenance }}</h2>
<table class="apa prov"><thead>
<tr><th class="stub">{{ w.item }}</th><th class="stub">{{ w.value }}</th></tr>
</thead><tbody>
{% for k, v in prov %}<tr><td class="stub">{{ k }}</td><td class="stub">{{ v }}</td></tr>
{% endfor %}</tbody></table></section>{% endif %}
<footer>{{ w.generated_by }}</footer>
</body>
</html>
"""

_TABLE = """<div class="table" id="{{ anchor }}">
<p class="tlabel">{{ w.table }} {{ num }}</p><p class="ttitle">{{ title }}</p>
<table class="apa"><thead>
{% if groups %}<tr><th class="stub" rowspan="2">{{ stub }}</th>
{%- for g, span in groups %}
<th colspan="{{ span }}"{% if g %} class="group"{% endif %}>{{ g }}</th>
{%- endfor %}</tr>
<tr>{% for c in cols %}<th>{{ c }}</th>{% endfor %}</tr>
{% else %}<tr><th class="stub">{{ stub }}</th>{% for c in cols %}<th>{{ c }}</th>{% endfor %}</tr>
{% endif %}</thead><tbody>
{% for r in rows %}<tr class="{{ r.kind }}"><td class="stub ind{{ r.indent }}">{{ r.label }}</td>
{%- for c in r.cells %}<td>{{ c.text }}
{%- if c.letters %}<sub>{{ c.letters }}</sub>{% endif %}
{%- if c.mark %}<sup>{{ c.mark }}</sup>{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<div class="notes">{% for n in notes %}
<p>{% if loop.first %}<em>{{ w.note }}</em> {% endif %}{{ n }}</p>{% endfor %}</div>
</div>
"""

_FIGURE = """<figure id="{{ anchor }}">
<p class="tlabel">{{ w.figure }} {{ num }}</p><p class="ttitle">{{ title }}</p>
<img src="data:image/png;base64,{{ data }}" alt="{{ alt }}">
<figcaption class="notes">{% for n in notes %}
<p>{% if loop.first %}<em>{{ w.note }}</em> {% endif %}{{ n }}</p>{% endfor %}</figcaption>
</figure>
"""

_ENV = Environment(
    loader=DictLoader({"page": _TEMPLATE, "table": _TABLE, "figure": _FIGURE}),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=False,
)


def _groups(table: Table, lang: str) -> list[tuple[str, int]]:
    if not any(c.group for c in table.columns):
        return []
    out: list[tuple[str, int]] = []
    for c in table.columns:
        g = resolve(c.group, lang) if c.group else ""
        if out and out[-1][0] == g and g:
            out[-1] = (g, out[-1][1] + 1)
        else:
            out.append((g, 1))
    return out


def _table(t: Table, num: int, report: Report, lang: str, w: dict[str, str]) -> str:
    rows: list[dict[str, Any]] = []
    for r in t.rows:
        cells = []
        for c, col in zip(r.cells, t.columns, strict=False):
            mark = UNRELIABLE_MARK if "unreliable" in c.flags else ""
            cells.append(
                {
                    "text": cell_text(c, col, lang, r.kind),
                    "letters": c.letters,
                    "mark": mark,
                    "title": "",
                }
            )
        rows.append(
            {
                "kind": r.kind,
                "indent": min(r.indent, 2),
                "label": resolve(r.label, lang),
                "cells": cells,
            }
        )
    return _ENV.get_template("table").render(
        anchor=f"table-{num}",
        num=num,
        w=w,
        title=resolve(t.title, lang),
        stub=resolve(t.stub, lang),
        cols=[resolve(c.label, lang) for c in t.columns],
        groups=_groups(t, lang),
        rows=rows,
        notes=table_notes(t, report, lang),
    )


def _figure(f: Figure, num: int, lang: str, w: dict[str, str]) -> str:
    data = base64.b64encode(f.image(lang)).decode("ascii")
    return _ENV.get_template("figure").render(
        anchor=f"figure-{num}",
        num=num,
        w=w,
        title=resolve(f.title, lang),
        alt=resolve(f.alt or f.title, lang),
        data=data,
        notes=figure_notes(f, lang),
    )


def render_html(report: Report, lang: str) -> str:
    """The report as one self-contained HTML page in ``lang``."""
    from markupsafe import Markup, escape

    w = ui(lang)
    numbers = number_elements(report)
    parts: list[str] = []
    toc: list[tuple[str, str]] = []

    def walk(section: Section, level: int, anchor: str) -> None:
        title = resolve(section.title, lang)
        if level == 2:
            toc.append((anchor, title))
        parts.append(f'<section id="{escape(anchor)}"><h{level}>{escape(title)}</h{level}>')
        for k, e in enumerate(section.elements, 1):
            if isinstance(e, Table):
                parts.append(_table(e, numbers.of(e), report, lang, w))
            elif isinstance(e, Figure):
                parts.append(_figure(e, numbers.of(e), lang, w))
            elif isinstance(e, Note):
                prefix = {"error": w["error"] + ": ", "warning": w["warning"] + ": "}.get(
                    e.kind, ""
                )
                parts.append(
                    f'<p class="note-{e.kind}">{escape(prefix + resolve(e.text, lang))}</p>'
                )
            elif isinstance(e, Section):
                walk(e, min(level + 1, 4), f"{anchor}-{k}")
        parts.append("</section>")

    for i, s in enumerate(report.sections, 1):
        walk(s, 2, s.key.replace(".", "-") if s.key else f"section-{i}")
    prov = provenance_rows(report.provenance, lang) if report.provenance else []
    version = report.provenance.version if report.provenance else __version__
    w = {**w, "generated_by": w["generated_by"].replace("{version}", version)}
    return _ENV.get_template("page").render(
        lang=lang,
        csp=_CSP,
        version=version,
        title=resolve(report.title, lang),
        subtitle=resolve(report.subtitle, lang),
        css=Markup(_CSS),
        toc=toc,
        body=Markup("\n".join(parts)),
        prov=prov,
        w=w,
    )


def write_html(report: Report, path: str | Path, *, lang: str = "en") -> Path:
    """Write the HTML report to ``path`` (UTF-8) and return the path."""
    p = Path(path)
    p.write_text(render_html(report, lang), encoding="utf-8")
    return p
