"""XLSX and Parquet with sidecar; round trips of arbitrary small frames; arbitrary bytes."""

from __future__ import annotations

import contextlib
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import shared_path

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Dataset,
    MissingCode,
    QonysError,
    ReadError,
    Roster,
    Variable,
    WriteError,
)
from qonys.io import read, write
from qonys.io._tabular_parquet import METADATA_KEY
from qonys.io.tabular import sidecar_path

CB = Codebook(
    variables=(
        Variable("id", "text"),
        Variable("sex", "select_one", choices="sex", missing=(MissingCode(value=9),)),
        Variable("age", "integer"),
        Variable("w", "decimal"),
        Variable("when", "date"),
        Variable("m", "select_multiple", choices="mot"),
        Variable("m/work", "binary"),
        Variable("note", "text", label={"kk": "Пікір", "ru": "Комментарий"}),
        Variable("pname", "text", repeat="people"),
        Variable("pet", "text", repeat="pets"),
    ),
    choice_lists=(
        ChoiceList("sex", (Choice(1), Choice(2), Choice(9))),
        ChoiceList("mot", (Choice("work"), Choice("study"))),
    ),
    rosters=(Roster("people"), Roster("pets", parent="people")),
    id_variable="id",
)


def _dataset() -> Dataset:
    main = pd.DataFrame(
        {
            "id": pd.Series(["007", "b"], dtype="str"),
            "sex": pd.array([1, None], dtype="Int64"),
            "age": pd.array([34, None], dtype="Int64"),
            "w": [1.25, np.nan],
            "when": pd.to_datetime(["2024-03-14", None]),
            "m": pd.Series(["work study", None], dtype="str"),
            "m/work": pd.array([1, None], dtype="Int64"),
            "note": pd.Series(["=SUM(A1) is text", "Ерлан Нұрланұлы: «жақсы»"], dtype="str"),
            "_index": pd.array([1, 2], dtype="Int64"),
        }
    )
    people = pd.DataFrame(
        {
            "pname": pd.Series(["Әсел", "Дәурен"], dtype="str"),
            "_index": pd.array([1, 2], dtype="Int64"),
            "_parent_index": pd.array([1, 1], dtype="Int64"),
        }
    )
    pets = pd.DataFrame(
        {
            "pet": pd.Series(["ит"], dtype="str"),
            "_index": pd.array([1], dtype="Int64"),
            "_parent_index": pd.array([2], dtype="Int64"),
        }
    )
    return Dataset(main, CB, {"people": people, "pets": pets})


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_round_trip_every_format(tmp_path: Path, ext: str) -> None:
    ds = _dataset()
    written = write(ds, tmp_path / f"s.{ext}")
    assert sidecar_path(tmp_path / f"s.{ext}") in written
    back = read(tmp_path / f"s.{ext}")
    assert back.codebook == CB
    pd.testing.assert_frame_equal(back.data, ds.data, check_dtype=True)
    for name in ("people", "pets"):
        pd.testing.assert_frame_equal(back.rosters[name], ds.rosters[name])


def test_parquet_embeds_the_codebook(tmp_path: Path) -> None:
    ds = _dataset()
    write(ds, tmp_path / "s.parquet")
    meta = pq.read_schema(tmp_path / "s.parquet").metadata
    assert METADATA_KEY in meta
    assert "Пікір".encode() in meta[METADATA_KEY]
    sidecar_path(tmp_path / "s.parquet").unlink()  # the embedded codebook is used instead
    back = read(tmp_path / "s.parquet")
    assert back.codebook == CB
    assert back.source is not None
    assert any("embedded" in n for n in back.source.notes)


