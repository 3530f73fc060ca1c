"""Bonding, bridging and linking ties: the rule set of METHODS 4.2 as configuration.

Definitions (Szreter & Woolcock 2004): *bonding* ties join people who see themselves as similar
in social identity; *bridging* ties join people who know they are unlike each other but are of
roughly equal status and power; *linking* ties cross explicit, formal or institutionalised power
or authority gradients. Each alter is classified by the first rule that matches:

1. **linking** -- the alter holds formal authority (``authority``), or the relation is to an
   institution's staff (employer or manager, official, NGO or social worker: ``institutional``),
   or the alter is in an authority ISCO major group (managers) with a prestige score at least
   ``prestige_gap`` above ego's;
2. **bonding** -- kin, or of the same origin (village, district or region) *and* a newcomer or
   not living in the city *and* of similar status (education within ``education_gap`` levels
   and, when both work, the same ISCO major group);
3. **bridging** -- a long-term city resident, from another region or born in the city, or of
   another ethnicity, with no authority gradient (rule 1 did not match);
4. **bonding_weak** -- same origin but different status (kept apart, as METHODS asks);
5. **unclassified** -- no rule matched and the origin is not known to be the same.

A missing value never satisfies a condition (a "don't know" on authority is not authority);
an occupation comparison is *not applicable* when ego or alter has no occupation, and status
similarity then rests on education alone. Every attribute, code list, threshold and the
prestige scale are fields of :class:`TieRules`; the defaults are the standard instrument's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.results import Meta
from ._util import is_missing, member, numeric
from .data import ALTER, EGO, EgoNetworks
from .prestige import IscoLevel, PrestigeTable, load_prestige
from .results import TieClassification

__all__ = ["TIE_TYPES", "TieRules", "classify_ties", "per_ego_types"]

TIE_TYPES: tuple[str, ...] = ("bonding", "bridging", "linking", "bonding_weak", "unclassified")
"""Tie types in report order."""


@dataclasses.dataclass(frozen=True, slots=True)
class TieRules:
    """The bonding / bridging / linking rule set (METHODS 4.2); ``None`` switches a part off.

    Parameters
    ----------
    relation, kin, institutional : str, codes, codes
        Alter relation variable; codes of kin (rule 2) and of institutional relations
        (rule 1). Standard: ``net_a_relation``, 1 = relative, 6-8 = employer or manager,
        official, NGO or social worker.
    authority, authority_codes : str, codes
        "Holds formal authority" variable and its yes codes (``net_a_authority = 1``).
    origin, same_origin, other_origin : str, codes, codes
        Alter origin relative to ego (``net_a_origin``: 1-3 home village, district or region;
        4 another region; 5 born in the city).
    status, newcomer, long_term : str, codes, codes
        Alter's residence (``net_a_status``: 1 long-term resident, 2 moved < 10 years ago,
        3 does not live in the city).
    ethnicity, other_ethnicity : str, codes
        "Same ethnicity as you" (``net_a_same_ethn``) and the codes meaning another (0 = no).
    education, ego_education, education_gap : str, str, float
        Ordered education codes of alter and ego, and the largest difference counted as
        similar (1 level).
    isco, ego_isco, isco_level : str, str, {"major", "unit"}
        ISCO-08 codes of alter and ego (the standard instrument records major groups).
    authority_isco : codes
        ISCO major groups with authority (1 = managers).
    prestige, prestige_gap : str or PrestigeTable, float
        Prestige scale (``"siops08"`` default, or ``"isei08"``, or a table) and Δ: an alter of
        an authority group at least Δ points above ego is linking (15 SIOPS points).
    similar_occupation : {"major_group", "major_group_or_prestige"}
        Status similarity on occupation: the same major group, or also a prestige difference
        below Δ.
    """

    relation: str | None = "net_a_relation"
    kin: tuple[Any, ...] = (1,)
    institutional: tuple[Any, ...] = (6, 7, 8)
    authority: str | None = "net_a_authority"
    authority_codes: tuple[Any, ...] = (1,)
    origin: str | None = "net_a_origin"
    same_origin: tuple[Any, ...] = (1, 2, 3)
    other_origin: tuple[Any, ...] = (4, 5)
    status: str | None = "net_a_status"
    newcomer: tuple[Any, ...] = (2, 3)
    long_term: tuple[Any, ...] = (1,)
    ethnicity: str | None = "net_a_same_ethn"
    other_ethnicity: tuple[Any, ...] = (0,)
    education: str | None = "net_a_edu"
    ego_education: str | None = "ses_edu"
    education_gap: float = 1.0
    isco: str | None = "net_a_isco"
    ego_isco: str | None = "ses_isco"
    isco_level: IscoLevel = "major"
    authority_isco: tuple[Any, ...] = (1,)
    prestige: str | PrestigeTable = "siops08"
    prestige_gap: float = 15.0
    similar_occupation: Literal["major_group", "major_group_or_prestige"] = "major_group"

    def table(self) -> PrestigeTable:
        """The prestige table in force."""
        return (
            self.prestige
            if isinstance(self.prestige, PrestigeTable)
            else load_prestige(self.prestige)
        )

    def describe(self) -> dict[str, str]:
        """The rule set as plain strings (for a result's ``meta.policies``)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.scale if isinstance(v, PrestigeTable) else str(v)
        return out


def _alter(net: EgoNetworks, col: str | None) -> pd.Series | None:
    if col is None:
        return None
    if col not in net.alters.columns:
        raise DataError(
            f"the tie rules use alter attribute {col!r}, which the alter table lacks",
            where=Where(sheet="alters", variable=col),
            rule="network.rule-attribute",
            hint="Set that field of TieRules to the right column, or to None to skip it.",
        )
    return net.alters[col]


def _ego(net: EgoNetworks, col: str | None) -> pd.Series | None:
    if col is None:
        return None
    if col not in net.egos.columns:
        raise DataError(
            f"the tie rules use ego attribute {col!r}, which the ego table lacks",
            where=Where(sheet="egos", variable=col),
            rule="network.rule-attribute",
            hint="Set that field of TieRules to the right column, or to None to skip it.",
        )
    return net.ego_values(col)


def _in(values: pd.Series | None, codes: Sequence[Any], n: int) -> np.ndarray:
    return np.zeros(n, dtype=bool) if values is None else member(values, codes)


def major_group(values: pd.Series, level: IscoLevel) -> pd.Series:
    """ISCO-08 major group (text ``"0"``-``"9"``) of codes written at ``level``."""
    text = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    if level == "unit":
        text = text.str.zfill(4).str[0]
    return text.where(text.str.fullmatch(r"\d").fillna(False).astype(bool))


def _rules(net: EgoNetworks, rules: TieRules) -> tuple[np.ndarray, np.ndarray]:
    """Tie type and deciding rule of every alter row."""
    n = net.n_alters
    rel = _alter(net, rules.relation)
    authority = _in(_alter(net, rules.authority), rules.authority_codes, n)
    institution = _in(rel, rules.institutional, n)
    # prestige gap towards an authority occupation
    gap = np.zeros(n, dtype=bool)
    occ_ok = np.ones(n, dtype=bool)
    isco_a, isco_e = _alter(net, rules.isco), _ego(net, rules.ego_isco)
    if isco_a is not None and isco_e is not None:
        table = rules.table()
        maj_a, maj_e = major_group(isco_a, rules.isco_level), major_group(isco_e, rules.isco_level)
        p_a = table.score(isco_a, level=rules.isco_level)
        p_e = table.score(isco_e, level=rules.isco_level)
        with np.errstate(invalid="ignore"):
            gap = member(maj_a, [str(c) for c in rules.authority_isco]) & (
                p_a - p_e >= rules.prestige_gap
            )
        both = ~(is_missing(maj_a) | is_missing(maj_e))
        same = (maj_a == maj_e).to_numpy(dtype=bool, na_value=False)
        if rules.similar_occupation == "major_group_or_prestige":
            with np.errstate(invalid="ignore"):
                same = same | (np.abs(p_a - p_e) < rules.prestige_gap)
        occ_ok = ~both | same
    edu_ok = np.ones(n, dtype=bool)
    edu_a, edu_e = _alter(net, rules.education), _ego(net, rules.ego_education)
    if edu_a is not None and edu_e is not None:
        with np.errstate(invalid="ignore"):
            d = np.abs(numeric(edu_a, str(rules.education)) - numeric(edu_e, "ego education"))
            edu_ok = d <= rules.education_gap
    similar = edu_ok & occ_ok
    orig, stat = _alter(net, rules.origin), _alter(net, rules.status)
    same_origin = _in(orig, rules.same_origin, n)
    kin = _in(rel, rules.kin, n)
    bond_origin = same_origin & _in(stat, rules.newcomer, n) & similar
    other = (
        _in(stat, rules.long_term, n)
        | _in(orig, rules.other_origin, n)
        | _in(_alter(net, rules.ethnicity), rules.other_ethnicity, n)
    )
    conds = [authority, institution, gap, kin, bond_origin, other, same_origin]
    types = ["linking", "linking", "linking", "bonding", "bonding", "bridging", "bonding_weak"]
    names = [
        "authority",
        "institution",
        "prestige_gap",
        "kin",
        "same_origin_similar_status",
        "other_group",
        "same_origin_other_status",
    ]
    tie_type = np.select(conds, types, default="unclassified")
    rule = np.select(conds, names, default="no_rule")
    return tie_type, rule


def per_ego_types(
    ego_pos: np.ndarray, tie_type: np.ndarray, n_egos: int, index: pd.Index
) -> pd.DataFrame:
    """Counts ``n_<type>`` and shares ``share_<type>`` of every tie type per ego.

    Shares are of all the ego's contacts, unclassified ones included (so they add up to 1);
    ``NaN`` for an ego without contacts.
    """
    total = np.bincount(ego_pos, minlength=n_egos).astype(float)
    out: dict[str, np.ndarray] = {}
    for t in TIE_TYPES:
        out[f"n_{t}"] = np.bincount(ego_pos[tie_type == t], minlength=n_egos).astype(float)
    for t in TIE_TYPES:
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"share_{t}"] = np.where(total > 0, out[f"n_{t}"] / total, np.nan)
    return pd.DataFrame(out, index=index)


