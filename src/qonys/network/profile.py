"""Social capital profile: design-based estimates of the ego measures, and models.

Respondent-level measures (:func:`social_capital_measures`) are attached to the survey data
(:func:`attach_measures`) and estimated with :mod:`qonys.estimate`, so domains (city, phase,
strategy, origin type) keep the whole design and the standard errors are design-based
(:func:`social_capital_profile`). :func:`tie_type_model` relates tie types to an integration
score by a design-weighted linear model with a linearisation (sandwich) variance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy
from .._core.results import Meta, ResultMixin, tidy_frame
from ..design import SurveyData
from ..estimate import Estimates, critical_value, mean, vcov_total
from .classify import TieRules, classify_ties
from .composition import STANDARD_COMPOSITION, blau, composition_shares, ei_index
from .data import EgoNetworks
from .generators import (
    GeneratorRules,
    classify_position_contacts,
    position_generator,
    resource_generator,
)
from .structure import structural_measures

__all__ = [
    "LinearModelResult",
    "SocialCapitalProfile",
    "attach_measures",
    "social_capital_measures",
    "social_capital_profile",
    "tie_type_model",
]


def social_capital_measures(
    net: EgoNetworks,
    *,
    rules: TieRules | None = None,
    positions: bool = True,
    resources: bool = True,
    composition: Mapping[str, tuple[str, Sequence[Any]]] = STANDARD_COMPOSITION,
    heterogeneity: str | None = "net_a_relation",
    ei_attribute: tuple[str, Sequence[Any]] | None = ("net_a_status", (1,)),
) -> pd.DataFrame:
    """Every respondent-level social capital measure of the standard instrument, one row per ego.

    Columns: the structural measures; ``blau_<heterogeneity>``; ``ei_<attribute>``; the
    composition shares; ``share_<type>`` / ``n_<type>`` of roster ties; and, when the ego table
    holds the generators (``positions``, ``resources``), ``pg_extensity``,
    ``pg_upper_reachability``, ``pg_range``, ``pg_mean_prestige``, ``pg_share_<type>`` and the
    resource counts. Alters with missing attributes are left out of the measures that need them.
    """
    rules = rules or TieRules()
    parts = [structural_measures(net).values]
    if heterogeneity is not None and heterogeneity in net.alters.columns:
        parts.append(blau(net, heterogeneity, missing="available").to_frame())
    if ei_attribute is not None and ei_attribute[0] in net.alters.columns:
        parts.append(
            ei_index(net, ei_attribute[0], external=ei_attribute[1], missing="available").to_frame()
        )
    parts.append(composition_shares(net, composition, missing="available"))
    ties = classify_ties(net, rules).per_ego
    parts.append(ties)
    egos = net.egos
    pg_items = [c for c in egos.columns if str(c).startswith("pg_") and not str(c).endswith("_res")]
    if positions and len(pg_items) >= 18:
        gen_rules = GeneratorRules.from_tie_rules(rules)
        pg = position_generator(egos, prestige=rules.prestige).values.add_prefix("pg_")
        pgc = classify_position_contacts(egos, rules=gen_rules).per_ego.add_prefix("pg_")
        parts += [pg, pgc]
    rg_items = [c for c in egos.columns if str(c).startswith("rg_")]
    if resources and len(rg_items) >= 16:
        parts.append(resource_generator(egos).values)
    return pd.concat(parts, axis=1)


def attach_measures(
    data: SurveyData, measures: pd.DataFrame, *, key: str, prefix: str = ""
) -> SurveyData:
    """Add per-ego measures to the survey data as new columns.

    Parameters
    ----------
    data : SurveyData
        The respondents with their design.
    measures : DataFrame
        Indexed by ego id.
    key : str
        Column of ``data`` holding the ego id (``_index`` for a Kobo export).
    prefix : str
        Prepended to the new columns' names.

    Returns
    -------
    SurveyData
        Same rows and design; a respondent without a network gets missing values.

    Raises
    ------
    DataError
        ``key`` missing from the data (``data.unknown-column``), or a new column clashing
        with an existing one (``network.column-clash``).
    """
    frame = data.data
    if key not in frame.columns:
        raise DataError(
            f"the survey data have no column {key!r} to match ego ids on",
            where=Where(variable=key),
            rule="data.unknown-column",
            hint="Pass key= (the main table's row key that the roster refers to).",
        )
    new = measures.add_prefix(prefix) if prefix else measures
    clash = [c for c in new.columns if c in frame.columns]
    if clash:
        raise DataError(
            f"column {clash[0]!r} is already in the survey data",
            where=Where(variable=str(clash[0])),
            rule="network.column-clash",
            hint="Pass prefix= to name the measures apart.",
        )
    aligned = new.reindex(pd.Index(frame[key])).set_axis(frame.index)
    return data.update(data=pd.concat([frame, aligned], axis=1))


@dataclasses.dataclass(frozen=True, slots=True)
class SocialCapitalProfile(ResultMixin):
    """Design-based estimates of social capital measures overall and by each domain variable.

    Attributes
    ----------
    estimates : tuple of Estimates
        The overall estimates first, then one :class:`~qonys.estimate.Estimates` per domain
        variable (in the order of ``by``).
    meta : Meta
    """

    estimates: tuple[Estimates, ...]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """All estimates stacked (tidy columns, then the domain variables)."""
        frames = [e.to_frame() for e in self.estimates]
        return tidy_frame(pd.concat(frames, ignore_index=True) if frames else [])


def social_capital_profile(
    data: SurveyData,
    measures: Sequence[str],
    *,
    by: Sequence[str] = (),
    missing: MissingPolicy = "available",
) -> SocialCapitalProfile:
    """Design-based means of social capital measures, overall and by domain.

    Parameters
    ----------
    data : SurveyData
        Survey data with the measures attached (:func:`attach_measures`).
    measures : sequence of str
        Columns to estimate (shares of tie types are means of per-ego shares).
    by : sequence of str
        Domain variables, each estimated separately (city, phase, strategy, origin type);
        domains keep the whole design (:meth:`SurveyData.subset` semantics).
    missing : {"available", "drop", "fail"}
        Respondents without a defined measure (no network, an isolate's density) are left out
        of that measure's estimate and stay in the design as a domain; the count is in the
        notes.

    Returns
    -------
    SocialCapitalProfile

    Notes
    -----
    R: ``svymean(~density + share_bridging, design, na.rm = TRUE)`` and
    ``svyby(~share_bridging, ~city, design, svymean, na.rm = TRUE)`` (per variable).
    """
    est = [mean(data, list(measures), missing=missing)]
    for b in by:
        if b not in data.data.columns:
            raise DataError(
                f"the domain variable {b!r} is not in the survey data",
                where=Where(variable=b),
                rule="data.unknown-column",
                hint="Profile domains: " + ", ".join(map(str, by)),
            )
        est.append(mean(data, list(measures), by=b, missing=missing))
    notes = tuple(n for e in est for n in e.meta.notes)
    meta = Meta(
        method="design-based means of social capital measures",
        design=est[0].meta.design,
        call={"measures": list(measures), "by": list(by), "missing": missing},
        notes=tuple(dict.fromkeys(notes)),
        n_used=data.n,
    )
    return SocialCapitalProfile(tuple(est), meta)


@dataclasses.dataclass(frozen=True, slots=True)
class LinearModelResult(ResultMixin):
    """A design-based linear model: coefficients with linearisation standard errors.

    Attributes
    ----------
    outcome : str
    terms : tuple of str
        ``"(Intercept)"`` then the predictors.
    coef, se : ndarray
    vcov : ndarray
    df : float
        Residual design degrees of freedom (design df minus predictors), as R's ``svyglm``.
    n : int
        Respondents used.
    meta : Meta
    """

    outcome: str
    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    df: float
    n: int
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``variable`` = term, ``estimate``, ``se``, t-interval, ``df``, ``n``,
        then ``t`` and ``p``."""
        from scipy import stats

        q = critical_value(0.95, self.df)
        t = self.coef / self.se
        p = (
            2 * stats.t.sf(np.abs(t), self.df)
            if np.isfinite(self.df)
            else 2 * stats.norm.sf(np.abs(t))
        )
        rows = [
            {
                "variable": term,
                "level": self.outcome,
                "estimate": self.coef[i],
                "se": self.se[i],
                "ci_low": self.coef[i] - q * self.se[i],
                "ci_high": self.coef[i] + q * self.se[i],
                "df": self.df,
                "n": self.n,
                "t": t[i],
                "p": p[i],
            }
            for i, term in enumerate(self.terms)
        ]
        return tidy_frame(rows, extra=("t", "p"))


def tie_type_model(
    data: SurveyData,
    outcome: str,
    predictors: Sequence[str],
    *,
    missing: MissingPolicy = "drop",
) -> LinearModelResult:
    """Design-based linear regression of an integration score on tie-type measures.

    .. math::

       \\hat\\beta = (X^\\top W X)^{-1} X^\\top W y, \\qquad
       \\widehat{V}(\\hat\\beta) = A^{-1}\\, \\widehat{\\mathrm{Cov}}\\Big(\\sum_i w_i u_i\\Big)\\,
       A^{-1}, \\quad A = X^\\top W X,\\; u_i = x_i (y_i - x_i^\\top \\hat\\beta)

    The covariance of the summed scores comes from the design
    (:func:`qonys.estimate.vcov_total`: strata, clusters, fpc or replicate weights); rows with a
    missing value stay in the design as outside the domain. This is the gaussian case of R's
    ``svyglm(outcome ~ share_bridging + share_linking, design)``.

    Parameters
    ----------
    outcome : str
        Integration score (identificational, structural...).
    predictors : sequence of str
        Numeric predictors, e.g. ``share_bridging``, ``share_linking``, ``pg_extensity``.
    missing : {"drop", "fail"}
        Complete cases (default) or fail on a missing value.

    Raises
    ------
    DataError
        Unknown or non-numeric columns; predictors that are collinear
        (``network.model-singular``); no complete case.
    """
    cols = [outcome, *predictors]
    for c in cols:
        if c not in data.data.columns:
            raise DataError(
                f"the model variable {c!r} is not in the survey data",
                where=Where(variable=c),
                rule="data.unknown-column",
                hint="Attach the measures first (attach_measures).",
            )
    frame = data.data[cols].apply(pd.to_numeric, errors="coerce")
    complete = frame.notna().all(axis=1).to_numpy()
    dom = complete if data.where is None else complete & data.where
    n_drop = int((~complete).sum()) if data.where is None else int((data.where & ~complete).sum())
    if n_drop and missing == "fail":
        raise DataError(
            f"{n_drop} respondent(s) with a missing model variable",
            where=Where(variable=outcome),
            rule="network.missing-attribute",
            hint="Pass missing='drop' to use complete cases.",
        )
    if not dom.any():
        raise DataError("no complete case for the model", rule="network.model-empty")
    w = data.weights
    x = np.column_stack([np.ones(len(frame)), frame[list(predictors)].to_numpy(dtype=float)])
    y = frame[outcome].to_numpy(dtype=float)
    x[~dom] = 0.0
    y = np.where(dom, y, 0.0)
    a = (x * (w * dom)[:, None]).T @ x
    if np.linalg.matrix_rank(a) < a.shape[0]:
        raise DataError(
            "the predictors are collinear (or constant) among the respondents used",
            rule="network.model-singular",
            hint="Drop one of the shares: tie-type shares of all alters add up to 1.",
        )
    ainv = np.linalg.inv(a)
    beta = ainv @ (x * (w * dom)[:, None]).T @ y
    u = x * (y - x @ beta)[:, None]
    v = ainv @ vcov_total(data, u, domain=dom) @ ainv
    df = float(data.degf) - len(predictors)
    meta = Meta(
        method="design-based linear model (linearisation variance)",
        design=data.describe(),
        call={"outcome": outcome, "predictors": list(predictors), "missing": missing},
        notes=(f"{n_drop} case(s) with a missing model variable excluded",) if n_drop else (),
        n_used=int(dom.sum()),
        n_dropped=n_drop,
    )
    return LinearModelResult(
        outcome,
        ("(Intercept)", *predictors),
        beta,
        np.sqrt(np.clip(np.diag(v), 0.0, None)),  # rounding can leave -1e-32
        v,
        df,
        int(dom.sum()),
        meta,
    )
