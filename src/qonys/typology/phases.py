"""The three-phase rule set (METHODS 7.3): circular -> settled -> integrated.

Rules are evaluated top-down; thresholds are parameters (:class:`PhaseThresholds`) so that the
sensitivity analysis of METHODS 7.3 (+-50 % on the 12-month and 5-year thresholds) is a loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._core.checks import check_columns
from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy, check_policy

__all__ = ["HOUSING_ORDER", "PHASES", "PhaseThresholds", "classify_phase"]

PHASES = ("circular", "settled", "integrated", "transitional")
HOUSING_ORDER = ("dorm", "room_rent", "flat_rent", "owned_mortgage", "owned")
"""Housing tenure from least to most settled (METHODS 7.2)."""

_COLUMNS = (
    "return_stays_per_year",
    "months_in_origin_per_year",
    "seasonal_work",
    "registration",
    "registration_months",
    "core_family_location",
    "intention",
    "continuous_months",
    "housing_tenure",
    "complex_integration",
)


@dataclasses.dataclass(frozen=True, slots=True)
class PhaseThresholds:
    """Parameters of the rule set (defaults from METHODS 7.3)."""

    return_stays: float = 2
    months_in_origin: float = 3
    continuous_months: float = 12
    temporary_registration_months: float = 24
    min_housing: str = "room_rent"


def classify_phase(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    thresholds: PhaseThresholds | None = None,
    missing: MissingPolicy = "fail",
) -> pd.Series:
    """Phase of each respondent by the deterministic rules of METHODS 7.3.

    Parameters
    ----------
    frame : DataFrame
        Indicators, with columns named as in :data:`_COLUMNS` or renamed via ``columns``:
        ``registration`` in {none, temporary, permanent}; ``core_family_location`` in {origin,
        city, mixed}; ``intention`` in {stay, unsure, return, move_on} (``stay`` = 5 years or
        more / permanently); ``housing_tenure`` in :data:`HOUSING_ORDER`;
        ``seasonal_work`` and ``complex_integration`` boolean (the latter from
        :func:`qonys.measure.complex_integration` == "complex").
    columns : Mapping, optional
        Rule name -> column name.
    thresholds : PhaseThresholds, optional
    missing : {"fail", "drop", "available"}
        ``fail`` raises on a missing indicator; otherwise such respondents get a missing phase.

    Returns
    -------
    Series
        ``circular``, ``settled``, ``integrated`` or ``transitional`` (neither circular nor
        settled: report its share).

    Notes
    -----
    ::

        CIRCULAR   (stays >= 2 or months in origin >= 3 or seasonal work)
                   and registration != permanent
                   and (family in origin or intention in {return, unsure})
        SETTLED    not CIRCULAR and continuous months >= 12
                   and (family in city or intention == stay) and housing >= room rent
        INTEGRATED SETTLED and (permanent registration or temporary >= 24 months)
                   and complex integration

    Examples
    --------
    >>> df = pd.DataFrame({"return_stays_per_year": [3, 0], "months_in_origin_per_year": [4, 0],
    ...     "seasonal_work": [True, False], "registration": ["temporary", "permanent"],
    ...     "registration_months": [2, 60], "core_family_location": ["origin", "city"],
    ...     "intention": ["return", "stay"], "continuous_months": [5, 80],
    ...     "housing_tenure": ["dorm", "owned"], "complex_integration": [False, True]})
    >>> classify_phase(df).tolist()
    ['circular', 'integrated']
    """
    check_policy(missing, MissingPolicy, "missing")
    t = thresholds or PhaseThresholds()
    names = {c: (columns or {}).get(c, c) for c in _COLUMNS}
    check_columns(frame, list(names.values()))
    d = frame.rename(columns={v: k for k, v in names.items()})[list(_COLUMNS)]
    incomplete = d.isna().any(axis=1).to_numpy()
    if incomplete.any() and missing == "fail":
        row = int(np.flatnonzero(incomplete)[0])
        col = str(d.columns[d.iloc[row].isna().to_numpy()][0])
        raise DataError(
            f"{int(incomplete.sum())} respondents have missing phase indicators",
            where=Where(row=row + 1, variable=names[col]),
            rule="typology.phase-missing",
            hint="Use missing='drop' to leave them unclassified.",
        )
    if t.min_housing not in HOUSING_ORDER:
        raise DataError(
            f"min_housing must be one of {HOUSING_ORDER}", rule="typology.phase-housing"
        )
    housing = d["housing_tenure"].map({h: i for i, h in enumerate(HOUSING_ORDER)})
    unknown = d["housing_tenure"].notna() & housing.isna()
    if unknown.any():
        raise DataError(
            f"unknown housing tenure {d['housing_tenure'][unknown].iloc[0]!r}",
            where=Where(variable=names["housing_tenure"]),
            rule="typology.phase-housing",
            hint=f"Use one of {HOUSING_ORDER}.",
        )
    mobile = (
        (d["return_stays_per_year"] >= t.return_stays)
        | (d["months_in_origin_per_year"] >= t.months_in_origin)
        | d["seasonal_work"].astype(bool)
    )
    not_perm = d["registration"] != "permanent"
    tied = (d["core_family_location"] == "origin") | d["intention"].isin(["return", "unsure"])
    circular = mobile & not_perm & tied
    settled = (
        ~circular
        & (d["continuous_months"] >= t.continuous_months)
        & ((d["core_family_location"] == "city") | (d["intention"] == "stay"))
        & (housing >= HOUSING_ORDER.index(t.min_housing))
    )
    registered = (d["registration"] == "permanent") | (
        (d["registration"] == "temporary")
        & (d["registration_months"] >= t.temporary_registration_months)
    )
    integrated = settled & registered & d["complex_integration"].astype(bool)
    out = pd.Series("transitional", index=frame.index, dtype=object)
    out[settled] = "settled"
    out[integrated] = "integrated"
    out[circular] = "circular"
    out[incomplete] = None
    out.name = "phase"
    return out
