"""Renderers registered by name: ``html``, ``docx``, ``xlsx``.

A renderer is ``(report, path, *, lang) -> Path``. Built-ins register through the same
:class:`~qonys._core.Registry` as plugins (a PDF renderer, say).

Examples
--------
>>> RENDERERS.names()
('html', 'docx', 'xlsx')
>>> check_format("HTML")
'html'
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .._core import QonysError, Registry, Where
from .i18n import check_language
from .model import Report
from .render_docx import write_docx
from .render_html import write_html
from .render_xlsx import write_xlsx

__all__ = ["FORMATS", "RENDERERS", "Renderer", "check_format", "render"]

Renderer = Callable[..., Path]

RENDERERS: Registry[Renderer] = Registry("report renderer")
RENDERERS.add("html", write_html, doc="Self-contained HTML page (inline CSS, embedded figures).")
RENDERERS.add("docx", write_docx, doc="Word document with APA 7 tables.")
RENDERERS.add("xlsx", write_xlsx, doc="Excel workbook, one sheet per table.")

FORMATS: tuple[str, ...] = ("html", "docx", "xlsx")
"""Built-in output formats (also the default)."""


def check_format(fmt: str, *, key: str = "report.formats") -> str:
    """Normalise and check an output format name."""
    name = str(fmt).strip().lower().lstrip(".")
    if name not in RENDERERS:
        raise QonysError(
            f"unknown report format {fmt!r}",
            where=Where(key=key),
            rule="report.format",
            hint=f"Use one or more of: {', '.join(RENDERERS.names())}.",
        )
    return name


def render(
    report: Report, path: str | Path, *, format: str | None = None, lang: str = "en"
) -> Path:
    """Render ``report`` to ``path`` in ``lang``; the format defaults to the file's extension."""
    p = Path(path)
    fmt = check_format(format or p.suffix or "html")
    written: Path = RENDERERS.get(fmt)(report, p, lang=check_language(lang))
    return written
