"""A corpus of malformed inputs, each run through the command line.

Every case must end with exit code 2, print the rule that was broken and where (the file's name at
least), and never show a traceback. The files are built here, in a temporary folder, from small
hand-written content or by damaging real files from ../shared (which is never modified).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from qonys.cli import main
from sharedpaths import shared_path

LANGS = ("Қазақша (kk)", "Русский (ru)", "English (en)")


def _xlsform(
    path: Path,
    survey: list[list[object]],
    choices: list[list[object]] | None = None,
    survey_langs: tuple[str, ...] = LANGS,
    choice_langs: tuple[str, ...] = LANGS,
) -> Path:
    """Write an XLSForm: survey rows are [type, name, labels..., relevant]."""
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", *[f"label::{lang}" for lang in survey_langs], "relevant"])
    for row in survey:
        ws.append(row)
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", *[f"label::{lang}" for lang in choice_langs]])
    for row in choices or []:
        ch.append(row)
    st = wb.create_sheet("settings")
    st.append(["form_title", "form_id", "default_language"])
    st.append(["t", "t", survey_langs[0]])
    wb.save(path)
    return path


YN = [["yn", "1", "Иә", "Да", "Yes"], ["yn", "2", "Жоқ", "Нет", "No"]]


def _form_ok(tmp: Path) -> Path:
    return _xlsform(
        tmp / "form.xlsx",
        [
            ["select_one yn", "works", "Жұмыс?", "Работа?", "Work?", None],
            ["text", "job", "Кім?", "Кем?", "As what?", "${works} = 1"],
            ["text", "comment", "Пікір", "Комментарий", "Comment", None],
        ],
        YN,
    )


def _kobo_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "t"
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


META = ["_id", "_uuid", "_submission_time", "_index"]


def _meta(i: int) -> list[object]:
    return [100 + i, f"uuid-{i}", "2024-03-14T10:00:00", i]


Case = Callable[[Path], list[str]]


def c_missing_file(tmp: Path) -> list[str]:
    return ["validate", str(tmp / "nowhere.sav")]


def c_unknown_extension(tmp: Path) -> list[str]:
    (tmp / "data.foo").write_text("x", encoding="utf-8")
    return ["validate", str(tmp / "data.foo")]


def c_folder(tmp: Path) -> list[str]:
    (tmp / "d").mkdir()
    return ["validate", str(tmp / "d")]


def c_unknown_reader(tmp: Path) -> list[str]:
    (tmp / "a.csv").write_text("a\n1\n", encoding="utf-8")
    return ["validate", str(tmp / "a.csv"), "--format", "nope"]


def c_sav_empty(tmp: Path) -> list[str]:
    (tmp / "e.sav").write_bytes(b"")
    return ["validate", str(tmp / "e.sav")]


def c_sav_random(tmp: Path) -> list[str]:
    (tmp / "r.sav").write_bytes(bytes(range(256)) * 8)
    return ["validate", str(tmp / "r.sav")]


def c_sav_truncated(tmp: Path) -> list[str]:
    data = shared_path("data", "realfiles", "spss", "pyreadstat", "sample.sav").read_bytes()
    (tmp / "t.sav").write_bytes(data[:1000])  # the file has 1,651 bytes
    return ["validate", str(tmp / "t.sav")]


def c_sav_wrong_encoding(tmp: Path) -> list[str]:
    src = shared_path("data", "realfiles", "spss", "pspp_generated", "ru_cp1251_pspp.zsav")
    shutil.copy(src, tmp / "ru.zsav")
    return ["validate", str(tmp / "ru.zsav"), "--encoding", "KOI8-R"]


def c_sav_encrypted(tmp: Path) -> list[str]:
    return [
        "validate",
        str(shared_path("data", "realfiles", "spss", "readspss", "hotel-encrypted.sav")),
    ]


def c_sav_date_overflow(tmp: Path) -> list[str]:
    return ["validate", str(shared_path("data", "realfiles", "spss", "haven", "datetime.sav"))]


def c_sav_named_dta(tmp: Path) -> list[str]:
    src = shared_path("data", "realfiles", "spss", "pyreadstat", "sample.sav")
    shutil.copy(src, tmp / "sample.dta")
    return ["validate", str(tmp / "sample.dta")]


def c_dta_random(tmp: Path) -> list[str]:
    (tmp / "r.dta").write_bytes(b"\x72\x00" + bytes(range(200)))
    return ["validate", str(tmp / "r.dta")]


def c_parquet_random(tmp: Path) -> list[str]:
    (tmp / "r.parquet").write_bytes(b"PAR1" + bytes(100))
    return ["validate", str(tmp / "r.parquet")]


def c_csv_quote(tmp: Path) -> list[str]:
    (tmp / "q.csv").write_text('a,b\n1,"x\n2,3\n', encoding="utf-8")
    return ["validate", str(tmp / "q.csv")]


def c_csv_cp1251(tmp: Path) -> list[str]:
    (tmp / "c.csv").write_bytes("a;b\n1;Привет\n".encode("cp1251"))
    return ["validate", str(tmp / "c.csv")]


def c_csv_ragged(tmp: Path) -> list[str]:
    (tmp / "g.csv").write_text("a,b\n1,2,3\n", encoding="utf-8")
    return ["validate", str(tmp / "g.csv")]


def c_yaml_syntax(tmp: Path) -> list[str]:
    (tmp / "cb.yaml").write_text("variables: [\n", encoding="utf-8")
    return ["codebook", str(tmp / "cb.yaml")]


def c_yaml_unknown_type(tmp: Path) -> list[str]:
    (tmp / "cb.yaml").write_text("variables:\n  - name: a\n    type: txt\n", encoding="utf-8")
    return ["codebook", str(tmp / "cb.yaml")]


def c_sidecar_unknown_variable(tmp: Path) -> list[str]:
    (tmp / "d.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp / "d.csv.codebook.yaml").write_text(
        "variables:\n  - name: a\n    type: integer\n"
        "mr_sets:\n  - name: s\n    variables: [a, zz]\n",
        encoding="utf-8",
    )
    return ["validate", str(tmp / "d.csv")]


def c_xlsx_not_a_workbook(tmp: Path) -> list[str]:
    (tmp / "f.xlsx").write_text("hello", encoding="utf-8")
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_empty(tmp: Path) -> list[str]:
    (tmp / "f.xlsx").write_bytes(b"")
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_duplicate_name(tmp: Path) -> list[str]:
    _xlsform(
        tmp / "f.xlsx",
        [["text", "q1", "a", "b", "c", None], ["text", "q1", "a", "b", "c", None]],
    )
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_unknown_ref(tmp: Path) -> list[str]:
    _xlsform(
        tmp / "f.xlsx",
        [["text", "q1", "a", "b", "c", None], ["text", "q2", "a", "b", "c", "${q9} = 1"]],
    )
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_missing_list(tmp: Path) -> list[str]:
    _xlsform(tmp / "f.xlsx", [["select_one nolist", "q1", "a", "b", "c", None]], YN)
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_unmatched_group(tmp: Path) -> list[str]:
    _xlsform(
        tmp / "f.xlsx",
        [["begin_group", "g", "a", "b", "c", None], ["text", "q", "a", "b", "c", None]],
    )
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_language_suffix(tmp: Path) -> list[str]:
    _xlsform(
        tmp / "f.xlsx",
        [["select_one yn", "q1", "a", "b", "c", None]],
        YN,
        choice_langs=("Казахский (kk)", "Русский (ru)", "English (en)"),
    )
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_missing_translation(tmp: Path) -> list[str]:
    _xlsform(tmp / "f.xlsx", [["text", "q1", "Жасыңыз", None, "Age", None]])
    return ["codebook", str(tmp / "f.xlsx")]


def c_xlsform_non_ascii_name(tmp: Path) -> list[str]:
    _xlsform(tmp / "f.xlsx", [["text", "вопрос1", "a", "b", "c", None]])
    return ["codebook", str(tmp / "f.xlsx")]


def c_kobo_header_mismatch(tmp: Path) -> list[str]:
    form = _form_ok(tmp)
    data = _kobo_xlsx(
        tmp / "export.xlsx", ["works", "job", "salary", *META], [[1, "x", 5, *_meta(1)]]
    )
    return ["validate", str(data), "--codebook", str(form)]


def c_value_outside_codes(tmp: Path) -> list[str]:
    form = _form_ok(tmp)
    data = _kobo_xlsx(
        tmp / "export.xlsx", ["works", "job", "comment", *META], [[7, None, None, *_meta(1)]]
    )
    return ["validate", str(data), "--codebook", str(form)]


def c_answered_when_skipped(tmp: Path) -> list[str]:
    form = _form_ok(tmp)
    data = _kobo_xlsx(
        tmp / "export.xlsx", ["works", "job", "comment", *META], [[2, "driver", None, *_meta(1)]]
    )
    return ["validate", str(data), "--codebook", str(form)]


def c_duplicate_id(tmp: Path) -> list[str]:
    form = _form_ok(tmp)
    rows = [[2, None, None, *_meta(1)], [2, None, None, 101, "uuid-1", "2024-03-14T10:00:00", 2]]
    data = _kobo_xlsx(tmp / "export.xlsx", ["works", "job", "comment", *META], rows)
    return ["validate", str(data), "--codebook", str(form)]


def c_roster_orphan(tmp: Path) -> list[str]:
    form = _xlsform(
        tmp / "form.xlsx",
        [
            ["integer", "hh_size", "Саны", "Число", "Size", None],
            ["begin_repeat", "member", "Мүше", "Член", "Member", None],
            ["integer", "m_age", "Жасы", "Возраст", "Age", None],
            ["end_repeat", None, None, None, None, None],
        ],
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "form"
    ws.append(["hh_size", *META])
    ws.append([1, *_meta(1)])
    rs = wb.create_sheet("member")
    rs.append(
        [
            "m_age",
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__id",
            "_submission__uuid",
        ]
    )
    rs.append([30, 1, "form", 1, 101, "uuid-1"])
    rs.append([40, 2, "form", 9, 109, "uuid-9"])  # no parent row 9
    wb.save(tmp / "export.xlsx")
    return ["validate", str(tmp / "export.xlsx"), "--codebook", str(form)]


def c_iin_in_free_text(tmp: Path) -> list[str]:
    # 850315300168 is a valid IIN by construction (tests/privacy explains the checksum arithmetic)
    form = _form_ok(tmp)
    data = _kobo_xlsx(
        tmp / "export.xlsx",
        ["works", "job", "comment", *META],
        [[2, None, "менің ЖСН 850315300168", *_meta(1)]],
    )
    return ["scan-pii", str(data), "--codebook", str(form)]


def c_convert_refuses_identifiers(tmp: Path) -> list[str]:
    form = _form_ok(tmp)
    data = _kobo_xlsx(
        tmp / "export.xlsx",
        ["works", "job", "comment", *META],
        [[2, None, "звоните +7 701 123 45 67", *_meta(1)]],
    )
    return ["convert", str(data), str(tmp / "out.sav"), "--codebook", str(form)]


def c_hash_without_salt(tmp: Path) -> list[str]:
    (tmp / "a.csv").write_text("a\n1\n", encoding="utf-8")
    return ["convert", str(tmp / "a.csv"), str(tmp / "b.csv"), "--hash-pii"]


def c_convert_unknown_target(tmp: Path) -> list[str]:
    (tmp / "a.csv").write_text("a\n1\n", encoding="utf-8")
    return ["convert", str(tmp / "a.csv"), str(tmp / "b.foo")]


def c_unknown_option(tmp: Path) -> list[str]:
    return ["validate", "--no-such-option", "x.sav"]


CASES: dict[str, tuple[Case, str]] = {
    # name: (case, expected rule or a prefix of it)
    "missing file": (c_missing_file, "read.not-found"),
    "unknown extension": (c_unknown_extension, "read.unknown-format"),
    "a folder": (c_folder, "read.is-directory"),
    "unknown reader": (c_unknown_reader, "registry.unknown"),
    "empty .sav": (c_sav_empty, "sav.empty"),
    "random bytes .sav": (c_sav_random, "sav.not-sav"),
    "truncated .sav": (c_sav_truncated, "sav.truncated"),
    "wrong encoding forced": (c_sav_wrong_encoding, "sav.encoding"),
    "encrypted .sav": (c_sav_encrypted, "sav.encrypted"),
    "overflowing dates": (c_sav_date_overflow, "sav.date-overflow"),
    ".sav named .dta": (c_sav_named_dta, "dta."),
    "random bytes .dta": (c_dta_random, "dta."),
    "random bytes .parquet": (c_parquet_random, "parquet."),
    "CSV broken quote": (c_csv_quote, "csv.quote"),
    "CSV in cp1251 read as UTF-8": (c_csv_cp1251, "csv.encoding"),
    "CSV ragged row": (c_csv_ragged, "csv.ragged"),
    "YAML syntax": (c_yaml_syntax, "yaml.syntax"),
    "YAML unknown type": (c_yaml_unknown_type, "codebook.type"),
    "sidecar names unknown variable": (c_sidecar_unknown_variable, "codebook.mrset-member"),
    "not a workbook": (c_xlsx_not_a_workbook, "xlsform."),
    "empty XLSForm": (c_xlsform_empty, "xlsform."),
    "XLSForm duplicate name": (c_xlsform_duplicate_name, "xlsform."),
    "XLSForm unknown reference": (c_xlsform_unknown_ref, "xlsform."),
    "XLSForm missing choice list": (c_xlsform_missing_list, "xlsform."),
    "XLSForm unmatched begin_group": (c_xlsform_unmatched_group, "xlsform."),
    "XLSForm mismatched language suffix": (c_xlsform_language_suffix, "xlsform."),
    "XLSForm missing translation": (c_xlsform_missing_translation, "xlsform."),
    "XLSForm non-ASCII name": (c_xlsform_non_ascii_name, "xlsform."),
    "Kobo headers not in the form": (c_kobo_header_mismatch, "kobo.header-mismatch"),
    "value outside the codes": (c_value_outside_codes, "validate.failed"),
    "answered when skipped": (c_answered_when_skipped, "validate.failed"),
    "duplicate respondent id": (c_duplicate_id, "validate.failed"),
    "roster orphan rows": (c_roster_orphan, "validate.failed"),
    "IIN in a free-text answer": (c_iin_in_free_text, "privacy.direct-identifiers"),
    "export with a phone number": (c_convert_refuses_identifiers, "privacy.direct-identifiers"),
    "--hash-pii without --salt": (c_hash_without_salt, "cli.options"),
    "unknown output format": (c_convert_unknown_target, "write.unknown-format"),
}


# What the message must name when it is not the input file: the option or the output file.
NAMED = {"--hash-pii without --salt": "--salt", "unknown output format": "b.foo"}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_input_exit_2_with_rule(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, rule = CASES[name]
    argv = case(tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    text = out + err
    assert code == 2, f"{name}: exit {code}\n{text}"
    assert "Traceback" not in text
    assert f"rule:  {rule}" in text or f"[rule {rule}" in text or f"rule {rule}" in text, text
    named = NAMED.get(name, Path(argv[1]).name)
    assert named in text, f"{name}: the message does not name {named!r}\n{text}"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(c_unknown_option(Path("."))) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_json_errors_are_structured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    argv = c_csv_quote(tmp_path) + ["--json"]
    assert main(argv) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["rule"] == "csv.quote"
    assert payload["where"]["file"].endswith("q.csv")
    assert payload["where"]["line"] >= 2
