"""``qonys init`` and ``qonys run`` through the command line."""

from __future__ import annotations

import json

from study_examples import READER, STUDY, write_study
from typer.testing import CliRunner

from qonys.cli import app, main
from qonys.cli import commands as _commands  # noqa: F401  (registers the commands)

runner = CliRunner()


def test_help_of_init_and_run():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "init" in result.output
    assert "run" in result.output
    result = runner.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    for option in ("--lang", "--format", "--out", "--no-cache", "--json"):
        assert option in result.output
    result = runner.invoke(app, ["init", "--help"])
    assert result.exit_code == 0
    assert "--force" in result.output


def test_init_writes_a_starter(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "my.toml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "my.toml").read_text(encoding="utf-8").startswith("# qonys study file")
    assert "qonys run" in result.output
    assert main(["init", str(tmp_path / "my.toml")]) == 2  # exists: a user error
    assert main(["init", str(tmp_path / "my.toml"), "--force"]) == 0


def test_run_with_options(tmp_path, stages):
    path = write_study(tmp_path)
    out = tmp_path / "elsewhere"
    result = runner.invoke(
        app,
        ["run", str(path), "--lang", "kk,kk-Latn", "--format", "html", "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert sorted(p.rsplit("/", 1)[-1] for p in payload["reports"]) == [
        "report.kk-Latn.html",
        "report.kk.html",
    ]
    assert {s["name"]: s["status"] for s in payload["stages"]}["identity"] == "failed"
    latin = (out / "report.kk-Latn.html").read_text(encoding="utf-8")
    assert "Respondentterdıñ qalalar boiynşa bölınuı" in latin


def test_run_prints_paths_and_failures(tmp_path, stages, capsys):
    path = write_study(tmp_path)
    assert main(["run", str(path), "--format", "html", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "written:" in out
    assert "report.en.html" in out
    assert "failed: identity" in out
    assert "skipped: perceptions" in out


def test_run_reports_a_bad_study_file_with_exit_code_2(tmp_path, capsys):
    path = write_study(tmp_path, STUDY.format(reader=READER).replace("formats", "formts"))
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'formts'" in err
    assert "report.formts" in err
    assert "Did you mean 'formats'?" in err
