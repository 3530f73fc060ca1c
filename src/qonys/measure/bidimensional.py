"""Berry's bidimensional model on survey data: class shares by domain, with certainty.

Two orientation scores, heritage / origin (H: rural, small-town identity) and mainstream /
destination (M: urban, big-city identity), give four classes (METHODS 3):

=========  ===============  ===============
           M high           M low
=========  ===============  ===============
H high     integration      separation
H low      assimilation     marginalisation
=========  ===============  ===============

Every respondent gets a *membership* in each class, and class shares are design-based means of
the memberships (:func:`qonys.estimate.mean`), so shares by city, phase or strategy have
standard errors that keep the whole design.

Split rules (:func:`berry_shares`): the cut is the scale midpoint (``method="midpoint"``,
comparable across samples) or the design-weighted medians (``"median"``, relative to the
sample; the cut's own sampling error is not in the SE). Scores exactly at the cut follow
``high_if``: ``">"`` (low), ``">="`` (high) or ``"split"`` (half in each class: the unbiased
choice when the scores are means of a few integer items, so that many respondents sit exactly
on the cut). *Certainty* of a respondent's class is the probability that both true scores lie
on the observed side of their cuts, under normal measurement error with the standard error of
measurement :math:`SD\\sqrt{1-\\rho}` (:math:`\\rho`: the scale's reliability):
:math:`\\Phi(|H - c_H|/SEM_H)\\,\\Phi(|M - c_M|/SEM_M)`; a class's certainty is its members'
mean.

Latent profiles (:func:`berry_profiles`): any mixture estimator with the scikit-learn contract
(``qonys.typology.LatentProfileModel``) is fitted to (H, M) with the design weights; memberships
are the posterior probabilities, each profile is named after the class its mean falls in, and
its certainty is the mean posterior probability of its members.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._core import DataError, Meta, ResultMixin, Variable, Where, tidy_frame
from .._core.checks import check_in
from .._core.errors import ConvergenceWarning
from ..design import SurveyData
from ..estimate import mean, ratio
from ._survey import add_columns, numeric_column
from .comparisons import equality_tests
from .identity import berry_cuts

__all__ = ["BERRY_CLASSES", "BerryShares", "TieRule", "berry_profiles", "berry_shares"]

BERRY_CLASSES: tuple[str, ...] = ("integration", "assimilation", "separation", "marginalisation")
"""Berry's classes: H and M high; M only; H only; neither."""

TieRule = Literal[">", ">=", "split"]
"""How a score exactly at the cut is classified (see the module docstring)."""


@dataclasses.dataclass(frozen=True, slots=True)
class BerryShares(ResultMixin):
    """Class shares overall and by domain, with certainty.

    Attributes
    ----------
    name : str
        Name of the grid (``"identity_rural_urban"``).
    method : str
        ``midpoint``, ``median`` or ``latent profile``.
    classes : tuple of str
        Class names in table order (Berry's, or profile names).
    cuts : (float, float)
        Cuts of H and M (``NaN`` for latent profiles).
    shares : DataFrame
        Tidy rows: ``variable`` (= name), ``level`` (class), ``domain``, ``estimate`` (share),
        ``se``, ``ci_low``, ``ci_high``, ``df``, ``deff``, ``n`` (respondents with a positive
        membership); then the domain variable, ``certainty`` and ``certainty_se``.
    test : DataFrame or None
        Wald test that the shares are equal across the domains (``statistic`` F, ``ndf``,
        ``ddf``, ``p_value``).
    profiles : DataFrame or None
        Latent profiles: ``profile``, ``class``, ``weight``, ``mean_h``, ``mean_m``, ``sd_h``,
        ``sd_m``.
    data : SurveyData
        The survey data with the membership columns (``<name>_<class>``).
    meta : Meta
    """

    name: str
    method: str
    classes: tuple[str, ...]
    cuts: tuple[float, float]
    shares: pd.DataFrame
    test: pd.DataFrame | None
    profiles: pd.DataFrame | None
    data: SurveyData
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """The shares table."""
        return tidy_frame(self.shares)

    def columns(self) -> dict[str, str]:
        """Class -> membership column."""
        return {c: f"{self.name}_{c}" for c in self.classes}


def _high(x: np.ndarray, cut: float, rule: TieRule) -> np.ndarray:
    if rule == "split":
        return np.where(x > cut, 1.0, np.where(x == cut, 0.5, 0.0))
    return (x > cut).astype(float) if rule == ">" else (x >= cut).astype(float)


def _scores(sd: SurveyData, heritage: str, mainstream: str) -> tuple[np.ndarray, np.ndarray]:
    h, m = numeric_column(sd, heritage).to_numpy(), numeric_column(sd, mainstream).to_numpy()
    ok = ~np.isnan(h) & ~np.isnan(m) & sd.prepared.in_domain
    if ok.sum() < 2:
        raise DataError(
            f"fewer than two respondents have both {heritage!r} and {mainstream!r}",
            where=Where(variable=heritage),
            rule="measure.too-few-cases",
        )
    return h, m


