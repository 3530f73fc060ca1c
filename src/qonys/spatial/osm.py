"""District boundaries from OpenStreetMap (Overpass API), on the user's explicit request.

Nothing here runs at import time or in an analysis: the network is used only by
:func:`fetch_boundaries` (``qonys geo fetch CITY``). :func:`overpass_query` writes the query,
:func:`parse_overpass` turns an Overpass JSON answer (``out geom``) into polygons, assembling
each relation's outer and inner ways into rings, and :func:`write_geojson` saves them with the
licence and attribution OpenStreetMap requires (ODbL 1.0: "© OpenStreetMap contributors").
"""

from __future__ import annotations

import datetime as _dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.ops import polygonize, unary_union

from .._core import DataError, QonysError, Where
from ._geometry import WGS84, polygonal
from .boundaries import OSM_ATTRIBUTION, Boundaries, boundaries_from_frame
from .registry import City, city

__all__ = [
    "DEFAULT_ENDPOINT",
    "fetch_boundaries",
    "fetch_overpass",
    "overpass_query",
    "parse_overpass",
    "write_geojson",
]

DEFAULT_ENDPOINT = "https://overpass-api.de/api/interpreter"
"""The main public Overpass instance; ``--endpoint`` takes any mirror."""


def overpass_query(city_key: City | str | int, admin_level: str = "6", timeout: int = 180) -> str:
    """The Overpass QL query for the districts of a city.

    The city is found by its ISO 3166-2 code (``KZ-71`` Astana, ``KZ-75`` Almaty, ``KZ-79``
    Shymkent); its districts are the administrative relations of ``admin_level`` inside it.

    Examples
    --------
    >>> print(overpass_query("almaty").splitlines()[1])
    area["ISO3166-2"="KZ-75"]["boundary"="administrative"]->.city;
    """
    c = city(city_key)
    return (
        f"[out:json][timeout:{int(timeout)}];\n"
        f'area["ISO3166-2"="KZ-{c.code}"]["boundary"="administrative"]->.city;\n'
        f'rel(area.city)["boundary"="administrative"]["admin_level"="{admin_level}"];\n'
        "out geom;\n"
    )


def _line(member: Mapping[str, Any]) -> LineString | None:
    pts = [(float(p["lon"]), float(p["lat"])) for p in member.get("geometry") or () if p]
    return LineString(pts) if len(pts) >= 2 else None


def _rings(lines: list[LineString]) -> list[Polygon]:
    if not lines:
        return []
    return [p for p in polygonize(unary_union(lines)) if p.area > 0]


def _relation_geometry(rel: Mapping[str, Any]) -> Polygon | MultiPolygon | None:
    outer: list[LineString] = []
    inner: list[LineString] = []
    for m in rel.get("members", ()):
        if m.get("type") != "way":
            continue
        line = _line(m)
        if line is None:
            continue
        (inner if m.get("role") == "inner" else outer).append(line)
    shells = _rings(outer)
    if not shells:
        return None
    geom = unary_union(shells)
    holes = _rings(inner)
    if holes:
        geom = geom.difference(unary_union(holes))
    return polygonal(shapely.make_valid(geom))


