"""SPSS- and Stata-safe names (qonys.io._names). Limits from ecosystem.md 2.1 and probed with
pyreadstat 1.3.7: SPSS names up to 64 bytes, no '/', no leading digit or '_', reserved words;
Stata names up to 32 characters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from qonys._core import WriteError
from qonys.io._names import safe_name, safe_names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("q5/a", "q5_a"),
        ("group-x", "group_x"),
        ("1q", "v1q"),
        ("_index", "v_index"),
        ("AND", "AND_"),
        ("with", "with_"),
        ("a.", "a_"),
        ("сұрақ 1", "сұрақ_1"),
        ("ok_name", "ok_name"),
    ],
)
def test_spss_rules(name: str, expected: str) -> None:
    assert safe_name(name, "spss") == expected


def test_spss_byte_limit_cuts_at_character_boundary() -> None:
    # 64 bytes: 32 Cyrillic letters (ecosystem.md 2.1: "33 fails")
    assert safe_name("ж" * 40, "spss") == "ж" * 32
    assert safe_name("a" * 70, "spss") == "a" * 64


@pytest.mark.parametrize(
    ("name", "expected"),
    [("if", "if_"), ("_n", "_n_"), ("str20", "str20_"), ("q5/a", "q5_a"), ("1x", "v1x")],
)
def test_stata_rules(name: str, expected: str) -> None:
    assert safe_name(name, "stata") == expected


def test_stata_length_limit() -> None:
    assert safe_name("x" * 40, "stata") == "x" * 32


def test_collision_fails_by_default_and_suffix_resolves() -> None:
    with pytest.raises(WriteError) as err:
        safe_names(["q/a", "q_a"], "spss", file="out.sav")
    assert err.value.rule == "sav.name-collision"
    assert err.value.where.file == "out.sav"
    # the unchanged name keeps its spelling; the renamed one gets the suffix
    assert safe_names(["q/a", "q_a"], "spss", collisions="suffix") == {"q/a": "q_a_2", "q_a": "q_a"}


def test_spss_names_are_case_insensitive_stata_names_are_not() -> None:
    with pytest.raises(WriteError):
        safe_names(["Q1", "q1"], "spss")
    assert safe_names(["Q1", "q1"], "stata") == {"Q1": "Q1", "q1": "q1"}


def test_every_safe_name_is_accepted_by_pyreadstat(tmp_path: Path) -> None:
    names = ["q5/a", "1q", "_index", "AND", "with", "a.", "сұрақ 1", "ж" * 40, "a b/c-d"]
    mapping = safe_names(names, "spss")
    frame = pd.DataFrame({mapping[n]: [1.0] for n in names})
    pyreadstat.write_sav(frame, str(tmp_path / "n.sav"))
    _, meta = pyreadstat.read_sav(str(tmp_path / "n.sav"), metadataonly=True)
    assert meta.column_names == [mapping[n] for n in names]
    stata = safe_names(["q5/a", "if", "x" * 40, "1x", "ж" * 40], "stata")
    pyreadstat.write_dta(pd.DataFrame({v: [1.0] for v in stata.values()}), str(tmp_path / "n.dta"))