def _summarise(
    sd: SurveyData,
    name: str,
    method: str,
    member: Mapping[str, np.ndarray],
    cert: np.ndarray | None,
    by: str | None,
    level: float,
) -> tuple[SurveyData, pd.DataFrame, pd.DataFrame | None]:
    cols = {f"{name}_{c}": v for c, v in member.items()}
    extra: dict[str, Any] = dict(cols)
    if cert is not None:
        extra.update({f"{k}_cert": v * cert for k, v in cols.items()})
    label = {"en": f"{name}: {method}"}
    data = add_columns(
        sd, extra, [Variable(k, "decimal", label=label, measure="scale") for k in extra]
    )
    names = list(cols)
    parts = [mean(data, names, missing="available", level=level)]
    if by is not None:
        parts.append(mean(data, names, by=by, missing="available", level=level))
    shares = pd.concat([p.table for p in parts], ignore_index=True)
    shares["level"] = shares["variable"].str.removeprefix(f"{name}_")
    shares["variable"] = name
    positive = {k: np.nan_to_num(v) > 0 for k, v in cols.items()}
    dom = data.column(by) if by is not None else None
    shares["n"] = [
        int(
            (
                positive[f"{name}_{r['level']}"]
                & data.prepared.in_domain
                & (True if by is None or pd.isna(r.get(by)) else (dom == r[by]).to_numpy())
            ).sum()
        )
        for r in shares.to_dict(orient="records")
    ]
    if cert is not None:
        cparts = [ratio(data, [f"{k}_cert" for k in names], names, missing="drop")]
        if by is not None:
            cparts.append(ratio(data, [f"{k}_cert" for k in names], names, by=by, missing="drop"))
        ct = pd.concat([p.table for p in cparts], ignore_index=True)
        shares["certainty"] = ct["estimate"].to_numpy()
        shares["certainty_se"] = ct["se"].to_numpy()
    test = None
    if by is not None and len(names) > 1:
        t = equality_tests(data, names[:-1], by, joint=True)
        test = t.iloc[[-1]].reset_index(drop=True)
    return data, shares.drop(columns=["sum_weights"], errors="ignore"), test


def berry_shares(
    sd: SurveyData,
    heritage: str,
    mainstream: str,
    *,
    method: Literal["midpoint", "median"] = "midpoint",
    midpoint: float | None = None,
    high_if: TieRule = "split",
    by: str | None = None,
    reliability: tuple[float, float] | None = None,
    name: str = "berry",
    level: float = 0.95,
) -> BerryShares:
    """Design-based shares of Berry's four classes from two orientation scores.

    Parameters
    ----------
    sd : SurveyData
    heritage, mainstream : str
        Score columns (H and M, on the same scale).
    method : {"midpoint", "median"}
        Cut at ``midpoint`` (required) or at the design-weighted medians.
    midpoint : float, optional
        Theoretical midpoint of the scale (3 on 1-5).
    high_if : {"split", ">", ">="}
        Tie rule at the cut.
    by : str, optional
        Domain variable (city): shares per domain and a Wald test of equal shares.
    reliability : (float, float), optional
        Reliabilities of H and M; gives the certainty columns.
    name : str
        Grid name; membership columns are ``<name>_<class>``.
    level : float

    Returns
    -------
    BerryShares

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> H = [4.5, 4.0, 2.5, 3.2, 1.8, 3.6, 2.9, 4.2]; M = [4.0, 2.0, 4.4, 3.1, 2.2, 3.4, 3.3, 2.8]
    >>> sd = SurveyData(pd.DataFrame({"h": H, "m": M}), SurveyDesign())
    >>> res = berry_shares(sd, "h", "m", midpoint=3)    # METHODS 3.3: INT, SEP, ASM, INT, ...
    >>> dict(zip(res.shares["level"], res.shares["estimate"]))
    {'integration': 0.375, 'assimilation': 0.25, 'separation': 0.25, 'marginalisation': 0.125}
    """
    check_in(method, ("midpoint", "median"), "method")
    check_in(high_if, (">", ">=", "split"), "high_if")
    h, m = _scores(sd, heritage, mainstream)
    ok = ~np.isnan(h) & ~np.isnan(m)
    use = ok & sd.prepared.in_domain
    ch, cm = berry_cuts(h[use], m[use], method=method, midpoint=midpoint, weights=sd.weights[use])
    hh, mh = _high(h, ch, high_if), _high(m, cm, high_if)
    nan = np.where(ok, 1.0, np.nan)
    member = {
        "integration": hh * mh * nan,
        "assimilation": (1 - hh) * mh * nan,
        "separation": hh * (1 - mh) * nan,
        "marginalisation": (1 - hh) * (1 - mh) * nan,
    }
    cert = None
    if reliability is not None:
        use = ok & sd.prepared.in_domain
        w = sd.weights[use]
        sems = []
        for x, rho in ((h, reliability[0]), (m, reliability[1])):
            xv = x[use]
            sd_x = math.sqrt(float(w @ (xv - (w @ xv) / w.sum()) ** 2) / w.sum())
            sems.append(max(sd_x * math.sqrt(max(1.0 - rho, 0.0)), 1e-12))
        cert = stats.norm.cdf(np.abs(np.nan_to_num(h) - ch) / sems[0]) * stats.norm.cdf(
            np.abs(np.nan_to_num(m) - cm) / sems[1]
        )
    data, shares, test = _summarise(sd, name, method, member, cert, by, level)
    meta = Meta(
        method=f"Berry classes, {method} split (ties: {high_if}); design-based shares",
        design=sd.describe(),
        policies={"high_if": high_if},
        call={"heritage": heritage, "mainstream": mainstream, "method": method, "by": by},
        notes=(
            (f"cuts at the weighted medians: H {ch:.4g}, M {cm:.4g}",) if method == "median" else ()
        ),
        n_used=int((ok & sd.prepared.in_domain).sum()),
        n_dropped=int((~ok & sd.prepared.in_domain).sum()),
    )
    return BerryShares(name, method, BERRY_CLASSES, (ch, cm), shares, test, None, data, meta)


