"""Composite integration indices under alternative aggregations, and their rank stability.

The OECD/JRC *Handbook on Constructing Composite Indicators* (2008; METHODS 2.3) asks for the
composite's uncertainty under alternative normalisation, aggregation and weighting. The default
composite is the equal-weight arithmetic mean of the dimension scores (IPL's own rule) on their
theoretical [0, 1] range; the alternatives are

* the weighted geometric mean on scores shifted to [0.01, 1.01] (zeros would annihilate it);
* the Mazziotta-Pareto penalised mean of z-scores (``qonys.measure.mazziotta_pareto``);
* the arithmetic mean with each dimension's weight in turn doubled;
* the arithmetic mean with weights proportional to the first principal component's squared
  loadings of the design-weighted correlation matrix.

Rank stability is the design-weighted share of respondents whose tercile (cut at the weighted
tertiles of each index) differs from their tercile under the default, and Spearman's rank
correlation with the default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core.errors import DataError, Where
from .._core.results import Meta, ResultMixin, tidy_frame
from .composite import aggregate_arithmetic, aggregate_geometric, mazziotta_pareto

__all__ = ["RankStability", "composite_alternatives", "rank_stability"]

GEOMETRIC_SHIFT = 0.01


def _weighted_tercile(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order]) / w.sum()
    cuts = [x[order][np.searchsorted(cw, q)] for q in (1 / 3, 2 / 3)]
    return np.searchsorted(np.asarray(cuts), x, side="right")


def _pc_weights(x: np.ndarray, w: np.ndarray, columns: Sequence[str]) -> dict[str, float]:
    mu = (w[:, None] * x).sum(axis=0) / w.sum()
    d = x - mu
    cov = (w[:, None] * d).T @ d / w.sum()
    s = np.sqrt(np.diag(cov))
    corr = cov / np.outer(s, s)
    vals, vecs = np.linalg.eigh(corr)
    load = vecs[:, -1] * np.sqrt(vals[-1])
    sq = load**2
    return {c: float(v) for c, v in zip(columns, sq / sq.sum(), strict=True)}


def composite_alternatives(
    scores: pd.DataFrame, columns: Sequence[str], sample_weight: np.ndarray | None = None
) -> pd.DataFrame:
    """The default composite and its alternatives, one column each (complete rows only).

    Raises
    ------
    DataError
        ``measure.constant-score`` when a dimension does not vary (z-scores and principal
        components are undefined).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> s = pd.DataFrame(rng.uniform(size=(50, 3)), columns=["a", "b", "c"])
    >>> list(composite_alternatives(s, ["a", "b", "c"]).columns)[:4]
    ['arithmetic', 'geometric', 'mazziotta_pareto', 'pca_weights']
    """
    cols = list(columns)
    x = scores[cols].dropna().astype(float)
    w = np.ones(len(scores)) if sample_weight is None else np.asarray(sample_weight, float)
    w = w[scores[cols].notna().all(axis=1).to_numpy()]
    for c in cols:
        if float(x[c].max() - x[c].min()) == 0.0:
            raise DataError(
                f"dimension {c!r} is constant; its composite alternatives are undefined",
                where=Where(variable=c),
                rule="measure.constant-score",
                hint="Leave the dimension out of the composite or check its items.",
            )
    out = pd.DataFrame(index=x.index)
    out["arithmetic"] = aggregate_arithmetic(x, cols)
    out["geometric"] = aggregate_geometric(x + GEOMETRIC_SHIFT, cols)
    out["mazziotta_pareto"] = mazziotta_pareto(x, cols)
    out["pca_weights"] = aggregate_arithmetic(x, cols, _pc_weights(x.to_numpy(), w, cols))
    for c in cols:
        out[f"double_{c}"] = aggregate_arithmetic(
            x, cols, {d: 2.0 if d == c else 1.0 for d in cols}
        )
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class RankStability(ResultMixin):
    """Share of respondents changing tercile and Spearman's rho, by alternative."""

    table: pd.DataFrame
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Rows ``variable`` = alternative; ``estimate`` = share changing tercile; ``rho``."""
        return tidy_frame(
            [{str(k): v for k, v in r.items()} for r in self.table.to_dict("records")],
            extra=("rho",),
        )


def rank_stability(
    scores: pd.DataFrame, columns: Sequence[str], sample_weight: np.ndarray | None = None
) -> RankStability:
    """Rank stability of the composite under the alternatives of :func:`composite_alternatives`.

    .. math:: s_a = \\frac{\\sum_i w_i [t_i^{(a)} \\ne t_i^{(0)}]}{\\sum_i w_i}

    with :math:`t_i^{(a)}` respondent :math:`i`'s weighted tercile under alternative :math:`a`.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> s = pd.DataFrame(rng.uniform(size=(300, 3)), columns=["a", "b", "c"])
    >>> r = rank_stability(s, ["a", "b", "c"]).to_frame()
    >>> bool((r["estimate"] < 0.5).all())
    True
    """
    cols = list(columns)
    alt = composite_alternatives(scores, cols, sample_weight)
    keep = scores[cols].notna().all(axis=1).to_numpy()
    w = np.ones(keep.sum()) if sample_weight is None else np.asarray(sample_weight, float)[keep]
    base = _weighted_tercile(alt["arithmetic"].to_numpy(), w)
    rank0 = alt["arithmetic"].rank().to_numpy()
    rows = []
    for name in alt.columns:
        if name == "arithmetic":
            continue
        t = _weighted_tercile(alt[name].to_numpy(), w)
        rho = float(np.corrcoef(rank0, alt[name].rank().to_numpy())[0, 1])
        rows.append(
            {
                "variable": name,
                "estimate": float(np.sum(w * (t != base)) / w.sum()),
                "n": int(keep.sum()),
                "rho": rho,
            }
        )
    meta = Meta(
        method="tercile changes against the equal-weight arithmetic mean (OECD/JRC 2008)",
        call={"columns": cols},
        n_used=int(keep.sum()),
        n_dropped=int((~keep).sum()),
    )
    return RankStability(pd.DataFrame(rows), meta)
