"""Static choropleth maps of district measures (matplotlib, no web tiles: they work offline).

Every map is drawn in the city's UTM zone (so shapes and the scale bar are true), with the
district names and values in Kazakh, Russian or English, a colour bar, a "no data" key, a
scale bar, a north arrow, the attribution line of the boundaries and a note whenever some or
all boundaries are approximate. The PNG carries no time stamp, so the same map gives the same
bytes.

Examples
--------
>>> from qonys.spatial import approximate_districts
>>> b = approximate_districts("shymkent")
>>> png = choropleth(b, {"abay": 0.2, "turan": 0.35, "karatau": 0.1}, percent=True, lang="kk")
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._geometry import city_outline
from ._labels import fmt_value, resolve, short_name, text
from .boundaries import Boundaries
from .registry import district

__all__ = ["FONT", "choropleth", "choropleth_figure", "map_values"]

FONT = "DejaVu Sans"
_NO_DATA = "#e6e6e6"


def map_values(boundaries: Boundaries, values: Mapping[object, float] | pd.Series) -> pd.Series:
    """Values aligned to the boundaries' ``geo_id`` (keys may be geo ids or district codes)."""
    s = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values
    out = pd.Series(np.nan, index=list(boundaries.frame["geo_id"]), dtype=float)
    codes = dict(zip(boundaries.frame["code"].astype(str), boundaries.frame["geo_id"], strict=True))
    for k, v in s.items():
        key = str(k).removesuffix(".0")
        gid = key if key in out.index else codes.get(key)
        if gid is not None:
            out[gid] = float(v)
    return out


def _scale_bar(ax: Any, x0: float, y0: float, span: float, lang: str) -> None:
    raw = span / 5
    nice = max([1, 2, 5, 10, 20], key=lambda k: -abs(k * 1000 - raw))
    length = nice * 1000.0
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=2, solid_capstyle="butt")
    ax.text(
        x0 + length / 2,
        y0 + span * 0.012,
        f"{nice} {text('km', lang)}",
        ha="center",
        va="bottom",
        fontsize=7,
    )


def choropleth(
    boundaries: Boundaries,
    values: Mapping[object, float] | pd.Series,
    *,
    path: str | Path | None = None,
    dpi: int = 120,
    **options: Any,
) -> bytes:
    """Draw a choropleth of one value per district and return the PNG bytes.

    Takes the parameters of :func:`choropleth_figure`; ``path`` also writes the PNG there.
    """
    import matplotlib

    fig = choropleth_figure(boundaries, values, dpi=dpi, **options)
    buf = io.BytesIO()
    with matplotlib.rc_context({"font.family": FONT}):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    png = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(png)
    return png


