"""The checks of the XLSForm lint (rules documented in :mod:`qonys.io.xlsform_lint`)."""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Literal

from .._core import CodebookError, MissingKind
from .._core.codebook import parse_language_header
from .xlsform_sheets import Sheet, XLSFormBook, check_with_pyxform
from .xlsform_types import MISSING_COLUMN, REVERSE_COLUMN, SCALE_COLUMN, language_code, parse_type

__all__ = ["LintIssue", "Linter", "Severity"]

Severity = Literal["error", "warning"]

_REF = re.compile(r"\$\{([^}]*)\}")
_REF_COLUMNS = (
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "repeat_count",
    "required",
)
_TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message", "guidance_hint")
_ROW_IN_MESSAGE = re.compile(r"\[row\s*:\s*(\d+)\]")
_TRUE_FALSE = frozenset({"yes", "true", "true()", "1", "y", "no", "false", "false()", "0", "n"})


@dataclasses.dataclass(frozen=True, slots=True)
class LintIssue:
    """One finding of the lint (see the module docstring for the rules)."""

    sheet: str | None
    row: int | None
    column: str | None
    name: str | None
    rule: str
    severity: Severity
    message: str


class Linter:
    """Runs each check on a loaded XLSForm and collects the issues."""

    def __init__(self, book: XLSFormBook) -> None:
        self.book = book
        self.issues: list[LintIssue] = []

    def add(
        self,
        sheet: Sheet | str | None,
        row: int | None,
        column: str | None,
        name: str | None,
        rule: str,
        message: str,
        severity: Severity = "error",
    ) -> None:
        sheet_name = sheet.name if isinstance(sheet, Sheet) else sheet
        self.issues.append(LintIssue(sheet_name, row, column, name, rule, severity, message))

    def pyxform(self) -> None:
        try:
            warnings = check_with_pyxform(self.book)
        except CodebookError as err:
            self.add(err.where.sheet, err.where.row, None, None, "xlsform.pyxform", err.message)
            return
        for w in warnings:
            m = _ROW_IN_MESSAGE.search(w)
            row = int(m.group(1)) if m else None
            text = _ROW_IN_MESSAGE.sub("", w).strip()
            sheet = "choices" if "'choices' sheet" in w else ("survey" if row else None)
            self.add(sheet, row, None, None, "xlsform.pyxform-warning", text, "warning")

    def names(self) -> None:
        survey = self.book.survey
        seen: dict[str, int] = {}
        for row in survey.rows:
            name = row.get("name")
            qtype = row.get("type")
            if not name or not qtype or parse_type(qtype).base.startswith("end_"):
                continue
            if not name.isascii():
                self.add(
                    survey,
                    row.row,
                    "name",
                    name,
                    "xlsform.name-ascii",
                    f"name {name!r} has non-ASCII characters; SPSS and Stata need ASCII names",
                )
            if len(name.encode("utf-8")) > 64:
                self.add(
                    survey,
                    row.row,
                    "name",
                    name,
                    "xlsform.name-spss",
                    f"name {name!r} is longer than SPSS's 64 bytes",
                )
            if name[0].isdigit():
                self.add(
                    survey,
                    row.row,
                    "name",
                    name,
                    "xlsform.name-spss",
                    f"name {name!r} starts with a digit",
                )
            if len(name) > 32:
                self.add(
                    survey,
                    row.row,
                    "name",
                    name,
                    "xlsform.name-stata",
                    f"name {name!r} is longer than Stata's 32 characters",
                    "warning",
                )
            if name in seen:
                self.add(
                    survey,
                    row.row,
                    "name",
                    name,
                    "xlsform.duplicate-name",
                    f"name {name!r} is already used on row {seen[name]}",
                )
            else:
                seen[name] = row.row

    def languages(self) -> None:
        sheets = [s for s in (self.book.survey, self.book.choices) if s is not None]
        displays: dict[str, tuple[str, str]] = {}  # code -> (display, sheet)
        for sheet in sheets:
            for header in sheet.headers:
                base, _c, display = parse_language_header(header)
                if display is None or base not in _TEXT_COLUMNS:
                    continue
                code = language_code(display)
                if code in displays and displays[code][0] != display:
                    self.add(
                        sheet,
                        1,
                        header,
                        None,
                        "xlsform.language-mismatch",
                        f"language {display!r} is spelled {displays[code][0]!r} on the "
                        f"{displays[code][1]} sheet; KoboToolbox treats them as two "
                        "languages",
                    )
                displays.setdefault(code, (display, sheet.name))
        if self.book.choices is not None:
            survey_langs = self.label_languages(self.book.survey)
            choice_langs = self.label_languages(self.book.choices)
            if survey_langs and choice_langs:
                for display in choice_langs - survey_langs:
                    if language_code(display) in {language_code(d) for d in survey_langs}:
                        continue  # same code, reported above
                    close = difflib.get_close_matches(display, sorted(survey_langs), n=1)
                    hint = f" (the survey sheet has {close[0]!r})" if close else ""
                    self.add(
                        self.book.choices,
                        1,
                        f"label::{display}",
                        None,
                        "xlsform.language-mismatch",
                        f"language {display!r} of the choices sheet is not a language of "
                        f"the survey sheet{hint}",
                    )
        for sheet in sheets:
            for col in ("label", "hint"):
                if col in sheet.headers and any(
                    parse_language_header(h)[0] == col and parse_language_header(h)[2]
                    for h in sheet.headers
                ):
                    self.add(
                        sheet,
                        1,
                        col,
                        None,
                        "xlsform.label-mixed",
                        f"an unsuffixed '{col}' column next to '{col}::language' columns; "
                        "pyxform may drop one of them",
                    )

    @staticmethod
    def label_languages(sheet: Sheet) -> set[str]:
        return {
            d
            for h in sheet.headers
            for b, _c, d in [parse_language_header(h)]
            if b == "label" and d is not None
        }

    def translations(self) -> None:
        sheets = [s for s in (self.book.survey, self.book.choices) if s is not None]
        codes: list[str] = []
        for sheet in sheets:
            for spelled in sorted(self.label_languages(sheet)):
                if language_code(spelled) not in codes:
                    codes.append(language_code(spelled))
        if len(codes) < 2:
            return
        for sheet in sheets:
            for row in sheet.rows:
                for col in _TEXT_COLUMNS:
                    filled: set[str] = set()
                    for header, value in row.cells.items():
                        base, _c, display = parse_language_header(header)
                        if base == col and display is not None and value.strip():
                            filled.add(language_code(display))
                    for code in codes if filled else ():
                        if code not in filled:
                            self.add(
                                sheet,
                                row.row,
                                f"{col}::{self.display(sheet, code)}",
                                row.get("name"),
                                "xlsform.translation-missing",
                                f"{col} is filled in {', '.join(sorted(filled))} but empty "
                                f"in {code}",
                            )

    def display(self, sheet: Sheet, code: str) -> str:
        """How ``sheet`` spells language ``code`` (else how the other sheet does)."""
        others = [s for s in (self.book.survey, self.book.choices) if s is not None]
        for s in (sheet, *others):
            for display in sorted(self.label_languages(s)):
                if language_code(display) == code:
                    return display
        return code

    def references(self) -> None:
        survey = self.book.survey
        known = {r.get("name") for r in survey.rows if r.get("name")}
        for row in survey.rows:
            for col in _REF_COLUMNS:
                text = row.get(col)
                if not text:
                    continue
                for ref in _REF.findall(text):
                    if ref.strip() not in known:
                        close = difflib.get_close_matches(ref, sorted(n for n in known if n), 1)
                        hint = f"; did you mean {close[0]!r}?" if close else ""
                        self.add(
                            survey,
                            row.row,
                            col,
                            row.get("name"),
                            "xlsform.unknown-reference",
                            f"${{{ref}}} names no question{hint}",
                        )

    def choices(self) -> None:
        survey, choices = self.book.survey, self.book.choices
        lists: dict[str, list[tuple[int, str]]] = {}
        if choices is not None:
            for row in choices.rows:
                ln, name = row.get("list_name"), row.get("name")
                if ln and name is not None:
                    lists.setdefault(ln, []).append((row.row, name))
        multiple: set[str] = set()
        for row in survey.rows:
            if not row.get("type"):
                continue
            qt = parse_type(row.cells["type"])
            if qt.list_name is None or qt.base.endswith(("_from_file", "_external")):
                continue
            if qt.list_name not in lists:
                self.add(
                    survey,
                    row.row,
                    "type",
                    row.get("name"),
                    "xlsform.unknown-list",
                    f"choice list {qt.list_name!r} is not on the choices sheet",
                )
            if qt.base == "select_multiple":
                multiple.add(qt.list_name)
        allow = (self.book.setting("allow_choice_duplicates") or "").lower() in ("yes", "true")
        for ln, items in lists.items():
            seen: dict[str, int] = {}
            for line, name in items:
                if ln in multiple and " " in name.strip():
                    self.add(
                        choices,
                        line,
                        "name",
                        name,
                        "xlsform.choice-space",
                        f"choice {name!r} of list {ln!r} has a space; select_multiple "
                        "answers are stored space-separated",
                    )
                if name in seen:
                    self.add(
                        choices,
                        line,
                        "name",
                        name,
                        "xlsform.duplicate-choice",
                        f"choice {name!r} appears twice in list {ln!r} (row {seen[name]})",
                        "warning" if allow else "error",
                    )
                else:
                    seen[name] = line

    def qonys_columns(self) -> None:
        kinds = {k.value for k in MissingKind}
        if self.book.choices is not None:
            for row in self.book.choices.rows:
                value = row.get(MISSING_COLUMN)
                if value and value.strip().lower().replace(" ", "_") not in kinds:
                    self.add(
                        self.book.choices,
                        row.row,
                        MISSING_COLUMN,
                        row.get("name"),
                        "xlsform.missing-kind",
                        f"unknown missing kind {value!r}; use one of {', '.join(kinds)}",
                    )
        for row in self.book.survey.rows:
            reverse, scale = row.get(REVERSE_COLUMN), row.get(SCALE_COLUMN)
            if reverse and reverse.strip().lower() not in _TRUE_FALSE:
                self.add(
                    self.book.survey,
                    row.row,
                    REVERSE_COLUMN,
                    row.get("name"),
                    "xlsform.scale-reverse",
                    f"{REVERSE_COLUMN} must be yes or no",
                )
            elif (
                reverse and reverse.strip().lower() in ("yes", "true", "true()", "1", "y")
            ) and not scale:
                self.add(
                    self.book.survey,
                    row.row,
                    REVERSE_COLUMN,
                    row.get("name"),
                    "xlsform.scale-reverse",
                    f"reverse-keyed item belongs to no scale ({SCALE_COLUMN} is empty)",
                )
            if scale and not re.match(r"^[^\W\d][\w.\-]*$", scale.strip()):
                self.add(
                    self.book.survey,
                    row.row,
                    SCALE_COLUMN,
                    row.get("name"),
                    "xlsform.scale-name",
                    f"scale name {scale!r} is not a valid name",
                )
