"""Missing kinds from value labels (qonys.io.sav_kinds). The labels are the ones found in the
real files (SOURCES.md files read by hand) and common kk/ru/en/de questionnaire wordings."""

from __future__ import annotations

import pytest

from qonys._core import MissingKind, QonysError
from qonys.io.sav_kinds import kind_from_label, kinds_override

R, D, S, M = (
    MissingKind.REFUSED,
    MissingKind.DONT_KNOW,
    MissingKind.SKIPPED,
    MissingKind.MISSING,
)


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Отказ от ответа", R),  # ru_cp1251_pspp.zsav, q1 = 9
        ("Отказ", R),  # ru_cp1251_pspp.zsav, income = 99999
        ("Затрудняюсь ответить", D),  # ru_cp1251_pspp.zsav, q1 = 8
        ("Не знаю", D),  # ru_cp1251_pspp.zsav, income = -1
        ("Жауап беру қиын", D),  # kk_ru_utf8_pspp.sav, q1 = 8
        ("Жауап беруден бас тарту", R),  # kk_ru_utf8_pspp.sav, q1 = 9
        ("skipped", S),  # simple_alltypes.sav, z = 999
        ("no answer", M),  # testdata.sav, factor_n_coded_miss = 99
        ("missing", M),  # missing_test.dta, var1 = .a
        ("undetermined", M),  # sample_missing.sav, mylabl = -1
        ("Don’t know", D),
        ("DK", D),
        ("Refused", R),
        ("Prefer not to say", R),
        ("Not applicable", S),
        ("N/A", S),
        ("Вопрос не задавался", S),
        ("Не применимо", S),
        ("Білмеймін", D),
        ("Сұрақ қойылмады", S),
        ("Қолданылмайды", S),
        ("Weiß nicht", D),
        ("Verweigert", R),
        ("Trifft nicht zu", S),
        ("ЗАТРУДНЯЮСЬ ОТВЕТИТЬ", D),
        ("Don't know / refused", M),  # two kinds: stays missing
        ("", M),
        (None, M),
    ],
)
def test_label_rules(label: str | None, kind: MissingKind) -> None:
    assert kind_from_label(label) is kind


def test_custom_rules_come_first() -> None:
    assert kind_from_label("Нет ответа") is M
    assert kind_from_label("Нет ответа", rules=[("нет ответа", "refused")]) is R
    with pytest.raises(QonysError) as err:
        kind_from_label("x", rules=[("x", "nonsense")])
    assert err.value.rule == "read.missing-rules"


def test_overrides_by_variable_and_for_all() -> None:
    got = kinds_override({"*": {99: "refused"}, "q1": {99: "skipped"}}, "q1")
    assert got == {99: S}
    with pytest.raises(QonysError) as err:
        kinds_override({"q1": {99: "nope"}}, "q1")
    assert err.value.rule == "read.missing-kinds"
