"""Encodings of old-format (pre-Stata 14) .dta files: the writer's code page is not recorded.

Files are made with pyreadstat in tmp_path; a cp1251 file is made by writing ASCII
placeholders of the same byte length and replacing them with Windows-1251 bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from qonys._core import ReadError
from qonys.io import read


def _cp1251_dta(path: Path) -> Path:
    frame = pd.DataFrame({"city": ["BBBBBB", "CCCCCC"]})
    pyreadstat.write_dta(frame, str(path), version=12, column_labels={"city": "AAAAA"})
    data = path.read_bytes()
    for old, new in ((b"AAAAA", "Город"), (b"BBBBBB", "Москва"), (b"CCCCCC", "Самара")):
        assert data.count(old) == 1
        data = data.replace(old, new.encode("cp1251"))
    path.write_bytes(data)
    return path


def test_cp1251_old_dta_falls_back_from_windows_1252(tmp_path: Path) -> None:
    path = _cp1251_dta(tmp_path / "old.dta")
    ds = read(path)
    assert ds.codebook["city"].label["default"] == "Город"
    assert ds.data["city"].tolist() == ["Москва", "Самара"]
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1251"
    assert "WINDOWS-1252" in ds.source.notes[0]


def test_utf8_old_dta_is_read_as_utf8(tmp_path: Path) -> None:
    # pyreadstat writes UTF-8 bytes even in the old formats (checked by hand: version=13)
    path = tmp_path / "u.dta"
    pyreadstat.write_dta(
        pd.DataFrame({"s": ["Қала"]}), str(path), version=13, column_labels={"s": "Өңір"}
    )
    ds = read(path)
    assert ds.codebook["s"].label["default"] == "Өңір"
    assert ds.data["s"].tolist() == ["Қала"]
    assert ds.source is not None
    assert ds.source.encoding == "UTF-8"


def test_forced_wrong_encoding_on_dta(tmp_path: Path) -> None:
    path = _cp1251_dta(tmp_path / "old.dta")
    with pytest.raises(ReadError) as err:
        read(path, encoding="WINDOWS-1252")
    assert err.value.rule == "dta.encoding"
    assert read(path, encoding="WINDOWS-1251").data["city"][0] == "Москва"
