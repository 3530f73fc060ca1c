"""Point-in-polygon assignment of geopoints to districts (in each city's UTM zone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np

from .._core import DataError, Where
from ._geometry import WGS84
from .approximate import approximate_districts
from .boundaries import Boundaries
from .registry import City, cities, city

__all__ = ["points_to_districts"]


def _boundaries_for(
    c: City, boundaries: Boundaries | Mapping[Any, Boundaries] | None
) -> tuple[Boundaries, bool]:
    if isinstance(boundaries, Boundaries):
        if boundaries.city.code == c.code:
            return boundaries, bool(boundaries.approximate)
    elif boundaries is not None:
        for key, b in boundaries.items():
            if city(key).code == c.code:
                return b, bool(b.approximate)
    return approximate_districts(c), True


def _locate(xy: np.ndarray, b: Boundaries) -> np.ndarray:
    """District code of each (lon, lat) row, or -1 outside every district."""
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WGS84)
    pts = pts.to_crs(epsg=b.utm_epsg)
    polys = b.projected()[["code", "geometry"]]
    hit = gpd.sjoin(pts, polys, how="left", predicate="intersects")
    first = hit.groupby(level=0)["code"].min()  # a point on a shared edge takes the lower code
    return first.reindex(range(len(xy))).fillna(-1).to_numpy(dtype=int)


def points_to_districts(
    points: Sequence[tuple[float, float] | None],
    cities_of: Sequence[City | None],
    boundaries: Boundaries | Mapping[Any, Boundaries] | None,
) -> tuple[list[tuple[int | None, str]], bool]:
    """Districts of ``(lon, lat)`` points; a point without a city is tried in every city.

    Returns the ``(code or None, reason)`` pairs and whether approximate districts were used.

    Raises
    ------
    DataError
        When most points fall outside their city's districts but would fall inside with
        latitude and longitude swapped (rule ``spatial.swapped-coordinates``).
    """
    out: list[tuple[int | None, str]] = [
        (None, "missing answer") if p is None else (None, "outside the districts") for p in points
    ]
    approx_used = False
    targets = {c.code: c for c in cities_of if c is not None}
    groups: dict[int | None, list[int]] = {}
    for i, (p, c) in enumerate(zip(points, cities_of, strict=True)):
        if p is not None:
            groups.setdefault(None if c is None else c.code, []).append(i)
    for key, rows in groups.items():
        pool = [targets[key]] if key is not None else list(cities())
        xy = np.array([points[i] for i in rows], dtype=float)
        found = np.full(len(rows), -1)
        swapped_found = 0
        for c in pool:
            b, approx = _boundaries_for(c, boundaries)
            codes = _locate(xy, b)
            new = (found < 0) & (codes >= 0)
            found[new] = codes[new]
            approx_used = approx_used or (approx and bool(new.any()))
            if key is not None:
                swapped_found += int((_locate(xy[:, ::-1], b) >= 0).sum())
        if key is not None and (found >= 0).mean() < 0.5 and swapped_found > 0.5 * len(rows):
            raise DataError(
                "most geopoints fall outside the city but inside it with latitude and "
                "longitude swapped",
                where=Where(key="lonlat"),
                rule="spatial.swapped-coordinates",
                hint="Pass the columns as lonlat=(longitude, latitude); geopoints are 'lat lon'.",
            )
        for i, code in zip(rows, found, strict=True):
            if code >= 0:
                out[i] = (int(code), "matched")
    return out, approx_used
