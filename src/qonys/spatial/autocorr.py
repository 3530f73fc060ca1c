"""Spatial autocorrelation of a district measure: global Moran's I and local LISA (esda).

Only where there are enough units. A city has 5 to 8 districts; with so few polygons the
permutation distribution of Moran's I has a handful of distinct values and LISA clusters are
noise, so below ``min_units`` (20 by default) both return ``NaN`` estimates with a note that
says why and what to use instead (finer units: grid cells, micro-districts, H3 cells).

.. math:: I = \\frac{n}{\\sum_i\\sum_j w_{ij}}
          \\frac{\\sum_i\\sum_j w_{ij} (y_i-\\bar y)(y_j - \\bar y)}{\\sum_i (y_i-\\bar y)^2}

with row-standardised Queen contiguity weights. PySAL: ``esda.Moran(y, w, permutations=999)``;
R: ``spdep::moran.mc``.

References
----------
Anselin L. (1995). Local indicators of spatial association - LISA. Geographical Analysis
27(2):93-115.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from .._core import Meta, ResultMixin, tidy_frame

__all__ = ["MIN_UNITS", "AutocorrelationResult", "morans_i"]

MIN_UNITS = 20
"""Fewest areal units for which Moran's I and LISA are reported."""

_QUADS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


@dataclasses.dataclass(frozen=True, slots=True)
class AutocorrelationResult(ResultMixin):
    """Global Moran's I (``level`` ``"global"``) and LISA rows (``level`` = unit id).

    Extra columns: ``p_value`` (pseudo p-value from permutations), ``expected`` (E[I] =
    -1/(n-1)), ``quadrant`` (HH, LH, LL, HL) for local rows.
    """

    table: pd.DataFrame
    meta: Meta
    title: str = "Spatial autocorrelation (Moran's I)"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()


def morans_i(
    units: gpd.GeoDataFrame,
    values: pd.Series | Mapping[str, float],
    *,
    id_column: str = "geo_id",
    variable: str = "value",
    permutations: int = 999,
    min_units: int = MIN_UNITS,
    seed: int | None = None,
    lisa: bool = True,
) -> AutocorrelationResult:
    """Global Moran's I and, optionally, LISA of ``values`` over polygons.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Polygons (``Boundaries.frame`` or finer units), with an id column.
    values : Series or mapping
        Value per unit id.
    permutations : int
        Conditional permutations for pseudo p-values.
    min_units : int
        Fewer units than this give ``NaN`` and a note (see the module docstring).

    Examples
    --------
    >>> from qonys.spatial import approximate_districts
    >>> b = approximate_districts("almaty")
    >>> res = morans_i(b.frame, dict(zip(b.frame.geo_id, range(8))))
    >>> bool(res.to_frame()["estimate"].isna().all()), res.meta.notes[0][:30]
    (True, "8 units: too few for Moran's I")
    """
    vals = pd.Series(values, dtype=float)
    frame = units[[id_column, units.geometry.name]].copy()
    frame["_y"] = frame[id_column].astype(str).map(vals.rename(index=str))
    frame = frame[frame["_y"].notna()].reset_index(drop=True)
    n = len(frame)
    call = {
        "variable": variable,
        "permutations": permutations,
        "min_units": min_units,
        "seed": seed,
    }
    if n < min_units:
        note = (
            f"{n} units: too few for Moran's I and LISA (at least {min_units} needed); "
            "use finer units such as grid cells or micro-districts"
        )
        row = {"variable": variable, "level": "global", "estimate": np.nan, "n": float(n)}
        meta = Meta(method="Moran's I (not computed)", call=call, notes=(note,), n_used=n)
        return AutocorrelationResult(tidy_frame([row], extra=("p_value", "expected")), meta)
    from esda.moran import Moran, Moran_Local
    from libpysal.weights import Queen

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(frame, use_index=True)
        w.transform = "r"
        y = frame["_y"].to_numpy()
        if seed is not None:
            np.random.seed(seed)  # esda permutes with numpy's global generator
        mi = Moran(y, w, permutations=permutations)
        rows = [
            {
                "variable": variable,
                "level": "global",
                "estimate": float(mi.I),
                "n": float(n),
                "p_value": float(mi.p_sim),
                "expected": float(mi.EI),
            }
        ]
        if lisa:
            loc = Moran_Local(y, w, permutations=permutations, seed=seed)
            for uid, i_, p, q in zip(frame[id_column], loc.Is, loc.p_sim, loc.q, strict=True):
                rows.append(
                    {
                        "variable": variable,
                        "level": str(uid),
                        "estimate": float(i_),
                        "n": 1.0,
                        "p_value": float(p),
                        "quadrant": _QUADS.get(int(q)),
                    }
                )
    notes = []
    if w.islands:
        notes.append(f"{len(w.islands)} unit(s) without neighbours (islands)")
    meta = Meta(
        method="Moran's I and LISA (Queen contiguity, row-standardised; esda)",
        call=call,
        notes=tuple(notes),
        n_used=n,
    )
    return AutocorrelationResult(tidy_frame(rows, extra=("p_value", "expected", "quadrant")), meta)
