"""Maps of the three cities render to PNG, with every district filled where it lies.

Each map is drawn without labels and sampled at every district's representative point: the
pixel there must have the district's colour (a map with swapped coordinates or an empty
district fails). The PNGs are also written to ``test-artifacts/spatial/`` for a person to look
at.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize

from qonys.spatial import (
    approximate_districts,
    complete_boundaries,
    districts,
    read_boundaries,
)
from qonys.spatial.boundaries import Boundaries
from qonys.spatial.maps import choropleth, choropleth_figure
from sharedpaths import ROOT, shared_path

ART = ROOT / "test-artifacts" / "spatial"
CITIES = ("astana", "almaty", "shymkent")


def _values(city: str) -> dict[str, float]:
    ds = districts(city)
    vals = {d.geo_id: 0.05 + 0.5 * i / len(ds) for i, d in enumerate(ds)}
    vals.pop(ds[1].geo_id)  # one district without data
    return vals


def _check_pixels(b: Boundaries, values: dict[str, float]) -> None:
    fig = choropleth_figure(b, values, labels=False, vmin=0.0, vmax=0.6, dpi=80)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    ax = fig.axes[0]
    norm, cm = Normalize(0.0, 0.6), colormaps["YlOrRd"]
    height = rgba.shape[0]
    for gid, geom in zip(b.projected()["geo_id"], b.projected().geometry, strict=True):
        inner = geom.buffer(-300)  # away from the edges and the hatching lines' ends
        p = (inner if not inner.is_empty else geom).representative_point()
        x, y = ax.transData.transform((p.x, p.y))
        px = rgba[round(height - y), round(x), :3].astype(float) / 255
        if gid in values:
            want = np.array(cm(norm(values[gid]))[:3])
            assert np.abs(px - want).max() < 0.03, (gid, px, want)
        else:
            # no data: light grey or the hatch lines drawn over it, never white or colour
            assert np.ptp(px) < 0.05, (gid, px)
            assert px.mean() < 0.95, (gid, px)


@pytest.mark.shared
@pytest.mark.parametrize("city", CITIES)
def test_maps_on_real_boundaries(city: str) -> None:
    b = complete_boundaries(
        read_boundaries(shared_path("data", "geo", f"{city}_districts.geojson"), city)
    )
    vals = _values(city)
    _check_pixels(b, vals)
    ART.mkdir(parents=True, exist_ok=True)
    for lang in ("kk", "ru", "en"):
        png = choropleth(
            b,
            vals,
            lang=lang,
            percent=True,
            legend={"kk": "Үлес", "ru": "Доля", "en": "Share"},
            title=f"{city}",
            path=ART / f"{city}_osm_{lang}.png",
        )
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("city", CITIES)
def test_maps_on_approximate_districts(city: str) -> None:
    b = approximate_districts(city)
    vals = _values(city)
    _check_pixels(b, vals)
    ART.mkdir(parents=True, exist_ok=True)
    png = choropleth(b, vals, lang="ru", percent=True, path=ART / f"{city}_approx_ru.png")
    assert len(png) > 10_000


def test_same_map_same_bytes() -> None:
    b = approximate_districts("shymkent")
    assert choropleth(b, {"abay": 1.0}, dpi=60) == choropleth(b, {"abay": 1.0}, dpi=60)


def test_hidden_districts_are_not_drawn(tmp_path: Path) -> None:
    b = approximate_districts("almaty")
    vals = {d.geo_id: 0.3 for d in districts("almaty")}
    fig = choropleth_figure(b, vals, hidden=["medeu"], labels=False, vmin=0, vmax=0.6)
    text = " ".join(t.get_text() for t in fig.texts)
    assert "Too few respondents" in text
    assert "Approximate district boundaries" in text
