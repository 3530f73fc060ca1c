"""District boundaries: read any GeoJSON / GeoPackage / Shapefile, validate, project.

:func:`read_boundaries` reads a file with GDAL (``pyogrio``), :func:`boundaries_from_frame`
takes a :class:`geopandas.GeoDataFrame`. Both

* check the CRS (a file without one is read as WGS84 longitude/latitude only when its numbers
  look like degrees; swapped latitude/longitude and data far from the city are errors);
* repair invalid rings with GEOS ``MakeValid`` and report each repair with its reason;
* match features to the district registry by the column that identifies most of them (qonys
  code, ``geo_id``, KATO code or a name in any language), merge duplicates, and report
  unknown features (policy ``unknown``) and registry districts missing from the file;
* report overlaps between districts and how much of the city outline the districts cover.

Areas and distances are always computed in the city's UTM zone (:meth:`Boundaries.projected`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from .._core import DataError, Meta, ReadError, ResultMixin, Where, check_policy, tidy_frame
from ._boundary_checks import (
    BoundaryIssue,
    _assume_crs,
    _check_location,
    _missing_issues,
    _pick_id_column,
    _resolve,
    _swap,
    _topology_issues,
)
from ._geometry import WGS84, repair
from .registry import City, District, city, districts

__all__ = [
    "OSM_ATTRIBUTION",
    "Boundaries",
    "BoundaryIssue",
    "UnknownFeaturePolicy",
    "boundaries_from_frame",
    "read_boundaries",
]

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
"""Credit line required by the Open Database Licence for OpenStreetMap-derived boundaries."""

UnknownFeaturePolicy = Literal["fail", "drop"]
"""Features that match no district of the registry: ``fail`` (default) or ``drop`` (reported)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Boundaries(ResultMixin):
    """Validated district boundaries of one city.

    Attributes
    ----------
    city : City
    frame : geopandas.GeoDataFrame
        One row per district present, in WGS84, with ``code, geo_id, name_kk, name_ru, name_en,
        status`` (``file``, ``repaired``, ``approximate`` or ``cut``: a file district from
        which an approximate missing district was cut out) and ``geometry``.
    issues : tuple of BoundaryIssue
    source : str
        File name, ``"approximate"`` or ``"OpenStreetMap"``.
    attribution : str
        Credit line to print on maps.
    meta : Meta
    """

    city: City
    frame: gpd.GeoDataFrame
    issues: tuple[BoundaryIssue, ...]
    source: str
    attribution: str
    meta: Meta

    @property
    def missing(self) -> tuple[str, ...]:
        """``geo_id`` of registry districts absent from the boundaries."""
        have = set(self.frame["geo_id"])
        return tuple(d.geo_id for d in districts(self.city) if d.geo_id not in have)

    @property
    def approximate(self) -> tuple[str, ...]:
        """``geo_id`` of districts whose shape is approximate (``approximate`` or ``cut``)."""
        mask = self.frame["status"].isin(["approximate", "cut"])
        return tuple(self.frame.loc[mask, "geo_id"])

    @property
    def utm_epsg(self) -> int:
        """EPSG code of the city's UTM zone."""
        return self.city.utm_epsg

    def projected(self) -> gpd.GeoDataFrame:
        """The boundaries in the city's UTM zone (metres): use this for areas and distances."""
        return self.frame.to_crs(epsg=self.city.utm_epsg)

    def areas_km2(self) -> pd.Series:
        """Area of each district in km² (UTM), indexed by ``geo_id``."""
        proj = self.projected()
        return pd.Series(proj.geometry.area.to_numpy() / 1e6, index=proj["geo_id"], name="area")

    def to_frame(self) -> pd.DataFrame:
        """One row per registry district: area (km², UTM) as the estimate, status and issues."""
        areas = self.areas_km2()
        status = dict(zip(self.frame["geo_id"], self.frame["status"], strict=True))
        rows = []
        for d in districts(self.city):
            notes = [i.message for i in self.issues if i.district == d.geo_id]
            rows.append(
                {
                    "variable": "area_km2",
                    "level": d.geo_id,
                    "domain": self.city.id,
                    "estimate": float(areas.get(d.geo_id, np.nan)),
                    "code": d.code,
                    "status": status.get(d.geo_id, "missing"),
                    "issues": "; ".join(notes),
                }
            )
        return tidy_frame(rows, extra=("code", "status", "issues"))

    def issues_frame(self) -> pd.DataFrame:
        """Every issue as a row (``kind, district, message``)."""
        return pd.DataFrame(
            [dataclasses.asdict(i) for i in self.issues], columns=["kind", "district", "message"]
        )


