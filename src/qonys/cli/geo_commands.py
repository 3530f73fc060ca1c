"""``qonys geo``: district registry, boundary checks, OpenStreetMap download, maps.

``qonys geo fetch CITY`` is the only command of qonys that uses the network, and only when the
user runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .._core import DataError, Where
from .app import app, emit_json, out_console

__all__ = ["geo_app"]

geo_app = typer.Typer(
    name="geo",
    help="Districts of Astana, Almaty and Shymkent: registry, boundary files, maps.",
    no_args_is_help=True,
)
app.add_typer(geo_app, name="geo")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@geo_app.command("districts")
def districts_cmd(
    city: Annotated[str | None, typer.Argument(help="astana, almaty or shymkent.")] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="kk, ru or en.")] = "en",
    as_json: JsonOpt = False,
) -> None:
    """List the district registry: codes, KATO, names, published population and sources."""
    from ..spatial import district_table

    frame = district_table(city, lang=lang)
    if as_json:
        emit_json(frame.to_dict(orient="records"))
        return
    table = Table(title="Districts" + (f" of {city}" if city else ""))
    for col in ("code", "geo_id", "kato", "name", "population", "year"):
        table.add_column(col)
    for r in frame.to_dict(orient="records"):
        table.add_row(
            str(r["code"]),
            str(r["geo_id"]),
            str(r["kato"] or ""),
            str(r["name"]),
            _num(r["population"], "{:,.0f}"),
            _num(r["population_year"], "{:.0f}"),
        )
    out_console.print(table)


def _num(value: object, fmt: str) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return "" if v != v else fmt.format(v)


def _print_boundaries(b: object, as_json: bool) -> None:
    from ..spatial import Boundaries

    if not isinstance(b, Boundaries):  # pragma: no cover - internal misuse
        return
    frame = b.to_frame()
    issues = b.issues_frame()
    if as_json:
        emit_json(
            {
                "city": b.city.id,
                "source": b.source,
                "attribution": b.attribution,
                "districts": frame[["level", "code", "estimate", "status"]]
                .rename(columns={"level": "geo_id", "estimate": "area_km2"})
                .to_dict(orient="records"),
                "issues": issues.to_dict(orient="records"),
            }
        )
        return
    table = Table(title=f"{b.city.name()}: {b.source}")
    for col in ("code", "geo_id", "area km² (UTM)", "status"):
        table.add_column(col)
    for r in frame.to_dict(orient="records"):
        table.add_row(
            str(r["code"]), str(r["level"]), _num(r["estimate"], "{:.1f}"), str(r["status"])
        )
    out_console.print(table)
    for i in b.issues:
        who = f"{i.district}: " if i.district else ""
        out_console.print(f"{i.kind}: {who}{i.message}", markup=False)
    if b.attribution:
        out_console.print(f"attribution: {b.attribution}", markup=False)


@geo_app.command("check")
def check_cmd(
    boundaries: Annotated[Path, typer.Argument(help="GeoJSON, GeoPackage or Shapefile.")],
    city: Annotated[str, typer.Option("--city", help="astana, almaty or shymkent.")],
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Column identifying districts.")
    ] = None,
    drop_unknown: Annotated[
        bool, typer.Option("--drop-unknown", help="Drop features matching no district.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read a boundary file, repair and report invalid rings, CRS, missing districts, overlaps."""
    from ..spatial import read_boundaries

    b = read_boundaries(
        boundaries, city, id_column=id_column, unknown="drop" if drop_unknown else "fail"
    )
    _print_boundaries(b, as_json)


@geo_app.command("fetch")
def fetch_cmd(
    city: Annotated[str, typer.Argument(help="astana, almaty or shymkent.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="GeoJSON to write (CITY_districts.geojson).")
    ] = None,
    admin_level: Annotated[
        str, typer.Option("--admin-level", help="OSM admin_level of districts.")
    ] = "6",
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="Overpass API URL.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Download current district boundaries from OpenStreetMap (needs the internet).

    The file is saved as GeoJSON with the ODbL attribution ("© OpenStreetMap contributors"),
    which every map made from it must carry.
    """
    from ..spatial import city as find_city
    from ..spatial.osm import DEFAULT_ENDPOINT, fetch_boundaries

    c = find_city(city)
    target = out if out is not None else Path(f"{c.id}_districts.geojson")
    b = fetch_boundaries(c, target, admin_level=admin_level, endpoint=endpoint or DEFAULT_ENDPOINT)
    _print_boundaries(b, as_json)
    if not as_json:
        out_console.print(f"written: {target}", markup=False)


@geo_app.command("map")
def map_cmd(
    values: Annotated[Path, typer.Argument(help="CSV with a district column and a value column.")],
    city: Annotated[str, typer.Option("--city", help="astana, almaty or shymkent.")],
    column: Annotated[str, typer.Option("--column", "-c", help="Column of values to map.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG to write.")],
    district_column: Annotated[
        str, typer.Option("--district-column", help="Column of district codes or geo ids.")
    ] = "district",
    boundaries: Annotated[
        Path | None, typer.Option("--boundaries", "-b", help="Boundary file (else approximate).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="kk, ru or en.")] = "en",
    title: Annotated[str, typer.Option("--title", help="Map title.")] = "",
    percent: Annotated[bool, typer.Option("--percent", help="Values are shares (0-1).")] = False,
) -> None:
    """Draw a choropleth of district values (offline; approximate districts without a file)."""
    import pandas as pd

    from ..spatial import approximate_districts, complete_boundaries, read_boundaries
    from ..spatial.maps import choropleth

    try:
        frame = pd.read_csv(values)
    except (OSError, ValueError) as ex:
        raise DataError(
            f"cannot read {values.name}: {ex}",
            where=Where(file=values.name),
            rule="read.failed",
            hint="Give a CSV file.",
        ) from ex
    for col in (district_column, column):
        if col not in frame.columns:
            raise DataError(
                f"column {col!r} is not in {values.name}",
                where=Where(file=values.name, variable=col),
                rule="data.unknown-column",
                hint=f"Columns: {', '.join(map(str, frame.columns))}.",
            )
    b = (
        complete_boundaries(read_boundaries(boundaries, city, unknown="drop"))
        if boundaries is not None
        else approximate_districts(city)
    )
    series = pd.Series(frame[column].to_numpy(dtype=float), index=frame[district_column])
    choropleth(b, series, lang=lang, title=title, legend=column, percent=percent, path=out)
    out_console.print(f"written: {out}", markup=False)
