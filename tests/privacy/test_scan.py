"""Direct-identifier scan, removal, hashing and the export gate."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Dataset,
    MRSet,
    PrivacyError,
    Result,
    Roster,
    SourceInfo,
    Variable,
)
from qonys.privacy import (
    column_kind,
    drop_identifiers,
    find_identifiers,
    hash_identifiers,
    label_kind,
    require_no_identifiers,
    scan,
)

SALT = "correct horse battery staple"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Менің ЖСН: 900101300126", {"iin"}),  # valid IIN (see test_iin.py)
        ("номер 900101300121", {"possible_iin"}),  # wrong check digit
        ("2024 жылы 12 ай жұмыс істедім", set()),
        ("+7 (701) 234-56-78", {"phone"}),
        ("8 701 234 56 78", {"phone"}),
        ("8 (7172) 55-12-34", {"phone"}),  # Astana landline
        ("+7 916 123-45-67", {"phone"}),  # a Russian mobile is a phone too
        ("7011234567", {"phone"}),  # Kazakh mobile without country code
        ("1234567890", set()),  # ten digits that are no Kazakh mobile
        ("жазыңыз aigerim.s@mail.kz", {"email"}),
        ("Маған Ерлан Серікұлы көмектесті", {"person_name"}),  # Kazakh patronymic
        ("помогла Светлана Ивановна", {"person_name"}),  # Russian patronymic
        ("Иванов И.И. из акимата", {"person_name"}),  # surname with initials
        ("А.Б. Серікбаев", {"person_name"}),
        ("Арман Нурланов помог с работой", {"person_name"}),  # first name + surname shape
        ("Айгерім", {"person_name"}),  # an answer that is only a first name
        ("Арман жоқ, жұмыс жоқ", set()),  # Арман is also a word ("dream")
        ("Жұмыс Алматыда жақсы", set()),
        ("Nursultan Abishuly", {"person_name"}),  # Latin spelling of -ұлы
    ],
)
def test_detectors(text: str, kinds: set[str]) -> None:
    assert set(find_identifiers(text)) == kinds


def test_homoglyph_folding() -> None:
    # Latin schwa (U+0259) typed for Kazakh ә in a patronymic is still found
    assert "person_name" in find_identifiers("Нұрлан Әлібекұлы".replace("Ә", "\u018f"))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("fio", "name"),
        ("resp_name", "name"),
        ("district_name", None),
        ("employer_name", None),
        ("phone_number", "phone"),
        ("iin", "iin"),
        ("email", "email"),
        ("home_address", "address"),
        ("_gps_latitude", "geolocation"),
        ("deviceid", "device_id"),
        ("_submitted_by", "account"),
        ("SubmitterName", "account"),
        ("телефон", "phone"),
        ("age", None),
    ],
)
def test_column_names(name: str, kind: str | None) -> None:
    assert column_kind(name) == kind


def test_labels() -> None:
    assert label_kind("Сіздің ЖСН-іңіз") == "iin"
    assert label_kind("Ваш домашний адрес") == "address"
    assert label_kind("Қай қалада тұрасыз?") is None


def _dataset() -> Dataset:
    cb = Codebook(
        variables=(
            Variable("id"),
            Variable("q7", "text", label={"kk": "Телефон нөміріңіз"}),
            Variable("loc", "geopoint"),
            Variable("comment", "text"),
            Variable("city", "select_one", choices="city"),
            Variable("m/work", "binary"),
            Variable("m/fio", "binary"),
            Variable("helper", "text", repeat="people"),
        ),
        choice_lists=(ChoiceList("city", (Choice(1), Choice(2))),),
        mr_sets=(MRSet("m", ("m/work", "m/fio")),),
        rosters=(Roster("people"),),
        id_variable="id",
    )
    main = pd.DataFrame(
        {
            "id": ["r1", "r2", "r3"],
            "q7": ["87012345678", None, ""],
            "loc": ["51.16 71.47 350 5", None, None],
            "comment": [
                "ЖСН 900101300126 деп жазыңыз",
                "бәрі жақсы",
                "Айгерім Сапарова көмектесті",
            ],
            "city": pd.array([1, 2, 1], dtype="Int64"),
            "m/work": pd.array([1, 0, 1], dtype="Int64"),
            "m/fio": pd.array([0, 0, 1], dtype="Int64"),
            "_index": pd.array([1, 2, 3], dtype="Int64"),
        }
    )
    people = pd.DataFrame(
        {"helper": ["Иванов И.И.", "көршім"], "_index": [1, 2], "_parent_index": [1, 1]}
    )
    return Dataset(main, cb, {"people": people}, SourceInfo("survey.csv", "csv"))


def test_scan_reports_counts_and_masked_examples_only() -> None:
    report = scan(_dataset())
    frame = report.to_frame()
    got = {(r.sheet, r.variable, r.kind, r.count, r.rule) for r in frame.itertuples()}
    assert got == {
        (None, "q7", "phone", 1, "pii.column-label"),  # one non-empty cell
        (None, "q7", "phone", 1, "pii.phone"),
        (None, "loc", "geolocation", 1, "pii.geopoint"),
        (None, "comment", "iin", 1, "pii.iin"),
        (None, "comment", "person_name", 1, "pii.name"),
        (None, "m/fio", "name", 3, "pii.column-name"),  # a binary column named like an id
        ("people", "helper", "person_name", 1, "pii.name"),
    }
    examples = set(frame["example"].dropna())
    assert examples == {"8*****", "9*****", "А*****", "И*****"}
    text = report.summary() + frame.to_string()
    assert "87012345678" not in text
    assert "900101300126" not in text
    assert report.variables == ("q7", "loc", "comment", "m/fio", "helper")
    assert isinstance(report, Result)
    assert "900101300126" not in str(report.to_dict())


def test_allow_skips_a_false_alarm() -> None:
    report = scan(_dataset(), allow=["m/fio"])
    assert "m/fio" not in report.variables
    assert report.meta.call["allow"] == ["m/fio"]


def test_drop_identifiers() -> None:
    ds = _dataset()
    out = drop_identifiers(ds)
    assert out.data.columns.tolist() == ["id", "city", "m/work", "_index"]
    assert out.rosters["people"].columns.tolist() == ["_index", "_parent_index"]
    assert out.codebook.names == ("id", "city", "m/work")
    assert out.codebook.mr_sets[0].variables == ("m/work",)  # the set loses the dropped member
    assert ds.data.shape == (3, 8)  # the input is unchanged
    assert scan(out).clean


def test_hash_identifiers() -> None:
    ds = _dataset()
    out = hash_identifiers(ds, salt=SALT, variables=["q7", "comment"])
    expected = hmac.new(SALT.encode(), b"87012345678", hashlib.sha256).hexdigest()
    assert out.data.loc[0, "q7"] == expected  # HMAC-SHA256, the salt as key
    assert pd.isna(out.data.loc[1, "q7"])
    assert pd.isna(out.data.loc[2, "q7"])
    assert out.codebook["q7"].type == "text"
    assert out.data["city"].tolist() == [1, 2, 1]  # other columns untouched
    assert "loc" in scan(out).variables  # only the chosen variables were hashed


def test_same_value_same_hash_across_types() -> None:
    cb = Codebook(variables=(Variable("a", "integer"), Variable("b")))
    ds = Dataset(
        pd.DataFrame({"a": pd.array([87012345678], dtype="Int64"), "b": [" 87012345678 "]}),
        cb,
    )
    out = hash_identifiers(ds, salt=SALT)
    assert out.data.loc[0, "a"] == out.data.loc[0, "b"]  # whole number and trimmed text agree


@pytest.mark.parametrize("salt", [None, "", "short"])
def test_salt_is_required(salt: str | None) -> None:
    with pytest.raises(PrivacyError) as info:
        hash_identifiers(_dataset(), salt=salt)
    assert info.value.rule == "privacy.salt"


def test_export_gate() -> None:
    with pytest.raises(PrivacyError) as info:
        require_no_identifiers(_dataset())
    err = info.value
    assert err.rule == "privacy.direct-identifiers"
    assert "q7 (phone)" in err.message
    assert "comment (iin/person_name)" in err.message
    assert err.hint is not None
    assert "drop_identifiers" in err.hint
    assert "hash_identifiers" in err.hint
    assert "900101300126" not in str(err)
    assert require_no_identifiers(drop_identifiers(_dataset())).clean


def test_hashing_a_variable_that_was_not_flagged_is_refused() -> None:
    with pytest.raises(PrivacyError) as info:
        hash_identifiers(_dataset(), salt=SALT, variables=["city"])
    assert info.value.rule == "privacy.not-flagged"


def test_question_text_flags_only_answers_that_can_hold_it() -> None:
    # "How many times have you changed your address?" is a count, not an address; the same
    # words on a text question do flag it. KoboToolbox's `_parent_table_name` is not a name.
    import pandas as pd

    from qonys._core import Codebook, Dataset, Variable
    from qonys.privacy import scan

    label = {"en": "How many times have you changed your address within this city?"}
    cb = Codebook(
        variables=(
            Variable("moves", "integer", label=label),
            Variable("home", "text", label={"en": "Your home address"}),
            Variable("_parent_table_name", "text"),
        )
    )
    df = pd.DataFrame({"moves": [1, 2], "home": ["x", "y"], "_parent_table_name": ["m", "m"]})
    flagged = set(scan(Dataset(df, cb)).to_frame()["variable"])
    assert flagged == {"home"}