def test_xlsx_formula_like_text_is_kept(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    write(_dataset(), tmp_path / "s.xlsx")
    wb = load_workbook(tmp_path / "s.xlsx")
    cell = wb["data"]["H2"]  # column 8 is "note"
    assert (cell.value, cell.data_type) == ("=SUM(A1) is text", "s")
    assert wb.sheetnames == ["data", "people", "pets"]


def test_xlsx_cell_errors(tmp_path: Path) -> None:
    bad = Dataset(pd.DataFrame({"t": ["ok", "bell\x07"]}), Codebook(variables=(Variable("t"),)))
    with pytest.raises(WriteError) as info:
        write(bad, tmp_path / "b.xlsx")
    assert (info.value.rule, info.value.where.row, info.value.where.variable) == (
        "xlsx.illegal-character",
        2,
        "t",
    )


def test_xlsx_value_error_names_sheet_and_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(["id", "age"])
    ws.append(["a", 30])
    ws.append(["b", "thirty"])
    wb.save(tmp_path / "h.xlsx")
    with pytest.raises(ReadError) as info:
        read(tmp_path / "h.xlsx", codebook=CB.select(["id", "age"]))
    err = info.value
    assert (err.rule, err.where.sheet, err.where.row, err.where.variable) == (
        "tabular.not-a-number",
        "data",
        2,
        "age",
    )


def test_parquet_mixed_types_are_refused(tmp_path: Path) -> None:
    ds = Dataset(pd.DataFrame({"x": pd.Series([1, "a"], dtype=object)}), Codebook())
    with pytest.raises(WriteError) as info:
        write(ds, tmp_path / "m.parquet")
    assert (info.value.rule, info.value.where.variable) == ("parquet.mixed-types", "x")


def test_undeclared_roster_is_refused(tmp_path: Path) -> None:
    ds = Dataset(pd.DataFrame({"a": [1]}), Codebook(), {"kids": pd.DataFrame({"b": [1]})})
    with pytest.raises(WriteError) as info:
        write(ds, tmp_path / "u.csv")
    assert info.value.rule == "tabular.undeclared-roster"


def test_kobo_xlsx_realfile_read_as_plain_xlsx() -> None:
    # SOURCES.md: sheet "Demo Project" 5 rows x 20 cols; repeat sheet family_members
    p = shared_path(
        "data", "realfiles", "kobo", "kobo_server_exports", "demo_project", "DemoDownloaded.xlsx"
    )
    ds = read(p, format="xlsx")
    assert ds.data.shape == (5, 20)
    assert ds.data["_index"].tolist() == [1, 2, 3, 4, 5]


# -- property-based round trips ---------------------------------------------------------------
_TEXT = st.text(
    alphabet=st.sampled_from(
        list(string.ascii_letters + string.digits + " ,;\"'\n\t|=-.")
        + list("әіңғүұқөһҚазақшаРусский«»")
    ),
    min_size=1,
    max_size=12,
)


@st.composite
def _frames(draw: st.DrawFn) -> Dataset:
    n = draw(st.integers(0, 6))
    ints = draw(
        st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=n, max_size=n)
    )
    floats = draw(
        st.lists(
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64)),
            min_size=n,
            max_size=n,
        )
    )
    texts = draw(st.lists(st.one_of(st.none(), _TEXT), min_size=n, max_size=n))
    codes = draw(
        st.lists(st.one_of(st.none(), st.sampled_from([1, 2, 98])), min_size=n, max_size=n)
    )
    frame = pd.DataFrame(
        {
            "i": pd.array(ints, dtype="Int64"),
            "f": pd.Series([np.nan if x is None else x for x in floats], dtype=float),
            "t": pd.Series(texts, dtype="str"),
            "c": pd.array(codes, dtype="Int64"),
        }
    )
    cb = Codebook(
        variables=(
            Variable("i", "integer"),
            Variable("f", "decimal"),
            Variable("t", "text", label={"kk": draw(_TEXT)}),
            Variable("c", "select_one", choices="l", missing=(MissingCode(value=98),)),
        ),
        choice_lists=(ChoiceList("l", (Choice(1), Choice(2), Choice(98, {"ru": "Не знаю"}))),),
    )
    return Dataset(frame, cb)


@pytest.mark.parametrize("ext", ["csv", "parquet"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ds=_frames())
def test_round_trip_arbitrary_frames(tmp_path: Path, ext: str, ds: Dataset) -> None:
    path = tmp_path / f"r.{ext}"
    write(ds, path)
    back = read(path)
    assert back.codebook == ds.codebook
    pd.testing.assert_frame_equal(back.data, ds.data)


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_readers_on_arbitrary_bytes_raise_only_qonys_errors(
    tmp_path: Path, ext: str, data: bytes
) -> None:
    path = tmp_path / f"junk.{ext}"
    path.write_bytes(data)
    with contextlib.suppress(QonysError):
        read(path, format=ext)
