"""The validation report: one row per problem found, never a changed dataset.

Each :class:`Issue` names the file, the sheet (roster; empty for the main table), the 1-based
row, the variable, the rule broken, the kind of the offending value (``valid``, ``skipped``,
``refused``, ``dont_know``, ``missing``), the severity and a message. Messages quote at most the
single offending cell, and never the text of a free-text answer or a respondent id.

Severities: ``error`` (the data break a rule of the codebook), ``warning`` (something to look
at, such as a column the codebook does not describe), ``info`` (expected differences such as
KoboToolbox meta columns). :attr:`ValidationReport.ok` is true when there is no error.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from typing import Literal

import pandas as pd

from .._core import FrozenMap, Meta, ResultMixin

__all__ = ["REPORT_COLUMNS", "SEVERITIES", "VALUE_KINDS", "Issue", "ValidationReport"]

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
VALUE_KINDS: tuple[str, ...] = ("valid", "skipped", "refused", "dont_know", "missing")
"""Kinds of a cell: a valid answer, or one of the four missing kinds of the codebook."""

REPORT_COLUMNS: tuple[str, ...] = (
    "file",
    "sheet",
    "row",
    "variable",
    "rule",
    "value_kind",
    "severity",
    "message",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Issue:
    """One problem found by :func:`qonys.validate.validate`."""

    rule: str
    severity: Severity
    message: str
    variable: str | None = None
    row: int | None = None
    sheet: str | None = None
    value_kind: str | None = None
    file: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ValidationReport(ResultMixin):
    """What :func:`qonys.validate.validate` found.

    Parameters
    ----------
    issues : tuple of Issue
        Problems, in the order found (structure first, then variable by variable).
    missing : tuple of (sheet, variable, kind, count)
        How many cells of each variable are valid, skipped, refused, don't know, missing.
    meta : Meta
        Method, call, notes (checks that could not run, and why).

    Examples
    --------
    >>> r = ValidationReport((Issue("codes.not-in-list", "error", "value 7 is not a code",
    ...                            variable="sex", row=3, value_kind="valid"),), (),
    ...                      Meta("validation"))
    >>> r.ok, dict(r.counts)
    (False, {'codes.not-in-list': 1})
    >>> print(r.to_frame()[["row", "variable", "rule"]].to_string(index=False))
     row variable              rule
       3      sex codes.not-in-list
    """

    issues: tuple[Issue, ...]
    missing: tuple[tuple[str | None, str, str, int], ...]
    meta: Meta

    @property
    def ok(self) -> bool:
        """Whether no error was found (warnings and infos allowed)."""
        return not any(i.severity == "error" for i in self.issues)

    @property
    def counts(self) -> Mapping[str, int]:
        """Number of issues by rule."""
        return FrozenMap(dict(sorted(Counter(i.rule for i in self.issues).items())))

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues of severity ``error``."""
        return tuple(i for i in self.issues if i.severity == "error")

    def by_rule(self, rule: str) -> tuple[Issue, ...]:
        """The issues of one rule."""
        return tuple(i for i in self.issues if i.rule == rule)

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: file, sheet, row, variable, rule, value_kind, severity, message."""
        return pd.DataFrame(
            {
                c: pd.Series(
                    [getattr(i, c) for i in self.issues],
                    dtype="Int64" if c == "row" else object,
                )
                for c in REPORT_COLUMNS
            }
        )

    def missing_frame(self) -> pd.DataFrame:
        """Cells per kind for each variable: sheet, variable, valid, skipped, refused, dont_know,
        missing (item non-response with skipped questions kept apart)."""
        rows: dict[tuple[str | None, str], dict[str, object]] = {}
        for sheet, var, kind, n in self.missing:
            row = rows.setdefault((sheet, var), {"sheet": sheet, "variable": var})
            row[kind] = n
        values = list(rows.values())
        return pd.DataFrame(
            {
                "sheet": pd.Series([r["sheet"] for r in values], dtype=object),
                "variable": pd.Series([r["variable"] for r in values], dtype=object),
                **{k: pd.Series([r.get(k, 0) for r in values], dtype="int64") for k in VALUE_KINDS},
            }
        )

    def summary(self) -> str:
        """Counts by severity and rule."""
        by_sev = Counter(i.severity for i in self.issues)
        head = (
            f"ValidationReport: {by_sev.get('error', 0)} error(s), "
            f"{by_sev.get('warning', 0)} warning(s), {by_sev.get('info', 0)} info"
        )
        lines = [head] + [f"  {rule}: {n}" for rule, n in self.counts.items()]
        lines += [f"note: {n}" for n in self.meta.notes]
        return "\n".join(lines)
