"""XLSForm lint: the checks pyxform does not make, for forms that go to SPSS, Stata and three
languages.

:func:`lint_xlsform` returns an :class:`XLSFormLintReport` (a frozen result whose
``to_frame()`` has one row per issue: ``sheet, row, column, name, rule, severity, message``;
rows are spreadsheet rows, header = row 1). With ``raise_on_error=True`` it raises a
:class:`~qonys._core.errors.CodebookError` carrying the first error's rule and location.

Rules (severity)
----------------
``xlsform.pyxform`` (error), ``xlsform.pyxform-warning`` (warning)
    what pyxform itself reports when converting the form;
``xlsform.name-ascii`` (error)
    a name with non-ASCII characters (``вопрос1``): pyxform accepts it, SPSS/Stata workflows
    break on it;
``xlsform.name-spss`` (error)
    a name longer than 64 bytes or starting with a digit;
``xlsform.name-stata`` (warning)
    a name longer than 32 characters (Stata's limit);
``xlsform.duplicate-name`` (error)
    a name used twice anywhere in the form (pyxform only checks within a group);
``xlsform.translation-missing`` (error)
    a label, hint, constraint or required message filled in one language and empty in another,
    on the survey and choices sheets (pyxform is silent about it);
``xlsform.language-mismatch`` (error)
    a language spelled differently on the two sheets (``label::Francais (fr)`` vs
    ``label::Français (fr)``): KoboToolbox treats them as two languages;
``xlsform.label-mixed`` (error)
    an unsuffixed ``label`` (or ``hint``) next to ``label::xx`` columns on one sheet; pyxform can
    silently drop the unsuffixed one;
``xlsform.unknown-reference`` (error)
    ``${name}`` in ``relevant``, ``constraint``, ``calculation``, ``choice_filter``,
    ``repeat_count`` or ``required`` that names no question;
``xlsform.unknown-list`` (error)
    a select question whose list is not on the choices sheet;
``xlsform.choice-space`` (error)
    a choice name with a space in a list used by ``select_multiple`` (answers are stored
    space-separated);
``xlsform.duplicate-choice`` (error; warning with ``allow_choice_duplicates``)
    a choice name twice in one list;
``xlsform.missing-kind``, ``xlsform.scale-reverse``, ``xlsform.scale-name`` (error)
    bad values in the qonys columns ``missing``, ``qonys_reverse``, ``qonys_scale``.

Examples
--------
>>> report = lint_xlsform("form.xlsx")  # doctest: +SKIP
>>> report.to_frame()[["row", "rule", "severity"]]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd

from .._core import CodebookError, Meta, MissingKind, ResultMixin, Where, sha256_file
from .._core.codebook import parse_language_header
from .xlsform import language_code
from .xlsform_sheets import (
    MISSING_COLUMN,
    REVERSE_COLUMN,
    SCALE_COLUMN,
    Sheet,
    XLSFormBook,
    check_with_pyxform,
    load_xlsform,
    parse_type,
)

__all__ = ["LINT_COLUMNS", "LintIssue", "XLSFormLintReport", "lint_xlsform"]

Severity = Literal["error", "warning"]
LINT_COLUMNS = ("sheet", "row", "column", "name", "rule", "severity", "message")

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


@dataclasses.dataclass(frozen=True, slots=True)
class XLSFormLintReport(ResultMixin):
    """Issues found in an XLSForm, in sheet and row order.

    Parameters
    ----------
    file : str
        The form as given.
    issues : tuple of LintIssue
        Every finding.
    meta : Meta
        Method, input hash, counts in ``notes``.
    """

    file: str
    issues: tuple[LintIssue, ...]
    meta: Meta

    @property
    def errors(self) -> tuple[LintIssue, ...]:
        """Issues of severity ``error``."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[LintIssue, ...]:
        """Issues of severity ``warning``."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """Whether no error was found (warnings allowed)."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: ``sheet, row, column, name, rule, severity, message``.

        A lint report is not an estimate, so it has none of the estimate columns.
        """
        frame = pd.DataFrame(
            [dataclasses.astuple(i) for i in self.issues], columns=list(LINT_COLUMNS)
        )
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def summary(self) -> str:
        """Counts and one line per issue."""
        lines = [f"{self.file}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"]
        for i in self.issues:
            loc = ", ".join(x for x in (i.sheet, f"row {i.row}" if i.row else None, i.column) if x)
            lines.append(f"{i.severity}: {loc}: {i.message} [{i.rule}]")
        return "\n".join(lines)

    def raise_for_errors(self) -> None:
        """Raise a :class:`CodebookError` for the first error, if any."""
        if not self.errors:
            return
        first = self.errors[0]
        more = len(self.errors) - 1
        raise CodebookError(
            first.message + (f" (and {more} more error(s))" if more else ""),
            where=Where(file=self.file, sheet=first.sheet, row=first.row, variable=first.name),
            rule=first.rule,
            hint="Run the lint (qonys.io.lint_xlsform) to list every issue.",
        )


class _Linter:
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
        for sheet in (self.book.survey, self.book.choices):
            if sheet is None:
                continue
            langs = [language_code(d) for d in sorted(self.label_languages(sheet))]
            all_langs = {language_code(d): d for d in self.label_languages(self.book.survey)}
            if self.book.choices is not None:
                all_langs.update(
                    {language_code(d): d for d in self.label_languages(self.book.choices)}
                )
            if len(all_langs) < 2 and len(langs) < 2:
                continue
            for row in sheet.rows:
                for col in _TEXT_COLUMNS:
                    filled: dict[str, str] = {}
                    for header, value in row.cells.items():
                        base, _c, display = parse_language_header(header)
                        if base == col and display is not None and value.strip():
                            filled[language_code(display)] = header
                    if not filled:
                        continue
                    for code, display in all_langs.items():
                        if code not in filled:
                            self.add(
                                sheet,
                                row.row,
                                f"{col}::{display}",
                                row.get("name"),
                                "xlsform.translation-missing",
                                f"{col} is filled in {', '.join(sorted(filled))} but empty "
                                f"in {code}",
                            )

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


def _order(issues: Iterable[LintIssue]) -> tuple[LintIssue, ...]:
    sheet_rank = {"survey": 0, "choices": 1, "settings": 2}
    return tuple(
        sorted(
            issues,
            key=lambda i: (sheet_rank.get(i.sheet or "", 3), i.row or 0, i.rule),
        )
    )


def lint_xlsform(
    path: str | Path, *, raise_on_error: bool = False, pyxform: bool = True
) -> XLSFormLintReport:
    """Check an XLSForm for what breaks SPSS/Stata exports and multilingual fieldwork.

    Parameters
    ----------
    path : str or Path
        The XLSForm workbook.
    raise_on_error : bool
        Raise a :class:`CodebookError` (first error's rule and row) when an error is found.
    pyxform : bool
        Also report pyxform's own errors and warnings (default).

    Returns
    -------
    XLSFormLintReport

    Raises
    ------
    ReadError
        The file is not a readable workbook.
    CodebookError
        With ``raise_on_error=True``, when the report has errors.
    """
    book = load_xlsform(path)
    linter = _Linter(book)
    if pyxform:
        linter.pyxform()
    linter.names()
    linter.languages()
    linter.translations()
    linter.references()
    linter.choices()
    linter.qonys_columns()
    issues = _order(linter.issues)
    n_err = sum(i.severity == "error" for i in issues)
    meta = Meta(
        method="XLSForm lint",
        call={"file": str(path), "pyxform": pyxform},
        inputs={str(path): sha256_file(Path(path))},
        notes=(f"{n_err} error(s), {len(issues) - n_err} warning(s)",),
    )
    report = XLSFormLintReport(file=str(path), issues=issues, meta=meta)
    if raise_on_error:
        report.raise_for_errors()
    return report
