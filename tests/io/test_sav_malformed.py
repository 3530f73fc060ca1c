"""Malformed SPSS and Stata inputs, each failing with a named error class and rule.

Inputs: the tiny files in tests/io/malformed/ (see its README.md), real files from
../shared/data/realfiles cut or renamed in tmp_path, and frames that break SPSS's limits on
write. Robustness against arbitrary bytes is in test_sav_robustness.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Dataset,
    MissingCode,
    QonysError,
    ReadError,
    Variable,
    WriteError,
)
from qonys.io import read, read_codebook, write

HERE = Path(__file__).parent / "malformed"


def _rule(exc: type[QonysError], fn: object, *args: object, **kw: object) -> QonysError:
    with pytest.raises(exc) as err:
        fn(*args, **kw)  # type: ignore[operator]
    return err.value


# -- reading ----------------------------------------------------------------------------------


def test_zero_byte_sav() -> None:
    err = _rule(ReadError, read, HERE / "empty.sav")
    assert err.rule == "sav.empty"
    assert err.where.file is not None
    assert err.where.file.endswith("empty.sav")


def test_zero_byte_dta() -> None:
    assert _rule(ReadError, read, HERE / "empty.dta").rule == "dta.empty"


def test_csv_named_sav() -> None:
    err = _rule(ReadError, read, HERE / "comma_separated.sav")
    assert err.rule == "sav.not-sav"
    assert "text file" in err.message


def test_header_only_sav() -> None:
    assert _rule(ReadError, read, HERE / "header_only.sav").rule == "sav.truncated"


def test_random_bytes_sav(tmp_path: Path) -> None:
    path = tmp_path / "random.sav"
    path.write_bytes(bytes((i * 73 + 41) % 256 for i in range(600)))
    assert _rule(ReadError, read, path).rule == "sav.not-sav"


@pytest.mark.shared
@pytest.mark.parametrize("keep", [300, 1000, -10, -1])
def test_truncated_real_sav(realfiles: Path, tmp_path: Path, keep: int) -> None:
    # sample.sav is 1651 bytes (SOURCES.md): cut inside the dictionary (300, 1000 bytes) and
    # inside the data (last 10 bytes / last byte missing)
    data = (realfiles / "spss" / "pyreadstat" / "sample.sav").read_bytes()
    path = tmp_path / "cut.sav"
    path.write_bytes(data[:keep])
    err = _rule(ReadError, read, path)
    assert err.rule == "sav.truncated"
    assert "cut short" in err.message


@pytest.mark.shared
def test_truncated_real_zsav(realfiles: Path, tmp_path: Path) -> None:
    data = (realfiles / "spss" / "pspp_generated" / "ru_cp1251_pspp.zsav").read_bytes()
    path = tmp_path / "cut.zsav"
    path.write_bytes(data[: len(data) // 2])
    assert _rule(ReadError, read, path).rule == "sav.truncated"


@pytest.mark.shared
def test_encrypted_sav(realfiles: Path) -> None:
    path = realfiles / "spss" / "readspss" / "hotel-encrypted.sav"
    assert _rule(ReadError, read, path).rule == "sav.encrypted"
    assert _rule(ReadError, read_codebook, path).rule == "sav.encrypted"


@pytest.mark.shared
def test_dta_renamed_sav(realfiles: Path, tmp_path: Path) -> None:
    path = tmp_path / "really_stata.sav"
    shutil.copy(realfiles / "stata" / "pyreadstat" / "sample.dta", path)
    err = _rule(ReadError, read, path)
    assert err.rule == "sav.not-sav"
    assert "Stata" in err.message


@pytest.mark.shared
def test_sav_renamed_dta(realfiles: Path, tmp_path: Path) -> None:
    path = tmp_path / "really_spss.dta"
    shutil.copy(realfiles / "spss" / "pyreadstat" / "sample.sav", path)
    err = _rule(ReadError, read, path)
    assert err.rule == "dta.not-dta"
    assert "SPSS" in err.message


@pytest.mark.shared
def test_truncated_real_dta(realfiles: Path, tmp_path: Path) -> None:
    data = (realfiles / "stata" / "pyreadstat" / "sample.dta").read_bytes()
    path = tmp_path / "cut.dta"
    path.write_bytes(data[: len(data) // 2])
    assert _rule(ReadError, read, path).rule == "dta.truncated"


@pytest.mark.shared
def test_wrong_encoding_forced(realfiles: Path) -> None:
    path = realfiles / "spss" / "pspp_generated" / "ru_cp1251_pspp.zsav"
    err = _rule(ReadError, read, path, encoding="UTF-8")
    assert err.rule == "sav.encoding"
    assert "UTF-8: invalid bytes" in err.message


@pytest.mark.shared
def test_unknown_reader_option(realfiles: Path) -> None:
    err = _rule(QonysError, read, realfiles / "spss" / "haven" / "umlauts.sav", colour="red")
    assert err.rule == "read.unknown-option"


def test_missing_file(tmp_path: Path) -> None:
    from qonys.io.sav_read import read_sav

    assert _rule(ReadError, read_sav, tmp_path / "nope.sav").rule == "read.not-found"


# -- writing ----------------------------------------------------------------------------------


def _ds(frame: pd.DataFrame, *variables: Variable, lists: tuple[ChoiceList, ...] = ()) -> Dataset:
    return Dataset(frame, Codebook(variables=variables, choice_lists=lists))


def test_too_many_missing_codes_that_cannot_become_a_range(tmp_path: Path) -> None:
    # 4 discrete codes around a valid answer (5): no single range can hold them
    var = Variable(
        "q",
        "integer",
        missing=tuple(MissingCode(value=v) for v in (1, 2, 8, 9)),
    )
    ds = _ds(pd.DataFrame({"q": pd.array([1, 5, 9], dtype="Int64")}), var)
    err = _rule(WriteError, write, ds, tmp_path / "m.sav")
    assert err.rule == "sav.too-many-missing"
    assert err.where.variable == "q"


def test_too_many_string_missing_codes(tmp_path: Path) -> None:
    var = Variable("s", "text", missing=tuple(MissingCode(value=v) for v in "abcd"))
    ds = _ds(pd.DataFrame({"s": ["x", "a"]}), var)
    assert _rule(WriteError, write, ds, tmp_path / "s.sav").rule == "sav.too-many-missing"


def test_string_missing_code_longer_than_8_bytes(tmp_path: Path) -> None:
    var = Variable("s", "text", missing=(MissingCode(value="нет ответа"),))
    ds = _ds(pd.DataFrame({"s": ["x"]}), var)
    assert _rule(WriteError, write, ds, tmp_path / "s.sav").rule == "sav.too-many-missing"


def test_name_collision_after_sanitising(tmp_path: Path) -> None:
    ds = _ds(pd.DataFrame({"q5/a": [1], "q5_a": [2]}))
    err = _rule(WriteError, write, ds, tmp_path / "c.sav")
    assert err.rule == "sav.name-collision"
    assert not (tmp_path / "c.sav").exists()
    err = _rule(WriteError, write, ds, tmp_path / "c.dta")
    assert err.rule == "dta.name-collision"


def test_text_in_a_numeric_column(tmp_path: Path) -> None:
    ds = _ds(pd.DataFrame({"age": [34, "thirty"]}, dtype=object), Variable("age", "integer"))
    err = _rule(WriteError, write, ds, tmp_path / "n.sav")
    assert err.rule == "sav.not-numeric"
    assert (err.where.row, err.where.variable) == (2, "age")


def test_stata_extended_missing_has_no_spss_form(tmp_path: Path) -> None:
    var = Variable("x", "decimal", missing=(MissingCode(value=".a"),))
    ds = _ds(pd.DataFrame({"x": pd.Series([1.5, ".a"], dtype=object)}), var)
    err = _rule(WriteError, write, ds, tmp_path / "x.sav")
    assert err.rule == "sav.not-numeric"
    assert ".a-.z" in (err.hint or "")


def test_long_strings_can_be_refused(tmp_path: Path) -> None:
    ds = _ds(pd.DataFrame({"note": ["қ" * 200]}), Variable("note", "text"))
    err = _rule(WriteError, write, ds, tmp_path / "l.sav", long_strings="fail")
    assert err.rule == "sav.long-string"
    assert err.where.row == 1


def test_unknown_writer_option(tmp_path: Path) -> None:
    ds = _ds(pd.DataFrame({"a": [1]}))
    assert _rule(QonysError, write, ds, tmp_path / "a.sav", colour=1).rule == (
        "write.unknown-option"
    )


def test_unwritable_folder(tmp_path: Path) -> None:
    ds = _ds(pd.DataFrame({"a": [1]}))
    err = _rule(WriteError, write, ds, tmp_path / "no" / "such" / "dir" / "a.sav")
    assert err.rule == "write.io"


def test_stata_text_in_numeric_column(tmp_path: Path) -> None:
    ds = _ds(pd.DataFrame({"age": [34, "x"]}, dtype=object), Variable("age", "integer"))
    err = _rule(WriteError, write, ds, tmp_path / "n.dta")
    assert err.rule == "dta.not-numeric"
    assert err.where.row == 2


def test_truncated_qonys_written_sav(tmp_path: Path) -> None:
    # a file qonys wrote, then cut inside its data section
    cl = ChoiceList("city", (Choice("astana"), Choice("almaty")))
    ds = _ds(
        pd.DataFrame({"city": ["astana"] * 50}),
        Variable("city", "select_one", choices="city"),
        lists=(cl,),
    )
    path = tmp_path / "c.sav"
    write(ds, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    assert _rule(ReadError, read, path).rule == "sav.truncated"
    assert os.path.getsize(path) > 0
