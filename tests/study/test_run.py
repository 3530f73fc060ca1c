"""Running a study end to end: plan order, failure isolation, caching, determinism, reports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from study_examples import CALLS, READER, STUDY, write_study

from qonys import StudyError
from qonys.study import STAGES, STANDARD_PLAN, Stage, plan, registered_stages, run_study


def test_run_writes_every_language_and_format(study_file, stages):
    run = run_study(study_file, progress=False)
    names = sorted(p.name for p in run.paths)
    assert names == ["report.en.html", "report.en.xlsx", "report.ru.html", "report.ru.xlsx"]
    status = {s.name: s.status for s in run.stages}
    assert status == {
        "validate": "ok",
        "privacy": "ok",
        "weight": "ok",
        "sample": "ok",
        "portrait": "ok",
        "motives": "ok",  # built in; these data have no motive questions, so no section
        "integration": "ok",  # built in; these data have no integration items, so no section
        "structural_complex": "ok",
        "identity": "failed",
        "strategies": "ok",  # built in; no strategy items, so no section
        "phases": "ok",  # built in; no migration history, so no section
        "social_capital": "ok",  # built in; these data have no roster, so no section
        "settlement": "ok",  # built in; these data have no districts, so no section
        "segregation": "ok",
        "city_image": "ok",
        "perceptions": "skipped",
    }
    assert not run.ok
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "<h1>Pilot study</h1>" in html
    assert "This section could not be produced: ValueError: the identity items" in html
    assert "Skipped: the stages it needs did not run (identity)." in html
    assert "Respondents by city" in html
    assert "Village" in html
    # modules not built are absent, never faked
    for absent in ("Migration motives", "Integration indices", "Social capital"):
        assert absent not in html
    # provenance: version, input hashes, seed, options, weighting
    assert "SHA-256" in html
    assert "data/survey.csv" in html
    assert "margins.csv" in html
    assert ">11<" in html  # the seed
    assert "Method: rake" in html
    assert "sex (2 levels); city (3 levels); total all 1" in html
    assert "Option analyses.portrait.variables" in html
    ru = (run.out / "report.ru.html").read_text(encoding="utf-8")
    assert "Пилотное исследование" in ru
    assert "Распределение респондентов по городам" in ru
    wb = load_workbook(run.out / "report.ru.xlsx")
    assert (
        len(wb.sheetnames) == 3 + 2
    )  # contents, 3 tables (weighting, sample, portrait), provenance
    summary = json.loads((run.out / "run.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in summary["stages"]] == [
        "validate",
        "privacy",
        "weight",
        "sample",
        "portrait",
        "motives",
        "integration",
        "structural_complex",
        "identity",
        "strategies",
        "phases",
        "social_capital",
        "settlement",
        "segregation",
        "perceptions",
        "city_image",
    ]


def test_small_cells_are_suppressed_in_the_study_report(study_file, stages):
    run = run_study(study_file, progress=False, formats=["html"], languages=["en"])
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "Big city" in html
    assert "value suppressed" in html


def test_rerun_uses_the_cache_and_a_change_recomputes(study_file, stages):
    run_study(study_file, progress=False, formats=["html"])
    assert CALLS["portrait"] == 1
    again = run_study(study_file, progress=False, formats=["html"])
    assert CALLS["portrait"] == 1
    assert {s.name: s.status for s in again.stages}["portrait"] == "cached"
    text = study_file.read_text(encoding="utf-8").replace(
        'variables = ["origin"]', 'variables = ["sex"]'
    )
    study_file.write_text(text, encoding="utf-8")
    changed = run_study(study_file, progress=False, formats=["html"])
    assert CALLS["portrait"] == 2
    status = {s.name: s.status for s in changed.stages}
    assert status["portrait"] == "ok"
    assert status["sample"] == "cached"
    run_study(study_file, progress=False, formats=["html"], use_cache=False)
    assert CALLS["portrait"] == 3


def test_two_runs_give_identical_reports(tmp_path, stages):
    a = write_study(tmp_path / "a")
    b = write_study(tmp_path / "b")
    ra = run_study(a, progress=False, use_cache=False)
    rb = run_study(b, progress=False, use_cache=False)
    for pa, pb in zip(ra.paths, rb.paths, strict=True):
        if pa.suffix == ".html":
            assert pa.read_text(encoding="utf-8") == pb.read_text(encoding="utf-8")
    wa, wb = load_workbook(ra.paths[1]), load_workbook(rb.paths[1])
    for name in wa.sheetnames:
        assert [[c.value for c in r] for r in wa[name].iter_rows()] == [
            [c.value for c in r] for r in wb[name].iter_rows()
        ]


def test_progress_bars_do_not_break_the_run(study_file, stages):
    from io import StringIO

    from rich.console import Console

    buf = StringIO()
    run_study(study_file, console=Console(file=buf, width=100), formats=["html"])
    text = buf.getvalue()
    assert "portrait" in text
    assert "failed" in text
    assert "skipped" in text


def test_plan_follows_the_standard_order_and_dependencies():
    def f(ctx):
        return []

    with registered_stages(
        Stage("perceptions", f),
        Stage("identity", f),
        Stage("portrait", f),
        Stage("custom_map", f, after=("portrait",), needs=("settlement",)),
        Stage("settlement", f),
    ):
        names = [s.name for s in plan()]
        assert names.index("portrait") < names.index("identity") < names.index("settlement")
        assert names.index("settlement") < names.index("custom_map")
        assert names.index("settlement") < names.index("perceptions")
        assert [s.name for s in plan(["custom_map"])] == ["settlement", "custom_map"]
        with pytest.raises(StudyError, match="no analysis stage 'identiti'") as err:
            plan(["identiti"])
        assert "Did you mean 'identity'" in err.value.hint
    assert STANDARD_PLAN.index("weight") < STANDARD_PLAN.index("portrait")


def test_dependency_cycle_is_reported():
    def f(ctx):
        return []

    with (
        registered_stages(Stage("a_x", f, needs=("b_x",)), Stage("b_x", f, needs=("a_x",))),
        pytest.raises(StudyError, match="cycle"),
    ):
        plan()


def test_unknown_stage_in_study_file_fails_before_work(tmp_path, stages):
    text = STUDY.format(reader=READER).replace(
        "[analyses.portrait]", '[analyses]\nrun = ["portrait", "motivs"]\n\n[analyses.portrait]'
    )
    path = write_study(tmp_path, text)
    with pytest.raises(StudyError, match="no analysis stage 'motivs'") as err:
        run_study(path, progress=False)
    assert err.value.where.key == "analyses.run"
    assert not (tmp_path / "out").exists()


def test_microdata_needs_permission_and_a_clean_scan(tmp_path, stages):
    import pandas as pd

    from qonys.report.tables import listing_table

    def listing(ctx):
        return [listing_table(pd.DataFrame({"q": ["free words"]}), rules=ctx.rules)]

    def scan(ctx):
        return []

    # not allowed: the stage itself fails with the privacy rule, the report goes on
    path = write_study(tmp_path / "a")
    with registered_stages(Stage("listing", listing, after=("portrait",))):
        run = run_study(path, progress=False, formats=["html"], languages=["en"])
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "respondent-level rows may not appear in a report" in html
    assert "free words" not in html
    # allowed, but no personal-data scan ran: withheld
    text = STUDY.format(reader=READER).replace(
        'profile = "standard"', 'profile = "standard"\nallow_microdata = true'
    )
    path = write_study(tmp_path / "b", text)
    with registered_stages(Stage("listing", listing, after=("portrait",))):
        STAGES.pop("privacy", None)  # restored when the block ends
        run = run_study(path, progress=False, formats=["html"], languages=["en"])
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "was withheld" in html
    assert "free words" not in html
    # allowed after a clean scan: shown
    with registered_stages(Stage("privacy", scan), Stage("listing", listing, after=("portrait",))):
        run = run_study(path, progress=False, formats=["html"], languages=["en"])
    assert "free words" in (run.out / "report.en.html").read_text(encoding="utf-8")


def test_a_stage_adds_the_exact_weighting_to_the_provenance(study_file, stages):
    from qonys.study import ProvenanceNote

    def weight(ctx):
        return [ProvenanceNote("weighting", "raked to 2 margins in 6 iterations; weights 0.4-2.9")]

    with registered_stages(Stage("weight", weight)):
        run = run_study(study_file, progress=False, formats=["html"], languages=["en"])
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "raked to 2 margins in 6 iterations; weights 0.4-2.9" in html
    names = [s.name for s in run.stages]
    assert names.index("weight") < names.index("sample")
    assert '<section id="weight">' not in html  # nothing to show in a section of its own


def test_derived_variables_reach_later_stages_and_never_the_report(study_file, stages):
    from qonys.study import DerivedVariables
    from qonys.study.survey import survey_data

    seen: dict[str, object] = {}

    def classify(ctx):
        n = len(ctx.data.data)
        return [DerivedVariables(pd.DataFrame({"phase": ["settled"] * (n - 1) + ["circular"]}))]

    def later(ctx):
        sd = survey_data(ctx)
        seen["phase"] = sd.data["phase"].value_counts().to_dict()
        seen["raked"] = [c.method for c in sd.calibrations]  # the weight stage's design
        return []

    with registered_stages(
        Stage("phases", classify), Stage("social_capital", later, after=("phases",))
    ):
        run = run_study(study_file, progress=False, formats=["html"], languages=["en"])
    status = {s.name: s for s in run.stages}["social_capital"]
    assert status.status == "ok", status.message
    assert seen == {"phase": {"settled": 59, "circular": 1}, "raked": ["rake"]}
    html = (run.out / "report.en.html").read_text(encoding="utf-8")
    assert "circular" not in html


def test_a_derived_variable_may_not_replace_a_data_column(study_file, stages):
    from qonys.study import DerivedVariables
    from qonys.study.survey import survey_data

    def classify(ctx):
        return [DerivedVariables(ctx.data.data[["origin"]])]

    def later(ctx):
        survey_data(ctx)
        return []

    with registered_stages(
        Stage("phases", classify), Stage("social_capital", later, after=("phases",))
    ):
        run = run_study(study_file, progress=False, formats=["html"], languages=["en"])
    status = {s.name: s for s in run.stages}["social_capital"]
    assert status.status == "failed"
    assert "'origin'" in status.message
    assert "Rename the column" in status.message


def test_derived_classes_bring_their_labels(study_file, stages):
    from qonys.report.labels import level_label, variable_title
    from qonys.report.text import resolve
    from qonys.study.stages import derived_classes
    from qonys.study.survey import survey_data

    seen: dict[str, str] = {}

    def classify(ctx):
        n = len(ctx.data.data)
        return [
            derived_classes(
                "phase",
                ["settled"] * n,
                {"en": "Phase", "ru": "Фаза"},
                {"settled": {"en": "Urban settlement", "ru": "Оседание в городе"}},
            )
        ]

    def later(ctx):
        cb = survey_data(ctx).codebook
        seen["title"] = resolve(variable_title(cb, "phase"), "ru")
        seen["level"] = resolve(level_label(cb, "phase", "settled"), "ru")
        return []

    with registered_stages(
        Stage("phases", classify), Stage("social_capital", later, after=("phases",))
    ):
        run_study(study_file, progress=False, formats=["html"], languages=["en"])
    assert seen == {"title": "Фаза", "level": "Оседание в городе"}
