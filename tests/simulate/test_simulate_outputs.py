"""The simulated study's files: they pass validation against the shipped forms, read back
through the Kobo and SPSS readers to what was written, are the same for the same seed, and
hold no personal data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from qonys._core import Codebook, Dataset, QonysError
from qonys.cli import (
    app,
    commands,  # noqa: F401  (registers the commands)
)
from qonys.io import instrument_path, read, read_codebook
from qonys.privacy import scan
from qonys.simulate import (
    DESIGN_VARIABLES,
    SimulatedStudy,
    analysis_dataset,
    simulate_study,
    write_study,
)
from qonys.study import read_margins
from qonys.validate import validate

FORMS = ("migrants", "locals")
# Kobo's link columns of a repeat sheet are kept in the table by the Kobo reader and are not
# variables of the form; validation notes them (severity "info"), nothing else is reported.
LINK_NOTE = "columns.meta-not-in-codebook"


def _form(name: str) -> Codebook:
    return read_codebook(instrument_path(name), check=False)


@pytest.fixture(scope="module")
def exports(small_files: Path) -> dict[tuple[str, str], Dataset]:
    """Every Kobo export of the small study, read back once with its form."""
    return {
        (name, ext): read(small_files / f"{name}.{ext}", codebook=_form(name))
        for name in FORMS
        for ext in ("xlsx", "csv")
    }


def _issues(frame: pd.DataFrame) -> pd.DataFrame:
    links = (frame["rule"] == LINK_NOTE) & (frame["sheet"] == "net_alter")
    links &= frame["variable"].str.match(r"^(_parent_table_name|_submission_)")
    return frame[~links]


@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_exports_validate_against_the_shipped_forms(
    exports: dict[tuple[str, str], Dataset], name: str, ext: str
) -> None:
    frame = validate(exports[name, ext]).to_frame()
    assert _issues(frame).empty, _issues(frame)[["sheet", "variable", "rule"]].head(20)
    assert (frame["severity"] == "info").all()


@pytest.mark.parametrize("name", FORMS)
def test_kobo_exports_read_back_identical(
    small_study: SimulatedStudy, exports: dict[tuple[str, str], Dataset], name: str
) -> None:
    written = getattr(small_study, name)
    for ext in ("xlsx", "csv"):
        back = exports[name, ext]
        pd.testing.assert_frame_equal(written.data, back.data)
        if ext == "xlsx":
            assert list(back.rosters) == list(written.rosters)
            for k, frame in written.rosters.items():
                pd.testing.assert_frame_equal(frame, back.rosters[k])


@pytest.mark.parametrize("name", FORMS)
def test_sav_reads_back_identical(
    small_study: SimulatedStudy, small_files: Path, name: str
) -> None:
    expected = analysis_dataset(getattr(small_study, name), small_study.design[name])
    back = read(small_files / f"{name}.sav")
    pd.testing.assert_frame_equal(expected.data, back.data)
    for k, frame in expected.rosters.items():
        pd.testing.assert_frame_equal(frame, back.rosters[k])
    for var, (_, labels) in DESIGN_VARIABLES.items():
        assert set(labels) == {"kk", "ru", "en"}, var
        assert back.codebook[var].label, var


def test_every_question_is_modelled(small_study: SimulatedStudy) -> None:
    # no question of either form falls back to a plain default answer
    assert small_study.truth["defaulted"] == {"migrants": (), "locals": ()}


def test_missing_codes_at_low_rates(small_study: SimulatedStudy) -> None:
    data = small_study.migrants.data
    attitude = [
        c
        for c in data.columns
        if c.startswith(("idn_", "dis_", "img_sd_")) and data[c].dtype == "Int64"
    ]
    values = data[attitude].to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(values)
    dk = (values == 98).sum() / answered.sum()
    refused = (values == 99).sum() / answered.sum()
    # planted: ModelParameters.missing_dont_know = 0.015 and missing_refused = 0.004;
    # n ~ 600 x 40 items, binomial SE about 0.0008 and 0.0004
    assert 0.010 < dk < 0.020
    assert 0.001 < refused < 0.008


def test_no_personal_data_in_values(small_study: SimulatedStudy) -> None:
    for ds in (small_study.migrants, small_study.locals):
        frame = scan(ds).to_frame()
        # only flags by column name or question text (the form asks for nicknames, Kobo has
        # _submitted_by and _parent_table_name); no value looks like a name, IIN or phone
        assert set(frame["rule"]) <= {"pii.column-label", "pii.column-name"}


def test_ground_truth_is_kept_apart(
    small_files: Path, exports: dict[tuple[str, str], Dataset]
) -> None:
    truth = small_files / "ground_truth"
    assert {p.name for p in truth.iterdir()} == {
        "truth.json",
        "migrants.parquet",
        "alters.parquet",
        "locals.parquet",
        "districts.csv",
    }
    data = exports["migrants", "csv"].data
    assert not {"strategy", "phase", "tie_type", "complex"} & set(data.columns)
    summary = json.loads((truth / "truth.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 3
    alters = pd.read_parquet(truth / "alters.parquet")
    assert set(alters["tie_type"]) == {"bonding", "bridging", "linking"}


@pytest.mark.parametrize("name", FORMS)
def test_margins_are_a_valid_study_margins_file(small_files: Path, name: str) -> None:
    margins = read_margins(small_files / f"margins_{name}.csv")
    assert set(margins.totals) == {"71", "75", "79"}
    design = pd.read_csv(small_files / f"design_{name}.csv")
    # the weights estimate the target population: sum of weights vs the margins' total
    assert design["smp_weight"].sum() == pytest.approx(sum(margins.totals.values()), rel=0.08)


def _tiny() -> SimulatedStudy:
    return simulate_study(n=120, n_locals=80, seed=11, scale=0.02)


def test_same_seed_same_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_study(_tiny(), a, formats=["kobo_xlsx", "kobo_csv"])
    write_study(_tiny(), b, formats=["kobo_xlsx", "kobo_csv"])
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_other_seed_other_data() -> None:
    a, b = _tiny(), simulate_study(n=120, n_locals=80, seed=12, scale=0.02)
    assert not a.migrants.data["_uuid"].equals(b.migrants.data["_uuid"])
    assert not a.migrants.data["scr_birth_year"].equals(b.migrants.data["scr_birth_year"])


def test_bad_arguments() -> None:
    with pytest.raises(QonysError) as err:
        simulate_study(n=0)
    assert err.value.rule == "parameter.positive-int"
    with pytest.raises(QonysError) as err2:
        simulate_study(n=10, n_locals=10, scale=0.02)
    assert err2.value.rule == "simulate.sample-size"
    with pytest.raises(QonysError) as err3:
        write_study(_tiny(), Path("unused"), formats=["spss"])
    assert err3.value.rule == "simulate.format"


def test_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--n",
            "120",
            "--n-locals",
            "80",
            "--seed",
            "11",
            "--scale",
            "0.02",
            "--format",
            "kobo_csv",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["migrants"] == 120
    assert payload["locals"] == 80
    assert (tmp_path / "migrants.csv").is_file()
    assert not (tmp_path / "migrants.xlsx").exists()
