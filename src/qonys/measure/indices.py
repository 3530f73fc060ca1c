"""Dimension-based integration indices: the IPL-style index and Esser's four dimensions.

An index is configuration, not code: an :class:`IndexSpec` maps each item to a dimension and says
how its raw answers become a score in [0, 1] (:class:`ItemCoding`). Scoring follows METHODS 1.3:

1. per-item rescaling to [0, 1];
2. dimension score = mean of the available rescaled items, if at least ``min_items`` of them
   are present (default: half, rounded up: 1 of 2, 2 of 4), otherwise missing;
3. index = mean of the dimension scores; ``strict`` needs every dimension, ``lenient`` needs
   ``min_dimensions`` of them and the result keeps ``n_dims``.

Averaging over pooled items when a dimension is incomplete would silently reweight dimensions;
the index never does that.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.checks import check_columns, check_in
from .._core.errors import CodebookError, DataError, Where
from .._core.results import Meta, ResultMixin, tidy_frame

__all__ = [
    "ESSER_DIMENSIONS",
    "IPL_DIMENSIONS",
    "IndexResult",
    "IndexSpec",
    "ItemCoding",
    "complex_integration",
    "dimension_index",
    "esser_scores",
    "ipl_index",
    "rescale_count",
    "rescale_ordinal",
]

IPL_DIMENSIONS = ("psychological", "economic", "political", "social", "linguistic", "navigational")
ESSER_DIMENSIONS = ("culturation", "placement", "interaction", "identification")

CodingKind = Literal["ordinal", "count", "table", "unit"]


def rescale_ordinal(r: Any, k: int, *, reverse: bool = False) -> Any:
    """Ordinal answer ``r`` in 1..k to [0, 1]: :math:`(r-1)/(k-1)`, or one minus that.

    Examples
    --------
    >>> rescale_ordinal(4, 5), rescale_ordinal(2, 5, reverse=True), round(rescale_ordinal(3, 4), 4)
    (0.75, 0.75, 0.6667)
    """
    s = (np.asarray(r, dtype=float) - 1.0) / (k - 1.0)
    s = 1.0 - s if reverse else s
    return float(s) if np.ndim(s) == 0 else s


def rescale_count(x: Any, cap: float) -> Any:
    """Count top-coded at ``cap`` and divided by it: :math:`\\min(x, c)/c`.

    >>> rescale_count(7, 5), rescale_count(3, 5)
    (1.0, 0.6)
    """
    s = np.minimum(np.asarray(x, dtype=float), cap) / cap
    return float(s) if np.ndim(s) == 0 else s


@dataclasses.dataclass(frozen=True, slots=True)
class ItemCoding:
    """How one item's raw answers become a score in [0, 1].

    Parameters
    ----------
    item : str
        Column name.
    dimension : str
        Dimension the item belongs to.
    kind : {"ordinal", "count", "table", "unit"}
        ``ordinal``: categories 1..``levels``, :math:`(r-1)/(k-1)`; ``count``: top-coded at
        ``cap``; ``table``: look the code up in ``table``; ``unit``: already in [0, 1].
    levels : int, optional
        Number of ordered categories (``ordinal``).
    reverse : bool
        Reverse-keyed (``ordinal``).
    cap : float, optional
        Top-code (``count``).
    table : Mapping, optional
        Code -> score (``table``), e.g. ``{"employed": 1, "unemployed": 0}``.
    substitute : Mapping, optional
        Codes replaced by a score before anything else, e.g. ``{98: 0.0}`` for a substantive
        "don't know" on a knowledge item.
    missing_codes : sequence, optional
        Codes meaning missing (refused, prefer not to say).
    """

    item: str
    dimension: str
    kind: CodingKind = "ordinal"
    levels: int | None = None
    reverse: bool = False
    cap: float | None = None
    table: Mapping[Any, float] | None = None
    substitute: Mapping[Any, float] | None = None
    missing_codes: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing_codes", tuple(self.missing_codes))
        need = {"ordinal": self.levels, "count": self.cap, "table": self.table, "unit": 0}
        if self.kind not in need:
            raise CodebookError(
                f"unknown item coding kind {self.kind!r}",
                where=Where(variable=self.item),
                rule="measure.coding-kind",
                hint="Use ordinal, count, table or unit.",
            )
        if need[self.kind] is None or (self.kind == "ordinal" and (self.levels or 0) < 2):
            raise CodebookError(
                f"item {self.item!r} of kind {self.kind!r} lacks its parameter",
                where=Where(variable=self.item),
                rule="measure.coding-incomplete",
                hint="ordinal needs levels >= 2, count needs cap, table needs table.",
            )

    def score(self, values: pd.Series) -> pd.Series:
        """Rescaled scores; codes outside the coding raise ``measure.out-of-range``."""
        raw = values.copy()
        out = pd.Series(np.nan, index=raw.index, dtype=float)
        miss = raw.isna() | raw.isin(list(self.missing_codes))
        sub = pd.Series(False, index=raw.index)
        if self.substitute:
            sub = raw.isin(list(self.substitute)) & ~miss
            out[sub] = raw[sub].map(self.substitute).astype(float)
        todo = ~miss & ~sub
        if self.kind == "table":
            table = self.table or {}
            known = raw[todo].isin(list(table))
            if not known.all():
                self._bad(raw, raw[todo][~known])
            out[todo] = raw[todo].map(table).astype(float)
            return out
        x = pd.to_numeric(raw[todo], errors="coerce").astype(float)
        if self.kind == "ordinal":
            k = int(self.levels or 2)
            bad = x.isna() | (x < 1) | (x > k) | (x != np.round(x))
            if bad.any():
                self._bad(raw, raw[todo][bad])
            out[todo] = rescale_ordinal(x.to_numpy(), k, reverse=self.reverse)
        elif self.kind == "count":
            bad = x.isna() | (x < 0)
            if bad.any():
                self._bad(raw, raw[todo][bad])
            out[todo] = rescale_count(x.to_numpy(), float(self.cap or 1))
        else:
            bad = x.isna() | (x < 0) | (x > 1)
            if bad.any():
                self._bad(raw, raw[todo][bad])
            out[todo] = x
        return out

    def _bad(self, raw: pd.Series, bad: pd.Series) -> None:
        row = int(np.flatnonzero(raw.index == bad.index[0])[0])
        raise DataError(
            f"value {bad.iloc[0]!r} of item {self.item!r} does not fit its {self.kind} coding",
            where=Where(variable=self.item, row=row + 1),
            rule="measure.out-of-range",
            hint="Declare the code in missing_codes or substitute, or fix the coding table.",
        )


@dataclasses.dataclass(frozen=True, slots=True)
class IndexSpec:
    """Items, their coding and the dimensions of an index (configuration, e.g. from YAML).

    Parameters
    ----------
    name : str
        Index name (``"ipl12"``).
    items : tuple of ItemCoding
        Item codings.
    dimensions : tuple of str, optional
        Dimension order (default: order of first appearance).
    min_items : Mapping[str, int], optional
        Minimum answered items per dimension (default: half the items, rounded up).
    """

    name: str
    items: tuple[ItemCoding, ...]
    dimensions: tuple[str, ...] = ()
    min_items: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        seen = tuple(dict.fromkeys(c.dimension for c in self.items))
        dims = tuple(self.dimensions) or seen
        missing = [d for d in seen if d not in dims]
        empty = [d for d in dims if d not in seen]
        if missing or empty:
            raise CodebookError(
                f"dimensions without items {empty} or items in undeclared dimensions {missing}",
                where=Where(key=self.name),
                rule="measure.index-dimensions",
                hint="Every declared dimension needs items and every item a declared dimension.",
            )
        object.__setattr__(self, "dimensions", dims)
        object.__setattr__(self, "min_items", dict(self.min_items))

    def items_of(self, dimension: str) -> tuple[ItemCoding, ...]:
        """Codings of one dimension's items."""
        return tuple(c for c in self.items if c.dimension == dimension)

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> IndexSpec:
        """Build from plain data (a parsed YAML/JSON file).

        Examples
        --------
        >>> spec = IndexSpec.from_dict({"name": "toy", "items": [
        ...     {"item": "q1", "dimension": "social", "kind": "ordinal", "levels": 5},
        ...     {"item": "q2", "dimension": "social", "kind": "count", "cap": 10}]})
        >>> spec.dimensions
        ('social',)
        """
        items = tuple(
            ItemCoding(**{**c, "missing_codes": tuple(c.get("missing_codes", ()))})
            for c in config["items"]
        )
        return cls(
            name=str(config.get("name", "index")),
            items=items,
            dimensions=tuple(config.get("dimensions", ())),
            min_items=dict(config.get("min_items", {})),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class IndexResult(ResultMixin):
    """Per-respondent dimension scores and index (``scores``), plus weighted means."""

    scores: pd.DataFrame
    dimensions: tuple[str, ...]
    index_name: str
    meta: Meta
    sample_weight: np.ndarray | None = None

    @property
    def index(self) -> pd.Series:
        """The overall index per respondent."""
        return self.scores[self.index_name]

    def to_frame(self) -> pd.DataFrame:
        """Weighted mean of each dimension score and of the index over scored respondents."""
        rows = []
        w = self.sample_weight
        for col in (*self.dimensions, self.index_name):
            v = self.scores[col].to_numpy(dtype=float)
            ok = ~np.isnan(v)
            ww = np.ones(ok.sum()) if w is None else w[ok]
            est = float(ww @ v[ok] / ww.sum()) if ok.any() else float("nan")
            rows.append({"variable": col, "estimate": est, "n": int(ok.sum())})
        return tidy_frame(rows)


def dimension_index(
    frame: pd.DataFrame,
    spec: IndexSpec,
    *,
    mode: Literal["strict", "lenient"] = "strict",
    min_dimensions: int | None = None,
    sample_weight: object = None,
) -> IndexResult:
    """Score an IPL-style or Esser-style index: items -> dimensions -> index.

    Parameters
    ----------
    frame : DataFrame
        Raw answers.
    spec : IndexSpec
        Item codings and dimensions (e.g. the six IPL dimensions).
    mode : {"strict", "lenient"}
        ``strict``: the index needs every dimension; ``lenient``: at least ``min_dimensions``
        (default: all but one).
    sample_weight : str or array-like, optional
        Weights used by :meth:`IndexResult.to_frame` for the mean scores.

    Returns
    -------
    IndexResult
        ``scores`` has one column per dimension, the index (named ``spec.name``) and ``n_dims``.

    Notes
    -----
    .. math:: D_d = \\frac{1}{|A_d|}\\sum_{j \\in A_d} s_j, \\qquad
        I = \\frac{1}{|D|}\\sum_{d \\in D} D_d

    References
    ----------
    Harder, N. et al. (2018). Multidimensional measure of immigrant integration. *PNAS*
    115(45), 11483-11488.

    Examples
    --------
    >>> items = [ItemCoding(f"{d}{j}", d, kind="unit") for d in "ab" for j in (1, 2)]
    >>> spec = IndexSpec("idx", tuple(items))
    >>> df = pd.DataFrame({"a1": [1.0], "a2": [0.5], "b1": [0.0], "b2": [None]})
    >>> dimension_index(df, spec).scores.round(4).to_dict("records")
    [{'a': 0.75, 'b': 0.0, 'idx': 0.375, 'n_dims': 2}]
    """
    check_in(mode, ("strict", "lenient"), "mode")
    check_columns(frame, [c.item for c in spec.items])
    from ._data import weights_vector

    w = weights_vector(frame, sample_weight, len(frame))
    dims = spec.dimensions
    scores = pd.DataFrame(index=frame.index)
    for d in dims:
        codings = spec.items_of(d)
        block = pd.concat([c.score(frame[c.item]) for c in codings], axis=1)
        need = spec.min_items.get(d, max(1, math.ceil(len(codings) / 2)))
        scores[d] = block.mean(axis=1, skipna=True).where(block.notna().sum(axis=1) >= need)
    n_dims = scores[list(dims)].notna().sum(axis=1)
    need_dims = len(dims) if mode == "strict" else (min_dimensions or len(dims) - 1)
    scores[spec.name] = scores[list(dims)].mean(axis=1, skipna=True).where(n_dims >= need_dims)
    scores["n_dims"] = n_dims.astype(int)
    meta = Meta(
        method="dimension-mean index (METHODS 1.3)",
        policies={"mode": mode},
        call={"index": spec.name, "min_dimensions": need_dims},
        n_used=int(scores[spec.name].notna().sum()),
        n_dropped=int(scores[spec.name].isna().sum()),
    )
    return IndexResult(scores, dims, spec.name, meta, w)


def _check_dims(spec: IndexSpec, allowed: tuple[str, ...], what: str) -> None:
    extra = [d for d in spec.dimensions if d not in allowed]
    if extra or len(spec.dimensions) != len(allowed):
        raise CodebookError(
            f"{what} needs the dimensions {allowed}; the spec has {spec.dimensions}",
            where=Where(key=spec.name),
            rule="measure.index-dimensions",
            hint="Map every item to one of the named dimensions.",
        )


def ipl_index(
    frame: pd.DataFrame,
    spec: IndexSpec,
    *,
    mode: Literal["strict", "lenient"] = "strict",
    sample_weight: object = None,
) -> IndexResult:
    """The IPL integration index (six dimensions, METHODS 1); see :func:`dimension_index`.

    ``lenient`` needs 5 of the 6 dimensions and records ``n_dims``.
    """
    _check_dims(spec, IPL_DIMENSIONS, "the IPL index")
    return dimension_index(frame, spec, mode=mode, min_dimensions=5, sample_weight=sample_weight)


def esser_scores(
    frame: pd.DataFrame,
    spec: IndexSpec,
    *,
    mode: Literal["strict", "lenient"] = "strict",
    sample_weight: object = None,
) -> IndexResult:
    """Esser's four dimension scores on [0, 1] (METHODS 2.1-2.2) and their mean."""
    _check_dims(spec, ESSER_DIMENSIONS, "Esser's scores")
    return dimension_index(frame, spec, mode=mode, sample_weight=sample_weight)


def complex_integration(
    scores: pd.DataFrame,
    *,
    tau: float | Mapping[str, float] = 0.6,
    structural: str = "placement",
    dimensions: Sequence[str] = ESSER_DIMENSIONS,
) -> pd.Series:
    """Types of METHODS 2.6: ``complex`` (all dimensions >= tau), ``structural only``, ``other``.

    ``tau`` is one threshold or one per dimension (e.g. the long-term residents' medians).
    Respondents with a missing dimension get a missing type.

    Examples
    --------
    >>> s = pd.DataFrame({"culturation": [.7, .2], "placement": [.8, .9],
    ...                   "interaction": [.6, .9], "identification": [.9, .9]})
    >>> complex_integration(s).tolist()
    ['complex', 'structural only']
    """
    check_columns(scores, list(dimensions))
    t = {d: float(tau[d] if isinstance(tau, Mapping) else tau) for d in dimensions}
    high = pd.DataFrame({d: scores[d] >= t[d] for d in dimensions})
    complete = scores[list(dimensions)].notna().all(axis=1)
    others = [d for d in dimensions if d != structural]
    out = pd.Series("other", index=scores.index, dtype=object)
    out[high[structural] & ~high[others].all(axis=1)] = "structural only"
    out[high.all(axis=1)] = "complex"
    return out.where(complete)
