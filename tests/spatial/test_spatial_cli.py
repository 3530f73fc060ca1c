"""``qonys geo``: registry listing, boundary checks, maps and the fetch command (offline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qonys.cli import app, main
from sharedpaths import shared_path


def test_geo_help() -> None:
    from qonys.cli import commands  # noqa: F401  (registers commands)

    for sub in ("districts", "check", "fetch", "map"):
        result = CliRunner().invoke(app, ["geo", sub, "--help"])
        assert result.exit_code == 0, result.output


def test_districts_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "districts", "astana", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["geo_id"] for r in rows] == [
        "almaty",
        "baikonur",
        "esil",
        "nura",
        "sarayshyk",
        "saryarka",
    ]


@pytest.mark.shared
def test_check_reports_missing_district(capsys: pytest.CaptureFixture[str]) -> None:
    f = shared_path("data", "geo", "shymkent_districts.geojson")
    assert main(["geo", "check", str(f), "--city", "shymkent", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    status = {d["geo_id"]: d["status"] for d in out["districts"]}
    assert status["turan"] == "missing"
    assert out["attribution"].startswith("© OpenStreetMap")


def test_check_missing_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "check", "none.geojson", "--city", "almaty"]) == 2
    err = capsys.readouterr().err
    assert "spatial.read" in err
    assert "Traceback" not in err


def test_map_from_csv(tmp_path: Path) -> None:
    csv = tmp_path / "v.csv"
    csv.write_text("district,share\n7501,0.2\nauezov,0.3\n7508,0.1\n", encoding="utf-8")
    out = tmp_path / "m.png"
    assert (
        main(
            [
                "geo",
                "map",
                str(csv),
                "--city",
                "almaty",
                "-c",
                "share",
                "-o",
                str(out),
                "--percent",
                "--lang",
                "kk",
            ]
        )
        == 0
    )
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_fetch_unreachable_endpoint_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["geo", "fetch", "almaty", "--endpoint", "http://127.0.0.1:9/api"])
    assert code == 2
    assert "spatial.fetch-failed" in capsys.readouterr().err
