"""The document model: a report is sections of tables, figures and notes, with provenance.

Everything is a frozen dataclass holding numbers and language-neutral text
(:mod:`qonys.report.text`); renderers turn one report into HTML, DOCX or XLSX in any language.
Values hidden by disclosure control are **not** in the model: a suppressed cell holds ``None``
and the flag ``"suppressed"``, so no renderer can leak it.

Examples
--------
>>> from qonys.report.text import Labels, Msg
>>> t = Table(
...     title=Msg("Sex"),
...     columns=(Column("n", Msg("Frequency"), kind="count"),),
...     rows=(
...         Row(Labels(en="Male"), (Cell(12),)),
...         Row(Labels(en="Female"), (Cell(None, FLAG_SUPPRESSED),)),
...     ),
...     base_n=15,
... )
>>> [c.value for r in t.rows for c in r.cells]
[12, None]
>>> Report(Msg("Report"), (Section(Msg("Portrait"), (t,)),)).tables()[0] is t
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Literal

from .text import Text

__all__ = [
    "FLAG_LOW_BASE",
    "FLAG_SUPPRESSED",
    "FLAG_UNRELIABLE",
    "BarChart",
    "Cell",
    "Column",
    "ColumnKind",
    "Element",
    "Figure",
    "Note",
    "Provenance",
    "Report",
    "Row",
    "RowKind",
    "Section",
    "StatLine",
    "Table",
]

FLAG_SUPPRESSED = frozenset({"suppressed"})
FLAG_UNRELIABLE = frozenset({"unreliable"})
FLAG_LOW_BASE = frozenset({"low_base"})

ColumnKind = Literal["count", "percent", "estimate", "se", "ci", "deff", "n", "stat", "p", "text"]
"""How a column's numbers are printed (decimals, number format in spreadsheets)."""

RowKind = Literal["body", "block", "subtotal", "total", "base"]
"""``block`` rows are headings inside the stub (``Valid``, ``Missing``); ``base`` rows give n."""


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    """A table column.

    Parameters
    ----------
    key : str
        Stable identifier (also the spreadsheet header's key).
    label : Text
        Heading.
    kind : ColumnKind
        How values are printed.
    decimals : int, optional
        Decimal places (defaults by kind: counts 0, percents 1, estimates 2).
    group : Text, optional
        Spanner heading shared by adjacent columns with the same group.
    """

    key: str
    label: Text
    kind: ColumnKind = "estimate"
    decimals: int | None = None
    group: Text | None = None

    @property
    def places(self) -> int:
        """Decimal places used."""
        if self.decimals is not None:
            return self.decimals
        return {"count": 0, "n": 0, "percent": 1, "deff": 2, "stat": 2, "p": 3}.get(self.kind, 2)


@dataclasses.dataclass(frozen=True, slots=True)
class Cell:
    """One value with its flags.

    Parameters
    ----------
    value : float, int, str, tuple of two floats or None
        A number, a text, a ``(low, high)`` interval (``ci`` columns) or ``None`` (empty or
        suppressed).
    flags : frozenset of str
        ``suppressed`` (hidden by disclosure control), ``unreliable`` (RSE above the limit),
        ``low_base``.
    letters : str
        Significance letters printed as a subscript (column-proportion tests).
    """

    value: float | int | str | tuple[float, float] | None
    flags: frozenset[str] = frozenset()
    letters: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "flags", frozenset(self.flags))
        if "suppressed" in self.flags and self.value is not None:
            object.__setattr__(self, "value", None)


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """A table row: a stub label and one cell per column (``block`` rows may have none)."""

    label: Text
    cells: tuple[Cell, ...] = ()
    kind: RowKind = "body"
    indent: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))


@dataclasses.dataclass(frozen=True, slots=True)
class StatLine:
    """A test printed under a table, e.g. ``χ²(12) = 23.57, p = .023``.

    ``df`` is one number or a pair (an F test's numerator and denominator degrees of freedom).
    """

    statistic: str
    value: float
    df: float | tuple[float, float] | None = None
    p: float | None = None
    label: Text | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Table:
    """A table as sociologists expect it: title, stub, columns, base and weighting.

    Parameters
    ----------
    title : Text
        Title (printed in italic title case under "Table N").
    columns : tuple of Column
        Value columns (the stub is not one of them).
    rows : tuple of Row
        Rows in order.
    stub : Text
        Heading of the label column.
    base_n : int, optional
        Unweighted number of respondents the table is based on (printed in every note).
    weighting : Text, optional
        How the numbers are weighted (``None`` prints "unweighted").
    notes : tuple of Text
        Further notes.
    stat_lines : tuple of StatLine
        Tests printed under the table.
    kind : str
        ``frequency``, ``crosstab``, ``estimates`` or ``generic``.
    key : str
        Stable identifier (``portrait.sex``), used for sheet names and anchors.
    """

    title: Text
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    stub: Text = ""
    base_n: int | None = None
    weighting: Text | None = None
    notes: tuple[Text, ...] = ()
    stat_lines: tuple[StatLine, ...] = ()
    kind: str = "generic"
    key: str = ""

    def __post_init__(self) -> None:
        for name in ("columns", "rows", "notes", "stat_lines"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def flags(self) -> frozenset[str]:
        """Every flag used by a cell of the table."""
        out: set[str] = set()
        for r in self.rows:
            for c in r.cells:
                out |= c.flags
        return frozenset(out)

    def has_letters(self) -> bool:
        """Whether any cell carries significance letters."""
        return any(c.letters for r in self.rows for c in r.cells)


@dataclasses.dataclass(frozen=True, slots=True)
class BarChart:
    """A bar chart drawn at render time in the report's language (matplotlib, Agg).

    Parameters
    ----------
    categories : tuple of Text
        Bar labels.
    series : tuple of (Text, tuple of float or None)
        One or more series of values per category; ``None`` (suppressed) draws no bar.
    value_label : Text
        Axis label of the values.
    percent : bool
        Values are percentages (axis 0-100).
    horizontal : bool
        Horizontal bars (long labels read better).
    """

    categories: tuple[Text, ...]
    series: tuple[tuple[Text, tuple[float | None, ...]], ...]
    value_label: Text = ""
    percent: bool = False
    horizontal: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "series", tuple((name, tuple(vals)) for name, vals in self.series))


