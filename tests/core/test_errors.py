from __future__ import annotations

import pytest

from qonys._core import (
    CodebookError,
    DataError,
    DesignError,
    QonysError,
    QonysWarning,
    ReadError,
    Where,
    check_policy,
)
from qonys._core.policies import LonelyPSUPolicy


def test_error_renders_where_rule_hint() -> None:
    err = ReadError(
        "truncated file",
        where=Where(file="a.sav", row=4, variable="q1"),
        rule="sav.truncated",
        hint="Re-export.",
    )
    text = str(err)
    assert text.startswith("a.sav, row 4, variable q1: truncated file [rule sav.truncated]")
    assert "hint: Re-export." in text
    assert err.to_dict() == {
        "error": "ReadError",
        "message": "truncated file",
        "where": {"file": "a.sav", "row": 4, "variable": "q1"},
        "rule": "sav.truncated",
        "hint": "Re-export.",
    }


def test_hierarchy() -> None:
    assert issubclass(ReadError, DataError)
    for cls in (DataError, CodebookError, DesignError):
        assert issubclass(cls, QonysError)
    assert issubclass(QonysWarning, UserWarning)
    assert DataError("x").rule == "data"


def test_located_fills_only_unknown_fields() -> None:
    err = DataError("bad", where=Where(row=3))
    err.located(file="f.csv", row=99)
    assert err.where == Where(file="f.csv", row=3)


def test_policy_default_is_first_and_unknown_fails() -> None:
    assert check_policy("fail", LonelyPSUPolicy, "lonely_psu") == "fail"
    with pytest.raises(QonysError) as ei:
        check_policy("ignore", LonelyPSUPolicy, "lonely_psu")
    assert ei.value.rule == "policy.unknown"
    assert "'fail'" in ei.value.message
