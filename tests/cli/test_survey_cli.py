"""``qonys estimate`` and ``qonys weight`` end to end (numbers from R's survey, see
tests/estimate/test_estimate_r_reference.py for their source: survey_refs_long.csv)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from qonys.cli.app import main

pytestmark = pytest.mark.shared


@pytest.fixture
def data_dir(shared: Path) -> Path:
    return shared / "refs" / "survey" / "data"


def test_estimate_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = ["--weights", "pw", "--strata", "stype", "--fpc", "fpc"]
    apistrat = str(data_dir / "apistrat.csv")
    code = main(
        [
            "estimate",
            apistrat,
            *design,
            "--mean",
            "api00",
            "--prop",
            "stype",
            "--df",
            "inf",
            "--json",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) >= {
        "variable",
        "level",
        "domain",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "deff",
        "n",
    }
    # R (survey_refs_long.csv, dstrat): svymean(~api00) 662.287363159321, SE 9.40894080278458,
    # and svymean(~stype) 0.713755237067747 for E
    assert rows[0]["estimate"] == pytest.approx(662.287363159321, rel=1e-12)
    assert rows[0]["se"] == pytest.approx(9.40894080278458, rel=1e-10)
    props = [r for r in rows if r["variable"] == "stype"]
    assert props[0]["estimate"] == pytest.approx(0.713755237067747, rel=1e-12)
    code = main(["estimate", apistrat, *design, "--mean", "api00", "--by", "stype", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    # R: svyby(~api00, ~stype, dstrat, svymean) gives 674.43 for E
    assert [r["domain"] for r in rows] == ["stype=E", "stype=H", "stype=M"]
    assert rows[0]["estimate"] == pytest.approx(674.43, rel=1e-12)


def test_estimate_multistage_and_replicates(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "estimate",
            str(data_dir / "mu284.csv"),
            "--psu",
            "id1",
            "--psu",
            "id2",
            "--fpc",
            "n1",
            "--fpc",
            "n2",
            "--total",
            "y1",
            "--json",
        ]
    )
    assert code == 0
    row = json.loads(capsys.readouterr().out)[0]
    # R: svytotal(~y1, svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284)) (tests/design/r/)
    assert row["se"] == pytest.approx(2274.25470087333, rel=1e-10)
    assert row["df"] == 4
    code = main(
        [
            "estimate",
            str(data_dir / "apiclus1.csv"),
            "--weights",
            "pw",
            "--psu",
            "dnum",
            "--fpc",
            "fpc",
            "--make-replicates",
            "JK1",
            "--mean",
            "api00",
            "--df",
            "inf",
            "--json",
        ]
    )
    assert code == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["se"] == pytest.approx(26.3293605895276, rel=1e-10)  # R: rep_jk1_clus1


def test_estimate_errors_are_readable(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "estimate",
            str(data_dir / "apistrat.csv"),
            "--weights",
            "pww",
            "--mean",
            "api00",
            "--json",
        ]
    )
    assert code == 2
    err = json.loads(capsys.readouterr().out)
    assert (err["rule"], err["where"]["variable"]) == ("design.unknown-column", "pww")


def test_weight_rake(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pop = pd.read_csv(data_dir / "apipop.csv")
    rows = [("stype", k, v) for k, v in pop["stype"].value_counts().items()]
    rows += [("sch.wide", k, v) for k, v in pop["sch.wide"].value_counts().items()]
    margins = tmp_path / "margins.csv"
    pd.DataFrame(rows, columns=["variable", "level", "total"]).to_csv(margins, index=False)
    out = tmp_path / "raked.csv"
    code = main(
        [
            "weight",
            str(data_dir / "apisrs.csv"),
            "--fpc",
            "fpc",
            "--margins",
            str(margins),
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    # R: rake(dsrs, ...) weights max 31.5292441377116, Kish deff 1.00094659751744
    assert report["weights"]["max"] == pytest.approx(31.5292441377116, rel=1e-8)
    assert report["weights"]["kish_deff"] == pytest.approx(1.00094659751744, rel=1e-8)
    assert pd.read_csv(out)["weight_adj"].sum() == pytest.approx(6194, rel=1e-10)
    assert not math.isnan(report["weights"]["sum"])


def test_estimate_duckdb_engine(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "apiclus1.parquet"
    pd.read_csv(data_dir / "apiclus1.csv").to_parquet(path)
    code = main(
        [
            "estimate",
            str(path),
            "--engine",
            "duckdb",
            "--weights",
            "pw",
            "--psu",
            "dnum",
            "--fpc",
            "fpc",
            "--mean",
            "api00",
            "--df",
            "inf",
            "--json",
        ]
    )
    assert code == 0
    row = json.loads(capsys.readouterr().out)[0]
    # R: svymean(~api00, dclus1): 644.169398907104, SE 23.542240693781 (survey_refs_long.csv)
    assert row["estimate"] == pytest.approx(644.169398907104, rel=1e-12)
    assert row["se"] == pytest.approx(23.542240693781, rel=1e-10)
