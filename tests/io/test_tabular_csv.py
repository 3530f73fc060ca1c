"""CSV reader and writer: encodings, delimiters, strict parsing, sidecars, type conversion."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import shared_path

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    CodebookError,
    Dataset,
    ReadError,
    Roster,
    Variable,
    WriteError,
)
from qonys.io import read, write
from qonys.io.tabular import read_csv, sidecar_path, write_csv

CB = Codebook(
    variables=(
        Variable("id", "text"),
        Variable("city", "select_one", choices="city"),
        Variable("age", "integer"),
        Variable("income", "decimal"),
        Variable("arrived", "date"),
    ),
    choice_lists=(ChoiceList("city", (Choice(1, {"kk": "Астана"}), Choice(2), Choice(3))),),
    id_variable="id",
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_with_codebook_and_converts(tmp_path: Path) -> None:
    p = _write(
        tmp_path / "s.csv",
        "id;city;age;income;arrived\r\n007;1;34;1500.5;2019-05-01\r\n008;;;;14.03.2024\r\n",
    )
    ds = read_csv(p, codebook=CB)
    assert ds.data["id"].tolist() == ["007", "008"]  # text: leading zeros kept
    assert str(ds.data["age"].dtype) == "Int64"
    assert ds.data["age"].tolist() == [34, pd.NA]
    assert ds.data["city"].tolist() == [1, pd.NA]  # integer choice codes -> numbers
    assert ds.data["income"].iloc[0] == 1500.5
    # DD.MM.YYYY is read day first (the Kazakh and Russian convention)
    assert ds.data["arrived"].tolist() == [pd.Timestamp("2019-05-01"), pd.Timestamp("2024-03-14")]
    assert ds.source is not None
    assert ds.source.encoding == "utf-8"
    assert ds.source.format == "csv"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("a,b\n1,2\n", ","), ("a;b\n1;2\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|")],
)
def test_delimiter_is_sniffed(tmp_path: Path, text: str, delimiter: str) -> None:
    ds = read_csv(_write(tmp_path / "d.csv", text))
    assert ds.data.columns.tolist() == ["a", "b"]
    assert ds.data.loc[0, "b"] == 2


def test_utf8_bom_and_cp1251_with_explicit_encoding(tmp_path: Path) -> None:
    p = _write(tmp_path / "bom.csv", "қала,жас\nАлматы,30\n", encoding="utf-8-sig")
    assert read_csv(p).data.columns.tolist() == ["қала", "жас"]  # BOM not in the first name
    p2 = _write(tmp_path / "cp.csv", "город,возраст\nАлматы,30\n", encoding="cp1251")
    ds = read_csv(p2, encoding="cp1251")
    assert ds.data.loc[0, "город"] == "Алматы"
    assert ds.source is not None
    assert ds.source.encoding == "cp1251"


def test_cp1251_bytes_read_as_utf8_suggest_cp1251(tmp_path: Path) -> None:
    p = _write(tmp_path / "cp.csv", "id,город\n1,Астана\n2,Шымкент\n", encoding="cp1251")
    with pytest.raises(ReadError) as info:
        read_csv(p)
    err = info.value
    assert err.rule == "csv.encoding"
    assert err.where.line == 1  # the first undecodable byte is in the header
    assert err.hint is not None
    assert "--encoding cp1251" in err.hint


def test_unknown_encoding(tmp_path: Path) -> None:
    p = _write(tmp_path / "x.csv", "a\n1\n")
    with pytest.raises(ReadError) as info:
        read_csv(p, encoding="no-such-codec")
    assert info.value.rule == "csv.unknown-encoding"


def test_broken_quote_names_the_line(tmp_path: Path) -> None:
    p = _write(tmp_path / "q.csv", 'id,comment\n1,"fine"\n2,"never closed\n3,ok\n')
    with pytest.raises(ReadError) as info:
        read_csv(p)
    assert info.value.rule == "csv.quote"
    assert info.value.where.line == 3  # the quote opens on line 3


def test_text_after_closing_quote(tmp_path: Path) -> None:
    p = _write(tmp_path / "q2.csv", 'id,comment\n1,"a"b\n')
    with pytest.raises(ReadError) as info:
        read_csv(p)
    assert (info.value.rule, info.value.where.line) == ("csv.quote", 2)


def test_ragged_row_names_line_and_row(tmp_path: Path) -> None:
    p = _write(tmp_path / "r.csv", 'a,b,c\n1,2,3\n4,"x\ny",6\n7,8\n')
    with pytest.raises(ReadError) as info:
        read_csv(p)
    err = info.value
    assert err.rule == "csv.ragged"
    # row 3 starts on physical line 5: the quoted field of row 2 spans lines 3-4
    assert (err.where.row, err.where.line) == (3, 5)


def test_duplicate_and_empty_header(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_csv(_write(tmp_path / "dup.csv", "a,b,a\n1,2,3\n"))
    assert info.value.rule == "csv.duplicate-column"
    with pytest.raises(ReadError) as info2:
        read_csv(_write(tmp_path / "emp.csv", "a,,c\n1,2,3\n"))
    assert info2.value.rule == "csv.empty-header"
    with pytest.raises(ReadError) as info3:
        read_csv(_write(tmp_path / "none.csv", ""))
    assert info3.value.rule == "csv.empty"


def test_trailing_delimiter_and_blank_lines(tmp_path: Path) -> None:
    ds = read_csv(_write(tmp_path / "t.csv", "a;b;\n1;2;\n\n3;4;\n"))
    assert ds.data.columns.tolist() == ["a", "b"]
    assert len(ds.data) == 2
    assert ds.source is not None
    assert any("1 blank line" in n for n in ds.source.notes)


@pytest.mark.parametrize(
    ("cell", "rule"),
    [
        ("abc", "tabular.not-a-number"),
        ("3.5", "tabular.not-an-integer"),
        ("99999999999999999999", "tabular.integer-too-large"),
    ],
)
def test_value_that_does_not_fit_its_type(tmp_path: Path, cell: str, rule: str) -> None:
    p = _write(tmp_path / "v.csv", f"id,age\na,30\nb,{cell}\n")
    with pytest.raises(ReadError) as info:
        read_csv(p, codebook=CB.select(["id", "age"]))
    err = info.value
    assert err.rule == rule
    assert (err.where.row, err.where.line, err.where.variable) == (2, 3, "age")


def test_bad_date_and_decimal_comma(tmp_path: Path) -> None:
    p = _write(tmp_path / "d.csv", "id,arrived\na,03/14/2024\n")
    with pytest.raises(ReadError) as info:
        read_csv(p, codebook=CB.select(["id", "arrived"]))
    assert info.value.rule == "tabular.not-a-date"
    p2 = _write(tmp_path / "c.csv", "id;income\na;1500,5\n")
    with pytest.raises(ReadError) as info2:
        read_csv(p2, codebook=CB.select(["id", "income"]))
    assert info2.value.hint is not None
    assert "decimal=','" in info2.value.hint
    assert read_csv(p2, codebook=CB.select(["id", "income"]), decimal=",").data.loc[
        0, "income"
    ] == (1500.5)


def test_without_codebook_types_are_inferred(tmp_path: Path) -> None:
    ds = read_csv(_write(tmp_path / "i.csv", "a,b,c,d\n1,1.5,007,x\n2,,1,\n"))
    assert [v.type for v in ds.codebook.variables] == ["integer", "decimal", "text", "text"]
    assert ds.data["c"].tolist() == ["007", "1"]  # leading zero: an identifier, kept as text
    assert ds.source is not None
    assert any("inferred" in n for n in ds.source.notes)


def test_writer_bom_crlf_sidecar_and_rosters(tmp_path: Path) -> None:
    cb = Codebook(
        variables=(Variable("id"), Variable("name", "text", repeat="members")),
        rosters=(Roster("members"),),
    )
    ds = Dataset(
        pd.DataFrame({"id": ["a"], "_index": [1]}),
        cb,
        {"members": pd.DataFrame({"name": ["Әсел"], "_index": [1], "_parent_index": [1]})},
    )
    written = write_csv(ds, tmp_path / "s.csv")
    assert [p.name for p in written] == ["s.csv", "s.members.csv", "s.csv.codebook.yaml"]
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    back = read(tmp_path / "s.csv")
    assert back.rosters["members"]["name"].tolist() == ["Әсел"]
    assert str(back.data["_index"].dtype) == "Int64"  # kind recorded in the sidecar


def test_sidecar_is_picked_up_and_its_errors_reported(tmp_path: Path) -> None:
    p = _write(tmp_path / "s.csv", "id,age\na,1\n")
    sidecar_path(p).write_text(
        "variables:\n- name: id\n- name: age\n  type: integer\nid_variable: ghost\n",
        encoding="utf-8",
    )
    with pytest.raises(CodebookError) as info:
        read_csv(p)
    assert info.value.rule == "codebook.id-variable"
    assert info.value.where.file == str(sidecar_path(p))


def test_writer_refuses_infinite_and_unknown_options(tmp_path: Path) -> None:
    ds = Dataset(
        pd.DataFrame({"x": [float("inf")]}), Codebook(variables=(Variable("x", "decimal"),))
    )
    with pytest.raises(WriteError) as info:
        write(ds, tmp_path / "x.csv")
    assert (info.value.rule, info.value.where.row) == ("tabular.non-finite", 1)
    with pytest.raises(ReadError) as info2:
        read_csv(_write(tmp_path / "o.csv", "a\n1\n"), delimter=";")
    assert info2.value.rule == "read.unknown-option"


def test_kobo_csv_quotes_newlines_realfile() -> None:
    # SOURCES.md: ";"-separated, every field quoted, CRLF, UTF-8; 12 cols x 5 rows; embedded
    # newlines and doubled quotes
    p = shared_path(
        "data",
        "realfiles",
        "kobo",
        "formpack_generated",
        "exports",
        "quotes_newlines_and_long_urls_-_all_versions_-_False.csv",
    )
    ds = read(p, format="csv")
    assert ds.data.shape == (5, 12)
    first = ds.data.iloc[0, 0]
    assert first.startswith("Check out this URL I found:\n")
    assert ds.data["_index"].tolist() == [1, 2, 3, 4, 5]  # inferred integers


def test_kobo_csv_select_multiple_realfile() -> None:
    # SOURCES.md: 19 cols x 3 rows; select_multiple exported "both" ways
    p = shared_path(
        "data",
        "realfiles",
        "kobo",
        "formpack_generated",
        "exports",
        "grouped_translated_-_all_versions_-_False.csv",
    )
    ds = read(p, format="csv")
    assert ds.data.shape == (3, 19)
    q = "What_kind_of_symmetry_do_you_have"
    # values as in the file (read by hand): "spherical radial bilateral", "bilateral", ""
    assert ds.data[q].tolist()[:2] == ["spherical radial bilateral", "bilateral"]
    assert ds.data[f"{q}/bilateral"].tolist() == [1, 1, pd.NA]


def test_text_integer_codes_make_a_numeric_column(tmp_path: Path) -> None:
    # choice names "1", "2" (as an XLSForm stores them) are integer codes; "01" would not be
    cb = Codebook(
        variables=(
            Variable("q", "select_one", choices="l"),
            Variable("r", "select_one", choices="z"),
        ),
        choice_lists=(
            ChoiceList("l", (Choice("1"), Choice("2"))),
            ChoiceList("z", (Choice("01"), Choice("02"))),
        ),
    )
    ds = read_csv(_write(tmp_path / "c.csv", "q,r\n1,01\n2,02\n"), codebook=cb)
    assert str(ds.data["q"].dtype) == "Int64"
    assert ds.data["r"].tolist() == ["01", "02"]


def test_datetimes_with_offsets(tmp_path: Path) -> None:
    cb = Codebook(variables=(Variable("t", "datetime"),))
    same = read_csv(
        _write(tmp_path / "a.csv", "t\n2024-03-14T09:51:14+06:00\n2024-03-14T10:00:00+06:00\n"),
        codebook=cb,
    )
    assert str(same.data["t"].dt.tz) == "UTC+06:00"
    assert same.data["t"].iloc[0].hour == 9  # local time kept
    mixed = read_csv(
        _write(tmp_path / "b.csv", "t\n2024-03-14T09:00:00+06:00\n2024-03-14T09:00:00+05:00\n"),
        codebook=cb,
    )
    # 09:00 at +06:00 is 03:00 UTC; 09:00 at +05:00 is 04:00 UTC
    assert [t.hour for t in mixed.data["t"]] == [3, 4]
    assert mixed.source is not None
    assert any("converted to UTC" in n for n in mixed.source.notes)
    with pytest.raises(ReadError) as info:
        read_csv(
            _write(tmp_path / "c.csv", "t\n2024-03-14T09:00:00+06:00\n2024-03-14T09:00\n"),
            codebook=cb,
        )
    assert (info.value.rule, info.value.where.row) == ("tabular.mixed-time-zones", 2)
