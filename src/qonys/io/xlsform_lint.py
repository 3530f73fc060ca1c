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

Usage::

    from qonys.io import lint_xlsform

    report = lint_xlsform("form.xlsx")
    report.to_frame()[["row", "rule", "severity"]]

See :func:`lint_xlsform` for a runnable example.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .._core import CodebookError, Meta, ResultMixin, Where, sha256_file
from .xlsform_checks import Linter, LintIssue
from .xlsform_sheets import load_xlsform

__all__ = ["LINT_COLUMNS", "LintIssue", "XLSFormLintReport", "lint_xlsform"]

LINT_COLUMNS = ("sheet", "row", "column", "name", "rule", "severity", "message")


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

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from openpyxl import Workbook
    >>> wb = Workbook()
    >>> ws = wb.active
    >>> ws.title = "survey"
    >>> for row in (["type", "name", "label::Қазақша (kk)", "label::Русский (ru)"],
    ...             ["integer", "жасы", "Жасыңыз", None]):
    ...     ws.append(row)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "form.xlsx"
    >>> wb.save(path)
    >>> report = lint_xlsform(path)
    >>> report.to_frame()[["row", "column", "rule"]].values.tolist()
    [[2, 'name', 'xlsform.name-ascii'], [2, 'label::Русский (ru)', 'xlsform.translation-missing']]

    Raises
    ------
    ReadError
        The file is not a readable workbook.
    CodebookError
        With ``raise_on_error=True``, when the report has errors.
    """
    book = load_xlsform(path)
    linter = Linter(book)
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
