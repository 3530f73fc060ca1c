"""``qonys demo`` on a small simulated study: every step runs and every file it names exists."""

from __future__ import annotations

import json
from pathlib import Path

from qonys.demo import demo_study_path, run_demo
from qonys.study import load_study


def test_bundled_study_file_is_valid(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text(demo_study_path().read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "migrants.sav").write_bytes(b"")  # the file is only checked to exist
    (tmp_path / "data" / "locals.sav").write_bytes(b"")
    for name in ("migrants", "locals"):  # margins are read and checked
        (tmp_path / "data" / f"margins_{name}.csv").write_text(
            "city,variable,level,target\n71,dem_sex,1,10\n71,dem_sex,2,12\n", encoding="utf-8"
        )
    cfg = load_study(study)
    assert cfg.design["weights"] == "smp_weight"
    assert cfg.city_variable == "scr_city"
    assert cfg.weighting_method == "rake"
    assert cfg.locals is not None
    assert cfg.locals.weighting_method == "rake"
    assert cfg.locals.design["psu"] == "smp_psu"
    assert set(cfg.options) >= {"portrait", "motives", "identity", "perceptions"}


def test_run_demo_small(tmp_path: Path) -> None:
    lines = run_demo(tmp_path, n=150, n_locals=80, seed=5, scale=0.03, progress=False)
    paths = [
        Path(line.split(": ", 1)[1])
        for line in lines
        if line.startswith(("data:", "converted to SPSS:", "report:"))
    ]
    assert paths
    assert all(p.is_file() for p in paths)
    validated = [line for line in lines if line.startswith("validated")]
    assert len(validated) == 2
    assert all("0 errors, 0 warnings" in v or "no problems found" in v for v in validated)
    assert (tmp_path / "data" / "migrants.sav").is_file()
    reports = [p for p in paths if p.parent.name == "report"]
    assert {p.suffix for p in reports} == {".html", ".docx", ".xlsx"}
    # the stages the demo's own steps feed must run; any stage that fails is reported in the
    # lines printed (and in the report), never hidden
    run = json.loads((tmp_path / "report" / "run.json").read_text(encoding="utf-8"))
    status = {s["name"]: s["status"] for s in run["stages"]}
    assert {status[k] for k in ("validate", "privacy", "sample")} == {"ok"}
    failed = {k for k, v in status.items() if v == "failed"}
    assert failed == {line.split()[1].rstrip(":") for line in lines if line.startswith("stage ")}
    assert (tmp_path / "data" / "ground_truth" / "truth.json").is_file()
