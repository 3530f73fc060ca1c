"""Position and resource generators: access to occupations and to resources through ties.

Both take the respondent table (one row per ego; one column per item, coded as the instrument's
``tie`` list: 1 relative, 2 friend, 3 acquaintance, 0 no one, 98 don't know, 99 refused) and
return one row per ego. An item counts as accessed when its code is in ``access`` (1-3); any
other answer, don't know and refused included, counts as not accessed (instrument documentation,
modules ``pg`` and ``rg``). An ego with no answer to any item gets ``NaN`` throughout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core.checks import check_columns
from .._core.results import Meta
from ._util import is_missing, member
from .classify import TIE_TYPES, TieRules, major_group, per_ego_types
from .prestige import PrestigeTable, load_position_generator, load_prestige
from .results import EgoMeasures, TieClassification

__all__ = [
    "STANDARD_RESOURCES",
    "TIE_STRENGTH",
    "GeneratorRules",
    "classify_position_contacts",
    "classify_resource_contacts",
    "position_generator",
    "resource_generator",
]

TIE_STRENGTH: Mapping[str, tuple[Any, ...]] = {
    "relative": (1,),
    "friend": (2,),
    "acquaintance": (3,),
}
"""Closest relation through which an item is reached: name -> codes of the ``tie`` list."""

STANDARD_RESOURCES: Mapping[str, tuple[str, ...]] = {
    "rg_prestige": ("rg_foreign_lang", "rg_legal", "rg_medical"),
    "rg_political": ("rg_money", "rg_officials", "rg_media", "rg_deputy"),
    "rg_skills": ("rg_repair", "rg_computer"),
    "rg_support": ("rg_talk", "rg_care", "rg_shelter"),
    "rg_urban": ("rg_job", "rg_registration", "rg_kindergarten", "rg_housing"),
}
"""Sub-scales of the standard resource generator (van der Gaag & Snijders 2005, localised)."""


@dataclasses.dataclass(frozen=True, slots=True)
class GeneratorRules:
    """How position- and resource-generator contacts are classified (METHODS 4.2).

    Parameters
    ----------
    access : codes
        Answers meaning "yes, I know such a person" (1-3).
    kin : codes
        The answer "a relative": a bonding tie.
    resident_suffix : str
        Suffix of the position generator's follow-up on the contact's residence
        (``pg_<occupation>_res``: 1 long-term resident, 2 newcomer, 3 not in the city).
    long_term, newcomer : codes
        Follow-up codes of a bridging (long-term resident) and a bonding (newcomer or not in
        the city) contact.
    linking_resources : tuple of str
        Resource items whose holder stands across a power gradient (knows how state offices
        work; knows a deputy or the akimat's leadership): linking through any tie.
    ego_isco, isco_level, authority_isco, prestige, prestige_gap
        As in :class:`TieRules`: an occupation of an authority major group at least
        ``prestige_gap`` points above ego's is a linking contact.
    """

    access: tuple[Any, ...] = (1, 2, 3)
    kin: tuple[Any, ...] = (1,)
    resident_suffix: str = "_res"
    long_term: tuple[Any, ...] = (1,)
    newcomer: tuple[Any, ...] = (2, 3)
    linking_resources: tuple[str, ...] = ("rg_officials", "rg_deputy")
    ego_isco: str | None = "ses_isco"
    isco_level: str = "major"
    authority_isco: tuple[Any, ...] = (1,)
    prestige: str | PrestigeTable = "siops08"
    prestige_gap: float = 15.0

    @classmethod
    def from_tie_rules(cls, rules: TieRules, **changes: Any) -> GeneratorRules:
        """The generator rules matching a roster rule set (same scale, gap and groups)."""
        base = cls(
            kin=(1,),
            ego_isco=rules.ego_isco,
            isco_level=rules.isco_level,
            authority_isco=rules.authority_isco,
            prestige=rules.prestige,
            prestige_gap=rules.prestige_gap,
        )
        return dataclasses.replace(base, **changes)

    def table(self) -> PrestigeTable:
        """The prestige table in force."""
        return (
            self.prestige
            if isinstance(self.prestige, PrestigeTable)
            else load_prestige(self.prestige)
        )


def _items_frame(frame: pd.DataFrame, items: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    check_columns(frame, list(items))
    answered = np.column_stack([~is_missing(frame[i]) for i in items])
    return answered, np.asarray(answered.any(axis=1), dtype=bool)


def position_generator(
    frame: pd.DataFrame,
    *,
    occupations: pd.DataFrame | None = None,
    prestige: str | PrestigeTable = "siops08",
    access: Sequence[Any] = (1, 2, 3),
) -> EgoMeasures:
    """Extensity, upper reachability, range and mean prestige of occupations accessed.

    .. math::

       \\text{extensity} = |A|, \\quad
       \\text{upper reachability} = \\max_{o \\in A} p_o, \\quad
       \\text{range} = \\max_{o \\in A} p_o - \\min_{o \\in A} p_o, \\quad
       \\bar p = \\frac{1}{|A|} \\sum_{o \\in A} p_o

    with :math:`A` the occupations accessed and :math:`p_o` their prestige.

    Parameters
    ----------
    frame : DataFrame
        One row per ego with one column per occupation.
    occupations : DataFrame, optional
        Indexed by item, with column ``isco08`` (4-digit unit group); the standard 18
        occupations (:func:`~qonys.network.prestige.load_position_generator`) by default.
    prestige : str or PrestigeTable
        Scale: ``"siops08"`` (default), ``"isei08"`` or a table.
    access : sequence
        Codes meaning accessed.

    Returns
    -------
    EgoMeasures
        Columns ``extensity``, ``upper_reachability``, ``range``, ``mean_prestige``; the last
        three are ``NaN`` when nothing is accessed, all four when no item was answered.

    References
    ----------
    Lin, N. & Dumin, M. (1986). Access to occupations through social ties. *Social Networks*
    8(4), 365-385. van der Gaag, M., Snijders, T. A. B. & Flap, H. (2008). Position generator
    measures and their relationship to other social capital measures. In Lin & Erickson (eds.),
    *Social Capital: An International Research Program*. Oxford University Press.

    Examples
    --------
    METHODS 4.3 toy values (not official SIOPS): teacher 69, driver 34, akim official 72.

    >>> occ = pd.DataFrame({"isco08": ["0001", "0002", "0003"]},
    ...                    index=["pg_teacher", "pg_driver", "pg_akimat"])
    >>> toy = PrestigeTable("toy", {"0001": 69, "0002": 34, "0003": 72})
    >>> df = pd.DataFrame({"pg_teacher": [2, 0], "pg_driver": [3, 0], "pg_akimat": [1, 0]})
    >>> res = position_generator(df, occupations=occ, prestige=toy)
    >>> res.values.iloc[0, :3].tolist(), round(float(res.values.iloc[0, 3]), 2)
    ([3.0, 72.0, 38.0], 58.33)
    >>> res.values.iloc[1].tolist()                   # nothing accessed
    [0.0, nan, nan, nan]
    """
    occ = occupations if occupations is not None else load_position_generator()
    items = list(occ.index)
    table = prestige if isinstance(prestige, PrestigeTable) else load_prestige(prestige)
    p = table.score(occ["isco08"].astype(str).tolist(), level="unit")
    answered, any_answer = _items_frame(frame, items)
    acc = np.column_stack([member(frame[i], list(access)) for i in items])
    scored = acc & ~np.isnan(p)[None, :]
    pp = np.nan_to_num(p)[None, :]
    ext = acc.sum(axis=1).astype(float)
    k = scored.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        hi = np.where(k > 0, np.where(scored, pp, -np.inf).max(axis=1), np.nan)
        lo = np.where(k > 0, np.where(scored, pp, np.inf).min(axis=1), np.nan)
        mean = np.where(k > 0, np.where(scored, pp, 0.0).sum(axis=1) / k, np.nan)
    values = pd.DataFrame(
        {"extensity": ext, "upper_reachability": hi, "range": hi - lo, "mean_prestige": mean},
        index=frame.index,
    )
    values.loc[~any_answer, :] = np.nan
    notes = []
    if np.isnan(p).any():
        notes.append(f"{int(np.isnan(p).sum())} occupation(s) without a prestige score")
    if (~any_answer).any():
        notes.append(f"{int((~any_answer).sum())} ego(s) answered no item: NaN")
    meta = Meta(
        method="position generator (Lin & Dumin 1986)",
        policies={"prestige": table.scale, "access": str(tuple(access))},
        notes=tuple(notes),
        n_used=int(any_answer.sum()),
        n_dropped=int((~any_answer).sum()),
    )
    return EgoMeasures(values, pd.Series(answered.sum(axis=1), index=frame.index), meta)


def resource_generator(
    frame: pd.DataFrame,
    *,
    subscales: Mapping[str, Sequence[str]] = STANDARD_RESOURCES,
    access: Sequence[Any] = (1, 2, 3),
    strength: Mapping[str, Sequence[Any]] = TIE_STRENGTH,
) -> EgoMeasures:
    """Resources accessed, by sub-scale and by the closest tie through which they are reached.

    Returns
    -------
    EgoMeasures
        One column per sub-scale (number of its items accessed), ``rg_total`` (all items),
        and ``via_<tie>`` (items reached through a relative, a friend, an acquaintance);
        ``NaN`` for an ego who answered no item.

    References
    ----------
    van der Gaag, M. & Snijders, T. A. B. (2005). The Resource Generator: social capital
    quantification with concrete items. *Social Networks* 27(1), 1-29.

    Examples
    --------
    >>> df = pd.DataFrame({"a1": [1, 0], "a2": [3, 98], "b1": [2, None]})
    >>> res = resource_generator(df, subscales={"A": ["a1", "a2"], "B": ["b1"]})
    >>> res.values.loc[0].tolist()
    [2.0, 1.0, 3.0, 1.0, 1.0, 1.0]
    >>> res.values.columns.tolist()
    ['A', 'B', 'rg_total', 'via_relative', 'via_friend', 'via_acquaintance']
    """
    items = [i for its in subscales.values() for i in its]
    answered, any_answer = _items_frame(frame, items)
    out: dict[str, np.ndarray] = {}
    for name, its in subscales.items():
        out[name] = np.sum([member(frame[i], list(access)) for i in its], axis=0).astype(float)
    out["rg_total"] = np.sum([member(frame[i], list(access)) for i in items], axis=0).astype(float)
    for tie, codes in strength.items():
        out[f"via_{tie}"] = np.sum([member(frame[i], list(codes)) for i in items], axis=0).astype(
            float
        )
    values = pd.DataFrame(out, index=frame.index)
    values.loc[~any_answer, :] = np.nan
    meta = Meta(
        method="resource generator (van der Gaag & Snijders 2005)",
        policies={"access": str(tuple(access))},
        notes=(f"{int((~any_answer).sum())} ego(s) answered no item: NaN",)
        if (~any_answer).any()
        else (),
        n_used=int(any_answer.sum()),
        n_dropped=int((~any_answer).sum()),
    )
    return EgoMeasures(values, pd.Series(answered.sum(axis=1), index=frame.index), meta)


def _contacts(frame: pd.DataFrame, items: Sequence[str], rules: GeneratorRules) -> pd.DataFrame:
    """Long table of accessed items: row position of the ego and the item."""
    check_columns(frame, list(items))
    acc = np.column_stack([member(frame[i], list(rules.access)) for i in items])
    ego_pos, item_pos = np.nonzero(acc)
    return pd.DataFrame({"ego_pos": ego_pos, "item": np.asarray(items, dtype=object)[item_pos]})


def _finish(
    frame: pd.DataFrame, long: pd.DataFrame, tie_type: np.ndarray, rule: np.ndarray, method: str
) -> TieClassification:
    ego_pos = long["ego_pos"].to_numpy()
    ties = pd.DataFrame(
        {
            "ego": frame.index.to_numpy()[ego_pos],
            "alter": long["item"].to_numpy(),
            "tie_type": tie_type,
            "rule": rule,
        }
    )
    per_ego = per_ego_types(ego_pos, tie_type, len(frame), frame.index)
    n_unc = int((tie_type == "unclassified").sum())
    notes = (f"{n_unc} contact(s) matched no rule (unclassified)",) if n_unc else ()
    meta = Meta(method=method, notes=notes, n_used=len(frame), n_dropped=0)
    return TieClassification(ties, per_ego, TIE_TYPES, meta)


def _cell(frame: pd.DataFrame, long: pd.DataFrame, suffix: str = "") -> pd.Series:
    """Value of column ``<item><suffix>`` at each contact's ego row (missing if absent)."""
    out = pd.Series([None] * len(long), dtype=object)
    for item, idx in long.groupby("item").groups.items():
        col = f"{item}{suffix}"
        if col in frame.columns:
            out.iloc[np.asarray(idx)] = frame[col].to_numpy(dtype=object)[
                long.loc[idx, "ego_pos"].to_numpy()
            ]
    return out


def classify_position_contacts(
    frame: pd.DataFrame,
    *,
    occupations: pd.DataFrame | None = None,
    rules: GeneratorRules | None = None,
) -> TieClassification:
    """Classify each occupation accessed in the position generator as a tie type.

    Rules, first match wins: **linking** if the occupation holds formal authority (the
    ``authority`` column of ``occupations``: akimat official, police officer, lawyer or judge)
    or is in an authority major group (managers) at least ``prestige_gap`` points above ego's
    prestige; **bonding** if reached through a relative, or the contact is a newcomer or does
    not live in the city; **bridging** if the contact is a long-term city resident; otherwise
    **unclassified**.

    Examples
    --------
    >>> df = pd.DataFrame({"ses_isco": [9], "pg_akimat": [3], "pg_driver": [2],
    ...                    "pg_driver_res": [1], "pg_trader": [1], "pg_business": [3],
    ...                    "pg_business_res": [2]})
    >>> occ = load_position_generator().loc[["pg_akimat", "pg_driver", "pg_trader",
    ...                                      "pg_business"]]
    >>> res = classify_position_contacts(df, occupations=occ)
    >>> res.ties[["alter", "tie_type", "rule"]].values.tolist()
    [['pg_akimat', 'linking', 'authority'], ['pg_driver', 'bridging', 'long_term_resident'], \
['pg_trader', 'bonding', 'kin'], ['pg_business', 'linking', 'prestige_gap']]
    """
    rules = rules or GeneratorRules()
    occ = occupations if occupations is not None else load_position_generator()
    items = list(occ.index)
    long = _contacts(frame, items, rules)
    tie = _cell(frame, long)
    res = _cell(frame, long, rules.resident_suffix)
    authority = occ["authority"].astype(bool).reindex(long["item"]).to_numpy()
    isco = occ["isco08"].astype(str).reindex(long["item"])
    table = rules.table()
    p_item = table.score(isco.tolist(), level="unit")
    gap = np.zeros(len(long), dtype=bool)
    if rules.ego_isco is not None and rules.ego_isco in frame.columns:
        ego_codes = frame[rules.ego_isco].to_numpy(dtype=object)[long["ego_pos"].to_numpy()]
        p_ego = table.score(ego_codes, level=rules.isco_level)  # type: ignore[arg-type]
        maj = major_group(pd.Series(isco.to_numpy()), "unit")
        with np.errstate(invalid="ignore"):
            gap = member(maj, [str(c) for c in rules.authority_isco]) & (
                p_item - p_ego >= rules.prestige_gap
            )
    conds = [
        authority,
        gap,
        member(tie, list(rules.kin)),
        member(res, list(rules.newcomer)),
        member(res, list(rules.long_term)),
    ]
    tie_type = np.select(
        conds, ["linking", "linking", "bonding", "bonding", "bridging"], default="unclassified"
    )
    rule = np.select(
        conds,
        ["authority", "prestige_gap", "kin", "newcomer", "long_term_resident"],
        default="no_rule",
    )
    return _finish(frame, long, tie_type, rule, "position-generator contacts (METHODS 4.2)")


def classify_resource_contacts(
    frame: pd.DataFrame,
    *,
    subscales: Mapping[str, Sequence[str]] = STANDARD_RESOURCES,
    rules: GeneratorRules | None = None,
) -> TieClassification:
    """Classify each resource accessed in the resource generator as a tie type.

    The resource generator records only the closest relation to the holder, so: **linking**
    for the resources whose holder stands across a power gradient (``linking_resources``),
    **bonding** for a resource reached through a relative, and **unclassified** otherwise
    (nothing recorded tells a bridging friend from a bonding one).

    Examples
    --------
    >>> df = pd.DataFrame({"rg_officials": [2], "rg_talk": [1], "rg_job": [3]})
    >>> res = classify_resource_contacts(df, subscales={"x": ["rg_officials", "rg_talk",
    ...                                                       "rg_job"]})
    >>> res.ties["tie_type"].tolist()
    ['linking', 'bonding', 'unclassified']
    """
    rules = rules or GeneratorRules()
    items = [i for its in subscales.values() for i in its]
    long = _contacts(frame, items, rules)
    tie = _cell(frame, long)
    linking = long["item"].isin(list(rules.linking_resources)).to_numpy()
    conds = [linking, member(tie, list(rules.kin))]
    tie_type = np.select(conds, ["linking", "bonding"], default="unclassified")
    rule = np.select(conds, ["linking_resource", "kin"], default="no_rule")
    return _finish(frame, long, tie_type, rule, "resource-generator contacts (METHODS 4.2)")
