"""Parsing Overpass API answers (hand-written here, in the shape of ``out geom``); no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qonys._core import DataError, QonysError
from qonys.spatial.osm import fetch_boundaries, overpass_query, parse_overpass


def _way(coords: list[tuple[float, float]], role: str = "outer") -> dict:
    return {
        "type": "way",
        "ref": 1,
        "role": role,
        "geometry": [{"lat": lat, "lon": lon} for lon, lat in coords],
    }


def _rel(rid: int, tags: dict, members: list[dict]) -> dict:
    return {"type": "relation", "id": rid, "tags": tags, "members": members}


# Almaly as a square split into two ways, the second reversed; Bostandyk with a hole;
# a relation whose ways do not close; a node (ignored); a district unknown to the registry.
ANSWER = {
    "version": 0.6,
    "generator": "Overpass API (hand-written test answer)",
    "osm3s": {"copyright": "The data included in this document is from www.openstreetmap.org."},
    "elements": [
        _rel(
            3072807,
            {
                "name": "Алмалинский район",
                "name:kk": "Алмалы ауданы",
                "name:en": "Almaly District",
                "admin_level": "6",
            },
            [
                _way([(76.90, 43.24), (76.92, 43.24), (76.92, 43.26)]),
                _way([(76.90, 43.24), (76.90, 43.26), (76.92, 43.26)]),
                {"type": "node", "ref": 5, "role": "admin_centre", "lat": 43.25, "lon": 76.91},
            ],
        ),
        _rel(
            3390291,
            {"name": "Бостандыкский район", "admin_level": "6"},
            [
                _way(
                    [(76.88, 43.10), (76.98, 43.10), (76.98, 43.20), (76.88, 43.20), (76.88, 43.10)]
                ),
                _way(
                    [
                        (76.92, 43.14),
                        (76.94, 43.14),
                        (76.94, 43.16),
                        (76.92, 43.16),
                        (76.92, 43.14),
                    ],
                    role="inner",
                ),
            ],
        ),
        _rel(
            3072217,
            {"name": "Медеуский район", "admin_level": "6"},
            [_way([(77.0, 43.1), (77.1, 43.1), (77.1, 43.2)])],
        ),
        _rel(
            999,
            {"name": "Зона отдыха", "admin_level": "6"},
            [_way([(76.95, 43.30), (76.96, 43.30), (76.96, 43.31), (76.95, 43.30)])],
        ),
        {"type": "node", "id": 1, "lat": 43.2, "lon": 76.9},
    ],
}


def test_query_names_the_city_and_level() -> None:
    q = overpass_query("shymkent", admin_level="6")
    assert '"ISO3166-2"="KZ-79"' in q
    assert '["admin_level"="6"]' in q
    assert q.rstrip().endswith("out geom;")


def test_parse_assembles_rings_and_holes() -> None:
    gdf = parse_overpass(json.dumps(ANSWER))
    assert gdf["osm_relation"].tolist() == ["r3072807", "r3390291", "r999"]
    assert gdf.attrs["n_unclosed"] == 1  # Medeu's ways do not close
    almaly = gdf.geometry.iloc[0]
    assert almaly.is_valid
    assert almaly.area == pytest.approx(0.02 * 0.02)
    bost = gdf.geometry.iloc[1]
    assert bost.area == pytest.approx(0.1 * 0.1 - 0.02 * 0.02)  # the inner way is a hole
    assert gdf["name_kk"].iloc[0] == "Алмалы ауданы"
    assert (gdf["source"] == "© OpenStreetMap contributors, ODbL 1.0").all()


def test_not_overpass_is_a_named_error() -> None:
    with pytest.raises(DataError) as err:
        parse_overpass("<html>rate limited</html>")
    assert err.value.rule == "spatial.osm-response"


def test_fetch_with_a_recorded_answer_writes_attributed_geojson(tmp_path: Path) -> None:
    calls = []

    def fake(query: str, *, endpoint: str, timeout: float) -> bytes:
        calls.append((query, endpoint))
        return json.dumps(ANSWER).encode("utf-8")

    out = tmp_path / "almaty_districts.geojson"
    b = fetch_boundaries("almaty", out, fetcher=fake)
    assert len(calls) == 1
    assert set(b.frame["geo_id"]) == {"almaly", "bostandyk"}
    assert [i.district for i in b.issues if i.kind == "unknown"] == ["Зона отдыха"]
    assert "medeu" in b.missing
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["attribution"] == "© OpenStreetMap contributors, ODbL 1.0"
    assert doc["license"] == "ODbL-1.0"
    assert len(doc["features"]) == 2


def test_fetch_failure_is_a_user_error() -> None:
    def offline(query: str, *, endpoint: str, timeout: float) -> bytes:
        from qonys.spatial.osm import fetch_overpass

        return fetch_overpass(query, endpoint="http://127.0.0.1:9/none", timeout=2)

    with pytest.raises(QonysError) as err:
        fetch_boundaries("almaty", fetcher=offline)
    assert err.value.rule == "spatial.fetch-failed"
