"""Within/between decomposition of the mutual information index M and Theil's H.

For units :math:`i` grouped into areas :math:`a` (districts into cities, say),

.. math:: M = M_B + \\sum_a \\frac{T_a}{T} M_a ,

where :math:`M_B` is M computed with the areas as units and :math:`M_a` is M among the units of
area :math:`a` alone. Dividing by the overall entropy :math:`E` gives Theil's H:

.. math:: H = H_B + \\sum_a \\frac{T_a E_a}{T E} H_a ,\\qquad H_B = M_B / E,\\ H_a = M_a / E_a .

PySAL's ``segregation`` has no such decomposition (its ``DecomposeSegregation`` splits a
*difference* between two cities into spatial and composition parts); R: ``segregation::
mutual_within(data, group, unit, within = "city")`` (Elbers 2023).

References
----------
Theil H. (1971). Principles of Econometrics. Wiley. Reardon S.F., Firebaugh G. (2002). Measures
of multigroup segregation. Sociological Methodology 32:33-67. Elbers B. (2023). A method for
studying differences in segregation across time and space. Sociological Methods & Research
52(1):5-42.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"m": [8, 2, 5, 5], "l": [2, 8, 5, 5]})
>>> res = decompose_segregation(counts, areas=["A", "A", "B", "B"])
>>> round(res.value("M", "total"), 12) == round(res.value("M", "between")
...                                             + res.value("M", "within"), 12)
True
>>> round(res.value("M", "within:B"), 12)  # area B is perfectly mixed
0.0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core import DataError, Meta, ResultMixin, Where, tidy_frame
from .indices import mutual_information

__all__ = ["DecompositionResult", "decompose_segregation"]


@dataclasses.dataclass(frozen=True, slots=True)
class DecompositionResult(ResultMixin):
    """M and H split into between-area and within-area parts.

    Rows: ``variable`` ``M`` or ``H``; ``level`` ``total``, ``between``, ``within`` and
    ``within:<area>`` (the area's own index); extra columns ``weight`` (the area's weight in the
    within part: :math:`T_a/T` for M, :math:`T_a E_a / (T E)` for H), ``share`` (part / total)
    and ``population``.
    """

    table: pd.DataFrame
    meta: Meta
    title: str = "Decomposition of segregation (M and H)"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()

    def value(self, variable: str, level: str) -> float:
        """One component (``res.value("H", "between")``)."""
        t = self.table
        hit = t[(t["variable"] == variable) & (t["level"] == level)]
        if hit.empty:
            raise DataError(
                f"no {variable} {level!r} component",
                rule="spatial.no-index",
                where=Where(key=level),
                hint="See result.to_frame().",
            )
        return float(hit["estimate"].iloc[0])


def _entropy(col_sums: np.ndarray) -> float:
    total = col_sums.sum()
    if total <= 0:
        return float("nan")
    p = col_sums[col_sums > 0] / total
    return float(-(p * np.log(p)).sum())


def decompose_segregation(
    counts: pd.DataFrame, areas: Sequence[object] | pd.Series, *, domain: str | None = None
) -> DecompositionResult:
    """Decompose M and H over a partition of the units into areas.

    Parameters
    ----------
    counts : pandas.DataFrame
        Units x groups counts (or weighted estimates).
    areas : sequence or Series
        The area of each unit (aligned with the rows of ``counts``).
    domain : str, optional
        Label for the result.

    Returns
    -------
    DecompositionResult
    """
    area = pd.Series(list(areas), index=counts.index) if not isinstance(areas, pd.Series) else areas
    if len(area) != len(counts) or area.isna().any():
        raise DataError(
            "every unit needs an area",
            rule="spatial.areas",
            where=Where(key="areas"),
            hint="Give one area per row of counts.",
        )
    table = counts.astype(float)
    arr = table.to_numpy()
    T = arr.sum()
    E = _entropy(arr.sum(0))
    m_total = float(mutual_information(arr))
    by_area = table.groupby(area.to_numpy(), sort=True)
    area_tab = by_area.sum()
    m_between = float(mutual_information(area_tab.to_numpy()))
    rows = []
    within_m = 0.0
    within_h = 0.0
    per_area = []
    for key, sub in by_area:
        s = sub.to_numpy()
        ta = s.sum()
        ea = _entropy(s.sum(0))
        ma = float(mutual_information(s)) if (s.sum(0) > 0).sum() >= 2 else 0.0
        ha = ma / ea if ea > 0 else float("nan")
        wm, wh = ta / T, (ta * ea) / (T * E)
        within_m += wm * ma
        within_h += wh * (ha if np.isfinite(ha) else 0.0)
        per_area.append((str(key), ma, ha, wm, wh, ta))
    h_total, h_between = m_total / E, m_between / E
    for var, tot, betw, within in (
        ("M", m_total, m_between, within_m),
        ("H", h_total, h_between, within_h),
    ):
        for level, est in (("total", tot), ("between", betw), ("within", within)):
            rows.append(
                {
                    "variable": var,
                    "level": level,
                    "domain": domain,
                    "estimate": est,
                    "n": float(len(table)),
                    "share": est / tot if tot else np.nan,
                    "population": T,
                }
            )
    for label, ma, ha, wm, wh, ta in per_area:
        rows.append(
            {
                "variable": "M",
                "level": f"within:{label}",
                "domain": domain,
                "estimate": ma,
                "weight": wm,
                "population": ta,
            }
        )
        rows.append(
            {
                "variable": "H",
                "level": f"within:{label}",
                "domain": domain,
                "estimate": ha,
                "weight": wh,
                "population": ta,
            }
        )
    frame = tidy_frame(rows, extra=("weight", "share", "population"))
    meta = Meta(
        method="within/between decomposition of mutual information M and Theil's H",
        call={"areas": sorted({str(a) for a in area}), "domain": domain},
        n_used=len(table),
    )
    return DecompositionResult(frame, meta)
