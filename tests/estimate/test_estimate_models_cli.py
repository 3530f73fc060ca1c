"""``qonys estimate --glm/--olr/--multinom/--test``: the command prints the same numbers as
the library (the library's numbers are checked against R in test_estimate_models_reference)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qonys import estimate as est
from qonys.cli import main
from qonys.design import SurveyData, SurveyDesign


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "st": np.repeat([1, 2, 3], n // 3),
            "w": rng.uniform(1, 3, n),
            "x": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], n),
        }
    )
    df["y"] = 1 + df["x"] + rng.normal(size=n)
    df["level"] = pd.cut(df["y"], [-np.inf, 0, 2, np.inf], labels=["lo", "mid", "hi"])
    df["level"] = df["level"].map({"lo": 1, "mid": 2, "hi": 3})
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    return path


def test_glm_with_term_test(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["estimate", str(csv), "--weights", "w", "--strata", "st", "--glm", "y ~ x + g"]
    assert main([*args, "--test", "g", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    sd = SurveyData(pd.read_csv(csv), SurveyDesign(weights="w", strata="st"))
    m = est.glm(sd, "y ~ x + g")
    coef = [r for r in rows if r["statistic"] == "glm gaussian"]
    assert [r["term"] for r in coef] == list(m.coef.index)
    assert [r["se"] for r in coef] == pytest.approx(list(m.se), rel=1e-12)
    f = [r for r in rows if r["statistic"] == "glm gaussian Wald F"]
    assert f[0]["test_statistic"] == pytest.approx(est.reg_term_test(m, "g").statistic)


def test_olr_and_multinom(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["estimate", str(csv), "--weights", "w", "--strata", "st", "--json"]
    assert main([*args, "--olr", "C(level) ~ x", "--multinom", "g ~ x"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["statistic"] for r in rows} == {"olr", "multinom"}
    assert [r["term"] for r in rows if r["statistic"] == "olr"] == ["x", "1|2", "2|3"]


def test_models_need_memory(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq = csv.with_suffix(".parquet")
    pd.read_csv(csv).to_parquet(pq)
    assert main(["estimate", str(pq), "--engine", "duckdb", "--glm", "y ~ x"]) == 2
    assert "cli.engine-models" in capsys.readouterr().err
