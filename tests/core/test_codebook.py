from __future__ import annotations

import pytest

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    CodebookError,
    MissingCode,
    MissingKind,
    MRSet,
    Roster,
    Scale,
    Variable,
)


def _cb() -> Codebook:
    return Codebook(
        variables=(
            Variable("id", "text"),
            Variable(
                "trust",
                "select_one",
                label={"kk": "Сенім", "ru": "Доверие", "en": "Trust"},
                choices="agree5",
                measure="ordinal",
                missing=(
                    MissingCode(value=98, kind="dont_know"),
                    MissingCode(value=99, kind="refused"),
                ),
            ),
            Variable("m_work", "binary"),
            Variable("m_study", "binary"),
            Variable("alter_age", "integer", repeat="alters"),
        ),
        choice_lists=(
            ChoiceList(
                "agree5",
                tuple(Choice(i, {"en": f"level {i}"}) for i in range(1, 6))
                + (Choice(98, {"ru": "Затрудняюсь ответить"}, missing="dont_know"),),
            ),
        ),
        mr_sets=(MRSet("motives", ("m_work", "m_study")),),
        rosters=(Roster("alters"),),
        scales=(Scale("trust_scale", ("trust",)),),
        languages={"kk": "Қазақша (kk)", "ru": "Русский (ru)", "en": "English (en)"},
        id_variable="id",
    )


def test_lookup_and_labels() -> None:
    cb = _cb()
    assert cb.names == ("id", "trust", "m_work", "m_study", "alter_age")
    assert cb["trust"].label_in("kk") == "Сенім"
    assert cb["trust"].label_in("de") == "Trust"  # falls back to en
    assert cb.value_labels("trust", "en")[3] == "level 3"
    assert cb.value_labels("trust", "en")[98] == "Затрудняюсь ответить"  # only ru given
    assert [v.name for v in cb.variables_of("alters")] == ["alter_age"]


def test_missing_kinds_are_distinct() -> None:
    cb = _cb()
    assert cb.missing_kind("trust", 98) is MissingKind.DONT_KNOW
    assert cb.missing_kind("trust", 99.0) is MissingKind.REFUSED
    assert cb.missing_kind("trust", 3) is None
    assert MissingCode(low=97, high=99, kind="missing").matches(97.5)


def test_unknown_variable_suggests() -> None:
    with pytest.raises(CodebookError) as ei:
        _cb().variable("trsut")
    assert ei.value.rule == "codebook.unknown-variable"
    assert "'trust'" in (ei.value.hint or "")


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"variables": (Variable("a"), Variable("a"))}, "codebook.duplicate-name"),
        ({"variables": (Variable("a", "select_one", choices="nolist"),)}, "codebook.unknown-list"),
        ({"variables": (Variable("a", repeat="r"),)}, "codebook.unknown-roster"),
        (
            {"variables": (Variable("a"),), "mr_sets": (MRSet("s", ("a", "b")),)},
            "codebook.mrset-member",
        ),
        (
            {"variables": (Variable("a"),), "scales": (Scale("s", ("a", "zz")),)},
            "codebook.scale-item",
        ),
        ({"variables": (Variable("a"),), "id_variable": "b"}, "codebook.id-variable"),
    ],
)
def test_inconsistent_codebooks_fail(kwargs: dict[str, object], rule: str) -> None:
    with pytest.raises(CodebookError) as ei:
        Codebook(**kwargs)  # type: ignore[arg-type]
    assert ei.value.rule == rule


def test_dict_round_trip_keeps_everything() -> None:
    cb = _cb()
    again = Codebook.from_dict(cb.to_dict())
    assert again == cb


def test_from_dict_errors_name_entry() -> None:
    with pytest.raises(CodebookError) as ei:
        Codebook.from_dict({"variables": [{"name": "a", "typ": "text"}]}, source="cb.yaml")
    assert ei.value.where.file == "cb.yaml"
    assert ei.value.where.variable == "a"
    with pytest.raises(CodebookError) as ei:
        Codebook.from_dict({"variables": [{"name": "a", "type": "txt"}]}, source="cb.yaml")
    assert ei.value.rule == "codebook.type"


def test_select_prunes_sets() -> None:
    cb = _cb().select(["trust", "m_work"])
    assert cb.names == ("trust", "m_work")
    assert cb.mr_sets == ()
    assert [c.name for c in cb.choice_lists] == ["agree5"]
    assert cb.id_variable is None
