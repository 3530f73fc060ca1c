"""Dataset -> .sav/.zsav -> Dataset keeps names, codes, labels (all languages), missing kinds,
multiple-response sets and repeat groups; what SPSS itself sees is checked with pyreadstat."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
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
    MRSet,
    Roster,
    Scale,
    Variable,
)
from qonys.io import read, read_codebook, write

LANGS = {"kk": "Қазақша (kk)", "ru": "Русский (ru)", "en": "English (en)"}


def _l(kk: str, ru: str, en: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru, "en": en}


def survey() -> Dataset:
    agree = ChoiceList(
        "agree3",
        (
            Choice(1, _l("Келіспеймін", "Не согласен", "Disagree")),
            Choice(2, _l("Бейтарап", "Нейтрально", "Neutral")),
            Choice(3, _l("Келісемін", "Согласен", "Agree")),
            Choice(98, _l("Білмеймін", "Не знаю", "Don't know"), missing="dont_know"),
            Choice(99, _l("Жауап беруден бас тарту", "Отказ", "Refused"), missing="refused"),
        ),
    )
    city = ChoiceList(
        "city",
        (
            Choice("astana", _l("Астана", "Астана", "Astana")),
            Choice("almaty", _l("Алматы", "Алматы", "Almaty")),
            Choice("shymkent", _l("Шымкент", "Шымкент", "Shymkent")),
        ),
    )
    rel = ChoiceList("relation", (Choice("child", _l("Бала", "Ребёнок", "Child")),))
    variables = (
        Variable("id", "integer", label=_l("Сәйкестендіргіш", "Идентификатор", "ID")),
        Variable("_index", "integer"),
        Variable("city", "select_one", label=_l("Қала", "Город", "City"), choices="city"),
        Variable(
            "trust",
            "select_one",
            label=_l("Сенім", "Доверие", "Trust"),
            choices="agree3",
            measure="ordinal",
            missing=(
                MissingCode(value=98, kind="dont_know"),
                MissingCode(value=99, kind="refused"),
            ),
            relevant="${city} != ''",
            group=("attitudes",),
        ),
        Variable(
            "income",
            "decimal",
            label=_l("Табыс", "Доход", "Income"),
            missing=(
                MissingCode(low=-math.inf, high=-1.0, kind="missing"),
                MissingCode(value=99999, kind="refused"),
            ),
        ),
        Variable("sources", "select_multiple", label=_l("Көздер", "Источники", "Sources")),
        Variable("sources/tv", "binary", label=_l("ТД", "ТВ", "TV")),
        Variable("sources/web", "binary", label=_l("Интернет", "Интернет", "Web")),
        Variable("comment", "text", label=_l("Пікір", "Комментарий", "Comment")),
        Variable("interview_date", "date"),
        Variable("_parent_index", "integer", repeat="household"),
        Variable("member_age", "integer", label=_l("Жасы", "Возраст", "Age"), repeat="household"),
        Variable("member_rel", "select_one", choices="relation", repeat="household"),
    )
    cb = Codebook(
        variables=variables,
        choice_lists=(agree, city, rel),
        mr_sets=(
            MRSet(
                "sources",
                ("sources/tv", "sources/web"),
                label=_l("Ақпарат көздері", "Источники информации", "Information sources"),
                source="sources",
            ),
        ),
        rosters=(Roster("household", label=_l("Үй шаруашылығы", "Домохозяйство", "Household")),),
        scales=(Scale("trust_scale", ("trust",), low=1, high=3),),
        languages=LANGS,
        default_language="kk",
        title=_l("Көші-қон сауалнамасы", "Опрос о миграции", "Migration survey"),
        form_id="qonys_demo",
        version="2026-11",
        id_variable="id",
        notes=("Синтетикалық деректер", "A note longer than one SPSS document line " * 3),
    )
    main = pd.DataFrame(
        {
            "id": pd.array([1, 2, 3], dtype="Int64"),
            "_index": pd.array([1, 2, 3], dtype="Int64"),
            "city": pd.Series(["almaty", None, "shymkent"], dtype="str"),
            "trust": pd.array([3, 98, 99], dtype="Int64"),
            "income": [250000.5, -1.0, 99999.0],
            "sources": pd.Series(["tv web", "web", None], dtype="str"),
            "sources/tv": pd.array([1, 0, None], dtype="Int64"),
            "sources/web": pd.array([1, 1, None], dtype="Int64"),
            "comment": pd.Series(["Бәрі жақсы, рақмет", None, "Всё хорошо"], dtype="str"),
            "interview_date": pd.to_datetime(["2026-05-01", "2026-05-02", None]).astype(
                "datetime64[us]"
            ),
        }
    )
    household = pd.DataFrame(
        {
            "_index": pd.array([1, 2], dtype="Int64"),
            "_parent_index": pd.array([1, 1], dtype="Int64"),
            "member_age": pd.array([7, 12], dtype="Int64"),
            "member_rel": pd.Series(["child", "child"], dtype="str"),
        }
    )
    return Dataset(main, cb, rosters={"household": household})


@pytest.mark.parametrize("suffix", [".sav", ".zsav"])
def test_full_round_trip(tmp_path: Path, suffix: str) -> None:
    ds = survey()
    written = write(ds, tmp_path / f"survey{suffix}")
    assert [p.name for p in written] == [
        f"survey{suffix}",
        f"survey_household{suffix}",
        "survey.sps",
    ]
    back = read(tmp_path / f"survey{suffix}")
    assert back.codebook == ds.codebook
    pd.testing.assert_frame_equal(back.data, ds.data)
    pd.testing.assert_frame_equal(back.rosters["household"], ds.rosters["household"])
    magic = (tmp_path / f"survey{suffix}").read_bytes()[:4]
    assert magic == (b"$FL3" if suffix == ".zsav" else b"$FL2")


def test_what_spss_sees(tmp_path: Path) -> None:
    ds = survey()
    write(ds, tmp_path / "s.sav")
    df, meta = pyreadstat.read_sav(str(tmp_path / "s.sav"), user_missing=True)
    # SPSS-safe names; labels in the default language (kk)
    assert "sources_tv" in meta.column_names
    assert meta.column_names_to_labels["trust"] == "Сенім"
    assert meta.file_label == "Көші-қон сауалнамасы"
    # string codes recoded 1..k in choice order, labels kept
    assert meta.variable_value_labels["city"] == {1.0: "Астана", 2.0: "Алматы", 3.0: "Шымкент"}
    assert df["city"].tolist()[0] == 2.0
    assert meta.missing_ranges["trust"] == [{"lo": 98.0, "hi": 98.0}, {"lo": 99.0, "hi": 99.0}]
    assert meta.missing_ranges["income"] == [
        {"lo": -math.inf, "hi": -1.0},
        {"lo": 99999.0, "hi": 99999.0},
    ]
    assert meta.variable_measure["trust"] == "ordinal"
    assert meta.original_variable_types["interview_date"].startswith("DATE")
    assert meta.notes[0] == "Синтетикалық деректер"
    assert any(n.startswith("qonys-data:") for n in meta.notes)
    assert all(len(n.encode("utf-8")) <= 80 for n in meta.notes)


def test_language_choice(tmp_path: Path) -> None:
    write(survey(), tmp_path / "ru.sav", language="ru")
    _, meta = pyreadstat.read_sav(str(tmp_path / "ru.sav"), metadataonly=True)
    assert meta.column_names_to_labels["trust"] == "Доверие"
    assert meta.variable_value_labels["trust"][98.0] == "Не знаю"


def test_sps_syntax_for_multiple_response_sets(tmp_path: Path) -> None:
    write(survey(), tmp_path / "s.sav")
    text = (tmp_path / "s.sps").read_text(encoding="utf-8")
    assert "MRSETS" in text
    assert "/MDGROUP NAME=$sources LABEL='Ақпарат көздері'" in text
    assert "VARIABLES=sources_tv sources_web" in text
    assert "VALUE=1" in text
    assert text.rstrip().endswith(".")


def test_long_labels_are_cut_for_spss_and_kept_by_qonys(tmp_path: Path) -> None:
    long_label = "Я" * 300  # 600 bytes; SPSS keeps 256 bytes = 128 letters (ecosystem.md 2.1)
    long_value = "Қ" * 100  # 200 bytes; SPSS keeps 120 bytes = 60 letters
    cb = Codebook(
        variables=(Variable("q", "select_one", label={"ru": long_label}, choices="q"),),
        choice_lists=(ChoiceList("q", (Choice(1, {"ru": long_value}),)),),
    )
    ds = Dataset(pd.DataFrame({"q": pd.array([1], dtype="Int64")}), cb)
    with pytest.warns(DataWarning) as record:
        write(ds, tmp_path / "l.sav")
    assert [str(w.message) for w in record] == [
        "variable q: label cut to 256 bytes, the SPSS limit",
        "variable q: value label of 1 cut to 120 bytes, the SPSS limit",
    ]
    _, meta = pyreadstat.read_sav(str(tmp_path / "l.sav"), metadataonly=True)
    assert meta.column_names_to_labels["q"] == "Я" * 128
    assert meta.variable_value_labels["q"][1.0] == "Қ" * 60
    assert read(tmp_path / "l.sav").codebook == cb


def test_label_edited_in_spss_wins_over_stored_codebook(tmp_path: Path) -> None:
    ds = survey()
    write(ds, tmp_path / "s.sav")
    # imitate an SPSS user relabelling 'trust' and saving: same documents, new label
    df, meta = pyreadstat.read_sav(str(tmp_path / "s.sav"), user_missing=True)
    labels = dict(meta.column_names_to_labels)
    labels["trust"] = "Сенім (өзгертілген)"
    pyreadstat.write_sav(
        df,
        str(tmp_path / "edited.sav"),
        column_labels=labels,
        note=meta.notes,
        variable_value_labels=meta.variable_value_labels,
        missing_ranges=meta.missing_ranges,
    )
    back = read(tmp_path / "edited.sav", rosters=False)
    assert back.codebook["trust"].label == {"kk": "Сенім (өзгертілген)"}
    assert back.codebook["income"] == ds.codebook["income"]  # untouched: stored metadata
    assert "sources/tv" in back.codebook  # names still restored
    assert back.data["city"].tolist()[0] == "almaty"
    assert any("trust was changed" in n for n in back.source.notes)  # type: ignore[union-attr]


def test_too_many_missing_codes_become_a_safe_range(tmp_path: Path) -> None:
    var = Variable(
        "q",
        "select_one",
        choices="q",
        missing=tuple(
            MissingCode(value=v, kind=k)
            for v, k in ((96, "skipped"), (97, "missing"), (98, "dont_know"), (99, "refused"))
        ),
    )
    cl = ChoiceList("q", tuple(Choice(c, {"en": f"c{c}"}) for c in (1, 2, 96, 97, 98, 99)))
    ds = Dataset(pd.DataFrame({"q": pd.array([1, 96, 99], dtype="Int64")}), Codebook((var,), (cl,)))
    with pytest.warns(DataWarning, match="written as the range 96 THRU 99"):
        write(ds, tmp_path / "m.sav")
    _, meta = pyreadstat.read_sav(str(tmp_path / "m.sav"), metadataonly=True, user_missing=True)
    assert meta.missing_ranges["q"] == [{"lo": 96.0, "hi": 99.0}]
    back = read(tmp_path / "m.sav")
    assert back.codebook["q"].missing == var.missing  # the four kinds survive


def test_pandas_categoricals_become_codes_and_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"region": pd.Categorical(["Алматы", "Астана", "Алматы"], categories=["Астана", "Алматы"])}
    )
    write(Dataset(frame, Codebook()), tmp_path / "c.sav")
    df, meta = pyreadstat.read_sav(str(tmp_path / "c.sav"))
    assert meta.variable_value_labels["region"] == {1.0: "Астана", 2.0: "Алматы"}
    assert df["region"].tolist() == [2.0, 1.0, 2.0]
    back = read(tmp_path / "c.sav")
    assert back.codebook["region"].type == "select_one"
    assert back.data["region"].tolist() == ["Алматы", "Астана", "Алматы"]


def test_long_strings_policies(tmp_path: Path) -> None:
    text = "қ" * 200  # 400 bytes
    ds = Dataset(pd.DataFrame({"note": pd.Series([text], dtype="str")}), Codebook())
    with pytest.warns(DataWarning, match="note was kept whole"):
        write(ds, tmp_path / "keep.sav")
    assert read(tmp_path / "keep.sav").data["note"][0] == text
    with pytest.warns(DataWarning, match="cut to 255 bytes"):
        write(ds, tmp_path / "cut.sav", long_strings="truncate")
    assert read(tmp_path / "cut.sav").data["note"][0] == "қ" * 127


def test_file_label_cut_to_64_bytes(tmp_path: Path) -> None:
    ds = Dataset(pd.DataFrame({"a": [1.0]}), Codebook(title={"ru": "Ж" * 40}))
    with pytest.warns(DataWarning, match="file label cut to 64 bytes"):
        write(ds, tmp_path / "t.sav")
    _, meta = pyreadstat.read_sav(str(tmp_path / "t.sav"), metadataonly=True)
    assert meta.file_label == "Ж" * 32
    assert read(tmp_path / "t.sav").codebook.title == {"ru": "Ж" * 40}


def test_name_collisions_can_be_suffixed(tmp_path: Path) -> None:
    ds = Dataset(pd.DataFrame({"q5/a": [1.0], "q5_a": [2.0]}), Codebook())
    write(ds, tmp_path / "n.sav", name_collisions="suffix")
    _, meta = pyreadstat.read_sav(str(tmp_path / "n.sav"), metadataonly=True)
    assert meta.column_names == ["q5_a_2", "q5_a"]
    assert read(tmp_path / "n.sav").data.columns.tolist() == ["q5/a", "q5_a"]


def test_missing_roster_file_is_reported_not_fatal(tmp_path: Path) -> None:
    write(survey(), tmp_path / "s.sav")
    (tmp_path / "s_household.sav").unlink()
    back = read(tmp_path / "s.sav")
    assert dict(back.rosters) == {}
    assert any("s_household.sav" in n for n in back.source.notes)  # type: ignore[union-attr]


def test_codebook_reader_on_a_qonys_file(tmp_path: Path) -> None:
    ds = survey()
    write(ds, tmp_path / "s.sav")
    cb = read_codebook(tmp_path / "s.sav")
    main_only = [v.name for v in ds.codebook.variables if v.repeat is None]
    assert cb.names == tuple(main_only)
    assert cb["trust"] == ds.codebook["trust"]


def test_stale_codebook_when_given_codebook_replaces_variables(tmp_path: Path) -> None:
    ds = survey()
    write(ds, tmp_path / "s.sav")
    given = Codebook(variables=(Variable("income", "decimal", label={"en": "Monthly income"}),))
    back = read(tmp_path / "s.sav", codebook=given, rosters=False)
    assert back.codebook["income"].label == {"en": "Monthly income"}
    assert back.codebook["trust"] == ds.codebook["trust"]


def test_no_warning_for_a_plain_dataset(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": pd.array([1, 2], dtype="Int64"), "b": [0.5, np.nan]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write(Dataset(frame, Codebook()), tmp_path / "p.sav")
    back = read(tmp_path / "p.sav")
    pd.testing.assert_frame_equal(back.data, frame)
    assert [v.type for v in back.codebook.variables] == ["integer", "decimal"]


def test_columns_without_codebook_are_typed_from_dtype(tmp_path: Path) -> None:
    import datetime as dt

    frame = pd.DataFrame(
        {
            "flag": [True, False],
            "day": [dt.date(2026, 3, 1), None],
            "at": [dt.time(9, 30), dt.time(18, 0)],
            "n": pd.array([3, None], dtype="Int64"),
        }
    )
    write(Dataset(frame, Codebook()), tmp_path / "t.sav")
    _, meta = pyreadstat.read_sav(str(tmp_path / "t.sav"), metadataonly=True)
    assert meta.original_variable_types["day"].startswith("DATE")
    assert meta.original_variable_types["at"].startswith("TIME")
    back = read(tmp_path / "t.sav")
    assert [v.type for v in back.codebook.variables] == ["binary", "date", "time", "integer"]
    assert back.data["flag"].tolist() == [1, 0]
    assert back.data["day"][0] == pd.Timestamp("2026-03-01")
    assert back.data["at"].tolist() == [dt.time(9, 30), dt.time(18, 0)]


def test_reading_with_the_files_own_dictionary_keeps_its_rosters(tmp_path: Path) -> None:
    # The dictionary of s.sav describes the main table only; the roster file read beside it
    # still needs its roster declared (`qonys validate s.sav --codebook s.sav`).
    ds = survey()
    write(ds, tmp_path / "s.sav")
    back = read(tmp_path / "s.sav", codebook=read_codebook(tmp_path / "s.sav"))
    assert [r.name for r in back.codebook.rosters] == ["household"]
    pd.testing.assert_frame_equal(back.rosters["household"], ds.rosters["household"])
