"""XLSForm lint: one synthetic form per rule, and the findings on the real forms."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_xlsform_support import write_form

from qonys._core import CodebookError, Result
from qonys.io import XLSFormLintReport, lint_xlsform
from qonys.io.xlsform_lint import LINT_COLUMNS
from sharedpaths import shared_path

KK, RU = "label::Қазақша (kk)", "label::Русский (ru)"


def _rules(report: XLSFormLintReport) -> set[tuple[str, str]]:
    return {(i.rule, i.severity) for i in report.issues}


def test_clean_trilingual_form_has_no_issue(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "ok.xlsx",
        [
            {
                "type": "integer",
                "name": "age",
                KK: "Жасыңыз",
                RU: "Ваш возраст",
                "label::English (en)": "Your age",
                "constraint": ". < 120",
            },
            {
                "type": "select_one yn",
                "name": "moved",
                KK: "Көштіңіз бе?",
                RU: "Переезжали?",
                "label::English (en)": "Moved?",
                "relevant": "${age} >= 18",
            },
        ],
        [{"list_name": "yn", "name": "1", KK: "Иә", RU: "Да", "label::English (en)": "Yes"}],
    )
    report = lint_xlsform(path)
    assert report.issues == ()
    assert report.ok
    assert isinstance(report, Result)
    frame = report.to_frame()
    assert list(frame.columns) == list(LINT_COLUMNS)
    assert len(frame) == 0


def test_names_ascii_spss_stata_and_duplicates(tmp_path: Path) -> None:
    long = "q" * 40  # 40 characters: over Stata's 32, under SPSS's 64 bytes
    path = write_form(
        tmp_path / "n.xlsx",
        [
            {"type": "text", "name": "вопрос1", "label": "a"},
            {"type": "text", "name": long, "label": "b"},
            {"type": "text", "name": "ж" * 33, "label": "c"},  # 66 bytes in UTF-8
            {"type": "begin_group", "name": "g", "label": "g"},
            {"type": "text", "name": "dup", "label": "d"},
            {"type": "end_group"},
            {"type": "text", "name": "dup", "label": "e"},
        ],
    )
    report = lint_xlsform(path, pyxform=False)
    frame = report.to_frame()
    by_rule = frame.groupby("rule")["row"].apply(list).to_dict()
    assert by_rule["xlsform.name-ascii"] == [2, 4]
    assert by_rule["xlsform.name-stata"] == [3, 4]
    assert by_rule["xlsform.name-spss"] == [4]
    assert by_rule["xlsform.duplicate-name"] == [8]
    dup = frame[frame.rule == "xlsform.duplicate-name"].iloc[0]
    assert (dup["sheet"], dup["column"], dup["name"], dup["severity"]) == (
        "survey",
        "name",
        "dup",
        "error",
    )
    assert "row 6" in dup["message"]


def test_translations_languages_and_mixed_labels(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "t.xlsx",
        [
            {
                "type": "select_one yn",
                "name": "a",
                KK: "Иә ма?",
                RU: None,
                "hint::Қазақша (kk)": None,
                "hint::Русский (ru)": "подсказка",
            },
        ],
        [{"list_name": "yn", "name": "1", KK: "Иә", "label::Russkiy (ru)": "Да"}],
    )
    report = lint_xlsform(path, pyxform=False)
    frame = report.to_frame()
    missing = frame[frame.rule == "xlsform.translation-missing"]
    assert set(missing["column"]) == {"label::Русский (ru)", "hint::Қазақша (kk)"}
    assert set(missing["row"]) == {2}
    mismatch = frame[frame.rule == "xlsform.language-mismatch"].iloc[0]
    assert (mismatch["sheet"], mismatch["column"]) == ("choices", "label::Russkiy (ru)")
    assert "Русский (ru)" in mismatch["message"]
    mixed = write_form(
        tmp_path / "m.xlsx",
        [{"type": "text", "name": "a", "label": "A", "label::English (en)": "A"}],
    )
    assert ("xlsform.label-mixed", "error") in _rules(lint_xlsform(mixed, pyxform=False))


def test_suffix_spelled_differently_without_code(tmp_path: Path) -> None:
    # Kobo's own example: label::Francais vs label::Français are two languages
    path = write_form(
        tmp_path / "f.xlsx",
        [{"type": "select_one yn", "name": "a", "label::Francais": "Oui?"}],
        [{"list_name": "yn", "name": "1", "label::Français": "Oui"}],
    )
    frame = lint_xlsform(path, pyxform=False).to_frame()
    row = frame[frame.rule == "xlsform.language-mismatch"].iloc[0]
    assert "'Francais'" in row["message"]


def test_references_lists_and_choice_names(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "r.xlsx",
        [
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "text", "name": "job", "label": "Job", "relevant": "${agee} > 15"},
            {"type": "select_one nolist", "name": "x", "label": "X"},
            {"type": "select_multiple langs", "name": "l", "label": "L"},
        ],
        [
            {"list_name": "langs", "name": "kazakh language", "label": "Kazakh"},
            {"list_name": "langs", "name": "ru", "label": "Russian"},
            {"list_name": "langs", "name": "ru", "label": "Russian again"},
        ],
    )
    frame = lint_xlsform(path, pyxform=False).to_frame()
    ref = frame[frame.rule == "xlsform.unknown-reference"].iloc[0]
    assert (ref["row"], ref["column"], ref["name"]) == (3, "relevant", "job")
    assert "did you mean 'age'" in ref["message"]
    assert frame[frame.rule == "xlsform.unknown-list"]["row"].tolist() == [4]
    assert frame[frame.rule == "xlsform.choice-space"]["row"].tolist() == [2]
    dup = frame[frame.rule == "xlsform.duplicate-choice"]
    assert dup[["row", "severity"]].values.tolist() == [[4, "error"]]


def test_duplicate_choice_is_a_warning_when_allowed(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "d.xlsx",
        [{"type": "select_one l", "name": "a", "label": "A"}],
        [
            {"list_name": "l", "name": "x", "label": "X"},
            {"list_name": "l", "name": "x", "label": "Y"},
        ],
        {"allow_choice_duplicates": "yes"},
    )
    assert ("xlsform.duplicate-choice", "warning") in _rules(lint_xlsform(path))


def test_qonys_columns(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "q.xlsx",
        [
            {"type": "integer", "name": "a", "label": "A", "qonys_reverse": "maybe"},
            {"type": "integer", "name": "b", "label": "B", "qonys_reverse": "yes"},
            {"type": "integer", "name": "c", "label": "C", "qonys_scale": "2bad"},
        ],
        [{"list_name": "l", "name": "9", "label": "N", "missing": "perhaps"}],
    )
    frame = lint_xlsform(path, pyxform=False).to_frame()
    assert frame[frame.rule == "xlsform.scale-reverse"]["row"].tolist() == [2, 3]
    assert frame[frame.rule == "xlsform.scale-name"]["row"].tolist() == [4]
    assert frame[frame.rule == "xlsform.missing-kind"][["sheet", "row"]].values.tolist() == [
        ["choices", 2]
    ]


def test_raise_on_error_carries_first_error(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "e.xlsx",
        [{"type": "text", "name": "a", "label": "A", "relevant": "${zz} = 1"}],
    )
    with pytest.raises(CodebookError) as err:
        lint_xlsform(path, raise_on_error=True)
    # pyxform reports the unknown reference too; both point at survey row 2
    assert err.value.rule in {"xlsform.pyxform", "xlsform.unknown-reference"}
    assert err.value.where.row == 2
    assert "more error" in err.value.message


def test_real_forms_findings() -> None:
    base = ("data", "realfiles", "xlsform")
    # UCL: a clean bilingual form
    assert lint_xlsform(shared_path(*base, "UCL_Biomass_Plot_Form_en_sw.xlsx")).issues == ()
    # JMMI (truncated by its authors): survey rows 7 and 13 repeat a_basic_information;
    # row 11 individuals_comments and row 14 b3_is_this_a_test are labelled in English only
    jmmi = lint_xlsform(shared_path(*base, "reach_ukr_jmmi_tool_en_uk_ru.xlsx")).to_frame()
    dup = jmmi[jmmi.rule == "xlsform.duplicate-name"]
    assert dup[["row", "name"]].values.tolist() == [[13, "a_basic_information"]]
    assert jmmi[jmmi.rule == "xlsform.pyxform"]["row"].tolist() == [13]
    untranslated = jmmi[jmmi.rule == "xlsform.translation-missing"]
    assert sorted(set(untranslated["row"])) == [11, 14]
    assert set(untranslated["column"]) == {"label::Русский", "label::Український"}
    # ruODK: unsuffixed label beside label::English (en) / label::French (fr)
    ruodk = lint_xlsform(shared_path(*base, "ruODK_I8n_label_choices_en_fr.xls")).to_frame()
    assert ruodk[ruodk.severity == "error"]["rule"].tolist() == ["xlsform.label-mixed"]
    assert isinstance(ruodk, pd.DataFrame)
