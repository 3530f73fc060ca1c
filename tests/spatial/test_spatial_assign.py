"""Assigning respondents to districts from codes, addresses and geopoints."""

from __future__ import annotations

import pandas as pd
import pytest

from qonys._core import DataError
from qonys.spatial import read_boundaries
from qonys.spatial.assign import assign_districts, match_address, parse_geopoint
from sharedpaths import shared_path


def test_codes_with_missing_and_unknown_values() -> None:
    df = pd.DataFrame(
        {
            "hou_district": [7504, "7504", 7504.0, 98, None, 7101, 7599, "bostandyk"],
            "scr_city": [75, 75, 75, 75, 75, 75, 75, 75],
        }
    )
    with pytest.raises(DataError) as err:
        assign_districts(df, code="hou_district", city_column="scr_city")
    assert err.value.rule == "spatial.unmatched"
    assert err.value.where.row == 6  # 7101 is a district of Astana
    a = assign_districts(df, code="hou_district", city_column="scr_city", unknown="missing")
    assert a.codes.tolist()[:3] == [7504, 7504, 7504]
    assert a.codes.tolist()[-1] == 7504
    reasons = dict(zip(a.unmatched["row"], a.unmatched["reason"], strict=True))
    assert reasons == {
        4: "missing answer",
        5: "missing answer",
        6: "district of another city",
        7: "unknown code",
    }
    frame = a.to_frame()
    assert frame.loc[frame.level == "bostandyk", "n"].item() == 4


@pytest.mark.parametrize(
    ("text", "city", "code"),
    [
        ("г. Алматы, Бостандыкский р-н, ул. Тимирязева 42", "almaty", 7504),
        ("Алматы қ., Әуезов ауданы, 5 шағын аудан", "almaty", 7503),
        ("Almaty, Medeu district, Dostyk ave 100", "almaty", 7506),
        ("Астана, район Сарайшык, ул. Туран 1", "astana", 7105),
        ("Астана, Есильский район, пр. Мангилик Ел", "astana", 7103),
        ("Шымкент, Аль-Фарабийский район", "shymkent", 7902),
        ("Шымкент қаласы, Тұран ауданы", "shymkent", 7905),
    ],
)
def test_addresses(text: str, city: str, code: int) -> None:
    d, why = match_address(text, city)
    assert (d.code if d else None, why) == (code, "matched")


def test_address_street_names_do_not_override_the_district() -> None:
    # 'проспект Сарыарка' is a street; the district keyword points to Esil
    d, _ = match_address("Астана, пр. Сарыарка 5, Есильский район", "astana")
    assert d is not None
    assert d.code == 7103
    # without a district keyword two district names make the address ambiguous
    assert match_address("Астана, пр. Сарыарка 5, Есиль", "astana") == (None, "ambiguous address")
    assert match_address("Алматы, Абая 10", "almaty") == (None, "no district named")


def test_address_column() -> None:
    df = pd.DataFrame({"addr": ["Турксибский р-н, ул. Майлина", "", "ул. Абая"]})
    a = assign_districts(df, address="addr", city="almaty", unknown="missing")
    assert a.codes.tolist()[0] == 7508
    assert a.unmatched["reason"].tolist() == ["missing answer", "no district named"]


def test_geopoint_parsing() -> None:
    assert parse_geopoint("51.1280 71.4304 350 4.5") == (71.4304, 51.128)
    assert parse_geopoint(None) is None
    assert parse_geopoint("n/a") is None


@pytest.mark.shared
def test_points_in_real_polygons() -> None:
    b = read_boundaries(shared_path("data", "geo", "almaty_districts.geojson"), "almaty")
    # centres of Almaly and Medeu (registry), a point in Kazakhstan's steppe, and no point
    df = pd.DataFrame({"gp": ["43.252 76.906", "43.176 77.031", "48.0 70.0", ""]})
    with pytest.raises(DataError):
        assign_districts(df, point="gp", city="almaty", boundaries=b)
    a = assign_districts(df, point="gp", city="almaty", boundaries=b, unknown="missing")
    assert a.codes.tolist()[:2] == [7502, 7506]
    assert a.unmatched["reason"].tolist() == ["outside the districts", "missing answer"]
    assert not a.approximate


def test_points_without_city_or_boundaries_use_every_city_approximately() -> None:
    df = pd.DataFrame({"lon": [71.465, 69.734], "lat": [51.041, 42.273]})
    a = assign_districts(df, lonlat=("lon", "lat"))
    assert a.codes.tolist() == [7103, 7903]
    assert a.approximate
    assert "approximate" in " ".join(a.meta.notes)


def test_swapped_point_columns_are_detected() -> None:
    df = pd.DataFrame({"lat": [43.252, 43.176, 43.30], "lon": [76.906, 77.031, 76.85]})
    with pytest.raises(DataError) as err:
        assign_districts(df, lonlat=("lat", "lon"), city="almaty")
    assert err.value.rule == "spatial.swapped-coordinates"


def test_exactly_one_source() -> None:
    with pytest.raises(DataError) as err:
        assign_districts(pd.DataFrame({"a": [1]}))
    assert err.value.rule == "spatial.assign-source"
