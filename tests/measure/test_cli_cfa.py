"""`qonys cfa` through Typer's CliRunner, on the Holzinger-Swineford data (lavaan 0.6-14
values from refs/measure/measure_refs_long.csv, HolzingerSwineford1939 / cfa3_ML / fit)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qonys.cli import app
from qonys.cli import commands as _commands  # noqa: F401  (registers the commands)
from sharedpaths import shared_path

MODEL = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


@pytest.mark.shared
def test_cfa_json_matches_lavaan():
    path = shared_path("refs", "measure", "data", "HolzingerSwineford1939.csv")
    out = CliRunner().invoke(app, ["cfa", str(path), "--model", MODEL, "--json"])
    assert out.exit_code == 0, out.output
    js = json.loads(out.output)
    # cfa3_ML / fit / chisq, df, cfi, rmsea, srmr
    assert js["chisq"] == pytest.approx(85.3055217699727, rel=1e-6)
    assert js["df"] == 24
    assert js["cfi"] == pytest.approx(0.930559651799336, rel=1e-6)
    assert js["rmsea"] == pytest.approx(0.0921214845101686, rel=1e-6)
    assert js["srmr"] == pytest.approx(0.0652050571843865, rel=1e-5)
    assert {"pvalue", "tli", "loadings"} <= set(js)
    # cfa3_ML / visual=~x2 / std_all
    x2 = next(r for r in js["loadings"] if r["rhs"] == "x2")
    assert x2["std_all"] == pytest.approx(0.423600991987846, rel=1e-5)


@pytest.mark.shared
def test_cfa_text_output_and_model_error():
    path = shared_path("refs", "measure", "data", "HolzingerSwineford1939.csv")
    out = CliRunner().invoke(app, ["cfa", str(path), "--model", MODEL])
    assert out.exit_code == 0
    assert "rmsea" in out.output
    bad = CliRunner().invoke(app, ["cfa", str(path)])
    assert bad.exit_code != 0


def test_cfa_has_help():
    out = CliRunner().invoke(app, ["cfa", "--help"])
    assert out.exit_code == 0
    assert "lavaan" in out.output
