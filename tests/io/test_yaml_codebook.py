"""YAML codebook sidecar: round trip, readable Cyrillic, strict scalars, located errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    CodebookError,
    MissingCode,
    MRSet,
    QonysError,
    ReadError,
    Roster,
    Scale,
    Variable,
)
from qonys.io import read_codebook, write_codebook
from qonys.io.yaml_codebook import codebook_from_yaml, codebook_to_yaml


def _codebook() -> Codebook:
    return Codebook(
        variables=(
            Variable("id", "text"),
            Variable(
                "trust",
                "select_one",
                label={"kk": "Көршілерге сенім", "ru": "Доверие соседям", "en": "Trust"},
                choices="agree",
                missing=(MissingCode(value=98, kind="dont_know"), MissingCode(low=997, high=999)),
                group=("attitudes",),
                relevant="${consent} = 'yes'",
            ),
            Variable("consent", "select_one", choices="yn", required=True),
            Variable("m/work", "binary"),
            Variable("m/study", "binary"),
            Variable("alter_age", "integer", repeat="alters", constraint=". >= 0"),
        ),
        choice_lists=(
            ChoiceList("agree", (Choice(1, {"kk": "Келіспеймін"}), Choice(2, {"ru": "Согласен"}))),
            # codes that YAML 1.1 would turn into booleans, octal numbers or dates
            ChoiceList(
                "yn",
                (Choice("yes"), Choice("no"), Choice("on"), Choice("012"), Choice("2024-03-14")),
            ),
        ),
        mr_sets=(MRSet("m", ("m/work", "m/study"), source="m"),),
        rosters=(Roster("alters"),),
        scales=(Scale("trust_scale", ("trust",), low=1, high=2),),
        languages={"kk": "Қазақша (kk)", "ru": "Русский (ru)"},
        id_variable="id",
        group_relevant={"attitudes": "${consent} != 'no'"},
    )


def test_round_trip_and_readable_cyrillic(tmp_path: Path) -> None:
    cb = _codebook()
    path = write_codebook(cb, tmp_path / "survey.codebook.yaml")
    text = path.read_text(encoding="utf-8")
    assert "Көршілерге сенім" in text
    assert "\\u" not in text
    again = read_codebook(path)
    assert again == cb
    assert again.choice_list("yn").codes() == ("yes", "no", "on", "012", "2024-03-14")
    assert again.relevant_chain("trust") == ("${consent} != 'no'", "${consent} = 'yes'")


def test_hand_written_unquoted_codes_stay_strings() -> None:
    text = (
        "variables:\n- name: q\n  type: select_one\n  choices: yn\n"
        "choice_lists:\n  yn:\n  - code: yes\n  - code: no\n  - code: 012\n  - code: 1\n"
        "  - code: 2024-03-14\n"
    )
    cb = codebook_from_yaml(text)
    # YAML 1.1 would give True, False, 10 and a date; the strict loader keeps text, 1 is a number
    assert cb.choice_list("yn").codes() == ("yes", "no", "012", 1, "2024-03-14")


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("variables:\n- name: a\n  label: {kk: Жасы\n- name: b\n", encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        read_codebook(p)
    assert info.value.rule == "yaml.syntax"
    assert info.value.where.file == str(p)
    assert info.value.where.line == 4  # the unclosed flow mapping is detected on line 4


def test_duplicate_key_is_an_error() -> None:
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml("variables:\n- name: a\n  type: text\n  type: integer\n", source="x")
    assert info.value.rule == "yaml.duplicate-key"
    assert info.value.where.line == 4


def test_entry_error_names_variable_and_line() -> None:
    text = "variables:\n- name: a\n- name: b\n  type: numbr\n"
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml(text, source="cb.yaml")
    assert info.value.rule == "codebook.type"
    assert (info.value.where.file, info.value.where.variable, info.value.where.line) == (
        "cb.yaml",
        "b",
        3,
    )


def test_sidecar_naming_unknown_variable() -> None:
    text = "variables:\n- name: a\nmr_sets:\n- name: s\n  variables: [a, ghost]\n"
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml(text, source="s.csv.codebook.yaml")
    assert info.value.rule == "codebook.mrset-member"
    assert info.value.where.variable == "ghost"
    assert info.value.where.file == "s.csv.codebook.yaml"


@pytest.mark.parametrize(
    ("text", "rule"),
    [("", "codebook.format"), ("- a\n- b\n", "codebook.format"), ("a: [1, 2\n", "yaml.syntax")],
)
def test_not_a_codebook(text: str, rule: str) -> None:
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml(text)
    assert info.value.rule == rule


def test_non_utf8_file(tmp_path: Path) -> None:
    p = tmp_path / "cp.yaml"
    p.write_bytes("variables:\n- name: a\n  label: {ru: Возраст}\n".encode("cp1251"))
    with pytest.raises(ReadError) as info:
        read_codebook(p)
    assert info.value.rule == "yaml.encoding"
    assert info.value.where.line == 3


def test_yaml_text_is_plain_block_style() -> None:
    text = codebook_to_yaml(Codebook(variables=(Variable("a", "integer"),)))
    assert text.startswith("qonys_codebook: 1\n")
    assert "- name: a\n  type: integer\n" in text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}'\"#&*!|> \n\t0123456789.Қә")), max_size=80))
def test_arbitrary_text_raises_only_qonys_errors(text: str) -> None:
    with contextlib.suppress(QonysError):
        codebook_from_yaml(text)


def test_documented_example_is_a_valid_codebook() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "codebook.md").read_text("utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    cb = codebook_from_yaml(example, source="docs/codebook.md")
    assert cb.relevant_chain("hours") == ("${employed} = 'yes'",)
    assert cb.missing_kind("trust", 98) == "dont_know"
    assert cb["employed"].label_in("kk") == "Жұмыс істейсіз бе?"
