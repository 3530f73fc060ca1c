"""The district registry of Astana, Almaty and Shymkent.

Every district has its qonys code (city code x 100 + n, the ``district`` choice list of the
standard instrument), a ``geo_id`` that joins it to boundary files, a KATO code where known,
names in Kazakh, Russian and English, the published population and area with source and year
where found, and an approximate centre used only for the fallback map. The data ship in
``qonys/data/geo/districts.yaml``; their sources are listed in ``SOURCES.md`` beside it.

Examples
--------
>>> [c.id for c in cities()]
['astana', 'almaty', 'shymkent']
>>> len(districts("astana")), len(districts(75)), len(districts("Шымкент"))
(6, 8, 5)
>>> district("Бостандыкский район", city="almaty").code
7504
>>> district(7905).name("kk")
'Тұран ауданы'
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .._core import DataError, FrozenMap, Where
from ._names import name_key

__all__ = [
    "LANGS",
    "City",
    "District",
    "Published",
    "cities",
    "city",
    "district",
    "district_table",
    "districts",
    "geo_data_path",
]

LANGS: tuple[str, ...] = ("kk", "ru", "en")
"""Languages of names and map labels."""


def geo_data_path(name: str) -> Path:
    """Path of a file shipped in ``qonys/data/geo`` (``districts.yaml``).

    Examples
    --------
    >>> geo_data_path("districts.yaml").name
    'districts.yaml'
    """
    return Path(str(resources.files("qonys").joinpath("data", "geo", name)))


@dataclasses.dataclass(frozen=True, slots=True)
class Published:
    """A published figure (population, area) with its year and source.

    Attributes
    ----------
    value : float
    year : int or None
    source : str
        Where the number was read.
    certainty : {"relay", "uncertain"}
        ``relay``: an official figure relayed by a news agency or encyclopedia;
        ``uncertain``: period or definition unclear.
    date : str or None
        Reference date when known (ISO).
    """

    value: float
    year: int | None
    source: str
    certainty: str = "relay"
    date: str | None = None


def _published(raw: Mapping[str, Any] | None) -> Published | None:
    if not raw:
        return None
    return Published(
        value=float(raw["value"]),
        year=int(raw["year"]) if raw.get("year") is not None else None,
        source=str(raw["source"]),
        certainty=str(raw.get("certainty", "relay")),
        date=str(raw["date"]) if raw.get("date") else None,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class City:
    """A city of the registry.

    Attributes
    ----------
    code : int
        Two-digit code (KATO region code of the city; the instrument's ``city`` list).
    id : str
        Lower-case identifier (``"almaty"``).
    names : Mapping[str, str]
        ``kk``, ``ru`` and ``en`` names.
    utm_epsg : int
        EPSG code of the WGS84 / UTM zone used for every distance and area.
    population, area_km2 : Published or None
    """

    code: int
    id: str
    names: Mapping[str, str]
    utm_epsg: int
    population: Published | None = None
    area_km2: Published | None = None

    def name(self, lang: str = "en") -> str:
        """Name in ``lang`` (English when the language is unknown)."""
        return self.names.get(lang) or self.names["en"]


@dataclasses.dataclass(frozen=True, slots=True)
class District:
    """A district of the registry (see the module docstring for the fields' meaning).

    Attributes
    ----------
    code : int
        qonys code (``7504``).
    city : int
        City code (``75``).
    geo_id : str
        Join key to boundary files (``"bostandyk"``).
    names : Mapping[str, str]
        ``kk``, ``ru``, ``en``.
    aliases : tuple of str
        Other spellings accepted when matching names and addresses.
    kato : str or None
        KATO code, where known; ``kato_certain`` says whether it was checked.
    osm_relation : str or None
        OpenStreetMap relation of the boundary (``"r3390291"``).
    centre : tuple of float
        ``(longitude, latitude)`` of a point inside the district.
    centre_source : {"osm", "gap", "placed"}
        ``osm``: a point inside the OpenStreetMap boundary; ``gap``: a point inside the part of
        the city outline that no OpenStreetMap district covers (a district missing from OSM);
        ``placed``: placed by hand from descriptions (uncertain).
    population, area_km2 : Published or None
    note : str
    """

    code: int
    city: int
    geo_id: str
    names: Mapping[str, str]
    aliases: tuple[str, ...] = ()
    kato: str | None = None
    kato_certain: bool = False
    osm_relation: str | None = None
    centre: tuple[float, float] = (float("nan"), float("nan"))
    centre_source: str = "placed"
    population: Published | None = None
    area_km2: Published | None = None
    note: str = ""

    def name(self, lang: str = "en") -> str:
        """Name in ``lang`` (English when the language is unknown)."""
        return self.names.get(lang) or self.names["en"]

    def match_keys(self) -> frozenset[str]:
        """Matching keys of every name and alias (see :mod:`qonys.spatial._names`)."""
        found = {name_key(n) for n in (*self.names.values(), *self.aliases, self.geo_id)}
        return frozenset(k for k in found if k)


@functools.lru_cache(maxsize=1)
def _load() -> tuple[tuple[City, ...], tuple[District, ...]]:
    raw = yaml.safe_load(geo_data_path("districts.yaml").read_text(encoding="utf-8"))
    cs = tuple(
        City(
            code=int(c["code"]),
            id=str(c["id"]),
            names=FrozenMap({lang: str(c[lang]) for lang in LANGS}),
            utm_epsg=int(c["utm_epsg"]),
            population=_published(c.get("population")),
            area_km2=_published(c.get("area_km2")),
        )
        for c in raw["cities"]
    )
    ds = tuple(
        District(
            code=int(d["code"]),
            city=int(d["city"]),
            geo_id=str(d["geo_id"]),
            names=FrozenMap({lang: str(d[lang]) for lang in LANGS}),
            aliases=tuple(str(a) for a in d.get("aliases", ())),
            kato=str(d["kato"]) if d.get("kato") else None,
            kato_certain=bool(d.get("kato_certain", False)),
            osm_relation=str(d["osm_relation"]) if d.get("osm_relation") else None,
            centre=(float(d["centre"][0]), float(d["centre"][1])),
            centre_source=str(d.get("centre_source", "placed")),
            population=_published(d.get("population")),
            area_km2=_published(d.get("area_km2")),
            note=str(d.get("note", "")),
        )
        for d in raw["districts"]
    )
    return cs, ds


def _close(text: str, known: list[str]) -> str:
    close = difflib.get_close_matches(text.casefold(), known, n=3, cutoff=0.6)
    return ("Did you mean " + " or ".join(repr(c) for c in close) + "? ") if close else ""


def cities() -> tuple[City, ...]:
    """The cities of the registry, in code order (Astana 71, Almaty 75, Shymkent 79)."""
    return _load()[0]


def city(key: City | str | int) -> City:
    """Look a city up by code (``75``), id (``"almaty"``) or name in any language.

    Raises
    ------
    DataError
        For an unknown city (rule ``spatial.unknown-city``).
    """
    if isinstance(key, City):
        return key
    for c in cities():
        if isinstance(key, int | float) and not isinstance(key, bool) and int(key) == c.code:
            return c
        if isinstance(key, str):
            if key.strip().isdigit() and int(key) == c.code:
                return c
            k = name_key(key)
            if k and (k == name_key(c.id) or any(k == name_key(n) for n in c.names.values())):
                return c
    known = [c.id for c in cities()]
    raise DataError(
        f"unknown city {key!r}",
        where=Where(key="city"),
        rule="spatial.unknown-city",
        hint=_close(str(key), known) + f"Known cities: {', '.join(known)} (or codes 71, 75, 79).",
    )


def districts(city_key: City | str | int | None = None) -> tuple[District, ...]:
    """Districts of one city (all cities when ``city_key`` is ``None``), in code order."""
    ds = _load()[1]
    if city_key is None:
        return ds
    code = city(city_key).code
    return tuple(d for d in ds if d.city == code)


def district(key: str | int, city: City | str | int | None = None) -> District:
    """Look a district up by qonys code, KATO code, ``geo_id`` or name in any language.

    Parameters
    ----------
    key : str or int
        ``7504``, ``"751410000"``, ``"bostandyk"``, ``"Бостандыкский район"``...
    city : optional
        Restrict the search to one city (needed for names shared across cities, e.g. *Almaty
        District* of Astana vs the city of Almaty).

    Raises
    ------
    DataError
        Unknown or ambiguous district (rules ``spatial.unknown-district``,
        ``spatial.ambiguous-district``).
    """
    pool = districts(city)
    text = str(key).strip()
    if text.isdigit():
        num = int(text)
        for d in pool:
            if num == d.code or (d.kato is not None and text == d.kato):
                return d
    hits = [d for d in pool if d.geo_id == text]
    if not hits:
        k = name_key(text)
        hits = [d for d in pool if k and k in d.match_keys()]
    if len(hits) == 1:
        return hits[0]
    where = Where(key="district")
    if len(hits) > 1:
        raise DataError(
            f"district {key!r} is ambiguous: {', '.join(str(d.code) for d in hits)}",
            where=where,
            rule="spatial.ambiguous-district",
            hint="Give the city as well, or use the district code.",
        )
    known = [d.geo_id for d in pool]
    raise DataError(
        f"unknown district {key!r}" + (f" in {pool[0].city}" if city is not None and pool else ""),
        where=where,
        rule="spatial.unknown-district",
        hint=_close(text, known) + "See qonys.spatial.district_table() for the registry.",
    )


def district_table(city_key: City | str | int | None = None, lang: str = "en") -> pd.DataFrame:
    """The registry as a table: one row per district.

    Columns: ``code, city, geo_id, kato, name_kk, name_ru, name_en, name`` (in ``lang``),
    ``lon, lat, centre_source, population, population_year, population_source, area_km2,
    area_source, osm_relation, note``.

    Examples
    --------
    >>> t = district_table("shymkent")
    >>> t.loc[t.geo_id == "turan", ["code", "population", "population_year"]].values.tolist()
    [[7905, 220700.0, 2021]]
    """
    rows = []
    for d in districts(city_key):
        rows.append(
            {
                "code": d.code,
                "city": d.city,
                "geo_id": d.geo_id,
                "kato": d.kato,
                "name_kk": d.names["kk"],
                "name_ru": d.names["ru"],
                "name_en": d.names["en"],
                "name": d.name(lang),
                "lon": d.centre[0],
                "lat": d.centre[1],
                "centre_source": d.centre_source,
                "population": d.population.value if d.population else float("nan"),
                "population_year": d.population.year if d.population else None,
                "population_source": d.population.source if d.population else None,
                "area_km2": d.area_km2.value if d.area_km2 else float("nan"),
                "area_source": d.area_km2.source if d.area_km2 else None,
                "osm_relation": d.osm_relation,
                "note": d.note,
            }
        )
    frame = pd.DataFrame(rows)
    frame["population_year"] = frame["population_year"].astype("Int64")
    return frame