def read_boundaries(
    path: str | Path,
    city_key: City | str | int,
    *,
    id_column: str | None = None,
    layer: str | int | None = None,
    crs: Any = None,
    swap_xy: bool = False,
    unknown: UnknownFeaturePolicy = "fail",
) -> Boundaries:
    """Read district boundaries of a city from a GeoJSON, GeoPackage or Shapefile and validate.

    Parameters
    ----------
    path : str or Path
        The file (anything GDAL reads: ``.geojson``, ``.gpkg``, ``.shp``...).
    city_key : City, str or int
        Which city (``"almaty"``, ``75``...).
    id_column : str, optional
        Column identifying districts; by default the column that matches most features.
    layer : str or int, optional
        Layer of a multi-layer file (GeoPackage).
    crs : optional
        CRS to assume when the file declares none.
    swap_xy : bool
        Swap x and y first (files written as latitude, longitude).
    unknown : {"fail", "drop"}
        Features that match no registry district.

    Returns
    -------
    Boundaries

    Raises
    ------
    ReadError
        The file cannot be read (rule ``spatial.read``).
    DataError
        ``spatial.no-crs``, ``spatial.swapped-coordinates``, ``spatial.outside-city``,
        ``spatial.no-id-column``, ``spatial.unknown-district``, ``spatial.not-polygons``.

    Notes
    -----
    Equivalent R: ``sf::st_read(path) |> sf::st_make_valid() |> sf::st_transform(32643)``.

    Examples
    --------
    >>> import json, tempfile, os
    >>> sq = [[[76.90, 43.24], [76.92, 43.24], [76.92, 43.26], [76.90, 43.26], [76.90, 43.24]]]
    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...       "properties": {"name": "Алмалинский район"},
    ...       "geometry": {"type": "Polygon", "coordinates": sq}}]}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = os.path.join(tmp, "one.geojson")
    ...     _ = open(f, "w", encoding="utf-8").write(json.dumps(fc))
    ...     b = read_boundaries(f, "almaty")
    >>> b.frame["geo_id"].tolist(), len(b.missing)
    (['almaly'], 7)
    """
    p = Path(path)
    if not p.exists():
        raise ReadError(
            f"boundary file {p.name} does not exist",
            where=Where(file=p.name),
            rule="spatial.read",
            hint="Check the path; 'qonys geo fetch CITY' downloads boundaries from OpenStreetMap.",
        )
    try:
        gdf = gpd.read_file(p, layer=layer) if layer is not None else gpd.read_file(p)
    except Exception as ex:  # GDAL's errors have no common base class
        raise ReadError(
            f"cannot read boundary file {p.name}: {ex}",
            where=Where(file=p.name),
            rule="spatial.read",
            hint="Give a GeoJSON, GeoPackage or Shapefile (with its .shx, .dbf and .prj).",
        ) from ex
    declared_none = gdf.crs is None
    if declared_none and crs is None and p.suffix.lower() in (".geojson", ".json"):
        crs = WGS84  # RFC 7946: GeoJSON coordinates are WGS84 longitude, latitude
    return boundaries_from_frame(
        gdf,
        city_key,
        id_column=id_column,
        crs=crs,
        swap_xy=swap_xy,
        unknown=unknown,
        source=p.name,
    )


