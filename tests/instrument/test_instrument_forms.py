"""The shipped XLSForms: they convert, are complete in three languages, and follow the naming,
missing-code and routing conventions documented in docs/instrument.md."""

from __future__ import annotations

import re
from typing import Any

import openpyxl
import pytest
from instrument_helpers import LANG_HEADERS, Forms
from pyxform.xls2xform import convert

from qonys.io import INSTRUMENTS, instrument_path

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
REF_RE = re.compile(r"\$\{([^}]*)\}")
NO_LABEL = {"calculate", "start", "end", "today", "end_group", "end_repeat"}
PREFIXES = {
    "smp", "scr", "dem", "ses", "hh", "mig", "mot", "hou", "ipl", "ess", "idn", "net", "pg",
    "rg", "img", "dis", "str", "cnt", "ftm", "thr", "ste", "sdi", "cns", "acc", "plc", "stg",
    "end", "meta",
}  # fmt: skip


def _base(row: dict[str, Any]) -> str:
    return str(row["type"]).split()[0]


def _names(form: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [str(r["name"]) for r in form["survey"] if "name" in r]


def _row(form: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    return next(r for r in form["survey"] if r.get("name") == name)


def _choices(form: dict[str, list[dict[str, Any]]], list_name: str) -> list[dict[str, Any]]:
    return [c for c in form["choices"] if c["list_name"] == list_name]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_pyxform_converts_without_errors_or_warnings(name: str) -> None:
    warnings: list[str] = []
    result = convert(xlsform=str(instrument_path(name)), warnings=warnings, validate=False)
    assert "<h:html" in result.xform
    assert warnings == []
    # Three translations, Kazakh marked as the default one.
    assert re.search(r'<translation lang="Қазақша \(kk\)" default="true\(\)"', result.xform)
    assert 'lang="Русский (ru)"' in result.xform
    assert 'lang="English (en)"' in result.xform


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_settings(forms: Forms, name: str) -> None:
    (settings,) = forms[name]["settings"]
    assert settings["form_id"] == f"qonys_{name}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(settings["version"]))
    assert settings["default_language"] == LANG_HEADERS["kk"]
    assert settings["form_title"]


def test_language_columns_identical_on_both_sheets(forms: Forms) -> None:
    for name in INSTRUMENTS:
        path = instrument_path(name)
        wb = openpyxl.load_workbook(path, read_only=True)
        headers = {
            ws.title: [c for c in next(ws.iter_rows(values_only=True)) if c] for ws in wb.worksheets
        }
        wb.close()
        survey_labels = [h for h in headers["survey"] if str(h).startswith("label")]
        choice_labels = [h for h in headers["choices"] if str(h).startswith("label")]
        expected = [f"label::{h}" for h in LANG_HEADERS.values()]
        assert survey_labels == expected
        assert choice_labels == expected
        # No unnamed label column next to the language columns (it would be dropped silently).
        assert "label" not in headers["survey"]
        assert "label" not in headers["choices"]
        for column in ("hint", "constraint_message"):
            assert [h for h in headers["survey"] if str(h).startswith(column + "::")] == [
                f"{column}::{h}" for h in LANG_HEADERS.values()
            ]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_text_is_given_in_kazakh_russian_and_english(forms: Forms, name: str) -> None:
    form = forms[name]
    for row in form["survey"]:
        base = _base(row)
        for column in ("label", "hint", "constraint_message"):
            present = {lang: row.get(f"{column}::{h}") for lang, h in LANG_HEADERS.items()}
            if base not in NO_LABEL and column == "label":
                assert all(present.values()), f"{name}: {row.get('name')} lacks a label"
            if any(present.values()):
                assert all(isinstance(v, str) and v.strip() for v in present.values()), (
                    f"{name}: {row.get('name')} {column} is incomplete"
                )
        if "constraint" in row:
            assert row.get(f"constraint_message::{LANG_HEADERS['kk']}"), row["name"]
    for choice in form["choices"]:
        for h in LANG_HEADERS.values():
            value = choice.get(f"label::{h}")
            assert isinstance(value, str), choice
            assert value.strip(), choice


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_kazakh_and_russian_texts_are_cyrillic(forms: Forms, name: str) -> None:
    """No Latin letters typed inside Cyrillic words (a frequent copy-paste error)."""
    mixed = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі][A-Za-z]|[A-Za-z][А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
    rows = forms[name]["survey"] + forms[name]["choices"]
    for row in rows:
        for lang in ("kk", "ru"):
            for column in ("label", "hint", "constraint_message"):
                text = row.get(f"{column}::{LANG_HEADERS[lang]}")
                if text:
                    assert not mixed.search(str(text)), text
        kk = row.get(f"label::{LANG_HEADERS['kk']}")
        if kk and re.search("[А-Яа-я]", str(kk)):
            # Kazakh text in Cyrillic, never in the Latin alphabet.
            assert not re.search(r"[äöüūğşñı]", str(kk)), kk


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_names_are_ascii_snake_case_unique_and_spss_safe(forms: Forms, name: str) -> None:
    names = _names(forms[name])
    for n in names:
        assert NAME_RE.match(n), n
        assert len(n) <= 32, n
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_names_carry_their_module_prefix(forms: Forms, name: str) -> None:
    group: list[str] = []
    for row in forms[name]["survey"]:
        base = _base(row)
        if base in ("end_group", "end_repeat"):
            group.pop()
            continue
        n = str(row["name"])
        assert n.split("_")[0] in PREFIXES, n
        if group:
            assert n.startswith(group[0] + "_"), (group, n)
        if group and group[-1] == "net_alter":
            assert n.startswith("net_a_"), n
        if base in ("begin_group", "begin_repeat"):
            group.append(n)
    assert group == []


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_reference_resolves(forms: Forms, name: str) -> None:
    names = set(_names(forms[name]))
    for row in forms[name]["survey"]:
        for value in row.values():
            for ref in REF_RE.findall(str(value)):
                assert ref in names, (row.get("name"), ref)
    for choice in forms[name]["choices"]:
        for value in choice.values():
            for ref in REF_RE.findall(str(value)):
                assert ref in names, (choice["list_name"], ref)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_choice_list_exists_and_has_unique_codes(forms: Forms, name: str) -> None:
    lists = {c["list_name"] for c in forms[name]["choices"]}
    for row in forms[name]["survey"]:
        parts = str(row["type"]).split()
        if parts[0] in ("select_one", "select_multiple"):
            assert parts[1] in lists, row["name"]
    for list_name in lists:
        codes = [str(c["name"]) for c in _choices(forms[name], list_name)]
        assert len(codes) == len(set(codes)), list_name
        assert all(re.fullmatch(r"\d+", c) for c in codes), list_name


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_missing_codes(forms: Forms, name: str) -> None:
    kk, ru = LANG_HEADERS["kk"], LANG_HEADERS["ru"]
    for choice in forms[name]["choices"]:
        code, missing = str(choice["name"]), choice.get("missing")
        assert missing in (None, "dont_know", "refused"), choice
        if missing == "dont_know":
            assert code == "98"
            assert choice[f"label::{kk}"] == "Білмеймін"
            assert choice[f"label::{ru}"] == "Затрудняюсь ответить"
        if missing == "refused":
            assert code == "99"
            assert choice[f"label::{kk}"] == "Жауап беруден бас тартты"
            assert choice[f"label::{ru}"] == "Отказ от ответа"
        if code in ("98", "99"):
            assert missing is not None, choice


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_modules_after_screening_are_gated(forms: Forms, name: str) -> None:
    ungated = {"smp", "scr", "end"}
    depth = 0
    for row in forms[name]["survey"]:
        base = _base(row)
        if base == "begin_group" and depth == 0 and row["name"] not in ungated:
            assert row.get("relevant") == "${scr_eligible} = 1", row["name"]
        if base in ("begin_group", "begin_repeat"):
            depth += 1
        elif base in ("end_group", "end_repeat"):
            depth -= 1
        elif depth == 0:
            assert row["name"].startswith("meta_"), row["name"]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_select_multiple_none_and_missing_answers_are_exclusive(forms: Forms, name: str) -> None:
    form = forms[name]
    for row in form["survey"]:
        parts = str(row["type"]).split()
        if parts[0] != "select_multiple":
            continue
        codes = {str(c["name"]) for c in _choices(form, parts[1])}
        for code in sorted(codes & {"0", "98", "99"}):
            assert f"not(selected(., '{code}') and count-selected(.) > 1)" in row["constraint"]


def test_screening_rules(forms: Forms) -> None:
    mig, loc = forms["migrants"], forms["locals"]
    arrival = _row(mig, "scr_arrival_year")["constraint"]
    assert ">= 1950" in arrival
    assert "${scr_year}" in arrival
    assert "format-date(today(), '%Y')" in _row(mig, "scr_year")["calculation"]
    assert "${scr_year} - 18" in _row(mig, "scr_birth_year")["constraint"]
    elig_m = _row(mig, "scr_eligible")["calculation"]
    assert "${scr_birthplace} = '2'" in elig_m
    assert "${scr_arrival_age} >= 16" in elig_m
    elig_l = _row(loc, "scr_eligible")["calculation"]
    assert "${scr_years_city} >= 10" in elig_l
    assert "${scr_birthplace} = '1'" in elig_l
    # The same variables carry the same names in both forms.
    shared = {"scr_city", "scr_birth_year", "scr_birthplace", "scr_arrival_year", "hou_district"}
    assert shared <= set(_names(mig)) & set(_names(loc))


def test_districts_follow_the_official_lists(forms: Forms) -> None:
    # Astana 6 (Sarayshyk since 2024), Almaty 8, Shymkent 5 (Turan since 2021).
    districts = _choices(forms["migrants"], "district")
    by_city: dict[str, list[str]] = {}
    for d in districts:
        by_city.setdefault(str(d["city"]), []).append(str(d["geo_id"]) if "geo_id" in d else "")
    assert sorted(by_city["71"]) == ["almaty", "baikonur", "esil", "nura", "sarayshyk", "saryarka"]
    assert sorted(by_city["75"]) == [
        "alatau", "almaly", "auezov", "bostandyk", "medeu", "nauryzbay", "turksib", "zhetysu",
    ]  # fmt: skip
    assert sorted(by_city["79"]) == ["abay", "al-farabi", "enbekshi", "karatau", "turan"]
    assert by_city["any"] == [""]
    for name in INSTRUMENTS:
        row = _row(forms[name], "hou_district")
        assert row["choice_filter"] == "city=${scr_city} or city='any'"
    assert len(_choices(forms["migrants"], "region")) == 20


def test_routing_examples(forms: Forms) -> None:
    mig = forms["migrants"]
    assert "mig_family_origin" in _row(mig, "mig_remit")["relevant"]
    assert _row(mig, "mig_remit_freq")["relevant"] == "${mig_remit} = '1'"
    assert _row(mig, "mot_main")["choice_filter"] == "selected(${mot_reasons}, name)"
    assert _row(mig, "net_alter")["repeat_count"] == "${net_n}"
    assert "net_a_pos" in _row(mig, "net_a_knows")["choice_filter"]


def test_name_generator_never_collects_names(forms: Forms) -> None:
    mig = forms["migrants"]
    nick_rows = [r for r in mig["survey"] if str(r.get("name", "")).startswith("net_nick_")]
    assert len(nick_rows) == 5
    for row in nick_rows:
        assert "string-length(.) <= 10" in row["constraint"]
        assert "not(contains(., ' '))" in row["constraint"]
        assert "инициалы" in row[f"hint::{LANG_HEADERS['ru']}"].lower()
        assert "бас әріптер" in row[f"hint::{LANG_HEADERS['kk']}"]
        assert "initials" in row[f"hint::{LANG_HEADERS['en']}"]
    # Alter-alter ties are stored as alter positions, labelled by the nicknames.
    alter = _choices(mig, "alter")
    assert [str(c["name"]) for c in alter] == ["0", "1", "2", "3", "4", "5", "98"]
