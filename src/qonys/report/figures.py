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

from .model import BarChart
from .numbers import fmt_number
from .text import resolve

__all__ = ["FONT", "draw_bar_chart"]

FONT = "DejaVu Sans"
_PALETTE = ("#2b5c8a", "#d08c2b", "#5a9a5a", "#a64b4b", "#7b6aa6", "#4a9aa6", "#8a8a8a")


def draw_bar_chart(chart: BarChart, lang: str, *, width: float = 6.4, dpi: int = 110) -> bytes:
    """PNG bytes of a (grouped) bar chart with labels in ``lang``.

    Missing values (suppressed cells) draw no bar and are marked with the suppression sign.
    """
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
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
