"""One error hierarchy and one warning hierarchy for the whole package.

Every error a user can cause is a :class:`QonysError`. It carries three structured fields the
command line and the report render without a traceback:

``where``
    a :class:`Where` naming the file, sheet, row, variable (and value kind) at fault;
``rule``
    a short, stable identifier of the rule that was broken (``"sav.encoding"``,
    ``"xlsform.unknown-reference"``, ``"design.lonely-psu"``...), documented next to the code that
    raises it, so users and tests can match on it;
``hint``
    one sentence on how to fix it.

Rows are reported 1-based as a spreadsheet user counts them, and the reader says whether the
header line is counted (``Where.row`` is the *data* row, ``Where.line`` the physical line).

Examples
--------
>>> err = DataError("value 7 is not an allowed code", where=Where(file="x.csv", row=3,
...                 variable="q1"), rule="codes.allowed", hint="Recode 7 or add it to the list.")
>>> print(err)
x.csv, row 3, variable q1: value 7 is not an allowed code [rule codes.allowed]
  hint: Recode 7 or add it to the list.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = [
    "CodebookError",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataError",
    "DataWarning",
    "DesignError",
    "MetadataError",
    "PrivacyError",
    "PrivacyWarning",
    "QonysError",
    "QonysWarning",
    "ReadError",
    "StudyError",
    "Where",
    "WriteError",
]


@dataclass(frozen=True, slots=True)
class Where:
    """Location of a problem in the user's input.

    Every field is optional; only the known ones are printed.

    Parameters
    ----------
    file : str, optional
        File name as the user gave it (never a resolved machine path).
    sheet : str, optional
        Worksheet, repeat table or archive member.
    row : int, optional
        1-based data row (the first respondent is row 1).
    line : int, optional
        1-based physical line in a text file.
    variable : str, optional
        Variable (column) name.
    key : str, optional
        A configuration key (``study.toml`` section, option name).
    """

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    variable: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.variable is not None:
            parts.append(f"variable {self.variable}")
        if self.key is not None:
            parts.append(f"key {self.key}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return the known fields as a dict (unknown ones omitted)."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }

    def with_(self, **changes: Any) -> Where:
        """Return a copy with some fields changed."""
        return replace(self, **changes)


class QonysError(Exception):
    """Base of every error a user can cause.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence, without the location (that goes in ``where``).
    where : Where, optional
        Where it is wrong.
    rule : str
        Stable identifier of the rule broken.
    hint : str, optional
        How to fix it.
    """

    default_rule = "qonys.error"

    def __init__(
        self,
        message: str,
        *,
        where: Where | None = None,
        rule: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where if where is not None else Where()
        self.rule = rule if rule is not None else self.default_rule
        self.hint = hint

    def __str__(self) -> str:
        loc = str(self.where)
        head = f"{loc}: {self.message}" if loc else self.message
        text = f"{head} [rule {self.rule}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form used by ``--json`` output."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "where": self.where.to_dict(),
            "rule": self.rule,
            "hint": self.hint,
        }

    def located(self, **where: Any) -> QonysError:
        """Fill in location fields that are still unknown and return ``self``.

        Lets an outer layer (which knows the file name) complete an error raised by an inner one
        (which knew only the row).
        """
        current = self.where.to_dict()
        for k, v in where.items():
            if v is not None and current.get(k) is None:
                current[k] = v
        self.where = Where(**current)
        return self


class DataError(QonysError):
    """Survey data that break a rule: wrong type, unknown code, duplicate id, orphan roster row."""

    default_rule = "data"


class ReadError(DataError):
    """A file that cannot be read: missing, truncated, wrong format, undecodable, encrypted."""

    default_rule = "read"


class WriteError(QonysError):
    """A file that cannot be written as asked (name too long, unsupported type, refused export)."""

    default_rule = "write"


class CodebookError(QonysError):
    """Metadata that contradict themselves: an XLSForm, .sav dictionary or YAML codebook."""

    default_rule = "codebook"


MetadataError = CodebookError
"""Alias kept for readers of the style guide, which calls codebook errors metadata errors."""


class DesignError(QonysError):
    """A survey design or weighting request that cannot be honoured."""

    default_rule = "design"


class ConvergenceError(QonysError):
    """An iterative method that did not converge; the message says what was tried."""

    default_rule = "convergence"


class PrivacyError(QonysError):
    """An action refused because it would publish personal data."""

    default_rule = "privacy"


class StudyError(QonysError):
    """A mistake in a study file (``study.toml``)."""

    default_rule = "study"


class QonysWarning(UserWarning):
    """Base of every warning qonys emits, so users can filter them in one line."""


class DataWarning(QonysWarning):
    """Something in the data that is allowed but worth a look (e.g. a truncated label)."""


class ConvergenceWarning(QonysWarning):
    """An iterative method stopped early but returned a usable answer."""


class PrivacyWarning(QonysWarning):
    """Something that may disclose a respondent (small cells, free text)."""