def boundaries_from_frame(
    gdf: gpd.GeoDataFrame,
    city_key: City | str | int,
    *,
    id_column: str | None = None,
    crs: Any = None,
    swap_xy: bool = False,
    unknown: UnknownFeaturePolicy = "fail",
    source: str = "data",
    attribution: str | None = None,
) -> Boundaries:
    """Validate district boundaries held in a GeoDataFrame (see :func:`read_boundaries`)."""
    check_policy(unknown, UnknownFeaturePolicy, "unknown")
    c = city(city_key)
    issues: list[BoundaryIssue] = []
    gdf = gdf.copy()
    if swap_xy:
        gdf = gdf.set_geometry(gdf.geometry.map(lambda g: None if g is None else _swap(g)))
    gdf = _assume_crs(gdf, crs, source, issues)
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    col = _pick_id_column(gdf, c, id_column, source)
    for v in gdf.loc[empty, col]:
        msg = f"feature {v!r} has no geometry and was dropped"
        issues.append(BoundaryIssue("empty", str(v), msg))
    gdf = gdf.loc[~empty]
    if gdf.empty:
        raise DataError(
            "the boundary file holds no geometry",
            where=Where(file=source),
            rule="spatial.empty",
            hint="Check the file and its layer.",
        )
    _check_location(gdf, c, source)
    gdf = gdf.to_crs(WGS84)
    rows: dict[str, dict[str, Any]] = {}
    unknown_values: list[str] = []
    for value, geom in zip(gdf[col], gdf.geometry, strict=True):
        d = _resolve(value, c)
        if d is None:
            unknown_values.append(str(value))
            continue
        fixed, reason = repair(geom)
        if fixed is None:
            raise DataError(
                f"feature {value!r} is not a polygon ({geom.geom_type})",
                where=Where(file=source, variable=col),
                rule="spatial.not-polygons",
                hint="District boundaries must be polygons or multipolygons.",
            )
        if reason is not None:
            issues.append(BoundaryIssue("repaired", d.geo_id, f"invalid ring repaired ({reason})"))
        if d.geo_id in rows:
            rows[d.geo_id]["geometry"] = rows[d.geo_id]["geometry"].union(fixed)
            rows[d.geo_id]["n"] += 1
        else:
            status = "repaired" if reason is not None else "file"
            rows[d.geo_id] = {"district": d, "geometry": fixed, "n": 1, "status": status}
    if unknown_values:
        if unknown == "fail":
            raise DataError(
                f"{len(unknown_values)} feature(s) match no district of {c.name()}: "
                + ", ".join(repr(v) for v in unknown_values[:8]),
                where=Where(file=source, variable=col),
                rule="spatial.unknown-district",
                hint="Check the id column (id_column=), or pass unknown='drop' to leave them out.",
            )
        for v in unknown_values:
            msg = f"feature {v!r} matches no district; dropped"
            issues.append(BoundaryIssue("unknown", v, msg))
    for geo_id, r in rows.items():
        if r["n"] > 1:
            issues.append(BoundaryIssue("merged", geo_id, f"{r['n']} features merged into one"))
    frame = _frame([(r["district"], r["geometry"], r["status"]) for r in rows.values()], c)
    issues.extend(_missing_issues(frame, c))
    issues.extend(_topology_issues(frame, c))
    attribution = attribution if attribution is not None else _attribution(gdf)
    meta = Meta(
        method="boundary validation (GEOS MakeValid; areas in UTM)",
        call={"source": source, "city": c.id, "id_column": col, "unknown": unknown},
        policies={"unknown": unknown},
        notes=tuple(_note(i) for i in issues),
        n_used=len(frame),
        n_dropped=len(unknown_values) + int(empty.sum()),
    )
    return Boundaries(c, frame, tuple(issues), source, attribution, meta)


def _note(issue: BoundaryIssue) -> str:
    return issue.message if issue.district is None else f"{issue.district}: {issue.message}"


def _attribution(gdf: gpd.GeoDataFrame) -> str:
    text = " ".join(str(v) for k in gdf.columns if k != gdf.geometry.name for v in gdf[k][:3])
    low = text.casefold()
    if "openstreetmap" in low or "osm" in low or "odbl" in low:
        return OSM_ATTRIBUTION
    return ""


def _frame(items: Sequence[tuple[District, Any, str]], c: City) -> gpd.GeoDataFrame:
    order = {d.geo_id: i for i, d in enumerate(districts(c))}
    items = sorted(items, key=lambda t: order[t[0].geo_id])
    data = {
        "code": [d.code for d, _, _ in items],
        "geo_id": [d.geo_id for d, _, _ in items],
        "name_kk": [d.names["kk"] for d, _, _ in items],
        "name_ru": [d.names["ru"] for d, _, _ in items],
        "name_en": [d.names["en"] for d, _, _ in items],
        "status": [s for _, _, s in items],
    }
    return gpd.GeoDataFrame(data, geometry=[g for _, g, _ in items], crs=WGS84)
