"""Readers on arbitrary bytes and on real files cut at arbitrary points: only QonysError (with a
rule) may come out, never a raw pyreadstat, Unicode or overflow error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qonys._core import QonysError
from qonys.io import read, read_codebook

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "realfiles"


def _only_qonys_errors(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        rules: list[str] = []
        for fn in (read, read_codebook):
            try:
                fn(path)
            except QonysError as err:
                rules.append(err.rule)
    # a failure names a dotted rule (sav.truncated, dta.not-dta...)
    assert all("." in rule for rule in rules)


@FAST
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".sav", ".zsav", ".dta"]))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    _only_qonys_errors(data, suffix)


@FAST
@given(
    magic=st.sampled_from([b"$FL2", b"$FL3", b"<stata_dta><header><release>118</release>"]),
    data=st.binary(min_size=0, max_size=800),
)
def test_right_magic_then_garbage(magic: bytes, data: bytes) -> None:
    _only_qonys_errors(magic + data, ".dta" if magic.startswith(b"<") else ".sav")


REAL = [
    "spss/pyreadstat/sample.sav",
    "spss/pyreadstat/simple_alltypes.sav",
    "spss/pspp_generated/ru_cp1251_pspp.zsav",
    "spss/pspp_generated/kk_ru_utf8_pspp.sav",
    "stata/pyreadstat/sample.dta",
    "stata/readstata13/statacar.dta",
]


@pytest.mark.shared
@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared (reference data) is not beside the project"
)
@pytest.mark.parametrize("name", REAL)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.floats(0.0, 0.999))
def test_real_files_cut_anywhere(name: str, cut: float) -> None:
    data = (SHARED / name).read_bytes()
    _only_qonys_errors(data[: int(len(data) * cut)], Path(name).suffix)