def classify_ties(net: EgoNetworks, rules: TieRules | None = None) -> TieClassification:
    """Classify every alter of every ego as a bonding, bridging or linking tie.

    Parameters
    ----------
    net : EgoNetworks
        Ego networks whose alter and ego tables hold the attributes the rules name.
    rules : TieRules, optional
        The rule set; the standard instrument's by default.

    Returns
    -------
    TieClassification
        ``ties``: one row per alter with ``tie_type`` and the ``rule`` that decided it;
        ``per_ego``: counts and shares per ego (shares of all alters; ``NaN`` for an isolate).

    Raises
    ------
    DataError
        A rule names an attribute the tables lack (rule ``network.rule-attribute``), or an
        education code is not a number (``network.not-numeric``).

    References
    ----------
    Szreter, S. & Woolcock, M. (2004). Health by association? Social capital, social theory,
    and the political economy of public health. *Int. J. Epidemiology* 33(4), 650-667.
    Putnam, R. D. (2000). *Bowling Alone*. Simon & Schuster (bonding and bridging).

    Examples
    --------
    >>> egos = pd.DataFrame({"ses_edu": [5], "ses_isco": [9]}, index=pd.Index([1], name="ego"))
    >>> alters = pd.DataFrame({
    ...     "ego": [1] * 5, "alter": [1, 2, 3, 4, 5],
    ...     "net_a_relation": [1, 3, 6, 3, 10], "net_a_authority": [0, 0, 0, 0, 0],
    ...     "net_a_origin": [1, 2, 4, 5, 1], "net_a_status": [2, 2, 1, 1, 2],
    ...     "net_a_same_ethn": [1, 1, 1, 1, 1], "net_a_edu": [5, 4, 5, 5, 2],
    ...     "net_a_isco": [9, 9, 1, 2, 9]})
    >>> res = classify_ties(EgoNetworks(egos, alters))
    >>> res.ties["tie_type"].tolist()
    ['bonding', 'bonding', 'linking', 'bridging', 'bonding_weak']
    >>> res.ties["rule"].tolist()[:3]
    ['kin', 'same_origin_similar_status', 'institution']
    >>> res.per_ego.loc[1, ["share_bonding", "share_linking"]].tolist()
    [0.4, 0.2]
    """
    rules = rules or TieRules()
    tie_type, rule = _rules(net, rules)
    ties = pd.DataFrame(
        {
            EGO: net.alters[EGO].to_numpy(),
            ALTER: net.alters[ALTER].to_numpy(),
            "tie_type": tie_type,
            "rule": rule,
        }
    )
    per_ego = per_ego_types(net.alter_ego_pos, tie_type, net.n_egos, net.ego_ids)
    n_unc = int((tie_type == "unclassified").sum())
    notes = (f"{n_unc} alter(s) matched no rule (unclassified)",) if n_unc else ()
    meta = Meta(
        method="bonding / bridging / linking rules (METHODS 4.2; Szreter & Woolcock 2004)",
        policies=rules.describe(),
        notes=(*net.notes, *notes),
        n_used=net.n_alters,
        n_dropped=0,
    )
    return TieClassification(ties, per_ego, TIE_TYPES, meta)
