"""Floor 1: personal-data protection.

Direct identifiers in survey data (Kazakhstan's IIN, phones, e-mails, names): :func:`scan`
reports where identifiers are (counts and masked examples, never values);
:func:`drop_identifiers` and :func:`hash_identifiers` return cleaned datasets;
:func:`require_no_identifiers` is the gate export commands pass through.

Published tables: :mod:`qonys.privacy.suppression` hides small cells so that no hidden value can
be recomputed from the margins, and flags unreliable estimates. Imports only :mod:`qonys._core`.
"""

from .columns import column_kind, label_kind
from .detectors import find_identifiers, identifiers_in_number
from .iin import iin_birth_date, iin_check_digit, iin_kind, is_valid_iin
from .scan import PIIFinding, PIIReport, scan
from .suppression import (
    PROFILES,
    DisclosureRules,
    Profile,
    SuppressionPattern,
    feasible_intervals,
    rse_flags,
    suppress_lines,
    suppress_table,
    suppress_vector,
    table_lines,
    threshold_for,
)
from .transform import drop_identifiers, hash_identifiers, require_no_identifiers

__all__ = [
    "PROFILES",
    "DisclosureRules",
    "PIIFinding",
    "PIIReport",
    "Profile",
    "SuppressionPattern",
    "column_kind",
    "drop_identifiers",
    "feasible_intervals",
    "find_identifiers",
    "hash_identifiers",
    "identifiers_in_number",
    "iin_birth_date",
    "iin_check_digit",
    "iin_kind",
    "is_valid_iin",
    "label_kind",
    "require_no_identifiers",
    "rse_flags",
    "scan",
    "suppress_lines",
    "suppress_table",
    "suppress_vector",
    "table_lines",
    "threshold_for",
]
