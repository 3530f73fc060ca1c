"""Dataset -> .dta -> Dataset: values, value labels, variable labels, extended missing values and
Stata names survive; what a .dta cannot hold is announced with a DataWarning. Checked with
pyreadstat as Stata would see the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Dataset,
    DataWarning,
    MissingCode,
    MissingKind,
    Variable,
)
from qonys.io import read, write


def _survey() -> Dataset:
    agree = ChoiceList(
        "agree",
        (
            Choice(1, {"ru": "Не согласен"}),
            Choice(2, {"ru": "Согласен"}),
            Choice(".a", {"ru": "Затрудняюсь ответить"}),
            Choice(".b", {"ru": "Отказ от ответа"}),
        ),
    )
    cb = Codebook(
        variables=(
            Variable(
                "trust",
                "select_one",
                label={"ru": "Доверие к акимату"},
                choices="agree",
                missing=(
                    MissingCode(value=".a", kind="dont_know"),
                    MissingCode(value=".b", kind="refused"),
                ),
            ),
            Variable("age", "integer", label={"ru": "Возраст"}),
            Variable("city", "text", label={"ru": "Город"}),
        ),
        choice_lists=(agree,),
        title={"ru": "Опрос мигрантов"},
    )
    frame = pd.DataFrame(
        {
            "trust": pd.Series([1, ".a", 2, ".b"], dtype=object),
            "age": pd.array([34, 19, None, 61], dtype="Int64"),
            "city": pd.Series(["Астана", "Шымкент", None, "Алматы"], dtype="str"),
        }
    )
    return Dataset(frame, cb)


def test_round_trip(tmp_path: Path) -> None:
    ds = _survey()
    assert write(ds, tmp_path / "s.dta") == [tmp_path / "s.dta"]
    back = read(tmp_path / "s.dta", language="ru")
    assert back.data["trust"].tolist() == [1, ".a", 2, ".b"]
    assert back.data["age"].tolist()[:2] == [34, 19]
    assert pd.isna(back.data["age"][2])
    assert back.data["city"].tolist()[0] == "Астана"
    assert back.codebook.value_labels("trust", "ru") == {
        1: "Не согласен",
        2: "Согласен",
        ".a": "Затрудняюсь ответить",
        ".b": "Отказ от ответа",
    }
    # kinds come back from the Russian labels (qonys.io.sav_kinds)
    assert back.codebook["trust"].missing == ds.codebook["trust"].missing
    assert back.codebook["age"].label == {"ru": "Возраст"}
    assert back.codebook.title == {"ru": "Опрос мигрантов"}


def test_what_stata_sees(tmp_path: Path) -> None:
    write(_survey(), tmp_path / "s.dta")
    _df, meta = pyreadstat.read_dta(str(tmp_path / "s.dta"), user_missing=True)
    assert meta.missing_user_values == {"trust": ["a", "b"]}
    assert meta.variable_value_labels["trust"] == {
        1: "Не согласен",
        2: "Согласен",
        "a": "Затрудняюсь ответить",
        "b": "Отказ от ответа",
    }
    assert meta.column_names_to_labels["trust"] == "Доверие к акимату"


def test_numeric_missing_codes_kept_as_values_or_made_extended(tmp_path: Path) -> None:
    var = Variable(
        "q",
        "select_one",
        choices="q",
        missing=(MissingCode(value=98, kind="dont_know"), MissingCode(value=99, kind="refused")),
    )
    cl = ChoiceList(
        "q",
        (Choice(1, {"en": "Yes"}), Choice(98, {"en": "Don't know"}), Choice(99, {"en": "Refused"})),
    )
    ds = Dataset(pd.DataFrame({"q": pd.array([1, 98, 99], dtype="Int64")}), Codebook((var,), (cl,)))
    with pytest.warns(DataWarning, match="written as plain values: q \\(98, 99\\)"):
        write(ds, tmp_path / "v.dta")
    assert read(tmp_path / "v.dta").data["q"].tolist() == [1, 98, 99]
    write(ds, tmp_path / "e.dta", user_missing="extended")
    back = read(tmp_path / "e.dta")
    assert back.data["q"].tolist() == [1, ".a", ".b"]
    assert back.codebook.value_labels("q") == {1: "Yes", ".a": "Don't know", ".b": "Refused"}
    assert back.codebook.missing_kind("q", ".b") is MissingKind.REFUSED


def test_names_and_label_limits(tmp_path: Path) -> None:
    long = "ұзақ_атау_" * 5  # 50 characters
    ds = Dataset(
        pd.DataFrame({long: [1.0], "if": [2.0], "q5/a": [3.0]}),
        Codebook(
            variables=(
                Variable(long, "decimal", label={"kk": "Ә" * 100}),
                Variable("if", "decimal"),
                Variable("q5/a", "decimal"),
            )
        ),
    )
    with pytest.warns(DataWarning, match="cut to 80 characters"):
        write(ds, tmp_path / "n.dta")
    _, meta = pyreadstat.read_dta(str(tmp_path / "n.dta"), metadataonly=True)
    assert meta.column_names == [long[:32], "if_", "q5_a"]
    assert meta.column_names_to_labels[long[:32]] == "Ә" * 80


def test_string_codes_are_recoded_with_a_warning(tmp_path: Path) -> None:
    cl = ChoiceList(
        "city", (Choice("astana", {"kk": "Астана"}), Choice("almaty", {"kk": "Алматы"}))
    )
    ds = Dataset(
        pd.DataFrame({"city": ["almaty", "astana"]}),
        Codebook((Variable("city", "select_one", choices="city"),), (cl,)),
    )
    with pytest.warns(DataWarning, match="string codes written as 1..2"):
        write(ds, tmp_path / "c.dta")
    back = read(tmp_path / "c.dta")
    assert back.data["city"].tolist() == [2, 1]
    assert back.codebook.value_labels("city") == {1: "Астана", 2: "Алматы"}


def test_rosters_go_to_separate_files(tmp_path: Path) -> None:
    ds = Dataset(
        pd.DataFrame({"id": [1.0]}),
        Codebook(),
        rosters={"members": pd.DataFrame({"age": [7.0, 9.0]})},
    )
    written = write(ds, tmp_path / "h.dta")
    assert [p.name for p in written] == ["h.dta", "h_members.dta"]
    assert read(tmp_path / "h_members.dta").data["age"].tolist() == [7.0, 9.0]


def test_dates_keep_a_date_format(tmp_path: Path) -> None:
    frame = pd.DataFrame({"d": pd.to_datetime(["2026-01-02", None])})
    write(Dataset(frame, Codebook((Variable("d", "date"),))), tmp_path / "d.dta")
    _, meta = pyreadstat.read_dta(str(tmp_path / "d.dta"), metadataonly=True)
    assert meta.original_variable_types["d"] == "%td"
    back = read(tmp_path / "d.dta")
    assert back.codebook["d"].type == "date"
    assert back.data["d"][0] == pd.Timestamp("2026-01-02")
