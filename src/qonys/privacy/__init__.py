"""Floor 1: direct identifiers in survey data (Kazakhstan's IIN, phones, e-mails, names).

:func:`scan` reports where identifiers are (counts and masked examples, never values);
:func:`drop_identifiers` and :func:`hash_identifiers` return cleaned datasets;
:func:`require_no_identifiers` is the gate export commands pass through. Imports only
:mod:`qonys._core`.
"""

from .columns import column_kind, label_kind
from .detectors import find_identifiers, identifiers_in_number
from .iin import iin_birth_date, iin_check_digit, iin_kind, is_valid_iin
from .scan import PIIFinding, PIIReport, scan
from .transform import drop_identifiers, hash_identifiers, require_no_identifiers

__all__ = [
    "PIIFinding",
    "PIIReport",
    "column_kind",
    "drop_identifiers",
    "find_identifiers",
    "hash_identifiers",
    "identifiers_in_number",
    "iin_birth_date",
    "iin_check_digit",
    "iin_kind",
    "is_valid_iin",
    "label_kind",
    "require_no_identifiers",
    "scan",
]
