"""Published statistics the synthetic study is calibrated to (package data ``qonys/data/kz``).

The files hold each figure with its date, source and certainty (``bns_relay``, ``wiki``,
``uncertain`` or ``assumption``); see ``qonys/data/kz/README.md``. :func:`load_calibration`
reads them into a :class:`Calibration`, the only place the simulation takes population sizes,
district shares, ethnic composition and migrants' regions of origin from.

Examples
--------
>>> cal = load_calibration()
>>> cal.city_codes
(71, 75, 79)
>>> round(cal.adults(75))  # 2,292,333 people on 1 January 2025 x 0.72 adults (assumed)
1650480
>>> cal.districts.loc[cal.districts["city_code"] == 71, "district_code"].tolist()
[7101, 7102, 7103, 7104, 7105, 7106]
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

import pandas as pd

from .._core import DataError, Where

__all__ = ["CITY_NAMES", "Calibration", "load_calibration"]

CITY_NAMES: dict[int, str] = {71: "Astana", 75: "Almaty", 79: "Shymkent"}
"""The three cities by their code in the instrument's ``city`` list."""

_ZONES = ("centre", "middle", "periphery")


def _kz_file(name: str) -> Path:
    return Path(str(resources.files("qonys").joinpath("data", "kz", name)))


@dataclasses.dataclass(frozen=True)
class Calibration:
    """Calibration tables (each row keeps its source and certainty).

    Attributes
    ----------
    cities : DataFrame
        ``cities.csv``: one row per (city, indicator).
    districts : DataFrame
        ``districts.csv``: district code, zone (centre / middle / periphery), population share
        within the city and its basis, assumed share of internal migrants among adults.
    ethnicity : DataFrame
        ``ethnicity.csv``: share of each ethnic group by city.
    origins : DataFrame
        ``origins.csv``: share of each region of origin among a city's internal migrants.
    population_date : str
        Reference date of the population figures used (``2025-01-01``).
    """

    cities: pd.DataFrame
    districts: pd.DataFrame
    ethnicity: pd.DataFrame
    origins: pd.DataFrame
    population_date: str = "2025-01-01"

    @property
    def city_codes(self) -> tuple[int, ...]:
        """Codes of the cities, in the order of the instrument's list."""
        return tuple(sorted(int(c) for c in self.districts["city_code"].unique()))

    def indicator(self, city: int, name: str, date: str | None = None) -> float:
        """Value of one indicator for a city (``0`` = national figures used for every city)."""
        rows = self.cities[(self.cities["indicator"] == name)]
        own = rows[rows["city_code"] == city]
        if date is not None:
            own = own[own["reference_date"].astype(str) == date]
        if own.empty:
            own = rows[rows["city_code"] == 0]
        if own.empty:
            raise DataError(
                f"no figure {name!r} for city {city}",
                where=Where(file="cities.csv", variable=name),
                rule="simulate.calibration-missing",
                hint="Add the figure (or a labelled assumption) to qonys/data/kz/cities.csv.",
            )
        return float(own["value"].iloc[0])

    def population(self, city: int) -> float:
        """Total population at :attr:`population_date`."""
        return self.indicator(city, "population", self.population_date)

    def adults(self, city: int) -> float:
        """Adults aged 18 or more (population times the adult share)."""
        return self.population(city) * self.indicator(city, "share_adults")

    def women_share(self, city: int) -> float:
        """Share of women among adults."""
        return self.indicator(city, "share_women")

    def city_districts(self, city: int) -> pd.DataFrame:
        """The districts of one city, in code order."""
        d = self.districts[self.districts["city_code"] == city]
        return d.sort_values("district_code").reset_index(drop=True)

    def origin_shares(self, city: int) -> pd.DataFrame:
        """Regions of origin of a city's migrants with their shares (summing to 1)."""
        o = self.origins[self.origins["city_code"] == city][["region_code", "share"]].copy()
        o["share"] = o["share"] / o["share"].sum()
        return o.reset_index(drop=True)

    def ethnic_shares(self, city: int) -> pd.DataFrame:
        """Ethnic groups (codes of the instrument's ``ethnicity`` list) and their shares."""
        e = self.ethnicity[self.ethnicity["city_code"] == city][["ethnicity_code", "share"]]
        e = e.copy()
        e["share"] = e["share"] / e["share"].sum()
        return e.reset_index(drop=True)


def _read(name: str) -> pd.DataFrame:
    path = _kz_file(name)
    if not path.is_file():
        raise DataError(
            f"the calibration file {name} is missing from this installation",
            where=Where(file=name),
            rule="simulate.calibration-missing",
            hint="Reinstall qonys; the published statistics ship as package data.",
        )
    return pd.read_csv(path, dtype={"reference_date": "str", "published_year": "str"})


def load_calibration() -> Calibration:
    """Read the calibration tables from ``qonys/data/kz``.

    Raises
    ------
    DataError
        A file is missing, a city's district shares or origin shares do not sum to 1, or a
        district has an unknown zone (rule ``simulate.calibration``).
    """
    districts = _read("districts.csv")
    origins = _read("origins.csv")
    for frame, col, file in ((districts, "pop_share", "districts.csv"), (origins, "share", "")):
        sums = frame.groupby("city_code")[col].sum()
        bad = sums[(sums - 1).abs() > 1e-6]
        if len(bad):
            raise DataError(
                f"the shares of city {int(bad.index[0])} sum to {float(bad.iloc[0]):.4f}, not 1",
                where=Where(file=file or "origins.csv", variable=col),
                rule="simulate.calibration",
                hint="Correct the shares so that each city's add up to 1.",
            )
    unknown = set(districts["zone"]) - set(_ZONES)
    if unknown:
        raise DataError(
            f"unknown zone {sorted(unknown)[0]!r}",
            where=Where(file="districts.csv", variable="zone"),
            rule="simulate.calibration",
            hint=f"Zones are {', '.join(_ZONES)}.",
        )
    return Calibration(
        cities=_read("cities.csv"),
        districts=districts,
        ethnicity=_read("ethnicity.csv"),
        origins=origins,
    )