@dataclasses.dataclass(frozen=True, slots=True)
class Figure:
    """A figure: a chart specification drawn per language, or a finished PNG (a map).

    Parameters
    ----------
    title : Text
        Title (printed under "Figure N").
    chart : BarChart, optional
        What to draw.
    png : bytes, optional
        A finished image, used as it is in every language.
    alt : Text
        Text alternative for screen readers.
    kind : {"chart", "map"}
        Maps are figures too.
    base_n, weighting, notes, key
        As for :class:`Table`.
    """

    title: Text
    chart: BarChart | None = None
    png: bytes | None = None
    alt: Text = ""
    kind: Literal["chart", "map"] = "chart"
    base_n: int | None = None
    weighting: Text | None = None
    notes: tuple[Text, ...] = ()
    key: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(self.notes))
        if (self.chart is None) == (self.png is None):
            from .._core import QonysError

            raise QonysError(
                "a figure needs exactly one of chart= or png=",
                rule="report.figure",
                hint="Give a BarChart to draw, or the PNG bytes of a finished image.",
            )

    def image(self, lang: str) -> bytes:
        """PNG bytes of the figure in ``lang`` (deterministic for the same input)."""
        if self.png is not None:
            return self.png
        from .figures import draw_bar_chart

        chart = self.chart
        if chart is None:  # pragma: no cover - excluded by __post_init__
            return b""
        return draw_bar_chart(chart, lang)


@dataclasses.dataclass(frozen=True, slots=True)
class Note:
    """A paragraph: information, a warning, or a stage that failed (``error``)."""

    text: Text
    kind: Literal["info", "warning", "error"] = "info"


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the report holding tables, figures, notes and subsections."""

    title: Text
    elements: tuple[Element, ...] = ()
    key: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "elements", tuple(self.elements))


Element = Table | Figure | Note | Section
"""What a section holds."""


@dataclasses.dataclass(frozen=True, slots=True)
class Provenance:
    """What is needed to reproduce the report, printed at its end.

    Parameters
    ----------
    version : str
        qonys version.
    inputs : tuple of (str, str)
        Input file name and SHA-256 of its bytes.
    seed : int, optional
        Seed of every random draw.
    options : tuple of (str, str)
        Options in force, as dotted keys and JSON values.
    weighting : tuple of Text
        The exact weighting used (method, variables, targets, trimming, convergence).
    disclosure : tuple of Text
        Disclosure-control rules applied.
    software : tuple of (str, str)
        Versions of the libraries that computed the numbers.
    transliteration : str
        Kazakh Latin scheme used for ``kk-Latn``.
    created : str, optional
        Time stamp; left out by default so that re-runs give identical files.
    """

    version: str
    inputs: tuple[tuple[str, str], ...] = ()
    seed: int | None = None
    options: tuple[tuple[str, str], ...] = ()
    weighting: tuple[Text, ...] = ()
    disclosure: tuple[Text, ...] = ()
    software: tuple[tuple[str, str], ...] = ()
    transliteration: str = "kk-Latn-2021"
    created: str | None = None

    def __post_init__(self) -> None:
        for name in ("inputs", "options", "weighting", "disclosure", "software"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    """A whole report.

    Parameters
    ----------
    title : Text
        Report title.
    sections : tuple of Section
        Sections in order.
    provenance : Provenance, optional
        Printed at the end.
    subtitle : Text, optional
        A line under the title (cities, fieldwork dates).
    threshold : int
        Minimum unweighted cell count applied by disclosure control (for the legend).
    rse_limit : float
        Relative standard error above which estimates are flagged (for the legend).
    """

    title: Text
    sections: tuple[Section, ...] = ()
    provenance: Provenance | None = None
    subtitle: Text | None = None
    threshold: int = 5
    rse_limit: float = 0.30

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))

    def walk(self) -> Iterator[Element]:
        """Every element, depth first, in reading order."""

        def rec(elements: Sequence[Element]) -> Iterator[Element]:
            for e in elements:
                yield e
                if isinstance(e, Section):
                    yield from rec(e.elements)

        return rec(self.sections)

    def tables(self) -> list[Table]:
        """Tables in reading order (their numbering)."""
        return [e for e in self.walk() if isinstance(e, Table)]

    def figures(self) -> list[Figure]:
        """Figures in reading order (their numbering)."""
        return [e for e in self.walk() if isinstance(e, Figure)]
