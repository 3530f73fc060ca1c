"""``scan``: find direct identifiers in a dataset, reporting counts, never values.

For every table (main and rosters) and column, :func:`scan` reports

* columns that are identifiers by name, label or type (rule ``pii.column-name``,
  ``pii.column-label``, ``pii.geopoint``), with the number of non-empty cells;
* cells of free-text (and untyped) columns holding an IIN (``pii.iin``; a wrong check digit:
  ``pii.iin-possible``), a phone number (``pii.phone``), an e-mail (``pii.email``) or a person's
  name (``pii.name``), and integer cells holding an IIN or a phone number;

see :mod:`qonys.privacy.detectors` and :mod:`qonys.privacy.columns` for the rules. Coded
answers (select_one, select_multiple, binary, dates) are not searched.

The report holds the variable, the kind, the count of cells and the rule, and at most one
*masked* example (the first character and five stars: ``8*****``), never a value.

Examples
--------
>>> import pandas as pd
>>> from qonys._core import Codebook, Dataset, Variable
>>> ds = Dataset(pd.DataFrame({"comment": ["звоните 87012345678", "жақсы", None]}),
...              Codebook(variables=(Variable("comment", "text"),)))
>>> print(scan(ds).to_frame().to_string(index=False))
sheet variable  kind  count      rule example
 None  comment phone      1 pii.phone  8*****
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, Meta, ResultMixin, Variable
from .columns import column_kind, label_kind
from .detectors import find_identifiers, identifiers_in_number

__all__ = ["PIIFinding", "PIIReport", "scan"]

_RULES = {
    "iin": "pii.iin",
    "possible_iin": "pii.iin-possible",
    "phone": "pii.phone",
    "email": "pii.email",
    "person_name": "pii.name",
}
_CODED = frozenset({"select_one", "select_multiple", "binary", "date", "datetime", "time"})

_TEXTUAL = frozenset({"text", "calculate", "other"})
_LABEL_TYPES: dict[str, frozenset[str]] = {
    # A question's text flags its column only where the answer can hold what the text names:
    # a count of address changes ("How many times have you changed your address?") is a
    # number, not an address; phone numbers and IINs may be stored as numbers.
    "name": _TEXTUAL,
    "address": _TEXTUAL,
    "email": _TEXTUAL,
    "phone": _TEXTUAL | {"integer", "decimal"},
    "iin": _TEXTUAL | {"integer", "decimal"},
}


def mask(text: str) -> str:
    """First character and five stars (``"87012345678"`` -> ``"8*****"``)."""
    return (text[:1] or "?") + "*****"


@dataclasses.dataclass(frozen=True, slots=True)
class PIIFinding:
    """Direct identifiers found in one column."""

    variable: str
    kind: str
    count: int
    rule: str
    sheet: str | None = None
    example: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class PIIReport(ResultMixin):
    """What :func:`scan` found (see the module docstring).

    Attributes
    ----------
    findings : tuple of PIIFinding
        One entry per (table, column, kind).
    meta : Meta
        Method, the variables allowed by the caller, notes.
    """

    findings: tuple[PIIFinding, ...]
    meta: Meta

    @property
    def clean(self) -> bool:
        """Whether no direct identifier was found."""
        return not self.findings

    @property
    def variables(self) -> tuple[str, ...]:
        """Flagged variables (each once, in the order found)."""
        return tuple(dict.fromkeys(f.variable for f in self.findings))

    def kinds_of(self, variable: str) -> tuple[str, ...]:
        """Kinds found in ``variable``."""
        return tuple(dict.fromkeys(f.kind for f in self.findings if f.variable == variable))

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: sheet, variable, kind, count, rule, example (masked)."""
        cols = ["sheet", "variable", "kind", "count", "rule", "example"]
        return pd.DataFrame(
            {
                c: pd.Series(
                    [getattr(f, c) for f in self.findings],
                    dtype="int64" if c == "count" else object,
                )
                for c in cols
            }
        )

    def summary(self) -> str:
        """Flagged variables and kinds."""
        if self.clean:
            return "PIIReport: no direct identifiers found"
        lines = [f"PIIReport: {len(self.variables)} variable(s) hold direct identifiers"]
        lines += [
            f"  {(f.sheet + ': ') if f.sheet else ''}{f.variable}: {f.kind} in {f.count} "
            f"cell(s) [{f.rule}]"
            for f in self.findings
        ]
        return "\n".join(lines)


