"""Drawing figures with matplotlib's Agg back end into PNG bytes, one per language.

Text is set in DejaVu Sans, which ships with matplotlib and covers Kazakh Cyrillic
(ә ғ қ ң ө ұ ү һ і) and the 2021 Kazakh Latin letters (ä ğ ñ ö ū ü ş ı İ), so no figure shows
empty boxes whatever the language. The PNG carries no time stamp or software version, so the
same chart gives the same bytes on every run.

Examples
--------
>>> from qonys.report.model import BarChart
>>> png = draw_bar_chart(BarChart(("Астана", "Алматы"), (("%", (40.0, None)),), percent=True), "kk")
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from .model import BarChart
from .numbers import fmt_number
from .text import resolve

__all__ = ["FONT", "draw_bar_chart"]

FONT = "DejaVu Sans"
_PALETTE = ("#2b5c8a", "#d08c2b", "#5a9a5a", "#a64b4b", "#7b6aa6", "#4a9aa6", "#8a8a8a")


def draw_bar_chart(chart: BarChart, lang: str, *, width: float = 6.4, dpi: int = 110) -> bytes:
    """PNG bytes of a (grouped) bar chart with labels in ``lang``.

    Missing values (suppressed cells) draw no bar and are marked with the suppression sign.
    The same chart in the same language is drawn once per process (HTML and DOCX share it).
    """
    try:
        hash(chart)
    except TypeError:  # a chart holding unhashable text parameters is drawn every time
        return _draw.__wrapped__(chart, lang, width, dpi)
    return _draw(chart, lang, width, dpi)


@lru_cache(maxsize=512)
def _draw(chart: BarChart, lang: str, width: float, dpi: int) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure

    cats = [textwrap.fill(resolve(c, lang), 28) for c in chart.categories]
    k = max(1, len(chart.series))
    n = len(cats)
    height = max(2.2, 0.35 * n * (1 + 0.5 * (k - 1)) + 1.2) if chart.horizontal else 3.6
    with matplotlib.rc_context({"font.family": FONT, "svg.hashsalt": "qonys", "font.size": 9}):
        fig = MplFigure(figsize=(width, height), dpi=dpi)
        ax = fig.add_subplot(1, 1, 1)
        bar = 0.8 / k
        for s, (name, values) in enumerate(chart.series):
            pos = [i - 0.4 + bar * (s + 0.5) for i in range(n)]
            vals = [0.0 if v is None else float(v) for v in values]
            color = _PALETTE[s % len(_PALETTE)]
            label = resolve(name, lang) if k > 1 else None
            if chart.horizontal:
                bars = ax.barh(pos, vals, height=bar * 0.95, color=color, label=label)
            else:
                bars = ax.bar(pos, vals, width=bar * 0.95, color=color, label=label)
            texts = ["x" if v is None else fmt_number(v, lang, 1) for v in values]
            ax.bar_label(bars, labels=texts, padding=2, fontsize=7)
        if chart.horizontal:
            ax.set_yticks(range(n), cats)
            ax.invert_yaxis()
            ax.set_xlabel(resolve(chart.value_label, lang))
            if chart.percent:
                ax.set_xlim(0, 110)
        else:
            ax.set_xticks(range(n), cats)
            ax.set_ylabel(resolve(chart.value_label, lang))
            if chart.percent:
                ax.set_ylim(0, 110)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if k > 1:
            ax.legend(frameon=False, fontsize=8, loc="lower right")
        # margins from the label lengths: one layout pass instead of tight_layout's two draws
        longest = max((len(line) for c in cats for line in c.splitlines()), default=1)
        label_in = 0.3 + 0.08 * longest
        if chart.horizontal:
            fig.subplots_adjust(
                left=min(0.55, label_in / width),
                right=0.95,
                bottom=min(0.4, 0.55 / height),
                top=1 - min(0.2, 0.15 / height),
            )
        else:
            fig.subplots_adjust(left=0.1, right=0.97, bottom=min(0.45, 0.6 / height), top=0.95)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
