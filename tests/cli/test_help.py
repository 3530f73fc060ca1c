"""Every command has --help, and every command is documented in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qonys.cli import app, main

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    from qonys.cli import commands  # noqa: F401  (registers commands)

    return sorted(c.name for c in app.registered_commands if c.name)


def test_there_are_commands() -> None:
    assert {"codebook", "validate", "convert", "scan-pii", "demo"} <= set(_commands())


@pytest.mark.parametrize("name", _commands())
def test_help_works(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("name", _commands())
def test_documented(name: str) -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## `qonys {re.escape(name)}", doc, flags=re.M), (
        f"{name} missing from docs/cli.md"
    )


def test_unknown_command_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_missing_file_exit_2_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "does-not-exist.sav"]) == 2
    err = capsys.readouterr().err
    assert "file not found" in err
    assert "read.not-found" in err
    assert "Traceback" not in err


def test_json_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "does-not-exist.sav", "--json"]) == 2
    out = capsys.readouterr().out
    assert '"rule": "read.not-found"' in out