def _profile_names(means: np.ndarray, midpoint: float) -> list[str]:
    names: list[str] = []
    for mh_, mm_ in means:
        hi_h, hi_m = mh_ > midpoint, mm_ > midpoint
        base = BERRY_CLASSES[
            [(True, True), (False, True), (True, False), (False, False)].index(
                (bool(hi_h), bool(hi_m))
            )
        ]
        k = sum(1 for n in names if n.split(" ")[0] == base)
        names.append(base if k == 0 else f"{base} {k + 1}")
    return names


def berry_profiles(
    sd: SurveyData,
    heritage: str,
    mainstream: str,
    model: Any,
    *,
    midpoint: float,
    by: str | None = None,
    name: str = "berry",
    level: float = 0.95,
) -> BerryShares:
    """Latent-profile variant of :func:`berry_shares`.

    Parameters
    ----------
    sd : SurveyData
    heritage, mainstream : str
        Score columns.
    model : estimator
        An unfitted mixture model with ``fit(X, sample_weight=...)``, ``predict_proba`` and
        ``means_`` (``qonys.typology.LatentProfileModel(4, random_state=...)``); it is fitted
        on the respondents with both scores, with their design weights.
    midpoint : float
        Used only to name the profiles (the class their mean falls in).
    by, name, level
        As for :func:`berry_shares`.

    Returns
    -------
    BerryShares
        ``classes`` are the profile names; ``profiles`` the fitted means; ``certainty`` the
        mean posterior probability of each profile's members. Standard errors treat the
        fitted profiles as fixed.

    Notes
    -----
    R: ``mclust::Mclust(cbind(H, M), G = 4, modelNames = "VVI")`` (unweighted), then
    ``svymean`` of the posterior probabilities.
    """
    h, m = _scores(sd, heritage, mainstream)
    ok = ~np.isnan(h) & ~np.isnan(m) & sd.prepared.in_domain
    x = np.column_stack([h[ok], m[ok]])
    w = sd.weights[ok]
    # the weighted likelihood only sees distinct points with their summed weights: scores
    # that are means of a few items take few values, so the fit runs on those (same optimum)
    points, where_ = np.unique(x, axis=0, return_inverse=True)
    summed = np.bincount(where_.ravel(), weights=w / w.mean(), minlength=len(points))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported in meta.notes
        fitted = model.fit(points, sample_weight=summed)
    post = np.full((sd.n, fitted.means_.shape[0]), np.nan)
    post[ok] = fitted.predict_proba(x)
    names = _profile_names(np.asarray(fitted.means_), midpoint)
    member = {n: post[:, j] for j, n in enumerate(names)}
    modal = np.where(ok, np.nanmax(np.nan_to_num(post, nan=0.0), axis=1), np.nan)
    data, shares, test = _summarise(sd, name, "latent profile", member, modal, by, level)
    var = np.asarray(getattr(fitted, "variances_", np.full_like(fitted.means_, np.nan)))
    profiles = pd.DataFrame(
        {
            "profile": range(1, len(names) + 1),
            "class": names,
            "weight": np.asarray(fitted.weights_, dtype=float),
            "mean_h": fitted.means_[:, 0],
            "mean_m": fitted.means_[:, 1],
            "sd_h": np.sqrt(var[:, 0]),
            "sd_m": np.sqrt(var[:, 1]),
        }
    )
    entropy = float(getattr(fitted, "entropy_", float("nan")))
    meta = Meta(
        method=f"latent profiles ({type(model).__name__}, K = {len(names)}); design-based shares",
        design=sd.describe(),
        call={"heritage": heritage, "mainstream": mainstream, "by": by, "midpoint": midpoint},
        notes=((f"relative entropy {entropy:.3f}",) if entropy == entropy else ())
        + (() if getattr(fitted, "converged_", True) else ("EM did not converge",)),
        n_used=int(ok.sum()),
        n_dropped=int((~ok & sd.prepared.in_domain).sum()),
    )
    return BerryShares(
        name,
        "latent profile",
        tuple(names),
        (float("nan"), float("nan")),
        shares,
        test,
        profiles,
        data,
        meta,
    )
