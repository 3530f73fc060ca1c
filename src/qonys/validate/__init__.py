"""Floor 1: check survey data against their codebook (types, codes, routing, rosters, ids).

:func:`validate` returns a :class:`ValidationReport` (one row per problem: file, sheet, row,
variable, rule, value kind, severity, message); :func:`missing_kinds` classifies every cell of a
variable as valid, skipped, refused, don't know or missing. Imports only :mod:`qonys._core`.
"""

from .core import OnError, missing_kinds, validate
from .report import REPORT_COLUMNS, SEVERITIES, VALUE_KINDS, Issue, ValidationReport

__all__ = [
    "REPORT_COLUMNS",
    "SEVERITIES",
    "VALUE_KINDS",
    "Issue",
    "OnError",
    "ValidationReport",
    "missing_kinds",
    "validate",
]