def _non_empty(col: pd.Series) -> int:
    values = col.tolist()
    return sum(
        1
        for x in values
        if not (
            x is None
            or x is pd.NA
            or x is pd.NaT
            or x == ""
            or (isinstance(x, float) and np.isnan(x))
        )
    )


def _scan_values(col: pd.Series) -> dict[str, tuple[int, str]]:
    """Kind -> (cells, first match) for one column."""
    out: dict[str, tuple[int, str]] = {}
    counts = col.dropna().value_counts(sort=False)
    integer = pd.api.types.is_integer_dtype(col.dtype)
    for value, n in counts.items():
        if integer or (isinstance(value, int | np.integer) and not isinstance(value, bool)):
            found = identifiers_in_number(int(value))  # type: ignore[call-overload]
        elif isinstance(value, str):
            if not value.strip():
                continue
            found = find_identifiers(value)
        else:
            continue
        for kind, match in found.items():
            cells, example = out.get(kind, (0, match))
            out[kind] = (cells + int(n), example)
    return out


def _columns_to_search(var: Variable | None, col: pd.Series) -> bool:
    if var is not None and var.type in _CODED:
        return False
    dt = col.dtype
    return bool(
        pd.api.types.is_string_dtype(dt)
        or pd.api.types.is_object_dtype(dt)
        or pd.api.types.is_integer_dtype(dt)
    )


def scan(
    dataset: Dataset,
    *,
    codebook: Codebook | None = None,
    allow: Iterable[str] = (),
) -> PIIReport:
    """Find direct identifiers in every table of ``dataset``.

    Parameters
    ----------
    dataset : Dataset
        Survey data with its codebook.
    codebook : Codebook, optional
        Metadata (types and labels); the dataset's own by default.
    allow : iterable of str
        Variables known not to identify anyone (a false alarm such as ``team_name``); they are
        not reported, and the report's meta records them.

    Returns
    -------
    PIIReport
    """
    cb = codebook if codebook is not None else dataset.codebook
    allowed = tuple(dict.fromkeys(allow))
    findings: list[PIIFinding] = []
    tables = [(None, dataset.data), *dataset.rosters.items()]
    for sheet, frame in tables:
        for c in frame.columns:
            name = str(c)
            if name in allowed:
                continue
            col = frame[c]
            var = cb.variable(name) if name in cb else None
            by_column: list[tuple[str, str]] = []
            kind = column_kind(name)
            if kind is not None:
                by_column.append((kind, "pii.column-name"))
            if var is not None and var.type == "geopoint" and kind != "geolocation":
                by_column.append(("geolocation", "pii.geopoint"))
            if var is not None and var.type not in _CODED and kind is None:
                label_hit = next(
                    (
                        k
                        for k in map(label_kind, var.label.values())
                        if k is not None and var.type in _LABEL_TYPES.get(k, _TEXTUAL)
                    ),
                    None,
                )
                if label_hit is not None:
                    by_column.append((label_hit, "pii.column-label"))
            filled = _non_empty(col) if by_column else 0
            for k, rule in by_column:
                findings.append(PIIFinding(name, k, filled, rule, sheet))
            if _columns_to_search(var, col):
                for k, (n, example) in _scan_values(col).items():
                    findings.append(PIIFinding(name, k, n, _RULES[k], sheet, mask(example)))
    return PIIReport(
        tuple(findings),
        Meta(
            method="rule-based scan for direct identifiers (IIN, phone, e-mail, names, columns)",
            call={"allow": list(allowed)},
            n_used=dataset.n,
        ),
    )
