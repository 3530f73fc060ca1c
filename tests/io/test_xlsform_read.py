"""XLSForm -> Codebook on every XLSForm of ../shared/data/realfiles that SOURCES.md lists.

Expected values were read by hand from the workbooks with openpyxl (xlrd for the .xls); the
sheet and row are given next to each assertion (header = row 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_xlsform_support import write_form

from qonys._core import Codebook, CodebookError, Group, MissingCode, MissingKind, Roster, Scale
from qonys.io import CODEBOOK_READERS, read_codebook
from qonys.io.xlsform_sheets import check_with_pyxform, load_xlsform
from sharedpaths import shared_path

XLSFORM = ("data", "realfiles", "xlsform")
KOBO = ("data", "realfiles", "kobo", "kobo_server_exports")


def _form(*parts: str) -> Codebook:
    return read_codebook(shared_path(*parts))


@pytest.fixture(scope="module")
def ucl() -> Codebook:
    return _form(*XLSFORM, "UCL_Biomass_Plot_Form_en_sw.xlsx")


@pytest.fixture(scope="module")
def impact() -> Codebook:
    return _form(*XLSFORM, "impact_cleaningtools_form_en_ar.xlsx")


@pytest.fixture(scope="module")
def cccm() -> Codebook:
    return _form(*XLSFORM, "reach_ukr_cccm_durable_solutions_tool_uk_en_ru.xlsx")


def test_registered_as_codebook_reader() -> None:
    assert "xlsform" in CODEBOOK_READERS


def test_ucl_languages_and_settings(ucl: Codebook) -> None:
    # headers label::Swahili (sw), label::English (en); settings row 2: default_language
    # "Swahili (sw)", version "2022-04-11 16:26:28.971000", no form_title / form_id.
    assert dict(ucl.languages) == {"sw": "Swahili (sw)", "en": "English (en)"}
    assert ucl.default_language == "sw"
    assert ucl.version == "2022-04-11 16:26:28.971000"
    assert ucl.form_id is None
    assert dict(ucl.title) == {}


def test_ucl_question_labels_hints_and_constraints(ucl: Codebook) -> None:
    # survey row 8: select_one enumerator, leader_name, "Jina Lako" / "Your Name", required yes
    v = ucl["leader_name"]
    assert v.type == "select_one"
    assert v.choices == "enumerator"
    assert dict(v.label) == {"sw": "Jina Lako", "en": "Your Name"}
    assert dict(v.hint) == {"sw": "Chagua moja", "en": "Choose One"}
    assert v.required is True
    assert v.group == ("info",)
    # survey row 38: tree_distance in repeat trees, constraint and its messages
    d = ucl["tree_distance"]
    assert (d.type, d.repeat, d.group) == ("decimal", "trees", ("trees",))
    assert d.constraint == ". < ${slope_radius}"
    assert d.constraint_message["en"] == "Check distance. Tree is outside the plot."
    assert d.constraint_message["sw"] == "Hakikisha Kipimo. Mti iko nje."


def test_ucl_choices_and_file_selects(ucl: Codebook) -> None:
    # choices rows 2-3: yes_no yes "Ndiyo"/"Yes", no "Hapana"/"No" (names are not integers)
    yes_no = ucl.choice_list("yes_no")
    assert yes_no.codes() == ("yes", "no")
    assert dict(yes_no.choices[0].labels) == {"sw": "Ndiyo", "en": "Yes"}
    assert ucl.value_labels("monumented", "sw") == {"yes": "Ndiyo", "no": "Hapana"}
    # select_one_from_file has no list on the choices sheet; the type cell is kept verbatim
    r = ucl["region_id"]
    assert (r.type, r.choices, r.source_type) == (
        "select_one",
        None,
        "select_one_from_file UCL_regions.csv",
    )
    assert ucl["district_id"].choice_filter == "region_id=${region_id}"


def test_ucl_repeats_groups_and_select_multiple(ucl: Codebook) -> None:
    # begin repeat trees (row 32, relevant), stems inside it (row 43, repeat_count ${stem_count})
    assert ucl.roster("stems") == Roster("stems", parent="trees", label=ucl.roster("stems").label)
    assert ucl.roster("trees").label["en"] == "Trees"
    assert [r.name for r in ucl.rosters] == ["trees", "stems", "stumps", "subplot1", "subplot2"]
    trees = next(g for g in ucl.groups if g.path == ("trees",))
    assert trees.repeat
    assert trees.relevant == "${any_trees} = ‘yes’"
    stems = next(g for g in ucl.groups if g.path == ("trees", "stems"))
    assert stems.repeat_count == "${stem_count}"
    assert ucl["cbh"].repeat == "stems"
    # survey row 88: select_multiple disturbance; choices rows 19-25: 7 choices
    mr = ucl.mr_set("disturbance")
    assert mr.variables[0] == "disturbance/burning"
    assert len(mr.variables) == 7
    assert ucl["disturbance/grazing"].type == "binary"
    assert dict(ucl["disturbance/grazing"].label) == {
        "sw": "Uchungaji Mifugo",
        "en": "Livestock Grazing",
    }
    assert mr.source == "disturbance"


def test_impact_arabic_english(impact: Codebook) -> None:
    # no settings sheet; languages English (en) / Arabic (ar); 24 select_multiple questions
    assert dict(impact.languages) == {"en": "English (en)", "ar": "Arabic (ar)"}
    assert impact.form_id is None
    assert len(impact.mr_sets) == 24
    # survey row 9: gps_point_interview, choice_filter filter=${neighbourhood}, required "true"
    v = impact["gps_point_interview"]
    assert v.choice_filter == "filter=${neighbourhood}"
    assert v.required is True
    assert v.label["ar"] == "يرجى تسجيل اسم نقطة GPS التي تجري فيها المقابلة"
    # survey row 32: primary_livelihood hint in both languages
    assert impact["primary_livelihood"].hint["ar"] == "لا تقرأ القائمة/الاختيارات"


def test_cccm_languages_without_codes_and_repeat(cccm: Codebook) -> None:
    # headers label::Ukrainian, label::English, label::Russian: no code in parentheses, so the
    # suffix is the code; settings: id_string, version "1(2023-22-05)", default Ukrainian
    assert dict(cccm.languages) == {
        "Ukrainian": "Ukrainian",
        "English": "English",
        "Russian": "Russian",
    }
    assert cccm.default_language == "Ukrainian"
    assert cccm.form_id == "UKR2306_CCCM_Durable_Solutions_Assessment"
    assert cccm.version == "1(2023-22-05)"
    # survey row 46: begin_repeat loop, repeat_count ${q1_12_number_members}
    assert [r.name for r in cccm.rosters] == ["loop"]
    loop = next(g for g in cccm.groups if g.path[-1] == "loop")
    assert loop.repeat_count == "${q1_12_number_members}"
    assert cccm.roster("loop").label["Russian"] == "Повторите для каждого члена ДГ"
    # survey row 53: select_multiple vulnerabilities inside the repeat
    v = cccm["q2_1_4_members_vulnerabilities"]
    assert (v.type, v.repeat) == ("select_multiple", "loop")
    assert v.hint["Ukrainian"] == "Прочитайте всі варіанти вголос."
    assert len(cccm.mr_sets) == 23  # SOURCES.md: 23 select_multiple
    # choices rows 87-88: year_leav 2023, 2022 -> integer codes
    assert cccm.choice_list("year_leav").codes()[:2] == (2023, 2022)


def test_jmmi_pyxform_error_with_row() -> None:
    # survey rows 7 and 13 both begin_group a_basic_information at top level: pyxform refuses
    with pytest.raises(CodebookError) as err:
        _form(*XLSFORM, "reach_ukr_jmmi_tool_en_uk_ru.xlsx")
    assert err.value.rule == "xlsform.pyxform"
    assert (err.value.where.sheet, err.value.where.row) == ("survey", 13)
    assert "a_basic_information" in err.value.message


def test_jmmi_without_pyxform_check_gives_our_own_rule() -> None:
    path = shared_path(*XLSFORM, "reach_ukr_jmmi_tool_en_uk_ru.xlsx")
    with pytest.raises(CodebookError) as err:
        read_codebook(path, check=False)
    assert err.value.rule == "xlsform.duplicate-name"
    assert err.value.where.row == 13


def test_ruodk_xls_bare_and_suffixed_labels() -> None:
    cb = _form(*XLSFORM, "ruODK_I8n_label_choices_en_fr.xls")
    # settings: form_title "I8n label and choices", form_id I8n_label_choices
    assert dict(cb.title) == {"default": "I8n label and choices"}
    assert cb.form_id == "I8n_label_choices"
    assert dict(cb.languages) == {"en": "English (en)", "fr": "French (fr)"}
    # survey row 2: label, label::English (en), label::French (fr)
    assert dict(cb["some_text"].label) == {
        "default": "This is a basic fill in the blank question.",
        "en": "This is a basic fill in the blank question.",
        "fr": "Ceci est une réponse de base à la question vide.",
    }
    # choices rows 2-4: yes_no 0 Yes/Oui, 1 No/Non, 99 Maybe -> integer codes
    assert cb.value_labels("test_yn", "fr") == {0: "Oui", 1: "Non", 99: "peut-être"}
    # survey row 6: calculate with calculation ${a_integer}+${a_decimal}
    assert cb["calculate"].type == "calculate"
    assert cb["calculate"].calculation == "${a_integer}+${a_decimal}"


def test_ruodk_choice_filter_and_begin_group_alias() -> None:
    cb = _form(*XLSFORM, "ruODK_I8n_lang_choicefilter_en_fr.xlsx")
    # survey row 2: choice_filter "name != 99"; row 3 "begin group" (with a space)
    assert cb["select_example_filter"].choice_filter == "name != 99"
    assert cb["choice_filter_question_1"].group == ("choice_filter_example",)
    assert cb.choice_list("filter_example").codes() == (1, 2, 3, 4)
    assert cb["choice_filter_question_2"].hint["fr"] == "Based on previous question"


def test_kobo_meeting_form_nested_repeats() -> None:
    cb = _form(*KOBO, "meeting_form", "aLcg7HtfpBHyCsyNmRvqme_xlsform.xlsx")
    # rows 5-18: repeats topics_discussed, participants > feedback; group topic_details
    assert [(r.name, r.parent) for r in cb.rosters] == [
        ("topics_discussed", None),
        ("participants", None),
        ("feedback", "participants"),
    ]
    rating = cb["Discussion_rating"]
    # row 9: range with parameters start=0;end=5;step=1 -> integer
    assert (rating.type, rating.source_type, rating.parameters) == (
        "integer",
        "range",
        "start=0;end=5;step=1",
    )
    assert rating.group == ("topics_discussed", "topic_details")
    assert rating.repeat == "topics_discussed"
    assert cb["Session_number"].repeat == "feedback"
    assert cb.value_labels("Session_number")["session_1__october_1"] == "Session 1 (October 1)"
    # row 2: start -> datetime, its type kept
    assert (cb["start"].type, cb["start"].source_type) == ("datetime", "start")


def test_kobo_forms_groups_and_types() -> None:
    nested = _form(*KOBO, "nested_grouping", "aAwrrTRtfhqDVU9GDSHRMq_xlsform.xlsx")
    assert nested["toy_name"].group == ("home", "pets", "pet_toys")
    assert nested.roster("pet_toys").parent == "pets"
    assert Group(("home", "people", "person"), label={"default": "Person"}) in nested.groups
    geo = _form(*KOBO, "geolocation_test", "aF63GwUngXUuysbHQ2oaKy_xlsform.xlsx")
    assert [geo[n].type for n in ("Record_your_current_location", "Record_a_line")] == [
        "geopoint",
        "other",
    ]
    overview = _form(*KOBO, "project_overview", "aRxMkyoPa6dj5wqMnT4vnz_xlsform.xlsx")
    assert overview["Role"].group == ("project", "project_team", "team_member")
    quest = _form(*KOBO, "quest_test", "aH9W426ag7puvCtFiSUgSz_xlsform.xlsx")
    assert quest["Task_difficulty"].group == (
        "character_selection",
        "character_tasks",
        "group_yj2jm99",
    )
    assert quest["Quest_starting_date"].type == "date"


def test_qonys_columns_scale_and_missing_codes(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "f.xlsx",
        [
            {
                "type": "select_one agree",
                "name": "t1",
                "label::Қазақша (kk)": "Сенемін",
                "label::Русский (ru)": "Доверяю",
                "qonys_scale": "trust",
            },
            {
                "type": "select_one agree",
                "name": "t2",
                "label::Қазақша (kk)": "Қорқамын",
                "label::Русский (ru)": "Боюсь",
                "qonys_scale": "trust",
                "qonys_reverse": "yes",
            },
            {
                "type": "integer",
                "name": "age",
                "label::Қазақша (kk)": "Жасы",
                "label::Русский (ru)": "Возраст",
            },
        ],
        [
            {
                "list_name": "agree",
                "name": str(code),
                "label::Қазақша (kk)": f"k{code}",
                "label::Русский (ru)": f"r{code}",
                "missing": kind,
            }
            for code, kind in (
                (1, None),
                (2, None),
                (3, None),
                (4, None),
                (98, "dont_know"),
                (99, "refused"),
            )
        ],
        {
            "form_title": "Сауалнама",
            "form_id": "q1",
            "version": "3",
            "default_language": "Қазақша (kk)",
        },
    )
    # pyxform accepts the extra columns qonys_scale, qonys_reverse and missing
    check_with_pyxform(load_xlsform(path))
    cb = read_codebook(path)
    assert cb.scales == (Scale("trust", ("t1", "t2"), ("t2",), 1.0, 4.0),)
    assert cb.choice_list("agree").get(98).missing == MissingKind.DONT_KNOW
    assert cb["t1"].missing == (
        MissingCode(value=98, kind="dont_know"),
        MissingCode(value=99, kind="refused"),
    )
    assert cb.missing_kind("t2", 99) == MissingKind.REFUSED
    assert dict(cb.languages) == {"kk": "Қазақша (kk)", "ru": "Русский (ru)"}
    assert cb.default_language == "kk"
    assert cb.version == "3"
    assert cb.value_labels("t1", "kk")[1] == "k1"


def test_or_other_adds_choice_and_text_variable(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "o.xlsx",
        [{"type": "select_one city or_other", "name": "city", "label": "City"}],
        [
            {"list_name": "city", "name": "1", "label": "Astana"},
            {"list_name": "city", "name": "2", "label": "Almaty"},
        ],
    )
    cb = read_codebook(path)
    # pyxform adds the choice "other" to the list, so the codes are no longer all integers
    assert cb.choice_list("city").codes() == ("1", "2", "other")
    other = cb["city_other"]
    assert (other.type, other.source_type) == ("text", "or_other")
    assert other.relevant == "selected(${city}, 'other')"
    assert cb.names == ("city", "city_other")


def test_groups_survive_plain_data_and_selection(ucl: Codebook) -> None:
    # Codebook.groups (added for XLSForms) goes through to_dict/from_dict and select()
    assert Codebook.from_dict(ucl.to_dict()) == ucl
    assert [g.path for g in ucl.select(["cbh"]).groups] == [("trees",), ("trees", "stems")]
    assert ucl.to_dict()["groups"][3] == {
        "path": ["trees"],
        "label": {"sw": "Miti", "en": "Trees"},
        "relevant": "${any_trees} = ‘yes’",
        "repeat": True,
    }
    with pytest.raises(CodebookError) as err:
        Codebook(groups=(Group(("g",)), Group(("g",))))
    assert err.value.rule == "codebook.duplicate-group"
