"""Malformed KoboToolbox exports: error class, rule and location; orphan rows are kept."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from test_xlsform_support import write_form

from qonys._core import DataError, QonysError, ReadError
from qonys.io import read, read_codebook
from qonys.io.kobo import read_kobo_csv, read_kobo_xlsx

HEADER = '"start";"age";"sex";"_id";"_uuid";"_index"\r\n'


def _csv(tmp_path: Path, body: str, header: str = HEADER, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((header + body).encode("utf-8"))
    return path


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return write_form(
        tmp_path / "form.xlsx",
        [
            {"type": "start", "name": "start"},
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "select_one sex", "name": "sex", "label": "Sex"},
        ],
        [
            {"list_name": "sex", "name": "1", "label": "Male"},
            {"list_name": "sex", "name": "2", "label": "Female"},
        ],
    )


def test_well_formed_export_with_bom(tmp_path: Path, form: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(
        ("\ufeff" + HEADER + '"2024-05-01T10:00:00.000+05:00";"34";"2";"7";"u";"1"\r\n').encode(
            "utf-8"
        )
    )
    ds = read(path, codebook=form)
    assert ds.data["age"].tolist() == [34]
    assert ds.data["sex"].dtype == "Int64"  # integer choice codes
    assert ds.data["start"].iloc[0] == pd.Timestamp("2024-05-01 05:00", tz="UTC")


def test_broken_quote(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, '"2024-05-01";"34";"2";"7";"u";"1"\r\n"2024-05-02";"3"4";"1";"8";"v";"2"\r\n'
    )
    with pytest.raises(ReadError) as err:
        read_kobo_csv(path)
    assert err.value.rule == "kobo.csv-syntax"
    assert err.value.where.line == 3


def test_unterminated_quote_at_end(tmp_path: Path) -> None:
    path = _csv(tmp_path, '"2024-05-01";"34";"2";"7";"u";"1\r\n')
    with pytest.raises(ReadError) as err:
        read_kobo_csv(path)
    assert err.value.rule == "kobo.csv-syntax"


def test_record_longer_than_header(tmp_path: Path) -> None:
    path = _csv(tmp_path, '"a";"1";"2";"3";"u";"1"\r\n"b";"1";"2";"3";"v";"2";"extra"\r\n')
    with pytest.raises(ReadError) as err:
        read_kobo_csv(path)
    assert err.value.rule == "kobo.csv-row-length"
    assert (err.value.where.row, err.value.where.line) == (2, 3)


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    path.write_bytes(
        HEADER.encode() + '"2024-05-01";"1";"Мужской";"3";"u";"1"\r\n'.encode("cp1251")
    )
    with pytest.raises(ReadError) as err:
        read_kobo_csv(path)
    assert err.value.rule == "kobo.encoding"
    assert err.value.where.line == 2
    ds = read_kobo_csv(path, encoding="cp1251")
    assert ds.data["sex"].tolist() == ["Мужской"]


def test_headers_that_do_not_match_the_form(tmp_path: Path, form: Path) -> None:
    path = _csv(
        tmp_path,
        '"2024-05-01";"1";"2";"3";"u";"1"\r\n',
        header='"start";"agee";"sex";"_id";"_uuid";"_index"\r\n',
    )
    with pytest.raises(DataError) as err:
        read(path, codebook=read_codebook(form))
    assert err.value.rule == "kobo.header-mismatch"
    assert "columns not in the form: agee" in err.value.message
    assert "form questions without a column: age" in err.value.message
    ds = read(path, codebook=read_codebook(form), on_mismatch="note")
    assert ds.codebook["agee"].source_type == "unknown column"


def test_value_that_is_not_a_number(tmp_path: Path, form: Path) -> None:
    path = _csv(
        tmp_path, '"2024-05-01";"34";"2";"7";"u";"1"\r\n"2024-05-01";"thirty";"1";"8";"v";"2"\r\n'
    )
    with pytest.raises(DataError) as err:
        read(path, codebook=form)
    assert err.value.rule == "kobo.value"
    w = err.value.where
    assert (w.row, w.line, w.variable) == (2, 3, "age")
    assert "'thirty'" in err.value.message


def test_unknown_option_and_policy(tmp_path: Path) -> None:
    path = _csv(tmp_path, '"a";"1";"2";"3";"u";"1"\r\n')
    with pytest.raises(QonysError) as err:
        read_kobo_csv(path, sheet="x")
    assert err.value.rule == "read.unknown-option"
    with pytest.raises(QonysError):
        read_kobo_csv(path, on_mismatch="ignore")  # type: ignore[arg-type]


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_orphan_parent_index_rows_are_kept(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "export.xlsx",
        {
            "Survey": [["name", "_id", "_uuid", "_index"], ["a", 1, "u1", 1], ["b", 2, "u2", 2]],
            "members": [
                ["members/m_age", "_index", "_parent_table_name", "_parent_index"],
                [30, 1, "Survey", 1],
                [40, 2, "Survey", 9],  # no submission has _index 9
            ],
        },
    )
    ds = read_kobo_xlsx(path)
    members = ds.rosters["members"]
    assert members["_parent_index"].tolist() == [1, 9]
    assert members["m_age"].tolist() == [30, 40]
    assert ds.codebook.roster("members").parent is None


def test_truncated_repeat_sheet_name_matched_to_form(tmp_path: Path) -> None:
    long = "household_members_with_a_very_long_name"  # 39 characters
    form = write_form(
        tmp_path / "form.xlsx",
        [
            {"type": "begin_repeat", "name": long, "label": "Members"},
            {"type": "integer", "name": "m_age", "label": "Age"},
            {"type": "end_repeat"},
        ],
    )
    path = _xlsx(
        tmp_path / "export.xlsx",
        {
            "Household survey": [["_id", "_uuid", "_index"], [1, "u1", 1]],
            long[:28] + "...": [
                [f"{long}/m_age", "_index", "_parent_table_name", "_parent_index"],
                ["31", 1, "Household survey", 1],
            ],
        },
    )
    ds = read(path, codebook=form)
    assert list(ds.rosters) == [long]
    assert ds.rosters[long]["m_age"].tolist() == [31]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadError) as err:
        read_kobo_xlsx(path)
    assert err.value.rule == "kobo.xlsx-unreadable"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), text=st.text(alphabet=';"\r\n,ab1_ é', max_size=80))
def test_arbitrary_bytes_raise_only_qonys_errors(data: bytes, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in (("a.csv", data), ("b.csv", text.encode()), ("c.xlsx", data)):
            path = Path(tmp) / name
            path.write_bytes(content)
            reader = read_kobo_xlsx if name.endswith(".xlsx") else read_kobo_csv
            with contextlib.suppress(QonysError):
                reader(path)


def test_empty_header(tmp_path: Path) -> None:
    path = _csv(tmp_path, '"a";"1"\r\n', header='"name";""\r\n')
    with pytest.raises(ReadError) as err:
        read_kobo_csv(path)
    assert err.value.rule == "kobo.empty-header"
    assert "column 2" in err.value.message


def test_blank_rows_inside_kept_at_the_end_dropped(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "export.xlsx",
        {
            "Main": [
                ["name", "_id", "_index"],
                ["a", 1, 1],
                [None, None, None],  # a blank row between submissions stays a row
                ["c", 3, 3],
                [None, None, None],  # blank rows after the data are not submissions
                ["  ", None, None],
            ]
        },
    )
    ds = read_kobo_xlsx(path)
    assert ds.data["_id"].tolist()[::2] == [1, 3]
    assert len(ds.data) == 3
    assert ds.data.iloc[1].isna().all()
