"""Checks behind :func:`~qonys.spatial.read_boundaries`: CRS, location, ids, topology."""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import numpy as np

from .._core import DataError, Where
from ._geometry import WGS84, city_outline
from .registry import City, District, district, districts

__all__ = ["BoundaryIssue"]

_ID_PREFERENCE = ("geo_id", "id", "code", "district", "kato", "name_en", "name", "name_ru")


@dataclasses.dataclass(frozen=True, slots=True)
class BoundaryIssue:
    """One finding of the validation.

    ``kind`` is one of ``crs``, ``empty``, ``repaired``, ``merged``, ``unknown``, ``missing``,
    ``overlap``, ``coverage``, ``approximate``, ``cut``.
    """

    kind: str
    district: str | None
    message: str


def _assume_crs(gdf: gpd.GeoDataFrame, crs: Any, source: str, notes: list[BoundaryIssue]) -> Any:
    if gdf.crs is not None:
        return gdf
    if crs is not None:
        notes.append(BoundaryIssue("crs", None, f"no CRS in the file; read as {crs} as asked"))
        return gdf.set_crs(crs)
    x0, y0, x1, y1 = gdf.total_bounds
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        msg = "no CRS in the file; coordinates look like degrees, read as WGS84"
        notes.append(BoundaryIssue("crs", None, msg))
        return gdf.set_crs(WGS84)
    raise DataError(
        "the boundary file declares no coordinate reference system",
        where=Where(file=source),
        rule="spatial.no-crs",
        hint="Pass crs= (e.g. crs='EPSG:32643'), or add the .prj file next to the shapefile.",
    )


def _check_location(gdf: gpd.GeoDataFrame, c: City, source: str) -> None:
    """Fail on swapped axes or data far from the city (a wrong CRS)."""
    x0, y0, x1, y1 = gdf.to_crs(WGS84).total_bounds
    ox0, oy0, ox1, oy1 = city_outline(c).bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tol = 0.5

    def near(x: float, y: float) -> bool:
        return bool(ox0 - tol <= x <= ox1 + tol and oy0 - tol <= y <= oy1 + tol)

    if near(cx, cy):
        return
    if near(cy, cx):
        raise DataError(
            f"the boundaries of {c.name()} have latitude and longitude swapped",
            where=Where(file=source),
            rule="spatial.swapped-coordinates",
            hint="Read the file with swap_xy=True (or fix the axis order where it was written).",
        )
    raise DataError(
        f"the boundaries lie around ({cx:.3f}, {cy:.3f}), not in {c.name()}",
        where=Where(file=source),
        rule="spatial.outside-city",
        hint="Check the city, and the file's CRS (pass crs= if the file declares a wrong one).",
    )


def _resolve(value: object, c: City) -> District | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    try:
        return district(text, city=c)
    except DataError:
        return None


def _pick_id_column(gdf: gpd.GeoDataFrame, c: City, id_column: str | None, source: str) -> str:
    cols = [str(k) for k in gdf.columns if k != gdf.geometry.name]
    if id_column is not None:
        if id_column not in cols:
            raise DataError(
                f"column {id_column!r} is not in the boundary file",
                where=Where(file=source, variable=id_column),
                rule="spatial.no-id-column",
                hint=f"Columns: {', '.join(cols)}.",
            )
        return id_column
    scores = {k: sum(_resolve(v, c) is not None for v in gdf[k]) for k in cols}
    best = max(scores.values(), default=0)
    if best == 0:
        raise DataError(
            f"no column of the boundary file identifies districts of {c.name()}",
            where=Where(file=source),
            rule="spatial.no-id-column",
            hint="Name the column with id_column=; it may hold district codes (7504), KATO codes, "
            "geo ids ('bostandyk') or names in Kazakh, Russian or English.",
        )
    ranked = sorted(cols, key=lambda k: (-scores[k], _rank(k)))
    return ranked[0]


def _rank(col: str) -> int:
    low = col.casefold()
    return _ID_PREFERENCE.index(low) if low in _ID_PREFERENCE else len(_ID_PREFERENCE)


def _swap(geom: Any) -> Any:
    import shapely

    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def _missing_issues(frame: gpd.GeoDataFrame, c: City) -> list[BoundaryIssue]:
    have = set(frame["geo_id"])
    return [
        BoundaryIssue("missing", d.geo_id, f"{d.name()} ({d.code}) is not in the boundary file")
        for d in districts(c)
        if d.geo_id not in have
    ]


def _topology_issues(frame: gpd.GeoDataFrame, c: City) -> list[BoundaryIssue]:
    out: list[BoundaryIssue] = []
    proj = frame.to_crs(epsg=c.utm_epsg)
    geoms = list(proj.geometry)
    ids = list(proj["geo_id"])
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            if not geoms[i].intersects(geoms[j]):
                continue
            area = geoms[i].intersection(geoms[j]).area / 1e6
            if area > 0.01:
                out.append(BoundaryIssue("overlap", ids[i], f"overlaps {ids[j]} by {area:.3f} km²"))
    union = proj.geometry.union_all()
    outline = city_outline(c, projected=True)
    share = union.intersection(outline).area / outline.area if outline.area > 0 else np.nan
    out.append(
        BoundaryIssue(
            "coverage",
            None,
            f"the districts cover {100 * share:.1f}% of the city outline "
            f"({union.area / 1e6:.1f} km² of districts, UTM EPSG:{c.utm_epsg})",
        )
    )
    return out
