"""Encoding fallback and the mojibake check.

Files with a wrong encoding record are made in ``tmp_path`` from real files by replacing the
encoding name inside the file's character-encoding record (same length, so the file stays
valid); the text bytes are left as the real tool wrote them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from qonys._core import ReadError
from qonys.io import read
from qonys.io.sav_encoding import mojibake_reason

RU = [
    "Синтетический опрос",
    "Пол респондента",
    "Вопрос анкеты",
    "Федеральный округ проживания",
    "Затрудняюсь ответить",
]


def test_clean_russian_and_kazakh_pass() -> None:
    assert mojibake_reason(RU, "WINDOWS-1251") is None
    assert mojibake_reason(["Жауап беру қиын", "Өскемен", "Қарағанды"], "UTF-8") is None


@pytest.mark.parametrize(
    ("written", "read_as", "reason"),
    [
        ("cp1251", "latin-1", "cyrillic-as-latin"),
        ("cp1251", "cp1252", "cyrillic-as-latin"),
        ("koi8_r", "cp1252", "cyrillic-as-latin"),
        ("cp866", "latin-1", "cyrillic-as-latin"),
        ("cp1251", "koi8_r", "wrong-cyrillic-code-page"),
        ("koi8_r", "cp1251", "wrong-cyrillic-code-page"),
        ("cp866", "cp1251", "wrong-cyrillic-code-page"),
        ("cp1251", "cp866", "wrong-cyrillic-code-page"),
        ("utf-8", "cp1251", "utf8-as-single-byte"),
        ("utf-8", "cp866", "utf8-as-single-byte"),
        ("utf-8", "koi8_r", "utf8-as-single-byte"),
        ("utf-8", "latin-1", "utf8-as-single-byte"),
    ],
)
def test_every_wrong_pairing_is_caught(written: str, read_as: str, reason: str) -> None:
    garbled = [t.encode(written).decode(read_as) for t in RU]
    assert mojibake_reason(garbled, read_as) == reason


def test_western_european_text_is_not_mojibake() -> None:
    texts = ["über die Straße gehen", "niño", "æøå (DA characters)", "æøå", "Czy planują Państwo"]
    assert mojibake_reason(texts, "windows-1252") is None


def _patched(src: Path, dst: Path, old: bytes, new: bytes) -> Path:
    data = src.read_bytes()
    assert data.count(old) == 1
    assert len(old) == len(new)
    dst.write_bytes(data.replace(old, new))
    return dst


@pytest.mark.shared
def test_cp1251_file_labelled_windows_1252_falls_back(realfiles: Path, tmp_path: Path) -> None:
    src = realfiles / "spss" / "pspp_generated" / "ru_cp1251_pspp.zsav"
    bad = _patched(src, tmp_path / "wrong.zsav", b"WINDOWS-1251", b"WINDOWS-1252")
    # pyreadstat alone gives mojibake for this file (checked by hand: 'Ôåäåðàëüíûé ...')
    _, meta = pyreadstat.read_sav(str(bad), metadataonly=True)
    assert meta.column_names_to_labels["region"].startswith("Ôåä")
    ds = read(bad)
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1251"
    assert ds.codebook["region"].label["default"] == "Федеральный округ проживания"
    assert ds.source.notes[0].startswith("decoded as WINDOWS-1251; refused before it:")
    assert "WINDOWS-1252" in ds.source.notes[0]


@pytest.mark.shared
def test_explicit_encoding_is_honoured(realfiles: Path, tmp_path: Path) -> None:
    src = realfiles / "spss" / "pspp_generated" / "ru_cp1251_pspp.zsav"
    bad = _patched(src, tmp_path / "wrong.zsav", b"WINDOWS-1251", b"WINDOWS-1252")
    ds = read(bad, encoding="WINDOWS-1251")
    assert ds.source is not None
    assert ds.source.encoding == "WINDOWS-1251"
    assert ds.source.notes == ()
    assert ds.data["city"][0] == "Москва"
    with pytest.raises(ReadError) as err:
        read(bad, encoding="WINDOWS-1252")
    assert err.value.rule == "sav.encoding"
    assert "mojibake" in err.value.message
    raw = read(bad, encoding="WINDOWS-1252", check_mojibake=False)
    assert raw.codebook["region"].label["default"].startswith("Ôåä")


def test_utf8_file_labelled_cp866_falls_back_to_utf8(tmp_path: Path) -> None:
    frame = pd.DataFrame({"q": [1.0, 2.0], "s": ["Алматы", "Астана"]})
    good = tmp_path / "good.sav"
    pyreadstat.write_sav(frame, str(good), column_labels={"q": "Пол респондента"})
    bad = _patched(good, tmp_path / "bad.sav", b"UTF-8", b"CP866")
    ds = read(bad)
    assert ds.source is not None
    assert ds.source.encoding == "UTF-8"
    assert ds.codebook["q"].label["default"] == "Пол респондента"
    assert ds.data["s"].tolist() == ["Алматы", "Астана"]


def test_nothing_decodes_cleanly_names_what_was_tried(tmp_path: Path) -> None:
    # labels that are themselves mojibake (UTF-8 decoded as Latin-1 before writing): no
    # encoding of the file can give clean text
    garbled = "Пол респондента".encode().decode("latin-1")
    path = tmp_path / "double.sav"
    pyreadstat.write_sav(pd.DataFrame({"q": [1.0]}), str(path), column_labels={"q": garbled})
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.rule == "sav.encoding"
    for name in ("the file's own encoding (UTF-8)", "WINDOWS-1251", "CP866", "KOI8-R"):
        assert name in err.value.message
    assert "--encoding" in (err.value.hint or "")


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = tmp_path / "a.sav"
    pyreadstat.write_sav(pd.DataFrame({"q": [1.0]}), str(path))
    with pytest.raises(ReadError) as err:
        read(path, encoding="NO-SUCH-ENCODING")
    assert err.value.rule == "sav.encoding-unknown"
