"""The shipped forms, scales.yaml and docs/instrument.md are exactly what the build tool makes
from the YAML source, the build is deterministic, and it refuses inconsistent sources."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from instrument_helpers import ROOT, read_sheets

from qonys.io import INSTRUMENTS, instrument_path, scales_path


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory, build_tool: ModuleType) -> Path:
    out = tmp_path_factory.mktemp("instrument")
    build_tool.build(build_tool.load_source(), out, out)
    return out


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_shipped_form_is_up_to_date(rebuilt: Path, name: str) -> None:
    shipped = read_sheets(instrument_path(name))
    fresh = read_sheets(rebuilt / f"{name}.xlsx")
    assert list(shipped) == ["survey", "choices", "settings"]
    for sheet in shipped:
        assert shipped[sheet] == fresh[sheet], (
            f"{name}.xlsx sheet {sheet} is out of date: run python tools/build_instrument.py"
        )


def test_shipped_scales_and_codebook_are_up_to_date(rebuilt: Path) -> None:
    assert scales_path().read_text(encoding="utf-8") == (rebuilt / "scales.yaml").read_text(
        encoding="utf-8"
    ), "scales.yaml is out of date: run python tools/build_instrument.py"
    docs = ROOT / "docs" / "instrument.md"
    assert docs.read_text(encoding="utf-8") == (rebuilt / "instrument.md").read_text(
        encoding="utf-8"
    ), "docs/instrument.md is out of date: run python tools/build_instrument.py"


def test_build_is_byte_deterministic(tmp_path: Path, build_tool: ModuleType) -> None:
    src = build_tool.load_source()
    a, b = tmp_path / "a", tmp_path / "b"
    build_tool.build(src, a, a)
    build_tool.build(src, b, b)
    for name in ("migrants.xlsx", "locals.xlsx", "scales.yaml", "instrument.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_check_mode_reports_up_to_date(build_tool: ModuleType) -> None:
    assert build_tool.main(["--check"]) == 0


def _copy_source(tmp_path: Path, build_tool: ModuleType) -> Path:
    dst = tmp_path / "src"
    shutil.copytree(build_tool.SOURCE_DIR, dst)
    return dst


def _edit_module(path: Path, edit: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_missing_translation_is_refused(tmp_path: Path, build_tool: ModuleType) -> None:
    src = _copy_source(tmp_path, build_tool)
    _edit_module(src / "hh.yaml", lambda d: d["questions"][0]["label"].pop("ru"))
    with pytest.raises(build_tool.BuildError, match="'ru'"):
        build_tool.load_source(src)


def test_unknown_reference_is_refused(tmp_path: Path, build_tool: ModuleType) -> None:
    src = _copy_source(tmp_path, build_tool)
    _edit_module(src / "hh.yaml", lambda d: d["questions"][1].update(relevant="${hh_nope} > 1"))
    source = build_tool.load_source(src)
    with pytest.raises(build_tool.BuildError, match="hh_nope"):
        build_tool.build_form(source, "migrants")


def test_duplicate_name_is_refused(tmp_path: Path, build_tool: ModuleType) -> None:
    src = _copy_source(tmp_path, build_tool)
    _edit_module(src / "hh.yaml", lambda d: d["questions"][1].update(name="hh_size"))
    source = build_tool.load_source(src)
    with pytest.raises(build_tool.BuildError, match="appears twice"):
        build_tool.build_form(source, "locals")


def test_long_or_non_ascii_name_is_refused(tmp_path: Path, build_tool: ModuleType) -> None:
    src = _copy_source(tmp_path, build_tool)
    _edit_module(src / "hh.yaml", lambda d: d["questions"][1].update(name="hh_" + "x" * 30))
    source = build_tool.load_source(src)
    with pytest.raises(build_tool.BuildError, match="at most 32"):
        build_tool.build_form(source, "locals")
    _edit_module(src / "hh.yaml", lambda d: d["questions"][1].update(name="hh_саны"))
    source = build_tool.load_source(src)
    with pytest.raises(build_tool.BuildError, match="ASCII"):
        build_tool.build_form(source, "locals")


def test_unknown_missing_kind_is_refused(tmp_path: Path, build_tool: ModuleType) -> None:
    src = _copy_source(tmp_path, build_tool)
    text = (src / "_choices.yaml").read_text(encoding="utf-8")
    (src / "_choices.yaml").write_text(
        text.replace("missing: refused", "missing: nope", 1), encoding="utf-8"
    )
    with pytest.raises(build_tool.BuildError, match="missing"):
        build_tool.load_source(src)
