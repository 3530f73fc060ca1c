"""XLSForm expression parser and evaluator.

Expected values follow XPath 1.0 (https://www.w3.org/TR/1999/REC-xpath-19991116/, sections 3.4
booleans and 4.4 number functions) and the ODK form-logic reference
(https://docs.getodk.org/form-logic/), worked by hand in the comments.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qonys._core import CodebookError, DataError, QonysError
from qonys._core.expressions import (
    Binary,
    Call,
    Num,
    Ref,
    evaluate,
    evaluate_bool,
    parse,
    references,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": pd.array([17, 30, None], dtype="Int64"),
            "city": pd.Series(["Astana", "", None], dtype="str"),
            "sex": pd.array([1, 2, None], dtype="Int64"),
            "m": pd.Series(["work study", "study", None], dtype="str"),
            "born": pd.to_datetime(["2000-02-29", None, "1990-12-31"]),
            "w": [1.5, np.nan, 2.0],
        }
    )


def test_precedence_and_references() -> None:
    e = parse("${a} + 2 * ${b} > 3 and not(${c} = 'x')")
    assert e.references == frozenset({"a", "b", "c"})
    assert e.functions == frozenset({"not"})
    # and binds looser than >, which binds looser than +, which is looser than *
    assert isinstance(e.root, Binary)
    assert e.root.op == "and"
    left = e.root.left
    assert isinstance(left, Binary)
    assert left.op == ">"
    assert left.left == Binary("+", Ref("a"), Binary("*", Num(2.0), Ref("b")))
    assert references("selected(${q}, 'a b')") == frozenset({"q"})


def test_word_operators_and_function_names_with_hyphens() -> None:
    e = parse("count-selected(${m}) div 2 mod 3")
    assert e.root == Binary(
        "mod", Binary("div", Call("count-selected", (Ref("m"),)), Num(2.0)), Num(3.0)
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("frobnicate(${a})", "expr.unknown-function"),  # not an XLSForm function
        ("${a} = ", "expr.syntax"),
        ("(${a} = 1", "expr.syntax"),
        ("${a} = 'open", "expr.syntax"),
        ("age > 3", "expr.syntax"),  # bare name: must be ${age}
        ("${}", "expr.syntax"),
        ("", "expr.syntax"),
        ("selected(${a})", "expr.arity"),  # selected takes two arguments
        ("(" * 150 + "1" + ")" * 150, "expr.too-deep"),
    ],
)
def test_malformed_expressions(text: str, rule: str) -> None:
    with pytest.raises(CodebookError) as info:
        parse(text)
    assert info.value.rule == rule


def test_unknown_function_message_names_the_expression() -> None:
    with pytest.raises(CodebookError, match=r"frobnicate\(\) in expression 'frobnicate\(1\)'"):
        parse("frobnicate(1)")


def test_comparisons_follow_xpath(frame: pd.DataFrame) -> None:
    # number comparison: 17 >= 18 false, 30 >= 18 true, '' -> NaN -> false
    assert evaluate_bool("${age} >= 18", frame).tolist() == [False, True, False]
    # != with NaN is true (XPath 1.0: NaN != x)
    assert evaluate_bool("${age} != 18", frame).tolist() == [True, True, True]
    # string comparison: an empty or missing cell equals ''
    assert evaluate_bool("${city} = ''", frame).tolist() == [False, True, True]
    # a numeric code compared with a string compares strings: '1' = '1'
    assert evaluate_bool("${sex} = '1'", frame).tolist() == [True, False, False]
    # a reference as a boolean is true when not empty
    assert evaluate_bool("${city}", frame).tolist() == [True, False, False]


def test_arithmetic(frame: pd.DataFrame) -> None:
    got = evaluate("${age} * 2 + 1", frame).tolist()
    assert got[:2] == [35.0, 61.0]
    assert np.isnan(got[2])
    assert evaluate("7 mod -3", frame).iloc[0] == 1.0  # XPath mod keeps the dividend's sign
    assert evaluate("-7 mod 3", frame).iloc[0] == -1.0
    assert evaluate("1 div 0", frame).iloc[0] == np.inf  # XPath: Infinity
    assert evaluate("-(2 - 5)", frame).iloc[0] == 3.0


def test_select_functions(frame: pd.DataFrame) -> None:
    assert evaluate_bool("selected(${m}, 'work')", frame).tolist() == [True, False, False]
    assert evaluate("count-selected(${m})", frame).tolist() == [2.0, 1.0, 0.0]
    assert evaluate("selected-at(${m}, 1)", frame).tolist() == ["study", "", ""]


def test_string_functions(frame: pd.DataFrame) -> None:
    assert evaluate("string-length(${city})", frame).tolist() == [6.0, 0.0, 0.0]
    assert evaluate_bool("regex(${city}, '^A.*a$')", frame).tolist() == [True, False, False]
    assert evaluate("concat(${city}, '-', ${sex})", frame).tolist() == ["Astana-1", "-2", "-"]
    assert evaluate("substr('Қазақстан', 0, 5)", frame).iloc[0] == "Қазақ"
    assert evaluate("normalize-space('  a   b ')", frame).iloc[0] == "a b"
    assert evaluate_bool("contains(${m}, 'stu')", frame).tolist() == [True, True, False]


def test_if_coalesce_number_int(frame: pd.DataFrame) -> None:
    assert evaluate("if(${age} >= 18, 'adult', 'minor')", frame).tolist() == [
        "minor",
        "adult",
        "minor",
    ]
    assert evaluate("coalesce(${city}, 'none')", frame).tolist() == ["Astana", "none", "none"]
    # coalesce of a node and a number keeps numbers numeric: 17+1, 30+1, 0+1
    assert evaluate("coalesce(${age}, 0) + 1", frame).tolist() == [18.0, 31.0, 1.0]
    assert evaluate("int(-2.7)", frame).iloc[0] == -2.0  # truncates toward zero
    assert evaluate("number('12.5')", frame).iloc[0] == 12.5
    assert np.isnan(evaluate("number('abc')", frame).iloc[0])
    assert evaluate("round(2.5)", frame).iloc[0] == 3.0  # ODK: half away from zero
    assert evaluate("round(-2.5)", frame).iloc[0] == -3.0
    assert evaluate("round(3.14159, 2)", frame).iloc[0] == 3.14
    assert evaluate("max(1, ${w}, 0)", frame).tolist()[0] == 1.5


def test_dates(frame: pd.DataFrame) -> None:
    today = date(2024, 3, 1)
    # 2000-02-29 < 2024-03-01; NaT -> '' -> NaN -> false; 1990-12-31 < today
    assert evaluate_bool("${born} < today()", frame, today=today).tolist() == [True, False, True]
    # days since 1970-01-01: 2000-02-29 is day 11016 (30 years of 365 days + 7 leap days
    # = 10957 to 2000-01-01, + 31 + 28 = 11016)
    assert evaluate("decimal-date-time(${born})", frame).iloc[0] == 11016.0
    assert evaluate("format-date(${born}, '%e.%n.%Y')", frame).tolist() == [
        "29.2.2000",
        "",
        "31.12.1990",
    ]
    assert evaluate_bool("${born} > '1995-01-01'", frame).tolist() == [True, False, False]
    now = datetime(2024, 3, 1, 12, 0)
    assert evaluate("now()", frame, now=now).iloc[0] == "2024-03-01T12:00:00"


def test_current_node_and_missing_reference(frame: pd.DataFrame) -> None:
    assert evaluate_bool(". >= 18 and . <= 25", frame, current="age").tolist() == [
        False,
        False,
        False,
    ]
    with pytest.raises(CodebookError) as info:
        evaluate_bool(". > 1", frame)
    assert info.value.rule == "expr.no-current"
    with pytest.raises(DataError) as info2:
        evaluate_bool("${nosuch} = 1", frame)
    assert info2.value.rule == "expr.unknown-reference"
    assert info2.value.where.variable == "nosuch"


def test_unsupported_function_parses_but_does_not_evaluate(frame: pd.DataFrame) -> None:
    e = parse("count(${m}) > 1")
    assert not e.evaluable
    with pytest.raises(CodebookError) as info:
        evaluate_bool(e, frame)
    assert info.value.rule == "expr.unsupported-function"


def test_invalid_regex(frame: pd.DataFrame) -> None:
    with pytest.raises(CodebookError) as info:
        evaluate_bool("regex(${city}, '(')", frame)
    assert info.value.rule == "expr.regex"


def test_empty_frame() -> None:
    out = evaluate_bool("${a} = 1", pd.DataFrame({"a": pd.Series([], dtype="Int64")}))
    assert out.tolist() == []
    assert out.dtype == bool


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("${}()'\". ,=!<>+-*/|0123456789abcdivmodnt_:")))
    | st.text()
)
def test_parser_raises_only_qonys_errors(text: str) -> None:
    with contextlib.suppress(QonysError):
        parse(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=6))
def test_comparison_matches_python_on_integers(values: list[int | None]) -> None:
    frame = pd.DataFrame({"x": pd.array(values, dtype="Int64")})
    got = evaluate_bool("${x} > 0 or ${x} = ''", frame).tolist()
    assert got == [v is None or v > 0 for v in values]
