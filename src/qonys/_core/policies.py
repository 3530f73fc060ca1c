"""Named policies for missing data and degenerate cases.

Every policy is a ``Literal`` type with the failing choice first; that choice is the default
everywhere it is used. A function that accepts a policy checks it with :func:`check_policy` and
records what it did in its result's ``notes`` / ``n_dropped``.

The policies mirror their precedents: R's ``options(survey.lonely.psu=...)`` and
``na_weights``, statsmodels' ``missing=``, pingouin's ``nan_policy``.
"""

from __future__ import annotations

from typing import Literal, get_args

from .errors import QonysError, Where

__all__ = [
    "MISSING_POLICIES",
    "LonelyPSUPolicy",
    "MissingPolicy",
    "NaWeightsPolicy",
    "UndefinedPolicy",
    "UnknownCodePolicy",
    "check_policy",
]

MissingPolicy = Literal["fail", "drop", "available"]
"""Missing values in analysis variables.

``fail``
    raise a :class:`~qonys._core.errors.DataError` naming the variable and how many are missing;
``drop``
    drop incomplete cases (listwise) and report ``n_dropped``; for design-based estimators the
    cases stay in the design as a domain, so variances remain right;
``available``
    use every available value of each variable (pairwise / per variable).
"""

LonelyPSUPolicy = Literal["fail", "remove", "adjust", "average", "certainty"]
"""Strata with a single primary sampling unit (R: ``options(survey.lonely.psu=)``).

``fail`` (default) raises; ``remove`` drops the stratum's contribution to the variance;
``adjust`` centres the lonely PSU at the grand mean rather than the stratum mean; ``average``
replaces its contribution by the average of the other strata; ``certainty`` treats it as
selected with certainty (no variance contribution at this stage).
"""

NaWeightsPolicy = Literal["fail", "drop"]
"""Missing or non-positive weights: ``fail`` (default) or ``drop`` the rows (reported)."""

UnknownCodePolicy = Literal["fail", "missing"]
"""A value outside the codebook's codes: ``fail`` or treat as ``missing`` (reported)."""

UndefinedPolicy = Literal["nan", "fail"]
"""A statistic undefined for a case (an isolate's density): documented ``nan`` or ``fail``."""

MISSING_POLICIES: tuple[str, ...] = get_args(MissingPolicy)


def check_policy(value: object, policy_type: object, name: str) -> str:
    """Check a policy argument against its ``Literal`` type.

    Parameters
    ----------
    value : object
        The user's choice.
    policy_type : Literal type
        One of the policy types of this module.
    name : str
        The parameter name, used in the message.

    Returns
    -------
    str
        The validated choice.

    Raises
    ------
    QonysError
        If the value is not one of the allowed choices.

    Examples
    --------
    >>> check_policy("drop", MissingPolicy, "missing")
    'drop'
    """
    allowed = get_args(policy_type)
    if value not in allowed:
        raise QonysError(
            f"the {name!r} policy must be one of {', '.join(map(repr, allowed))}; got {value!r}",
            where=Where(key=name),
            rule="policy.unknown",
            hint=f"The default, {allowed[0]!r}, fails loudly; choose another value knowingly.",
        )
    return str(value)
