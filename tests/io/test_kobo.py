"""KoboToolbox readers on every Kobo export of ../shared/data/realfiles.

Expected values were read by hand: CSV with Python's csv module (delimiter ';'), XLSX with
openpyxl (``iter_rows(values_only=True)``); child counts are ``Counter`` of the repeat sheet's
``_parent_index`` column. Sheet rows are given as in Excel (header = row 1).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from test_xlsform_support import kpi_to_xlsform

from qonys._core import Codebook, DataError, Dataset
from qonys.io import READERS, detect_format, read, read_codebook
from sharedpaths import shared_path

FP = ("data", "realfiles", "kobo", "formpack_generated")
KS = ("data", "realfiles", "kobo", "kobo_server_exports")


def _export(name: str) -> Path:
    return shared_path(*FP, "exports", name)


def _children(ds: Dataset, roster: str) -> dict[int, int]:
    return ds.rosters[roster]["_parent_index"].value_counts().sort_index().to_dict()


@pytest.fixture(scope="module")
def grouped_form(tmp_path_factory: pytest.TempPathFactory) -> Codebook:
    out = tmp_path_factory.mktemp("forms") / "grouped_translated.xlsx"
    return read_codebook(
        kpi_to_xlsform(shared_path(*FP, "fixtures", "grouped_translated_v1.json"), out)
    )


@pytest.fixture(scope="module")
def nests_form(tmp_path_factory: pytest.TempPathFactory) -> Codebook:
    out = tmp_path_factory.mktemp("forms") / "nests.xlsx"
    return read_codebook(
        kpi_to_xlsform(shared_path(*FP, "fixtures", "nested_grouped_repeatable_v2.json"), out)
    )


@pytest.fixture(scope="module")
def cities_form(tmp_path_factory: pytest.TempPathFactory) -> Codebook:
    out = tmp_path_factory.mktemp("forms") / "cities.xlsx"
    fixture = shared_path(*FP, "fixtures", "simple_nested_grouped_repeatable_v2.json")
    return read_codebook(kpi_to_xlsform(fixture, out))


def test_registered_and_detected() -> None:
    assert {"kobo_csv", "kobo_xlsx"} <= set(READERS.names())
    assert detect_format(_export("grouped_translated_-_all_versions_-_False.csv")) == "kobo_csv"
    assert detect_format(_export("grouped_translated_-_all_versions_-_False.xlsx")) == "kobo_xlsx"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_grouped_translated_xml_values_without_form(suffix: str) -> None:
    ds = read(_export(f"grouped_translated_-_all_versions_-_False.{suffix}"))
    d = ds.data
    assert d.shape == (3, 19)  # SOURCES.md: 19 cols x 3 rows
    # row 2: "spherical radial bilateral";"1";"1";"1";"7"
    q = "What_kind_of_symmetry_do_you_have"
    assert d[q].tolist()[:2] == ["spherical radial bilateral", "bilateral"]
    assert d[f"{q}/radial"].iloc[:2].tolist() == [1, 0]
    assert pd.isna(d[f"{q}/radial"].iloc[2])  # row 4: question not answered
    assert ds.codebook[f"{q}/radial"].type == "binary"
    assert ds.codebook.mr_set(q).variables == (f"{q}/spherical", f"{q}/radial", f"{q}/bilateral")
    assert d["How_many_segments_does_your_body_have"].iloc[:2].tolist() == [7, 1]
    # start "2017-12-28T10:01:27.000-05:00" -> UTC; _submission_time has no offset
    assert d["start"].iloc[0] == pd.Timestamp("2017-12-28 15:01:27", tz="UTC")
    assert d["_submission_time"].iloc[0] == pd.Timestamp("2017-12-28 15:02:02")
    assert d["_index"].tolist() == [1, 2, 3]
    assert d["__version__"].iloc[0] == "grouped_translated_v1"
    assert ds.codebook["_uuid"].source_type == "kobo_meta"
    assert ds.codebook.id_variable == "_uuid"


def test_csv_dialect_is_recorded() -> None:
    ds = read(_export("grouped_translated_-_all_versions_-_False.csv"))
    assert ds.source is not None
    assert (ds.source.format, ds.source.encoding) == ("kobo_csv", "utf-8-sig")
    assert len(ds.source.sha256 or "") == 64


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("grouped_translated_-_all_versions_-_English.csv", "English"),
        ("grouped_translated_-_all_versions_-_English.xlsx", "English"),
        ("grouped_translated_-_all_versions_-_Español.csv", "Español"),
        ("grouped_translated_-_all_versions_-_Español.xlsx", "Español"),
        ("grouped_translated_-_all_versions_-_False.csv", None),
    ],
)
def test_label_exports_map_back_to_names_and_codes(
    name: str, lang: str | None, grouped_form: Codebook
) -> None:
    ds = read(_export(name), codebook=grouped_form)
    d = ds.data
    # English row 2 "Spherical Radial Bilateral", "Yes, and some extracellular space", "No";
    # Español row 2 "Esférico Radial Bilateral", "Sí, y algún espacio extracelular", "No"
    assert d["What_kind_of_symmetry_do_you_have"].iloc[0] == "spherical radial bilateral"
    assert d["Do_you_have_body_flu_intracellular_space"].tolist() == [
        "yes__and_some_",
        "yes",
        "no___unsure",
    ]
    assert d["Do_you_descend_from_unicellular_organism"].iloc[0] == "no"
    assert d["What_kind_of_symmetry_do_you_have/spherical"].iloc[1] == 0
    assert ds.source is not None
    notes = " ".join(ds.source.notes)
    if lang is None:
        assert "label headers" not in notes
    else:
        assert f"label headers in language {lang!r}" in notes


def test_label_export_without_form_is_refused() -> None:
    with pytest.raises(DataError) as err:
        read(_export("grouped_translated_-_all_versions_-_English.csv"))
    assert err.value.rule == "kobo.label-headers"
    assert "What kind of symmetry do you have?" in err.value.message


def test_nested_repeats_three_levels(nests_form: Codebook) -> None:
    ds = read(_export("nested_grouped_repeatable_-_all_versions_-_False.xlsx"), codebook=nests_form)
    assert [(r.name, r.parent, r.key, r.parent_key) for r in ds.codebook.rosters] == [
        ("group_tree", None, "_index", "_parent_index"),
        ("group_nest", "group_tree", "_index", "_parent_index"),
        ("group_egg", "group_nest", "_index", "_parent_index"),
    ]
    # SOURCES.md: group_tree 6, group_nest 8, group_egg 14 rows
    assert {k: len(v) for k, v in ds.rosters.items()} == {
        "group_tree": 6,
        "group_nest": 8,
        "group_egg": 14,
    }
    assert _children(ds, "group_egg") == {1: 3, 2: 1, 3: 2, 4: 1, 5: 3, 6: 1, 7: 2, 8: 1}
    assert _children(ds, "group_nest") == {1: 2, 2: 1, 3: 1, 4: 2, 5: 1, 6: 1}
    # group_tree row 7: the v2 choice named "nan" stays the text "nan"
    assert ds.rosters["group_tree"]["What_kind_of_tree_is_this"].tolist()[-1] == "nan"
    # group_nest values are text in the export ('13') and integers in the form
    assert ds.rosters["group_nest"]["How_many_eggs_are_in_the_nest"].tolist()[:3] == [3, 1, 2]
    # _submission__id links every repeat row to its submission (123 or 124)
    assert set(ds.rosters["group_egg"]["_submission__id"]) == {123, 124}


def test_nested_label_export(nests_form: Codebook) -> None:
    ds = read(
        _export("nested_grouped_repeatable_-_all_versions_-_labels.xlsx"), codebook=nests_form
    )
    # group_tree row 7 "Not a tree" is the label of choice "nan"; row 2 "Pine" -> "pine"
    tree = ds.rosters["group_tree"]["What_kind_of_tree_is_this"].tolist()
    assert (tree[0], tree[-1]) == ("pine", "nan")
    # meta values are kept as exported
    assert ds.data["_validation_status"].tolist()[:2] == ["Approved", "Not approved"]
    csv = read(
        _export("nested_grouped_repeatable_-_all_versions_-_labels.csv"), codebook=nests_form
    )
    assert csv.data.shape == (4, 12)
    assert csv.rosters == {}  # Kobo CSV exports hold the main table only


@pytest.mark.parametrize("lang", ["False", "English_(en)", "Esperanto_(eo)"])
def test_repeats_without_main_questions(lang: str, cities_form: Codebook) -> None:
    ds = read(
        _export(f"simple_nested_grouped_repeatable_-_all_versions_-_{lang}.xlsx"),
        codebook=cities_form,
    )
    assert ds.codebook.roster("respondents").parent == "cities"
    assert ds.codebook.roster("items").parent == "cities"
    resp = ds.rosters["respondents"]
    assert resp["respondent_name"].tolist() == ["Caesar", "Augustus", "Caesar", "Augustus"]
    assert resp["respondent_age"].tolist()[2:] == [55, 75]
    assert resp["_parent_index"].tolist() == [1, 1, 2, 2]
    assert ds.rosters["items"]["item"].tolist() == ["Sword", "Thrown"]
    csv = read(_export(f"simple_nested_grouped_repeatable_-_all_versions_-_{lang}.csv"))
    assert csv.data["__version__"].tolist() == ["v1", "v2"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_quotes_and_newlines(suffix: str) -> None:
    ds = read(_export(f"quotes_newlines_and_long_urls_-_all_versions_-_False.{suffix}"))
    text = ds.data["Enter_some_long_text_and_linebreaks_here"].tolist()
    assert len(text) == 5
    assert len(text[0]) == 3674  # the long URL, one line break
    assert text[1].startswith('Hi, my name is Roger."\n\nI like')
    assert text[3] == "This\nis\nnot\na Haiku"
    assert text[4].startswith('"Hands up!" He yelled.')
    assert ds.data["Some_other_question"].tolist() == ["yes", "yes", "no", "yes", "yes"]


def test_demo_project_rank_image_and_repeat() -> None:
    ds = read(shared_path(*KS, "demo_project", "DemoDownloaded.xlsx"))
    assert ds.data.shape == (5, 20)  # SOURCES.md: 5 rows x 20 cols
    assert ds.data["Enter_name"].tolist()[:2] == ["lola", "Noah"]
    assert ds.data["_1st_choice"].tolist()[:2] == ["green", "yellow"]
    assert ds.codebook["_1st_choice"].group == ("Rank_the_colors_according_to_preference",)
    fam = ds.rosters["family_members"]
    assert len(fam) == 7
    assert _children(ds, "family_members") == {1: 3, 2: 1, 3: 1, 5: 2}
    # row 3 ' charlotte': the leading space is kept; row 7 age is empty
    assert fam["Family_member_name"].tolist()[1] == " charlotte"
    assert fam["Family_member_age"].tolist()[4] == 72
    assert pd.isna(fam["Family_member_age"].iloc[5])
    assert ds.codebook["Family_member_age"].type == "integer"
    assert ds.codebook.roster("family_members").parent is None


def test_meeting_form_with_its_form() -> None:
    form = read_codebook(shared_path(*KS, "meeting_form", "aLcg7HtfpBHyCsyNmRvqme_xlsform.xlsx"))
    path = shared_path(
        *KS, "meeting_form", "Meeting_Form_-_latest_version_-_False_-_2024-03-14-09-51-14.xlsx"
    )
    # the $edited column was added by hand for kobo-transfer (SOURCES.md): not in the form
    with pytest.raises(DataError) as err:
        read(path, codebook=form)
    assert err.value.rule == "kobo.header-mismatch"
    assert "$edited" in err.value.message
    ds = read(path, codebook=form, on_mismatch="note")
    assert ds.source is not None
    assert any("$edited" in n for n in ds.source.notes)
    assert _children(ds, "feedback") == {1: 3, 2: 1, 3: 2, 4: 2, 5: 1, 7: 2, 8: 1}
    assert _children(ds, "topics_discussed") == {1: 1, 2: 3, 4: 1, 5: 3}
    assert _children(ds, "participants") == {1: 2, 2: 1, 3: 1, 4: 4}
    assert ds.codebook.roster("feedback").parent == "participants"
    topics = ds.rosters["topics_discussed"]
    # topics_discussed/topic_details/Discussion_rating (range -> integer): 3, 5, 3, 4, ...
    assert topics["Discussion_rating"].tolist()[:4] == [3, 5, 3, 4]
    assert ds.codebook["Discussion_rating"].group == ("topics_discussed", "topic_details")
    # geopoint "1.464691 27.751719 1.9 0" and its parts
    assert ds.data["Project_location"].iloc[0] == "1.464691 27.751719 1.9 0"
    assert ds.data["_Project_location_latitude"].iloc[0] == 1.464691
    assert ds.codebook["_Project_location_latitude"].source_type == "geopoint:latitude"
    assert ds.rosters["feedback"]["Session_number"].iloc[0] == "session_2__october_5"


def test_other_server_exports_with_forms() -> None:
    quest = read(
        shared_path(
            *KS, "quest_test", "Quest_Test_-_latest_version_-_False_-_2024-03-19-11-27-50.xlsx"
        ),
        codebook=read_codebook(
            shared_path(*KS, "quest_test", "aH9W426ag7puvCtFiSUgSz_xlsform.xlsx")
        ),
        on_mismatch="note",
    )
    assert _children(quest, "character_tasks") == {1: 1, 2: 3, 3: 3, 4: 1}
    assert quest.codebook.roster("character_tasks").parent == "character_selection"
    # header paths of different depth in one sheet (group_yj2jm99 inside the repeat)
    tasks = quest.rosters["character_tasks"]
    assert tasks["Task_difficulty"].tolist()[:3] == [3, 1, 3]
    assert tasks["Task_title"].iloc[0] == "forest navigation"
    assert quest.data["Quest_starting_date"].iloc[0] == pd.Timestamp("2024-03-05")
    nested = read(
        shared_path(*KS, "nested_grouping", "nestedrepeat.xlsx"),
        codebook=read_codebook(
            shared_path(*KS, "nested_grouping", "aAwrrTRtfhqDVU9GDSHRMq_xlsform.xlsx")
        ),
        on_mismatch="note",
    )
    assert nested.rosters["people"]["name"].tolist() == ["Josh", "Nathalie"]
    assert nested.rosters["people"]["age"].tolist() == [28, 29]
    assert nested.codebook.roster("pet_toys").parent == "pets"
    assert nested.rosters["pet_toys"]["toy_name"].tolist() == ["Tigger", "Pengui"]
    assert pd.isna(nested.data["_uuid"].iloc[0])  # empty in the main sheet (row 2)
    overview = read(
        shared_path(
            *KS,
            "project_overview",
            "Project_Overview_-_latest_version_-_False_-_2024-03-14-14-17-01.xlsx",
        ),
        codebook=read_codebook(
            shared_path(*KS, "project_overview", "aRxMkyoPa6dj5wqMnT4vnz_xlsform.xlsx")
        ),
        on_mismatch="note",
    )
    # the geopoint string has no group prefix, its parts do (company_details/_..._latitude)
    assert overview.data["_Company_location_longitude"].iloc[0] == -85.132754
    assert overview.data["Role"].tolist()[:2] == ["john", "UX designer"]
    geo = read(
        shared_path(
            *KS,
            "geolocation_test",
            "Geolocation_Test_-_latest_version_-_False_-_2024-03-14-14-02-55.xlsx",
        ),
        codebook=read_codebook(
            shared_path(*KS, "geolocation_test", "aF63GwUngXUuysbHQ2oaKy_xlsform.xlsx")
        ),
        on_mismatch="note",
    )
    assert geo.data["Enter_current_date_and_time"].iloc[0] == pd.Timestamp("2024-01-17 21:00")
    assert geo.data["Record_a_line"].iloc[0] == "16.36231 7.803331 0 0;16.365628 7.806824 3.5 0"
    assert geo.data["_Record_your_current_location_precision"].iloc[0] == 4.5


def test_rank_groups_without_form() -> None:
    ds = read(shared_path(*KS, "rank_groups", "Kobo_Platform_Test_-_rank-groups.xlsx"))
    assert ds.data.shape == (7, 23)  # SOURCES.md: 7 rows x 23 cols
    # 3.5, 34, 15, 10, 3, 12, 21 -> decimal
    assert ds.codebook["What_about_on_a_scale_of_1_10"].type == "decimal"
    assert ds.data["What_about_on_a_scale_of_1_10"].iloc[0] == 3.5
    assert ds.data["group_question_2_number"].iloc[6] == 3
    assert ds.data["_submission_time"].iloc[0] == pd.Timestamp(dt.datetime(2024, 1, 2, 6, 56, 58))
    # 'None' typed as text next to real dates: the column stays text
    assert ds.codebook["What_about_time"].type == "text"


def test_all_versions_export_against_first_form_versions(tmp_path: Path) -> None:
    # v1 of the cities form has no respondent_age and no repeat items: the "all versions"
    # export (v1 and v2 submissions) does not match it
    v1 = read_codebook(
        kpi_to_xlsform(
            shared_path(*FP, "fixtures", "simple_nested_grouped_repeatable_v1.json"),
            tmp_path / "cities_v1.xlsx",
        )
    )
    export = _export("simple_nested_grouped_repeatable_-_all_versions_-_False.xlsx")
    with pytest.raises(DataError) as err:
        read(export, codebook=v1)
    assert err.value.rule == "kobo.header-mismatch"
    assert "respondent_age, item" in err.value.message
    ds = read(export, codebook=v1, on_mismatch="note")
    assert ds.rosters["items"]["item"].tolist() == ["Sword", "Thrown"]
    # v1 of the nests form lacks the choice "nan" that v2 data use: the value is kept as is
    nests_v1 = read_codebook(
        kpi_to_xlsform(
            shared_path(*FP, "fixtures", "nested_grouped_repeatable_v1.json"),
            tmp_path / "nests_v1.xlsx",
        )
    )
    assert "nan" not in nests_v1.choice_list("tree_type").codes()
    trees = read(
        _export("nested_grouped_repeatable_-_all_versions_-_False.xlsx"), codebook=nests_v1
    ).rosters["group_tree"]
    assert trees["What_kind_of_tree_is_this"].tolist()[-1] == "nan"


def test_nested_xml_values_csv_is_the_main_table() -> None:
    ds = read(_export("nested_grouped_repeatable_-_all_versions_-_False.csv"))
    assert ds.data.shape == (4, 12)  # SOURCES.md: 12 cols x 4 rows
    assert ds.data["_id"].tolist() == [123, 124, 123, 124]
    assert ds.data["_validation_status"].iloc[0] == "validation_status_approved"
    assert ds.data["__version__"].tolist() == ["bird_nests_v1"] * 2 + ["bird_nests_v2"] * 2


def test_dataset_codebook_written_back_as_the_form(nests_form: Codebook, tmp_path: Path) -> None:
    # the dataset's codebook adds Kobo's meta variables; writing it as an XLSForm leaves them
    # out, so the written form reads back to the form itself
    from qonys.io import write_codebook

    ds = read(_export("nested_grouped_repeatable_-_all_versions_-_False.xlsx"), codebook=nests_form)
    assert "_uuid" in ds.codebook
    back = read_codebook(write_codebook(ds.codebook, tmp_path / "form.xlsx"))
    assert back == nests_form
