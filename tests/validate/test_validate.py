"""Validation against the codebook: every rule on a small hand-made survey whose expected
problems are listed next to the data (rows are 1-based data rows)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from tests.conftest import shared_path

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    DataError,
    Dataset,
    MissingCode,
    MRSet,
    QonysError,
    Result,
    Roster,
    Scale,
    SourceInfo,
    Variable,
)
from qonys.io import read
from qonys.validate import REPORT_COLUMNS, missing_kinds, validate

CB = Codebook(
    variables=(
        Variable("id"),
        Variable("employed", "select_one", choices="yn", required=True),
        Variable("employer", "text", group=("work",), required=True),
        Variable(
            "hours",
            "integer",
            group=("work",),
            constraint=". >= 1 and . <= 80",
            missing=(MissingCode(value=999, kind="refused"),),
        ),
        Variable("m", "select_multiple", choices="mot"),
        Variable("m/work", "binary"),
        Variable("m/study", "binary"),
        Variable("trust", "integer", missing=(MissingCode(value=98, kind="dont_know"),)),
        Variable("born", "date"),
        Variable("pname", "text", repeat="people"),
        Variable("page", "integer", repeat="people"),
        Variable("toy", "text", repeat="toys", relevant="${employed} = 'yes'"),
    ),
    choice_lists=(
        ChoiceList("yn", (Choice("yes"), Choice("no"))),
        ChoiceList("mot", (Choice("work"), Choice("study"))),
    ),
    mr_sets=(MRSet("m", ("m/work", "m/study"), source="m"),),
    rosters=(Roster("people"), Roster("toys", parent="people")),
    scales=(Scale("trust_scale", ("trust",), low=1, high=5),),
    group_relevant={"work": "${employed} = 'yes'"},
    id_variable="id",
)


def _clean() -> Dataset:
    main = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "employed": ["yes", "no", "yes"],
            "employer": ["ТОО Алем", None, "ИП"],
            "hours": pd.array([40, None, 999], dtype="Int64"),
            "m": ["work", "work study", None],
            "m/work": pd.array([1, 1, None], dtype="Int64"),
            "m/study": pd.array([0, 1, None], dtype="Int64"),
            "trust": pd.array([3, 98, None], dtype="Int64"),
            "born": pd.to_datetime(["1990-01-01", "1985-06-30", None]),
            "_index": pd.array([1, 2, 3], dtype="Int64"),
        }
    )
    people = pd.DataFrame(
        {
            "pname": ["Әсел", "Дана", "Мирас"],
            "page": pd.array([30, 5, 61], dtype="Int64"),
            "_index": pd.array([1, 2, 3], dtype="Int64"),
            "_parent_index": pd.array([1, 1, 2], dtype="Int64"),
        }
    )
    toys = pd.DataFrame(
        {
            "toy": ["доп", None],
            "_index": pd.array([1, 2], dtype="Int64"),
            "_parent_index": pd.array([2, 3], dtype="Int64"),
        }
    )
    return Dataset(main, CB, {"people": people, "toys": toys}, SourceInfo("survey.csv", "csv"))


def _rows(report, rule: str) -> list[tuple[str | None, int | None, str | None]]:
    return [(i.sheet, i.row, i.variable) for i in report.by_rule(rule)]


def test_clean_survey_has_no_errors() -> None:
    report = validate(_clean(), today=date(2024, 1, 1))
    assert report.ok, report.summary()
    # _index is a roster key: not reported; nothing else is outside the codebook
    assert report.issues == ()
    assert report.to_frame().columns.tolist() == list(REPORT_COLUMNS)
    assert isinstance(report, Result)
    assert report.to_dict()["meta"]["policies"] == {"on_error": "report"}


def test_missing_kinds_and_counts() -> None:
    ds = _clean()
    # row 2 is not employed: the work group is skipped; row 3 refused the hours (999)
    assert missing_kinds(ds, "hours").tolist() == ["valid", "skipped", "refused"]
    assert missing_kinds(ds, "employer").tolist() == ["valid", "skipped", "valid"]
    assert missing_kinds(ds, "trust").tolist() == ["valid", "dont_know", "missing"]
    # toys row 1 hangs from people row 2 -> main row 1 (employed); row 2 from people row 3 ->
    # main row 2 (not employed): its empty toy is skipped
    assert missing_kinds(ds, "toy").tolist() == ["valid", "skipped"]
    frame = validate(ds).missing_frame().set_index("variable")
    assert frame.loc["hours", ["valid", "skipped", "refused"]].tolist() == [1, 1, 1]


def _with(**changes: object) -> Dataset:
    ds = _clean()
    main = ds.data.copy()
    rosters = dict(ds.rosters)
    for key, value in changes.items():
        table, _, column = key.partition("__")
        if column:
            frame = rosters[table].copy()
            row, col = column.split("_at_")
            frame.loc[int(row), col] = value
            rosters[table] = frame
        else:
            row, col = key.split("_at_")
            main.loc[int(row[1:]), col] = value
    return ds.replace(data=main, rosters=rosters)


def test_value_outside_codes() -> None:
    ds = _with(r1_at_employed="maybe")  # data row 2
    report = validate(ds)
    assert _rows(report, "codes.not-in-list") == [(None, 2, "employed")]
    issue = report.by_rule("codes.not-in-list")[0]
    assert issue.value_kind == "valid"
    assert issue.file == "survey.csv"
    assert "'maybe'" in issue.message


def test_select_multiple_token_and_inconsistent_indicator() -> None:
    report = validate(_with(r0_at_m="work travel"))
    assert _rows(report, "codes.token-not-in-list") == [(None, 1, "m")]
    report2 = validate(_with(r1_at_m="study"))  # m/work still says 1 on row 2
    assert _rows(report2, "binary.inconsistent") == [(None, 2, "m/work")]


def test_binary_not_0_1() -> None:
    report = validate(_with(**{"r0_at_m/study": 2}))
    assert _rows(report, "binary.not-0-1") == [(None, 1, "m/study")]


def test_answered_when_skipped_and_missing_when_asked() -> None:
    # row 2 is not employed but has an employer; row 1 is employed but has no employer
    report = validate(_with(r1_at_employer="ТОО", r0_at_employer=None))
    assert _rows(report, "routing.answered-when-skipped") == [(None, 2, "employer")]
    assert _rows(report, "routing.missing-when-asked") == [(None, 1, "employer")]
    assert report.by_rule("routing.missing-when-asked")[0].value_kind == "missing"


def test_required_without_routing() -> None:
    report = validate(_with(r2_at_employed=None))
    assert _rows(report, "required.missing") == [(None, 3, "employed")]


def test_constraint_and_scale_range() -> None:
    report = validate(_with(r0_at_hours=120, r0_at_trust=7))
    assert _rows(report, "constraint.failed") == [(None, 1, "hours")]
    assert _rows(report, "range.outside-scale") == [(None, 1, "trust")]


def test_type_errors_in_a_hand_built_frame() -> None:
    ds = _clean()
    main = ds.data.copy()
    main["hours"] = pd.Series(["40", "x", "2.5"], dtype=object)
    report = validate(ds.replace(data=main))
    assert _rows(report, "type.not-a-number") == [(None, 2, "hours")]
    assert _rows(report, "type.not-an-integer") == [(None, 3, "hours")]


def test_duplicate_id() -> None:
    report = validate(_with(r2_at_id="a"))
    assert _rows(report, "id.duplicate") == [(None, 3, "id")]
    assert "row 1" in report.by_rule("id.duplicate")[0].message
    assert "'a'" not in report.by_rule("id.duplicate")[0].message  # ids are not printed


def test_roster_orphans_at_two_depths() -> None:
    ds = _with(people__2_at__parent_index=9, toys__1_at__parent_index=7)
    report = validate(ds)
    assert _rows(report, "roster.orphan") == [
        ("people", 3, "_parent_index"),
        ("toys", 2, "_parent_index"),
    ]
    # the orphan toy's routing is unknown, so it is not also reported as a routing problem
    assert report.by_rule("routing.answered-when-skipped") == ()


def test_columns_against_codebook() -> None:
    ds = _clean()
    main = ds.data.drop(columns=["born"]).assign(extra=1, _uuid="u")
    report = validate(ds.replace(data=main))
    assert _rows(report, "columns.not-in-codebook") == [(None, None, "extra")]
    assert _rows(report, "columns.meta-not-in-codebook") == [(None, None, "_uuid")]
    assert _rows(report, "columns.not-in-data") == [(None, None, "born")]
    assert report.ok  # only warnings and infos


def test_missing_roster_table_and_key_column() -> None:
    ds = _clean()
    report = validate(ds.replace(rosters={"people": ds.rosters["people"].drop(columns="_index")}))
    assert _rows(report, "roster.missing-table") == [("toys", None, None)]
    assert _rows(report, "roster.missing-key-column") == [("people", None, "_index")]


def test_unsupported_routing_is_noted_not_guessed() -> None:
    cb = CB.with_variable(CB["employer"].replace(relevant="count(${m}) > 0"))
    report = validate(_clean(), cb)
    assert any("routing of employer not checked" in n for n in report.meta.notes)


def test_raise_policy() -> None:
    with pytest.raises(DataError) as info:
        validate(_with(r1_at_employed="maybe"), on_error="raise")
    assert (info.value.rule, info.value.where.row) == ("codes.not-in-list", 2)
    with pytest.raises(QonysError) as info2:
        validate(_clean(), on_error="ignore")  # type: ignore[arg-type]
    assert info2.value.rule == "policy.unknown"


def test_kobo_export_indicators_agree_with_summary() -> None:
    # formpack export of grouped_translated (SOURCES.md): rows "spherical radial bilateral"
    # with 1/1/1, "bilateral" with 0/0/1, and an unanswered row with empty indicators
    p = shared_path(
        "data",
        "realfiles",
        "kobo",
        "formpack_generated",
        "exports",
        "grouped_translated_-_all_versions_-_False.csv",
    )
    q = "What_kind_of_symmetry_do_you_have"
    members = tuple(f"{q}/{c}" for c in ("spherical", "radial", "bilateral"))
    cb = Codebook(
        variables=(
            Variable(q, "select_multiple", choices="sym"),
            *(Variable(m, "binary") for m in members),
        ),
        choice_lists=(
            ChoiceList("sym", tuple(Choice(c) for c in ("spherical", "radial", "bilateral"))),
        ),
        mr_sets=(MRSet(q, members, source=q),),
    )
    ds = read(p, format="csv", codebook=cb)
    report = validate(ds, id_variable="_uuid")
    assert report.by_rule("binary.inconsistent") == ()
    assert report.by_rule("codes.token-not-in-list") == ()
    assert report.by_rule("id.duplicate") == ()
    assert missing_kinds(ds, q).tolist() == ["valid", "valid", "missing"]


def test_duplicate_column_is_reported_not_checked() -> None:
    ds = _clean()
    main = pd.concat([ds.data, ds.data[["trust"]]], axis=1)
    report = validate(ds.replace(data=main))
    assert _rows(report, "columns.duplicate") == [(None, None, "trust")]
    assert [v for _, v, _, _ in report.missing if v == "trust"] == []


def test_text_choice_codes_match_numeric_values() -> None:
    # an XLSForm list may hold its codes as text ("1") while the data hold numbers
    cb = Codebook(
        variables=(Variable("q", "select_one", choices="l"),),
        choice_lists=(ChoiceList("l", (Choice("1"), Choice("2"))),),
    )
    ds = Dataset(pd.DataFrame({"q": pd.array([1, 2, 3], dtype="Int64")}), cb)
    assert _rows(validate(ds), "codes.not-in-list") == [(None, 3, "q")]


def test_kobo_repeat_sheet_link_columns_are_structure_not_notes() -> None:
    # KoboToolbox repeat sheets carry _parent_table_name and _submission__* beside the keys.
    from qonys._core import Codebook, Dataset, Roster, Variable
    from qonys.validate import validate

    cb = Codebook(
        variables=(Variable("n", "integer"), Variable("age", "integer", repeat="member")),
        rosters=(Roster("member"),),
    )
    main = pd.DataFrame({"n": [1], "_index": [1]})
    member = pd.DataFrame(
        {
            "age": [30],
            "_index": [1],
            "_parent_index": [1],
            "_parent_table_name": ["form"],
            "_submission__id": [101],
            "_submission__uuid": ["u1"],
        }
    )
    report = validate(Dataset(main, cb, rosters={"member": member}))
    frame = report.to_frame()
    assert not (frame["sheet"] == "member").any(), frame.to_dict(orient="records")