def parse_overpass(payload: Mapping[str, Any] | str | bytes) -> gpd.GeoDataFrame:
    """Polygons of the relations in an Overpass JSON answer (``out geom``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``osm_relation`` (``"r3390291"``), ``name``, ``name_kk``, ``name_ru``, ``name_en``,
        ``admin_level``, ``source`` and ``geometry`` (WGS84). Relations whose ways do not close
        into rings are left out (counted in ``attrs["n_unclosed"]``).

    Raises
    ------
    DataError
        Not an Overpass JSON answer (rule ``spatial.osm-response``).

    Examples
    --------
    >>> ring = [(43.24, 76.90), (43.24, 76.92), (43.26, 76.92), (43.26, 76.90), (43.24, 76.90)]
    >>> way = {"type": "way", "role": "outer",
    ...        "geometry": [{"lat": a, "lon": o} for a, o in ring]}
    >>> answer = {"elements": [{"type": "relation", "id": 3072807, "members": [way],
    ...            "tags": {"name": "Алмалинский район", "admin_level": "6"}}]}
    >>> parse_overpass(answer)[["osm_relation", "name"]].values.tolist()
    [['r3072807', 'Алмалинский район']]
    """
    try:
        data = json.loads(payload) if isinstance(payload, str | bytes) else payload
        elements = list(data["elements"])
    except (ValueError, KeyError, TypeError) as ex:
        raise DataError(
            "the answer is not Overpass JSON (no 'elements')",
            where=Where(key="overpass"),
            rule="spatial.osm-response",
            hint="The server may be busy and have answered with an error page; try again later "
            "or another endpoint.",
        ) from ex
    rows = []
    unclosed = 0
    for el in elements:
        if el.get("type") != "relation":
            continue
        geom = _relation_geometry(el)
        if geom is None:
            unclosed += 1
            continue
        tags = el.get("tags", {})
        rows.append(
            {
                "osm_relation": f"r{el.get('id')}",
                "name": tags.get("name"),
                "name_kk": tags.get("name:kk"),
                "name_ru": tags.get("name:ru"),
                "name_en": tags.get("name:en"),
                "admin_level": tags.get("admin_level"),
                "source": OSM_ATTRIBUTION,
                "geometry": geom,
            }
        )
    cols = ["osm_relation", "name", "name_kk", "name_ru", "name_en", "admin_level", "source"]
    gdf = gpd.GeoDataFrame(rows, columns=[*cols, "geometry"], geometry="geometry", crs=WGS84)
    gdf.attrs["n_unclosed"] = unclosed
    return gdf


def fetch_overpass(query: str, *, endpoint: str = DEFAULT_ENDPOINT, timeout: float = 200) -> bytes:
    """POST ``query`` to an Overpass endpoint and return the raw answer (network access)."""
    body = urllib.parse.urlencode({"data": query}).encode("utf-8")
    req = urllib.request.Request(endpoint, data=body, headers={"User-Agent": "qonys geo fetch"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return bytes(resp.read())
    except (urllib.error.URLError, TimeoutError, OSError) as ex:
        raise QonysError(
            f"cannot reach the Overpass API at {endpoint}: {ex}",
            where=Where(key="endpoint"),
            rule="spatial.fetch-failed",
            hint="Check the internet connection, or pass --endpoint with another Overpass "
            "mirror; boundary files can also be given with --boundaries.",
        ) from ex


def write_geojson(b: Boundaries, path: str | Path, *, retrieved: str | None = None) -> Path:
    """Write boundaries as GeoJSON (RFC 7946, WGS84) with licence and attribution members."""
    p = Path(path)
    doc = json.loads(b.frame.to_json(drop_id=True))
    doc["name"] = f"{b.city.id}_districts"
    doc["attribution"] = b.attribution or OSM_ATTRIBUTION
    doc["license"] = "ODbL-1.0" if "OpenStreetMap" in (b.attribution or "") else None
    doc["source"] = b.source
    doc["retrieved"] = retrieved or _dt.date.today().isoformat()
    p.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return p


def fetch_boundaries(
    city_key: City | str | int,
    out: str | Path | None = None,
    *,
    admin_level: str = "6",
    endpoint: str = DEFAULT_ENDPOINT,
    timeout: float = 200,
    fetcher: Any = None,
) -> Boundaries:
    """Download a city's district boundaries from OpenStreetMap, validate, and save them.

    Parameters
    ----------
    city_key : City, str or int
    out : path, optional
        GeoJSON file to write (with the ODbL attribution).
    admin_level : str
        OSM administrative level of city districts (``"6"`` in Kazakhstan).
    endpoint : str
        Overpass API URL.
    fetcher : callable, optional
        ``fetcher(query, endpoint=..., timeout=...) -> bytes``; replaces the network call
        (tests use recorded answers).

    Returns
    -------
    Boundaries
        Features that match no registry district are dropped and reported; districts missing
        from OpenStreetMap are reported too.
    """
    c = city(city_key)
    get = fetcher or fetch_overpass
    raw = get(overpass_query(c, admin_level), endpoint=endpoint, timeout=timeout)
    gdf = parse_overpass(raw)
    if gdf.empty:
        raise DataError(
            f"OpenStreetMap returned no district polygons for {c.name()}",
            where=Where(key="admin_level"),
            rule="spatial.osm-empty",
            hint="Try another --admin-level (districts are usually level 6).",
        )
    b = boundaries_from_frame(
        gdf, c, unknown="drop", source="OpenStreetMap", attribution=OSM_ATTRIBUTION
    )
    if out is not None:
        write_geojson(b, out)
    return b
