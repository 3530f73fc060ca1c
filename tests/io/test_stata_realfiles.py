"""Every .dta in ../shared/data/realfiles/stata, read through qonys.

Expected values come from ../shared/data/realfiles/SOURCES.md ("verified" lines) or were read
with pyreadstat 1.3.7 by hand (``pyreadstat.read_dta(path, user_missing=True)``), as noted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qonys._core import MissingCode, ReadError
from qonys.io import read, read_codebook

pytestmark = pytest.mark.shared


@pytest.fixture
def stata(realfiles: Path) -> Path:
    return realfiles / "stata"


def test_old_format_with_dataset_label_and_notes(stata: Path) -> None:
    ds = read(stata / "haven" / "notes.dta")
    # SOURCES.md: dta_release=115, rows=5, cols=4, file_label=This is a test dataset., notes=1
    assert ds.data.shape == (5, 4)
    assert ds.codebook.title["default"] == "This is a test dataset."
    assert ds.codebook.notes == ("Reference: https://github.com/hadley/haven/issues/186",)
    # pyreadstat by hand: outcome 2, 2, 4, 2, 1
    assert ds.data["outcome"].tolist() == [2.0, 2.0, 4.0, 2.0, 1.0]
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1252"


@pytest.mark.parametrize(
    ("name", "vtype"), [("tagged-na-double", "decimal"), ("tagged-na-int", "integer")]
)
def test_tagged_missing_kept_as_codes(stata: Path, name: str, vtype: str) -> None:
    ds = read(stata / "haven" / f"{name}.dta")
    cb = ds.codebook
    # SOURCES.md: rows=8, user_missing_vars=1; pyreadstat by hand: values 1..5, a, h, z and
    # labels .a 'apple', .z '.zebra'
    assert ds.data["x"].tolist() == [1, 2, 3, 4, 5, ".a", ".h", ".z"]
    assert cb["x"].type == vtype
    assert cb["x"].missing == (
        MissingCode(value=".a"),
        MissingCode(value=".h"),
        MissingCode(value=".z"),
    )
    assert cb.value_labels("x") == {".a": "apple", ".z": ".zebra"}
    assert cb["x"].choices == "testlabel"
    assert cb.missing_kind("x", ".h") is not None


def test_tagged_missing_as_nan(stata: Path) -> None:
    ds = read(stata / "haven" / "tagged-na-int.dta", extended_missing="nan")
    assert ds.data["x"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert ds.data["x"].isna().sum() == 3
    assert str(ds.data["x"].dtype) == "Int64"


def test_missing_test_labelled_missing(stata: Path) -> None:
    ds = read(stata / "pyreadstat" / "missing_test.dta")
    # SOURCES.md: rows=1, cols=9, user_missing_vars=6; pyreadstat by hand: var1 .a labelled
    # 'missing', var2 .b ... var6 .z, var7 and var8 '.', var9 1
    assert ds.data.iloc[0, :6].tolist() == [".a", ".b", ".c", ".x", ".y", ".z"]
    assert ds.data["var9"].tolist() == [1.0]
    assert pd.isna(ds.data["var7"][0])
    assert ds.codebook.value_labels("var1") == {".a": "missing"}
    assert ds.codebook["var6"].missing == (MissingCode(value=".z"),)


def test_sample_value_labels_and_dates(stata: Path) -> None:
    ds = read(stata / "pyreadstat" / "sample.dta")
    cb = ds.codebook
    # SOURCES.md: dta_release=117, rows=5, cols=7, vars_with_value_labels=2
    assert ds.data.shape == (5, 7)
    assert cb["mylabl"].choices == "mylabl"
    assert cb.value_labels("mylabl") == {1: "Male", 2: "Female"}
    assert cb.value_labels("myord") == {1: "low", 2: "medium", 3: "high"}
    assert [cb[v].type for v in ("mydate", "dtime", "mytime")] == ["date", "datetime", "time"]
    assert cb["mynum"].format == "%16.2f"
    # pyreadstat by hand: mydate 2018-05-06, mylabl 1 2 1 2 1
    assert ds.data["mydate"][0] == pd.Timestamp("2018-05-06")
    assert ds.data["mylabl"].tolist() == [1, 2, 1, 2, 1]
    assert str(ds.data["mylabl"].dtype) == "Int64"


def test_utf8_value_labels(stata: Path) -> None:
    ds = read(stata / "readstata13" / "encode.dta")
    # pyreadstat by hand: {1: 'ä', 2: 'ö', 3: 'ü', 4: 'ß', 5: '€', 6: 'Œ'}
    assert ds.codebook.value_labels("num") == {1: "ä", 2: "ö", 3: "ü", 4: "ß", 5: "€", 6: "Œ"}
    assert ds.codebook["num"].label["default"] == "äöüß"
    assert ds.source is not None
    assert ds.source.encoding == "UTF-8"


def test_latin1_era_file(stata: Path) -> None:
    ds = read(stata / "readstata13" / "encodecp.dta")
    # SOURCES.md: release 115, bytes are Latin-1; pyreadstat by hand: labels ä ö ü ß EUR OE
    assert ds.codebook.value_labels("num")[1] == "ä"
    assert ds.codebook.value_labels("num")[5] == "EUR"
    assert ds.data["chr"].tolist()[:4] == ["ä", "ö", "ü", "ß"]
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1252"
    assert ds.source.notes == ()


def test_all_27_missing_codes(stata: Path) -> None:
    ds = read(stata / "readstata13" / "missings.dta")
    # SOURCES.md: rows=27 (. and .a-.z), user_missing_vars=1
    values = ds.data["missings"].tolist()
    assert len(values) == 27
    assert isinstance(values[0], float)
    assert np.isnan(values[0])
    assert values[1:] == [f".{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    assert len(ds.codebook["missings"].missing) == 26


def test_binary_strl_fails_clearly_and_other_columns_read(stata: Path) -> None:
    path = stata / "readstata13" / "stata_strl.dta"
    # SOURCES.md: read_dta raises UnicodeDecodeError; metadataonly=True works; 14 label sets
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.rule == "dta.invalid-text"
    assert "usecols" in (err.value.hint or "")
    cb = read_codebook(path)
    assert len(cb.choice_lists) == 14
    assert cb.value_labels("platform") == {1: "x86_64-pc-linux-gnu"}
    assert cb.title["default"] == "Written by R"
    ds = read(path, usecols=["platform", "notes"])
    assert ds.data["notes"][0].startswith("R is a free software environment")


def test_statacar_label_languages_and_extended_missing(stata: Path) -> None:
    ds = read(stata / "readstata13" / "statacar.dta")
    cb = ds.codebook
    # SOURCES.md: rows=8, cols=11, value_label_sets=2 (type_de, type_en), mileage .a/.b
    assert ds.data.shape == (8, 11)
    assert {c.name for c in cb.choice_lists} == {"type_de", "type_en"}
    assert cb["type"].choices == "type_en"
    assert cb.choice_list("type_de").get(1).labels["default"] == "Geländewagen"  # type: ignore[union-attr]
    assert cb["mileage"].missing == (MissingCode(value=".a"), MissingCode(value=".b"))
    assert ds.data["mileage"].tolist()[2] == ".a"
    assert ds.data["brand"].tolist()[:2] == ["Meyer", "Meyer"]
