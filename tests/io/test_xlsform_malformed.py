"""Malformed XLSForms: each one raises a named error class with a stable rule and location."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_xlsform_support import write_form

from qonys._core import CodebookError, QonysError, ReadError
from qonys.io import lint_xlsform, read_codebook


def _read_fails(path: Path, cls: type[QonysError], rule: str, **kw: object) -> QonysError:
    with pytest.raises(cls) as err:
        read_codebook(path, **kw)
    assert err.value.rule == rule
    assert err.value.where.file == str(path)
    return err.value


def test_duplicate_name_in_one_group(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [
            {"type": "text", "name": "q1", "label": "a"},
            {"type": "text", "name": "q1", "label": "b"},
        ],
    )
    err = _read_fails(path, CodebookError, "xlsform.pyxform")
    assert err.where.row == 3  # pyxform names the second q1


def test_duplicate_name_across_groups(tmp_path: Path) -> None:
    # pyxform accepts it (unique within the parent group); qonys needs form-wide names
    path = write_form(
        tmp_path / "f.xlsx",
        [
            {"type": "begin_group", "name": "g", "label": "G"},
            {"type": "text", "name": "q1", "label": "a"},
            {"type": "end_group"},
            {"type": "text", "name": "q1", "label": "b"},
        ],
    )
    err = _read_fails(path, CodebookError, "xlsform.duplicate-name")
    assert (err.where.row, err.where.variable) == (5, "q1")


def test_unknown_reference(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [{"type": "text", "name": "a", "label": "A", "relevant": "${b} = 1"}],
    )
    err = _read_fails(path, CodebookError, "xlsform.pyxform")
    assert (err.where.sheet, err.where.row) == ("survey", 2)
    report = lint_xlsform(path, pyxform=False)
    assert [i.rule for i in report.errors] == ["xlsform.unknown-reference"]


def test_missing_choice_list(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [{"type": "select_one colours", "name": "a", "label": "A"}],
        [{"list_name": "sizes", "name": "s", "label": "S"}],
    )
    _read_fails(path, CodebookError, "xlsform.pyxform")
    err = _read_fails(path, CodebookError, "xlsform.unknown-list", check=False)
    assert (err.where.row, err.where.variable) == (2, "a")


def test_mismatched_language_suffix(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [{"type": "select_one yn", "name": "a", "label::Francais (fr)": "Oui?"}],
        [{"list_name": "yn", "name": "1", "label::Français (fr)": "Oui"}],
    )
    with pytest.raises(CodebookError) as err:
        lint_xlsform(path, raise_on_error=True)
    assert err.value.rule == "xlsform.language-mismatch"
    assert (err.value.where.sheet, err.value.where.row) == ("choices", 1)


def test_unmatched_begin_group(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [
            {"type": "begin_group", "name": "g", "label": "G"},
            {"type": "text", "name": "a", "label": "A"},
        ],
    )
    err = _read_fails(path, CodebookError, "xlsform.pyxform")
    assert err.where.row == 2
    err = _read_fails(path, CodebookError, "xlsform.unmatched-group", check=False)
    assert err.where.variable == "g"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    _read_fails(path, ReadError, "xlsform.empty")


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("type,name,label\ntext,a,A\n", encoding="utf-8")
    _read_fails(path, ReadError, "xlsform.not-a-workbook")


def test_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    _read_fails(path, ReadError, "xlsform.unreadable")


def test_no_survey_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "questions"
    wb.create_sheet("other")
    path = tmp_path / "form.xlsx"
    wb.save(path)
    err = _read_fails(path, CodebookError, "xlsform.no-survey")
    assert "questions" in (err.hint or "")


def test_bad_missing_kind_and_scale_flags(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [{"type": "select_one l", "name": "a", "label": "A"}],
        [{"list_name": "l", "name": "9", "label": "N", "missing": "perhaps"}],
    )
    err = _read_fails(path, CodebookError, "xlsform.missing-kind")
    assert (err.where.sheet, err.where.row) == ("choices", 2)
    path = write_form(
        tmp_path / "g.xlsx",
        [{"type": "integer", "name": "a", "label": "A", "qonys_reverse": "yes"}],
    )
    _read_fails(path, CodebookError, "xlsform.scale-reverse")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    magic=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    data=st.binary(max_size=300),
)
def test_arbitrary_bytes_raise_only_qonys_errors(magic: bytes, data: bytes) -> None:
    # random bytes, also behind the zip (.xlsx) and OLE2 (.xls) signatures
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xlsx"
        path.write_bytes(magic + data)
        with pytest.raises(QonysError):
            read_codebook(path)
