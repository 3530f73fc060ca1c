"""Floor 4: reports. Turns results into documents in Kazakh, Russian and English.

A :class:`Report` is sections of :class:`Table`, :class:`Figure` and :class:`Note` objects with
:class:`Provenance`; builders lay out tidy result frames as SPSS-style frequency tables,
cross-tabulations with column percentages and estimates tables, applying disclosure control
(:mod:`qonys.privacy.suppression`); renderers write self-contained HTML, APA-style DOCX and XLSX
in ``kk``, ``ru``, ``en`` or ``kk-Latn``. The report computes nothing statistical.

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"level": ["urban", "rural"], "n": [120, 80]})
>>> t = frequency_table(f, title="Origin")
>>> r = Report(Msg("Report"), (Section(Msg("Social portrait of migrants"), (t,)),))
>>> "Таблица 1" in render_html(r, "ru")
True
"""

from .estimates import estimates_table, figure_for_table, tables_from_result
from .figures import draw_bar_chart
from .i18n import DEFAULT_LANGUAGES, LANGUAGES, Translator, check_language, translator
from .labels import level_label, variable_title
from .model import (
    BarChart,
    Cell,
    Column,
    Element,
    Figure,
    Note,
    Provenance,
    Report,
    Row,
    Section,
    StatLine,
    Table,
)
from .numbers import fmt_ci, fmt_int, fmt_number, fmt_p, fmt_stat_line
from .render_docx import write_docx
from .render_html import render_html, write_html
from .render_xlsx import write_xlsx
from .renderers import FORMATS, RENDERERS, check_format, render
from .tables import crosstab_table, frequency_table
from .text import Labels, Msg, PMsg, Text, resolve
from .translit import SCHEME, to_latin

__all__ = [
    "DEFAULT_LANGUAGES",
    "FORMATS",
    "LANGUAGES",
    "RENDERERS",
    "SCHEME",
    "BarChart",
    "Cell",
    "Column",
    "Element",
    "Figure",
    "Labels",
    "Msg",
    "Note",
    "PMsg",
    "Provenance",
    "Report",
    "Row",
    "Section",
    "StatLine",
    "Table",
    "Text",
    "Translator",
    "check_format",
    "check_language",
    "crosstab_table",
    "draw_bar_chart",
    "estimates_table",
    "figure_for_table",
    "fmt_ci",
    "fmt_int",
    "fmt_number",
    "fmt_p",
    "fmt_stat_line",
    "frequency_table",
    "level_label",
    "render",
    "render_html",
    "resolve",
    "tables_from_result",
    "to_latin",
    "translator",
    "variable_title",
    "write_docx",
    "write_html",
    "write_xlsx",
]
