"""Where migrants settle: design-based district shares, location quotients and dissimilarity.

Everything here takes :class:`~qonys.design.SurveyData`, so estimates carry design-based
standard errors (Taylor linearisation, or the design's replicate weights when it has them).

* :func:`settlement_shares` - the distribution of respondents over districts, by city and group
  (origin type): ``qonys.estimate.proportion(data, district, by=[city, group])``, with the
  unweighted number of respondents in each district and a warning for districts whose sample
  is too small to publish;
* :func:`location_quotients` - :math:`LQ_i = (a_i / b_i) / (A / B)`: the group's share in
  district :math:`i` over its share in the city, with a linearised SE and a log-scale interval;
* :func:`design_dissimilarity` - the index of dissimilarity between a group and everybody else,
  estimated from the weighted survey, with a linearised standard error (below).

Linearisation of D. With :math:`a_i, b_i` the estimated totals of the group and of the others
in district :math:`i` (:math:`A, B` their sums) and :math:`s_i = \\mathrm{sign}(a_i/A - b_i/B)`,
the influence value of respondent :math:`k` is

.. math:: z_k = \\tfrac12 \\sum_i s_i \\left[\\frac{y_k (d_{ik} - a_i/A)}{A}
          - \\frac{(1-y_k)(d_{ik} - b_i/B)}{B}\\right]

and :math:`\\widehat{V}(\\hat D) = \\widehat{V}(\\sum_k w_k z_k)` is computed by the survey core
(:func:`qonys.estimate.vcov_total`), with the design's degrees of freedom for the interval.
D estimated from a sample is biased upward when districts hold few respondents of either group
(every random departure from evenness counts); the result reports each district's sample size.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import DataError, DataWarning, Meta, ResultMixin, Where, tidy_frame
from ..design import SurveyData
from ..estimate import critical_value, proportion, vcov_total
from .registry import district as find_district

__all__ = [
    "SettlementResult",
    "design_dissimilarity",
    "location_quotients",
    "location_quotients_from_counts",
    "settlement_shares",
]


@dataclasses.dataclass(frozen=True, slots=True)
class SettlementResult(ResultMixin):
    """District estimates with SEs; ``reliable`` is False where the sample is too small."""

    table: pd.DataFrame
    meta: Meta
    title: str = "Settlement in the city"
    table_kind: str = "estimates"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()


def _geo_id(code: object) -> str | None:
    try:
        return find_district(str(code).removesuffix(".0")).geo_id
    except DataError:
        return None


def _clean(data: SurveyData, column: str, missing_codes: Sequence[object]) -> SurveyData:
    col = data.column(column)
    bad = col.astype(str).str.removesuffix(".0").isin([str(m) for m in missing_codes])
    if not bad.any():
        return data
    frame = data.data.copy()
    frame[column] = col.where(~bad)
    return dataclasses.replace(data, data=frame, _resolved=None)


def settlement_shares(
    data: SurveyData,
    *,
    district: str = "hou_district",
    by: str | None = "scr_origin_type",
    city: str | None = "scr_city",
    min_n: int = 30,
    missing_codes: Sequence[object] = (98, 99),
    level: float = 0.95,
) -> SettlementResult:
    """Design-based distribution of respondents over districts, by city and group.

    Parameters
    ----------
    data : SurveyData
    district : str
        District code column (``hou_district``); missing codes are treated as missing answers
        and left out of the denominators (reported).
    by : str, optional
        Group column (``scr_origin_type``: village, small town, regional centre, big city).
    city : str, optional
        City column (``scr_city``).
    min_n : int
        Districts with fewer respondents (unweighted, in the domain) are flagged
        ``reliable = False`` and a :class:`~qonys._core.DataWarning` lists them.

    Returns
    -------
    SettlementResult
        The rows of ``qonys.estimate.proportion`` (``level`` = district code) plus ``geo_id``,
        ``n_district`` and ``reliable``.
    """
    clean = _clean(data, district, missing_codes)
    groups = [c for c in (city, by) if c]
    est = proportion(clean, district, by=groups or None, missing="drop", level=level)
    frame = est.to_frame()
    src = clean.data
    ok = src[district].notna()
    if clean.where is not None:
        ok &= clean.where
    keys = [*groups, district]
    counts = src[ok].groupby(keys, dropna=True).size()
    n_district = []
    for _, row in frame.iterrows():
        key = tuple(_match(row[g], src[g]) for g in groups) + (_match(row["level"], src[district]),)
        n_district.append(int(counts.get(key if len(key) > 1 else key[0], 0)))
    frame["geo_id"] = [_geo_id(v) for v in frame["level"]]
    frame["n_district"] = n_district
    frame["reliable"] = frame["n_district"] >= min_n
    small = frame[~frame["reliable"]]
    notes = list(est.meta.notes)
    if len(small):
        msg = (
            f"{len(small)} district estimate(s) rest on fewer than {min_n} respondents and "
            "should not be published: "
            + ", ".join(f"{r.level} ({r.domain}, n={r.n_district})" for r in small.itertuples())
        )
        warnings.warn(msg, DataWarning, stacklevel=2)
        notes.append(msg)
    meta = dataclasses.replace(est.meta, notes=tuple(notes)).with_notes(
        f"districts with fewer than {min_n} respondents are flagged reliable=False"
    )
    table = tidy_frame(frame, extra=("geo_id", "n_district", "reliable"))
    return SettlementResult(table, meta, title="Distribution over districts")


def _match(value: object, column: pd.Series) -> object:
    """The value as stored in ``column`` (estimate frames may hold codes as text)."""
    for v in pd.unique(column.dropna()):
        if str(v).removesuffix(".0") == str(value).removesuffix(".0"):
            return v
    return value


def _indicator(data: SurveyData, group: str, focal: object) -> np.ndarray:
    col = data.column(group)
    if focal is None:
        vals = pd.to_numeric(col, errors="coerce")
        if not vals.dropna().isin([0, 1]).all():
            raise DataError(
                f"{group!r} must be a 0/1 indicator, or give focal=",
                where=Where(variable=group),
                rule="spatial.indicator",
                hint="focal= names the group's code, e.g. focal=1.",
            )
        return vals.to_numpy(dtype=float)
    same = col.astype(str).str.removesuffix(".0") == str(focal).removesuffix(".0")
    return np.where(col.isna(), np.nan, same.to_numpy(dtype=float))


def _domains(data: SurveyData, city: str | None) -> list[tuple[str | None, np.ndarray]]:
    base = np.ones(data.n, dtype=bool) if data.where is None else data.where.copy()
    if city is None:
        return [(None, base)]
    col = data.column(city)
    out: list[tuple[str | None, np.ndarray]] = []
    for v in sorted(pd.unique(col.dropna()), key=str):
        out.append((f"{city}={v}", base & (col == v).to_numpy()))
    return out


def design_dissimilarity(
    data: SurveyData,
    *,
    group: str,
    focal: object = None,
    district: str = "hou_district",
    city: str | None = "scr_city",
    missing_codes: Sequence[object] = (98, 99),
    level: float = 0.95,
) -> Any:
    """Index of dissimilarity of a group from the weighted survey, with a design-based CI.

    Parameters
    ----------
    data : SurveyData
        Respondents of the group and of the comparison population (migrants and locals).
    group : str
        A 0/1 indicator column, or a column whose value ``focal`` marks the group.
    district, city : str
        Areal units, and the cities (one index per city).

    Returns
    -------
    SegregationResult
        One row per city: ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``, ``n``
        (respondents), ``units`` (districts) and ``method``.

    Notes
    -----
    Variance by Taylor linearisation (see the module docstring), or by the replicate weights
    of the design when it has them (the linearised values are then totalled per replicate).
    """
    from .analysis import SegregationResult

    clean = _clean(data, district, missing_codes)
    y = _indicator(clean, group, focal)
    dcol = clean.column(district)
    w = clean.weights
    rows = []
    for label, mask in _domains(clean, city):
        m = mask & np.isfinite(y) & dcol.notna().to_numpy()
        codes, inv = np.unique(dcol[m].astype(str).str.removesuffix(".0"), return_inverse=True)
        yy, ww = y[m], w[m]
        D = np.zeros((m.sum(), len(codes)))
        D[np.arange(m.sum()), inv] = 1.0
        a, b = (ww * yy) @ D, (ww * (1 - yy)) @ D
        A, B = a.sum(), b.sum()
        if A <= 0 or B <= 0:
            rows.append(
                {
                    "variable": "dissimilarity",
                    "domain": label,
                    "estimate": np.nan,
                    "n": float(m.sum()),
                    "units": float(len(codes)),
                }
            )
            continue
        est = 0.5 * np.abs(a / A - b / B).sum()
        s = np.sign(a / A - b / B)
        z_m = 0.5 * (yy * ((D - a / A) @ s) / A - (1 - yy) * ((D - b / B) @ s) / B)
        z = np.zeros(clean.n)
        z[m] = z_m
        var = float(vcov_total(clean, z[:, None], domain=m)[0, 0])
        se = float(np.sqrt(max(var, 0.0)))
        df = float(clean.degf)
        q = float(critical_value(level, df))
        rows.append(
            {
                "variable": "dissimilarity",
                "domain": label,
                "estimate": float(est),
                "se": se,
                "ci_low": est - q * se,
                "ci_high": est + q * se,
                "df": df,
                "n": float(m.sum()),
                "units": float(len(codes)),
                "method": "replicate" if clean.is_replicate else "Taylor linearisation",
            }
        )
    frame = tidy_frame(rows, extra=("units", "method"))
    frame["level"] = str(focal) if focal is not None else group
    meta = Meta(
        method="design-based index of dissimilarity (linearised variance)",
        design=clean.describe(),
        call={"group": group, "focal": focal, "district": district, "city": city, "level": level},
    )
    return SegregationResult(frame, meta, title="Dissimilarity from the survey")


def location_quotients(
    data: SurveyData,
    *,
    group: str,
    focal: object = None,
    district: str = "hou_district",
    city: str | None = "scr_city",
    missing_codes: Sequence[object] = (98, 99),
    level: float = 0.95,
) -> SettlementResult:
    """Design-based location quotients :math:`LQ_i = (a_i/b_i)/(A/B)` with log-scale CIs.

    :math:`a_i` is the estimated number of the group in district :math:`i`, :math:`b_i` of
    everybody there; :math:`LQ > 1`: the group is over-represented. The SE comes from the
    linearisation of :math:`\\ln LQ_i`, :math:`z_k = y_k d_{ik}/a_i - d_{ik}/b_i - y_k/A + 1/B`.
    """
    clean = _clean(data, district, missing_codes)
    y = _indicator(clean, group, focal)
    dcol = clean.column(district)
    w = clean.weights
    rows = []
    for label, mask in _domains(clean, city):
        m = mask & np.isfinite(y) & dcol.notna().to_numpy()
        codes, inv = np.unique(dcol[m].astype(str).str.removesuffix(".0"), return_inverse=True)
        yy, ww = y[m], w[m]
        A, B = float((ww * yy).sum()), float(ww.sum())
        for j, code in enumerate(codes):
            d = (inv == j).astype(float)
            a, b = float((ww * yy * d).sum()), float((ww * d).sum())
            lq = (a / b) / (A / B) if a > 0 and b > 0 and A > 0 else np.nan
            row = {
                "variable": "location_quotient",
                "level": code,
                "domain": label,
                "estimate": lq,
                "n": float(d.sum()),
                "geo_id": _geo_id(code),
            }
            if np.isfinite(lq):
                z = np.zeros(clean.n)
                z[m] = yy * d / a - d / b - yy / A + 1 / B
                v = float(vcov_total(clean, z[:, None], domain=m)[0, 0])
                se_log = float(np.sqrt(max(v, 0.0)))
                df = float(clean.degf)
                q = float(critical_value(level, df))
                row |= {
                    "se": lq * se_log,
                    "ci_low": lq * np.exp(-q * se_log),
                    "ci_high": lq * np.exp(q * se_log),
                    "df": df,
                }
            rows.append(row)
    meta = Meta(
        method="design-based location quotients (linearised, log-scale interval)",
        design=clean.describe(),
        call={"group": group, "focal": focal, "district": district, "city": city},
    )
    return SettlementResult(tidy_frame(rows, extra=("geo_id",)), meta, title="Location quotients")


def location_quotients_from_counts(counts: pd.DataFrame, focal: object) -> pd.Series:
    """Location quotients from a units x groups table of counts (population data).

    Examples
    --------
    >>> t = pd.DataFrame({"m": [30, 10], "l": [70, 90]}, index=["a", "b"])
    >>> location_quotients_from_counts(t, "m").round(6).tolist()  # (.3/.2, .1/.2)
    [1.5, 0.5]
    """
    tab = counts.astype(float)
    share = tab[focal] / tab.sum(axis=1)
    return share / (tab[focal].sum() / tab.to_numpy().sum())
