"""Spatial segregation indices and two-city comparisons through PySAL's ``segregation``.

PySAL is imported only when one of these functions runs (it loads numba, a few seconds).
Counts are always cast to float before they reach PySAL: with pandas 3 the random-label
comparison (``TwoValueTest(null_approach="random_label")``) fails on integer columns
(``TypeError: Invalid value ... for dtype 'int64'`` in ``_prepare_random_label``), and the
aspatial indices give the same values either way.

Spatial indices need real polygons in metres: the boundaries are projected to the city's UTM
zone first (PySAL warns, and some indices are wrong, in degrees: pysal/segregation#169).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._core import DataError, Meta, Where, tidy_frame
from .analysis import SegregationResult
from .boundaries import Boundaries
from .indices import INDICES

__all__ = ["SPATIAL_INDICES", "compare_segregation", "pysal_index", "spatial_segregation"]

SPATIAL_INDICES: dict[str, str] = {
    "spatial_dissimilarity": "SpatialDissim",
    "boundary_spatial_dissimilarity": "BoundarySpatialDissim",
    "distance_decay_isolation": "DistanceDecayIsolation",
    "distance_decay_interaction": "DistanceDecayInteraction",
    "spatial_proximity": "SpatialProximity",
}
"""qonys name -> PySAL ``segregation.singlegroup`` class of the spatial indices offered."""


def _class(name: str) -> Any:
    import segregation.singlegroup as sg

    pysal = SPATIAL_INDICES.get(name) or (INDICES.get(name).pysal if name in INDICES else name)
    cls = getattr(sg, pysal, None)
    if cls is None:
        raise DataError(
            f"PySAL segregation has no single-group index {pysal!r}",
            rule="spatial.unknown-index",
            where=Where(key=name),
            hint=f"Known: {', '.join([*INDICES.names(), *SPATIAL_INDICES])}.",
        )
    return cls


def _float(frame: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in cols:
        out[c] = out[c].astype(float)
    return out


def pysal_index(name: str, data: pd.DataFrame, group: str, total: str, **kwargs: Any) -> float:
    """Compute one PySAL single-group index (``"dissimilarity"``, ``"SpatialDissim"``...).

    ``data`` is a (Geo)DataFrame with count columns; counts are cast to float first. Extra
    keyword arguments go to the PySAL class (``distance=2000`` makes an aspatial index
    spatially implicit).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [90, 80, 10, 20], "t": [100, 100, 100, 100]})
    >>> round(pysal_index("dissimilarity", df, "x", "t"), 12)
    0.7
    """
    frame = _float(data, [group, total])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return float(_class(name)(frame, group, total, **kwargs).statistic)


def spatial_segregation(
    boundaries: Boundaries,
    counts: pd.DataFrame,
    group: str,
    *,
    total: str | None = None,
    indices: Sequence[str] = ("spatial_dissimilarity", "boundary_spatial_dissimilarity"),
    min_units: int = 4,
    domain: str | None = None,
    **kwargs: Any,
) -> SegregationResult:
    """Spatial segregation indices of a group over district polygons (PySAL).

    Parameters
    ----------
    boundaries : Boundaries
        District polygons (projected to UTM here).
    counts : pandas.DataFrame
        Indexed by ``geo_id`` or district code; a column ``group`` and either ``total`` or the
        other groups' columns (the total is then the row sum).
    group, total : str
    indices : sequence of str
        Keys of :data:`SPATIAL_INDICES`.
    min_units : int
        Below this many districts the indices are ``NaN`` with a note (contiguity between
        three or four districts says little).
    """
    proj = boundaries.projected()
    key = "geo_id" if counts.index.astype(str).isin(proj["geo_id"]).any() else "code"
    tab = counts.copy()
    tab.index = tab.index.astype(str)
    if total is None:
        tab["__total__"] = tab.sum(axis=1)
        total = "__total__"
    gdf = proj.assign(_k=proj[key].astype(str)).merge(
        tab[[group, total]], left_on="_k", right_index=True, how="inner"
    )
    gdf = gpd.GeoDataFrame(_float(gdf, [group, total]), geometry="geometry", crs=proj.crs)
    gdf = gdf[gdf[total] > 0]
    notes = []
    if boundaries.approximate:
        notes.append(
            "approximate district shapes: spatial indices depend on shapes and are indicative"
        )
    rows = []
    for name in indices:
        if len(gdf) < min_units:
            est = float("nan")
        else:
            est = pysal_index(name, gdf, group, total, **kwargs)
        rows.append(
            {
                "variable": name,
                "level": group,
                "domain": domain,
                "estimate": est,
                "n": float(len(gdf)),
                "label": SPATIAL_INDICES.get(name, name),
                "method": "PySAL segregation (UTM)",
            }
        )
    if len(gdf) < min_units:
        notes.append(
            f"only {len(gdf)} district(s) with people: spatial indices not computed "
            f"(at least {min_units} needed)"
        )
    meta = Meta(
        method="spatial segregation indices (PySAL segregation)",
        call={
            "indices": list(indices),
            "group": group,
            "domain": domain,
            "epsg": boundaries.utm_epsg,
        },
        notes=tuple(notes),
        n_used=len(gdf),
    )
    return SegregationResult(tidy_frame(rows, extra=("label", "method")), meta)


def compare_segregation(
    first: pd.DataFrame,
    second: pd.DataFrame,
    group: str,
    total: str,
    *,
    index: str = "dissimilarity",
    permutations: int = 499,
    null: str = "random_label",
    seed: int | None = None,
) -> SegregationResult:
    """Test the difference of an index between two cities (or two years) with PySAL.

    ``TwoValueTest`` with the ``random_label`` null by default: units are shuffled between the
    two cities and the difference recomputed. Counts are cast to float first (see the module
    docstring). The seed is applied to numpy's global generator, which PySAL uses.

    Returns
    -------
    SegregationResult
        One row: ``variable`` ``"difference:<index>"``, the first minus the second, and its
        ``p_value``.
    """
    from segregation.inference import TwoValueTest

    cls = _class(index)
    a = cls(_float(first, [group, total]), group, total)
    b = cls(_float(second, [group, total]), group, total)
    if seed is not None:
        np.random.seed(seed)  # PySAL draws from numpy's global generator
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):  # progress bar
        warnings.simplefilter("ignore", FutureWarning)
        test = TwoValueTest(a, b, iterations_under_null=permutations, null_approach=null, n_jobs=1)
    row = {
        "variable": f"difference:{index}",
        "level": group,
        "estimate": float(test.est_point_diff),
        "n": float(len(first) + len(second)),
        "p_value": float(test.p_value),
        "permutations": float(permutations),
        "method": f"PySAL TwoValueTest ({null})",
    }
    meta = Meta(
        method=f"two-sample comparison ({null})",
        call={"index": index, "permutations": permutations, "null": null, "seed": seed},
    )
    return SegregationResult(tidy_frame([row], extra=("p_value", "permutations", "method")), meta)
