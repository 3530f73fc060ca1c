"""Kobo writers ``kobo_xlsx`` and ``kobo_csv``: layout of real KoboToolbox exports, and read
back by the Kobo readers to the same dataset.

References: the formpack-generated and server exports in ../shared/data/realfiles/kobo (their
origin is in SOURCES.md there). The CSV exports of formpack carry start/end with the offset
-05:00 of the device that filled them in, hence ``utc_offset="-05:00"`` to reproduce them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Dataset,
    Group,
    MRSet,
    QonysError,
    Roster,
    Variable,
    WriteError,
)
from qonys.io import WRITERS, read, write
from qonys.io.kobo_write import kobo_sheet_name
from sharedpaths import shared_path

FP = ("data", "realfiles", "kobo", "formpack_generated", "exports")
KS = ("data", "realfiles", "kobo", "kobo_server_exports")

XLSX_EXPORTS = [
    (*FP, "simple_nested_grouped_repeatable_-_all_versions_-_False.xlsx"),
    (*FP, "nested_grouped_repeatable_-_all_versions_-_False.xlsx"),
    (*FP, "quotes_newlines_and_long_urls_-_all_versions_-_False.xlsx"),
    (*FP, "grouped_translated_-_all_versions_-_False.xlsx"),
    (*KS, "nested_grouping", "nestedrepeat.xlsx"),
    (*KS, "meeting_form", "Meeting_Form_-_latest_version_-_False_-_2024-03-14-09-51-14.xlsx"),
    (
        *KS,
        "project_overview",
        "Project_Overview_-_latest_version_-_False_-_2024-03-14-14-17-01.xlsx",
    ),
    (*KS, "demo_project", "DemoDownloaded.xlsx"),
]
CSV_EXPORTS = [
    "simple_nested_grouped_repeatable_-_all_versions_-_False.csv",
    "nested_grouped_repeatable_-_all_versions_-_False.csv",
    "quotes_newlines_and_long_urls_-_all_versions_-_False.csv",
    "grouped_translated_-_all_versions_-_False.csv",
]


def _same(a: Dataset, b: Dataset) -> None:
    pd.testing.assert_frame_equal(a.data, b.data)
    assert list(a.rosters) == list(b.rosters)
    for name in a.rosters:
        pd.testing.assert_frame_equal(a.rosters[name], b.rosters[name])


def test_registered() -> None:
    assert {"kobo_xlsx", "kobo_csv"} <= set(WRITERS.names())


@pytest.mark.shared
@pytest.mark.parametrize("parts", XLSX_EXPORTS, ids=lambda p: p[-1][:30])
def test_real_xlsx_exports_round_trip(parts: tuple[str, ...], tmp_path: Path) -> None:
    ds = read(shared_path(*parts))
    out = write(ds, tmp_path / "export.xlsx", format="kobo_xlsx")[0]
    _same(ds, read(out))


@pytest.mark.shared
@pytest.mark.parametrize("name", CSV_EXPORTS)
def test_real_csv_exports_are_reproduced_byte_for_byte(name: str, tmp_path: Path) -> None:
    src = shared_path(*FP, name)
    ds = read(src)
    out = write(ds, tmp_path / "export.csv", format="kobo_csv", utc_offset="-05:00")[0]
    assert out.read_bytes() == src.read_bytes()
    _same(ds, read(out))


@pytest.mark.shared
def test_sheet_layout_matches_formpack(tmp_path: Path) -> None:
    src = shared_path(*FP, "nested_grouped_repeatable_-_all_versions_-_False.xlsx")
    ds = read(src)
    out = write(ds, tmp_path / "x.xlsx", format="kobo_xlsx", title=None)[0]
    real = openpyxl.load_workbook(src, read_only=True)
    ours = openpyxl.load_workbook(out, read_only=True)
    # sheet names after the repeats; headers in the same order (main sheet named by title)
    assert ours.sheetnames[1:] == real.sheetnames[1:]
    for a, b in zip(real.worksheets, ours.worksheets, strict=True):
        assert next(a.iter_rows(values_only=True)) == next(b.iter_rows(values_only=True))
    real.close()
    ours.close()


def _small_codebook() -> Codebook:
    return Codebook(
        variables=(
            Variable("start", "datetime", source_type="start"),
            Variable("age", "integer", group=("dem",), source_type="integer"),
            Variable("sex", "select_one", choices="sex", group=("dem",)),
            Variable("langs", "select_multiple", choices="lang", group=("dem",)),
            Variable("langs/1", "binary", group=("dem",)),
            Variable("langs/2", "binary", group=("dem",)),
            Variable("note_txt", "text", group=("dem",)),
            Variable("friend", "text", group=("net", "friends"), repeat="friends"),
            Variable(
                "close", "select_one", choices="sex", group=("net", "friends"), repeat="friends"
            ),
        ),
        choice_lists=(
            ChoiceList("sex", (Choice(1, {"en": "m"}), Choice(2, {"en": "f"}))),
            ChoiceList("lang", (Choice(1, {"en": "kk"}), Choice(2, {"en": "ru"}))),
        ),
        mr_sets=(MRSet("langs", ("langs/1", "langs/2"), source="langs"),),
        rosters=(Roster("friends"),),
        groups=(Group(("dem",)), Group(("net",)), Group(("net", "friends"), repeat=True)),
        title={"default": "A form: with a very long title that Kobo cuts"},
    )


def _small_dataset(
    ages: list[int | None], texts: list[str | None], n_friends: list[int]
) -> Dataset:
    n = len(ages)
    langs = [None if a is None else ("1 2" if i % 2 else "2") for i, a in enumerate(ages)]
    main = pd.DataFrame(
        {
            "start": pd.to_datetime(
                [f"2025-10-0{1 + i % 9}T1{i % 10}:00:00.250+05:00" for i in range(n)], utc=True
            ),
            "age": pd.array(ages, dtype="Int64"),
            "sex": pd.array([1 + i % 2 for i in range(n)], dtype="Int64"),
            "langs": pd.Series(langs, dtype="str"),
            "langs/1": pd.array(
                [None if x is None else int("1" in x.split()) for x in langs], dtype="Int64"
            ),
            "langs/2": pd.array(
                [None if x is None else int("2" in x.split()) for x in langs], dtype="Int64"
            ),
            "note_txt": pd.Series(texts, dtype="str"),
        }
    )
    parents = np.repeat(np.arange(1, n + 1), n_friends)
    friends = pd.DataFrame(
        {
            "friend": pd.Series([f"досым{k}" for k in range(parents.size)], dtype="str"),
            "close": pd.array([1 + k % 2 for k in range(parents.size)], dtype="Int64"),
            "_parent_index": pd.array(parents, dtype="Int64"),
        }
    )
    return Dataset(main, _small_codebook(), {"friends": friends})


_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("abcАӘБқң 1;\"',\n")), min_size=1, max_size=12).filter(
        lambda s: s.strip() != "" and s == s.strip()
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ages=st.lists(st.one_of(st.none(), st.integers(0, 120)), min_size=1, max_size=8),
    data=st.data(),
)
def test_hypothesis_round_trip(ages: list[int | None], data: st.DataObject, tmp_path: Path) -> None:
    n = len(ages)
    texts = data.draw(st.lists(_TEXT, min_size=n, max_size=n))
    n_friends = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    ds = _small_dataset(ages, texts, n_friends)
    cb = ds.codebook
    xlsx = write(ds, tmp_path / "h.xlsx", format="kobo_xlsx")[0]
    back = read(xlsx, codebook=cb)
    for col in ds.data.columns:
        pd.testing.assert_series_equal(ds.data[col], back.data[col], check_names=False)
    for col in ds.rosters["friends"].columns:
        pd.testing.assert_series_equal(
            ds.rosters["friends"][col], back.rosters["friends"][col], check_names=False
        )
    csv = write(ds, tmp_path / "h.csv", format="kobo_csv")[0]
    back_csv = read(csv, codebook=cb)
    for col in ds.data.columns:
        pd.testing.assert_series_equal(ds.data[col], back_csv.data[col], check_names=False)


def test_layout_of_written_files(tmp_path: Path) -> None:
    ds = _small_dataset([30, None, 45], ["a;b", None, 'say "hi"'], [2, 0, 1])
    csv = write(ds, tmp_path / "x.csv", format="kobo_csv", utc_offset="+05:00")[0]
    raw = csv.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    lines = raw.split(b"\r\n")
    assert lines[0].startswith(b'"start";"dem/age";"dem/sex";"dem/langs";"dem/langs/1"')
    assert b'"2025-10-01T10:00:00.250+05:00";"30";"1";"2";"0";"1";"a;b"' in lines[1]
    assert lines[-1] == b""
    xlsx = write(ds, tmp_path / "x.xlsx", format="kobo_xlsx")[0]
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["A form_ with a very long tit...", "friends"]  # 28 + "..."
    head = next(wb["friends"].iter_rows(values_only=True))
    assert head[:2] == ("net/friends/friend", "net/friends/close")
    assert head[2:6] == ("_index", "_parent_table_name", "_parent_index", "_submission__id")
    row = next(wb["friends"].iter_rows(min_row=2, values_only=True))
    assert row[2] == 1
    assert row[4] == 1
    assert row[3] == "A form: with a very long title that Kobo cuts"
    wb.close()


def test_deterministic_bytes(tmp_path: Path) -> None:
    ds = _small_dataset([30, None, 45], ["a", None, "b"], [1, 0, 2])
    a = write(ds, tmp_path / "a.xlsx", format="kobo_xlsx")[0]
    b = write(ds, tmp_path / "b.xlsx", format="kobo_xlsx")[0]
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_sheet_names() -> None:
    assert kobo_sheet_name("a/b:c?d*e[f]g\\h") == "a_b_c_d_e_f_g_h"
    assert kobo_sheet_name("x" * 40) == "x" * 28 + "..."
    assert kobo_sheet_name("net_alter", ["NET_ALTER"]) == "net_alter (2)"


def test_errors(tmp_path: Path) -> None:
    ds = _small_dataset([30], ["a"], [1])
    with pytest.raises(QonysError) as err:
        write(ds, tmp_path / "x.csv", format="kobo_csv", sheet="x")
    assert err.value.rule == "write.unknown-option"
    with pytest.raises(WriteError) as werr:
        write(ds, tmp_path / "missing" / "x.xlsx", format="kobo_xlsx")
    assert werr.value.rule == "write.no-folder"
    with pytest.raises(QonysError) as oerr:
        write(ds, tmp_path / "x.csv", format="kobo_csv", utc_offset="UTC+5")
    assert oerr.value.rule == "parameter.format"
    orphan = ds.replace(rosters={"friends": ds.rosters["friends"].drop(columns="_parent_index")})
    with pytest.raises(WriteError) as rerr:
        write(orphan, tmp_path / "y.xlsx", format="kobo_xlsx")
    assert rerr.value.rule == "kobo.write-no-parent-key"
    dup = ds.replace(data=ds.data.assign(**{"dem/age": ds.data["age"]}))
    with pytest.raises(WriteError) as derr:
        write(dup, tmp_path / "z.csv", format="kobo_csv")
    assert derr.value.rule == "kobo.write-duplicate-header"