def choropleth_figure(
    boundaries: Boundaries,
    values: Mapping[object, float] | pd.Series,
    *,
    lang: str = "en",
    title: str | Mapping[str, str] | None = None,
    legend: str | Mapping[str, str] | None = None,
    percent: bool = False,
    decimals: int = 1,
    cmap: str = "YlOrRd",
    vmin: float | None = None,
    vmax: float | None = None,
    hidden: Sequence[str] = (),
    notes: Sequence[str | Mapping[str, str]] = (),
    labels: bool = True,
    text_filter: Callable[[str], str] | None = None,
    width: float = 6.4,
    dpi: int = 120,
) -> Any:
    """Build the matplotlib figure of a choropleth of one value per district.

    Parameters
    ----------
    boundaries : Boundaries
        From :func:`read_boundaries` (completed with :func:`complete_boundaries` for missing
        districts) or :func:`approximate_districts`.
    values : mapping or Series
        Value per district, keyed by ``geo_id`` or district code; missing -> "no data".
    lang : {"kk", "ru", "en"}
    title, legend : str or {lang: str}
    percent : bool
        Values are shares (0-1) printed as percentages.
    hidden : sequence of str
        Districts whose value must not be shown (too few respondents): drawn as "no data"
        with a note.
    notes : sequence
        Extra lines under the map.
    labels : bool
        Print district names and values.
    text_filter : callable, optional
        Applied to every text of the map (e.g. a Kazakh Cyrillic -> Latin transliteration).

    Returns
    -------
    matplotlib.figure.Figure
        Drawn with the Agg canvas; :func:`choropleth` saves it as PNG.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import colormaps, patheffects
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    proj = boundaries.projected()
    vals = map_values(boundaries, values)
    for gid in hidden:
        if gid in vals.index:
            vals[gid] = np.nan
    finite = vals[np.isfinite(vals)]
    lo = vmin if vmin is not None else (float(finite.min()) if len(finite) else 0.0)
    hi = vmax if vmax is not None else (float(finite.max()) if len(finite) else 1.0)
    if not hi > lo:
        lo, hi = lo - 0.5 * (abs(lo) or 1), hi + 0.5 * (abs(hi) or 1)
    norm = Normalize(lo, hi)
    cm = colormaps[cmap]
    approx = set(boundaries.approximate)
    all_approx = len(approx) == len(proj) and len(proj) > 0
    x0, y0, x1, y1 = proj.total_bounds
    span = max(x1 - x0, y1 - y0)
    height = 0.78 * width * (y1 - y0) / max(x1 - x0, 1.0) / 0.74
    with matplotlib.rc_context({"font.family": FONT, "font.size": 8}):
        fig = Figure(figsize=(width, min(max(height, 4.0), 9.0)), dpi=dpi)
        ax = fig.add_axes((0.02, 0.16, 0.78, 0.74))
        outline = city_outline(boundaries.city, projected=True)
        for poly in getattr(outline, "geoms", [outline]):
            xs, ys = poly.exterior.xy
            ax.plot(xs, ys, color="#9a9a9a", lw=0.6, ls=":")
        for gid, geom, code in zip(proj["geo_id"], proj.geometry, proj["code"], strict=True):
            v = vals.get(gid, np.nan)
            face = cm(norm(v)) if np.isfinite(v) else _NO_DATA
            dashed = gid in approx
            for poly in getattr(geom, "geoms", [geom]):
                xs, ys = poly.exterior.xy
                ax.fill(
                    xs,
                    ys,
                    facecolor=face,
                    edgecolor="#333333",
                    lw=0.8,
                    ls="--" if dashed else "-",
                    hatch=None if np.isfinite(v) else "///",
                )
            if not labels:
                continue
            p = geom.representative_point()
            name = short_name(district(int(code)), lang) + (
                "*" if dashed and not all_approx else ""
            )
            label = f"{name}\n{fmt_value(v, lang, percent=percent, decimals=decimals)}"
            ax.text(
                p.x,
                p.y,
                label,
                ha="center",
                va="center",
                fontsize=7,
                path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")],
            )
        ax.set_aspect("equal")
        pad = span * 0.04
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_axis_off()
        _scale_bar(ax, x0, y0 - pad * 0.6, span, lang)
        ax.annotate(
            text("north", lang),
            xy=(x1 + pad * 0.5, y1),
            xytext=(x1 + pad * 0.5, y1 - span * 0.08),
            ha="center",
            va="top",
            fontsize=8,
            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1},
        )
        cax = fig.add_axes((0.84, 0.30, 0.03, 0.50))
        sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cm)
        cb = fig.colorbar(sm, cax=cax)
        cb.ax.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(
                lambda x, _pos: fmt_value(x, lang, percent=percent, decimals=decimals)
            )
        )
        cb.set_label(resolve(legend, lang))
        fig.legend(
            handles=[
                Patch(
                    facecolor=_NO_DATA,
                    edgecolor="#333333",
                    hatch="///",
                    label=text("no_data", lang),
                )
            ],
            loc="lower right",
            bbox_to_anchor=(0.99, 0.17),
            fontsize=7,
            frameon=False,
        )
        fig.suptitle(resolve(title, lang), fontsize=10, y=0.97)
        lines = [resolve(n, lang) for n in notes]
        if hidden:
            lines.append(
                text("suppressed", lang)
                + ": "
                + ", ".join(
                    short_name(district(int(c)), lang)
                    for c in proj.loc[proj.geo_id.isin(hidden), "code"]
                )
            )
        if all_approx:
            lines.append(text("approximate_all", lang))
        elif approx:
            lines.append(text("approximate_some", lang))
        if boundaries.attribution:
            lines.append(f"{text('boundaries', lang)}: {boundaries.attribution}")
        fig.text(
            0.02,
            0.02,
            "\n".join(_wrap(line, width) for line in lines),
            fontsize=6.5,
            va="bottom",
            ha="left",
            color="#333333",
        )
    if text_filter is not None:
        from matplotlib.text import Text

        for artist in fig.findobj(Text):
            artist.set_text(text_filter(artist.get_text()))
    return fig


def _wrap(line: str, width: float) -> str:
    import textwrap

    return textwrap.fill(line, max(40, math.floor(width * 17)))
