"""Every .sav/.zsav in ../shared/data/realfiles/spss, read through qonys.

Expected values come from ../shared/data/realfiles/SOURCES.md ("verified" lines: rows, columns,
encodings, MR sets, labels) or were read with pyreadstat 1.3.7 by hand
(``pyreadstat.read_sav(path, user_missing=True)``) and are noted as such next to each number.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from qonys._core import MissingCode, MissingKind, ReadError
from qonys.io import read, read_codebook

SPSS = ("data", "realfiles", "spss")

pytestmark = pytest.mark.shared


@pytest.fixture
def spss(realfiles: Path) -> Path:
    return realfiles / "spss"


def test_missing_values_variety_keeps_codes_and_ranges_apart(spss: Path) -> None:
    ds = read(spss / "curiosity" / "MissingValues.sav")
    # SOURCES.md: rows=8, cols=6, encoding=UTF-8, missing_ranges_vars=5
    assert ds.data.shape == (8, 6)
    assert ds.source is not None
    assert ds.source.encoding == "UTF-8"
    cb = ds.codebook
    # read with pyreadstat by hand: OneDiscrete [1], ThreeDiscrete [1, 2, 3], Range 1..5,
    # RangeDiscrete 1..5 plus 7
    assert cb["NoMissing"].missing == ()
    assert [m.value for m in cb["OneDiscrete"].missing] == [1]
    assert [m.value for m in cb["ThreeDiscrete"].missing] == [1, 2, 3]
    assert cb["Range"].missing == (MissingCode(low=1.0, high=5.0),)
    assert cb["RangeDiscrete"].missing == (MissingCode(low=1.0, high=5.0), MissingCode(value=7))
    # raw codes stay in the frame: values 0..7 (pyreadstat by hand)
    assert ds.data["RangeDiscrete"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert cb.missing_kind("RangeDiscrete", 7) is MissingKind.MISSING
    assert cb.missing_kind("RangeDiscrete", 6) is None


def test_cp1252_pspp_file_with_300_byte_string(spss: Path) -> None:
    ds = read(spss / "curiosity" / "test.sav")
    # SOURCES.md: encoding=CP1252, rows=3, cols=3, max_str_width=300
    assert ds.source is not None
    assert ds.source.encoding == "CP1252"
    assert ds.codebook["street"].label["default"] == "straße"
    assert ds.codebook["cross"].label["default"] == "über die Straße gehen"
    assert ds.codebook.value_labels("varenie") == {1: "niño", 2: "niña"}
    assert ds.codebook["street"].format == "A300"
    assert ds.data["street"].tolist() == ["Landsberger Straße", "Fröbelplatz", "Bayerstraße"]


def test_datetime_out_of_range_fails_clearly_and_reads_raw(spss: Path) -> None:
    path = spss / "haven" / "datetime.sav"
    # SOURCES.md: "pyreadstat default raises OverflowError; opens with
    # disable_datetime_conversion=True"
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.rule == "sav.date-overflow"
    assert "dates='raw'" in (err.value.hint or "")
    ds = read(path, dates="raw")
    assert ds.codebook["date"].format == "ADATE10"
    # raw seconds since 1582: ADATE10 has no decimals (integer), TIME11.2 has two (decimal)
    assert ds.codebook["date"].type == "integer"
    assert ds.codebook["time"].type == "decimal"
    # read with pyreadstat by hand (disable_datetime_conversion=True): date.posix row 1
    assert ds.data["date.posix"][0] == pytest.approx(6.306150e12, rel=1e-6)


def test_labelled_numeric_with_user_missing(spss: Path) -> None:
    ds = read(spss / "haven" / "labelled-num-na.sav")
    var = ds.codebook["VAR00002"]
    # pyreadstat by hand: label 'Only one value', {1: 'This is one'}, missing 9, data [1, 9]
    assert var.label["default"] == "Only one value"
    assert var.type == "select_one"
    assert ds.codebook.value_labels("VAR00002") == {1: "This is one"}
    assert var.missing == (MissingCode(value=9),)
    assert ds.data["VAR00002"].tolist() == [1, 9]
    assert str(ds.data["VAR00002"].dtype) == "Int64"


def test_value_labels_on_a_string_variable(spss: Path) -> None:
    ds = read(spss / "haven" / "labelled-str.sav")
    # pyreadstat by hand: {'F': 'Female', 'M': 'Male'}, data ['M', 'F'], format A1
    assert ds.codebook["gender"].type == "select_one"
    assert ds.codebook.value_labels("gender") == {"F": "Female", "M": "Male"}
    assert ds.data["gender"].tolist() == ["M", "F"]


def test_utf8_umlauts(spss: Path) -> None:
    ds = read(spss / "haven" / "umlauts.sav")
    # pyreadstat by hand
    assert ds.codebook["var1"].label["default"] == "This is an ä-umlaut"
    assert ds.codebook.value_labels("var1") == {
        1: "the ä umlaut",
        2: "the ü umlaut",
        3: "the ö umlaut",
    }
    assert ds.data["var1"].tolist() == [1, 2, 1, 3]


def test_danish_windows_1252_is_not_taken_for_mojibake(spss: Path) -> None:
    ds = read(spss / "norstat" / "da.sav")
    # SOURCES.md: encoding=windows-1252, rows=1, cols=5; labels from pyreadstat by hand
    assert ds.source is not None
    assert ds.source.encoding == "windows-1252"
    assert ds.source.notes == ()
    assert "æøå" in ds.codebook
    assert ds.codebook["q2"].label["default"] == "æøå (DA characters)"
    assert ds.codebook.value_labels("q2") == {1: "Æ", 2: "Ø", 3: "Å"}
    assert ds.data["q3"].tolist() == ["æøå, ÆØÅ, abc, 123"]


def test_polish_utf8_and_2048_byte_string(spss: Path) -> None:
    ds = read(spss / "norstat" / "pl.sav")
    # SOURCES.md: encoding=UTF-8, max_str_width=2048
    assert ds.codebook["Q4"].format == "A2048"
    assert ds.codebook.value_labels("Q2") == {1: "Proszę", 2: "podać"}
    assert ds.codebook["Q1"].label["default"].startswith("Czy planują Państwo")


def test_kazakh_utf8_pspp_file(spss: Path) -> None:
    ds = read(spss / "pspp_generated" / "kk_ru_utf8_pspp.sav")
    cb = ds.codebook
    # SOURCES.md: encoding=UTF-8, rows=6, cols=8, mr_sets=['aqparat'],
    # file_label=Синтетикалық сауалнама, UTF-8, max_str_width=600
    assert ds.data.shape == (6, 8)
    assert ds.source is not None
    assert ds.source.encoding == "UTF-8"
    assert cb.title["default"] == "Синтетикалық сауалнама, UTF-8"
    assert cb["q1"].label["default"] == "С1. Өміріңізге жалпы қаншалықты қанағаттанасыз?"
    # discrete user-missing 8 and 9; kinds from their Kazakh labels (pyreadstat by hand:
    # 8 'Жауап беру қиын', 9 'Жауап беруден бас тарту')
    assert cb["q1"].missing == (
        MissingCode(value=8, kind="dont_know"),
        MissingCode(value=9, kind="refused"),
    )
    assert cb.choice_list("q1").get(9).missing is MissingKind.REFUSED  # type: ignore[union-attr]
    assert cb.mr_set("aqparat").variables == ("q2_1", "q2_2", "q2_3")
    assert cb.mr_set("aqparat").kind == "dichotomy"
    assert cb.mr_set("aqparat").counted_value == 1
    assert cb["q2_1"].type == "binary"
    # identical label sets shared (pyreadstat: q2_1..q2_3 all use labels2)
    assert {cb[v].choices for v in ("q2_1", "q2_2", "q2_3")} == {"q2_1"}
    assert ds.data["oblys"].tolist()[:3] == ["Алматы", "Астана", "Шымкент"]
    assert set("әғқңөұүһі") <= set(ds.data["pikir"][5])
    assert pd.isna(ds.data["pikir"][2])  # blank string -> missing (pyreadstat gives '')


def test_windows_1251_pspp_zsav_reads_as_cyrillic(spss: Path) -> None:
    ds = read(spss / "pspp_generated" / "ru_cp1251_pspp.zsav")
    cb = ds.codebook
    # SOURCES.md: encoding=WINDOWS-1251, rows=6, cols=12, mr_sets=['istochniki', 'problemy'],
    # file_label=Синтетический опрос, cp1251, notes=2
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1251"
    assert ds.source.notes == ()
    assert ds.data.shape == (6, 12)
    assert cb.title["default"] == "Синтетический опрос, cp1251"
    assert cb["region"].label["default"] == "Федеральный округ проживания"
    assert ds.data["city"].tolist()[:2] == ["Москва", "Санкт-Петербург"]
    assert cb.notes[0].startswith("DOCUMENT 'Синтетический тестовый файл")
    # q1: 8 'Затрудняюсь ответить', 9 'Отказ от ответа' (pyreadstat by hand)
    assert cb["q1"].missing == (
        MissingCode(value=8, kind="dont_know"),
        MissingCode(value=9, kind="refused"),
    )
    # income: LO THRU -1 plus 99999; labels -1 'Не знаю', 99999 'Отказ' (pyreadstat by hand)
    assert cb["income"].missing == (
        MissingCode(value=-1, kind="dont_know"),
        MissingCode(low=-math.inf, high=-1.0, kind="missing"),
        MissingCode(value=99999, kind="refused"),
    )
    assert cb["income"].type == "integer"  # labels only on missing codes: not categorical
    assert cb.value_labels("income") == {-1: "Не знаю", 99999: "Отказ"}
    assert cb["city"].missing == (MissingCode(value="н/д"),)
    assert cb["sex"].missing == (MissingCode(value="н"),)
    assert ds.data["income"].tolist()[2:4] == [-1, 99999]  # raw codes kept
    assert cb.mr_set("istochniki").kind == "dichotomy"
    assert cb.mr_set("problemy").kind == "category"
    assert cb.mr_set("problemy").variables == ("q3_a", "q3_b")
    assert cb.mr_set("problemy").label["default"] == "В3. Главные проблемы (две по важности)"


def test_user_missing_on_a_string_variable(spss: Path) -> None:
    ds = read(spss / "pyreadstat" / "missing_char.sav")
    # SOURCES.md: encoding=windows-1252, rows=2; pyreadstat by hand: missing 'Z', {'a': 'labeled'}
    assert ds.codebook["mychar"].missing == (MissingCode(value="Z"),)
    assert ds.codebook.value_labels("mychar") == {"a": "labeled"}
    assert ds.data["mychar"].tolist() == ["Z", "a"]


@pytest.mark.parametrize("name", ["sample.sav", "sample.zsav"])
def test_baseline_sample_files(spss: Path, name: str) -> None:
    ds = read(spss / "pyreadstat" / name)
    cb = ds.codebook
    # SOURCES.md: rows=5, cols=7, vars_with_value_labels=2, notes=4, encoding=windows-1252
    assert ds.data.shape == (5, 7)
    assert cb.notes == (
        "some test text as notes",
        "   (Entered 15-Aug-2018)",
        "some other comments",
        "   (Entered 15-Aug-2018)",
    )
    assert cb.value_labels("mylabl") == {1: "Male", 2: "Female"}
    assert cb["myord"].measure == "ordinal"
    assert [cb[v].type for v in ("mydate", "dtime", "mytime")] == ["date", "datetime", "time"]
    # pyreadstat by hand: mydate 2018-05-06, dtime 2018-05-06 10:10:10, mychar a..e
    assert ds.data["mydate"][0] == pd.Timestamp("2018-05-06")
    assert ds.data["dtime"][0] == pd.Timestamp("2018-05-06 10:10:10")
    assert ds.data["mychar"].tolist() == ["a", "b", "c", "d", "e"]
    assert ds.data["mynum"].tolist() == [1.1, 1.2, -1000.3, -1.4, 1000.3]


def test_sample_missing_ranges_and_labelled_missing(spss: Path) -> None:
    cb = read(spss / "pyreadstat" / "sample_missing.sav").codebook
    # pyreadstat by hand: mynum 2000..3000 and -1; myord -1, -2, -3 ('missing' on -1)
    assert cb["mynum"].missing == (MissingCode(low=2000.0, high=3000.0), MissingCode(value=-1))
    assert [m.value for m in cb["myord"].missing] == [-1, -2, -3]
    assert cb.choice_list("myord").get(-1).missing is MissingKind.MISSING  # type: ignore[union-attr]


def test_simple_alltypes_mr_sets_and_skipped_label(spss: Path) -> None:
    ds = read(spss / "pyreadstat" / "simple_alltypes.sav")
    cb = ds.codebook
    # SOURCES.md: mr_sets=['categorical_array', 'mymrset'], rows=6, cols=12
    assert {s.name for s in cb.mr_sets} == {"categorical_array", "mymrset"}
    assert cb.mr_set("mymrset").label["default"] == "My multiple response set"
    assert cb.mr_set("mymrset").variables == ("bool1", "bool2", "bool3")
    assert cb.mr_set("categorical_array").kind == "category"
    assert cb.mr_set("categorical_array").counted_value is None
    assert [m.value for m in cb["x"].missing] == [7, 8, 99]
    # z: -999 THRU 0 plus 999 labelled 'skipped' -> kind skipped (pyreadstat by hand)
    assert cb["z"].missing == (
        MissingCode(low=-999.0, high=0.0),
        MissingCode(value=999, kind="skipped"),
    )
    assert cb["bool1"].type == "binary"
    assert cb["y"].type == "date"
    assert cb["quarter"].type == "integer"  # QYR8 (no decimals) is not converted by pyreadstat
    assert cb["str"].format == "A40"


def test_telugu_512_byte_string(spss: Path) -> None:
    ds = read(spss / "pyreadstat" / "tegulu.sav")
    # SOURCES.md: encoding=UTF-8, max_str_width=512; pyreadstat by hand: record 210
    assert ds.data["record"].tolist() == [210]
    assert ds.data["Q16br9oe_Q24br9oe"][0].startswith("నేను")
    assert ds.codebook["Q16br9oe_Q24br9oe"].format == "A512"


def test_width_1024_string(spss: Path) -> None:
    ds = read(spss / "pyreadstat" / "test_width.sav")
    # pyreadstat by hand: StartDate A1024, Finished {1: 'False', 2: 'True'}, rows 5
    assert ds.codebook["StartDate"].format == "A1024"
    assert ds.codebook.value_labels("Finished") == {1: "False", 2: "True"}
    assert ds.data["StartDate"][0] == "2020-07-13 23:19:55"


def test_encrypted_file_fails_with_clear_rule(spss: Path) -> None:
    # SOURCES.md: NEGATIVE test, "ENCRYPTEDSAV" header
    with pytest.raises(ReadError) as err:
        read(spss / "readspss" / "hotel-encrypted.sav")
    assert err.value.rule == "sav.encrypted"
    assert "password" in err.value.message


def test_readspss_testdata(spss: Path) -> None:
    ds = read(spss / "readspss" / "testdata.sav")
    cb = ds.codebook
    # SOURCES.md: rows=5, cols=16, vars_with_value_labels=10, missing_ranges_vars=5
    assert ds.data.shape == (5, 16)
    assert sum(1 for v in cb.variables if v.choices) == 10
    assert sum(1 for v in cb.variables if v.missing) == 5
    # 99 'no answer' stays kind missing; u, v, w on a string (pyreadstat by hand)
    assert cb["factor_n_coded_miss"].missing == (MissingCode(value=99),)
    assert [m.value for m in cb["factor_s_coded_miss"].missing] == ["u", "v", "w"]
    assert cb["numeric_long_label"].missing == (MissingCode(low=1.0, high=2.0),)
    assert cb["string_500"].format == "A500"
    assert cb["date"].type == "date"
    assert "€" in cb.value_labels("factor_n_long_value_label")[2]


def test_spss13_code_page_file_with_2000_byte_strings(spss: Path) -> None:
    ds = read(spss / "readspss" / "v13.sav")
    # SOURCES.md: encoding=WINDOWS-1252, rows=2, cols=4, max_str_width=2000
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1252"
    assert ds.data["A2000"][0].startswith("c1CCC")
    assert ds.codebook["A2000"].format == "A2000"


def test_german_names(spss: Path) -> None:
    ds = read(spss / "savReaderWriter" / "german.sav")
    # pyreadstat by hand: names python .. spaß, values 1..6
    assert ds.codebook.names == ("python", "programmieren", "macht", "überhaupt", "völlig", "spaß")
    assert ds.data.iloc[0].tolist() == [1, 2, 3, 4, 5, 6]


def test_spssio_three_mr_sets_and_missing_ranges(spss: Path) -> None:
    ds = read(spss / "savReaderWriter" / "spssio_test.sav")
    cb = ds.codebook
    # SOURCES.md: mr_sets=['ages', 'incomes', 'V'], file_label, notes=2, rows=9, cols=22
    assert ds.data.shape == (9, 22)
    assert cb.title["default"] == "This is a file label"
    assert [s.name for s in cb.mr_sets] == ["ages", "incomes", "V"]
    assert cb.mr_set("incomes").variables == (
        "Income1",
        "Income2",
        "Income3",
        "Age",
        "AGE2",
        "AGE3",
    )
    assert cb["Age"].missing == (MissingCode(low=0.0, high=18.0),)
    assert cb["Income1"].missing == (MissingCode(low=-math.inf, high=-1.0),)
    assert cb["Income2"].missing == (
        MissingCode(low=-math.inf, high=-1.0),
        MissingCode(value=999),
    )
    assert [m.value for m in cb["Income3"].missing] == [999, 888, 777]
    assert cb.value_labels("aShortStringVar") == {"x": "someValue label"}
    assert cb.notes[0] == "This is a an'add document' entry"


def test_ibm_io_zsav(spss: Path) -> None:
    ds = read(spss / "savReaderWriter" / "zlib_compressed.zsav")
    # SOURCES.md: file_label=File created by user 'antonia' at Sat Feb  9 21:35:25 2013
    assert (
        ds.codebook.title["default"] == "File created by user 'antonia' at Sat Feb  9 21:35:25 2013"
    )
    assert ds.data["var1"].tolist() == ["Test1", "Test2"]


def test_codebook_reader_matches_the_data_reader(spss: Path) -> None:
    path = spss / "pspp_generated" / "ru_cp1251_pspp.zsav"
    cb = read_codebook(path)
    assert cb == read(path).codebook
    assert read_codebook(path, language="ru")["q1"].label["ru"].startswith("В1.")


def test_language_option_keys_labels(spss: Path) -> None:
    ds = read(spss / "pspp_generated" / "kk_ru_utf8_pspp.sav", language="kk")
    assert ds.codebook.languages == {"kk": "kk"}
    assert ds.codebook.default_language == "kk"
    assert ds.codebook["lang"].label_in("kk") == "Сұхбат тілі / Язык интервью"


def test_missing_kinds_override(spss: Path) -> None:
    path = spss / "pspp_generated" / "kk_ru_utf8_pspp.sav"
    cb = read(path, missing_kinds={"q1": {8: "skipped"}}).codebook
    assert cb["q1"].missing[0] == MissingCode(value=8, kind="skipped")
    cb = read(path, missing_rules=[("бас тарт", "dont_know")]).codebook
    assert cb["q1"].missing[1] == MissingCode(value=9, kind="dont_know")
