"""Floor 1: personal-data protection: small-cell suppression with secondary suppression.

:mod:`qonys.privacy.suppression` hides small cells of published tables so that no hidden value
can be recomputed from the margins, and flags unreliable estimates.
"""

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

__all__ = [
    "PROFILES",
    "DisclosureRules",
    "Profile",
    "SuppressionPattern",
    "feasible_intervals",
    "rse_flags",
    "suppress_lines",
    "suppress_table",
    "suppress_vector",
    "table_lines",
    "threshold_for",
]
