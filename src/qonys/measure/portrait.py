"""Design-based frequencies and distributions by group: the numbers of a social portrait.

:func:`frequencies` gives, for one categorical variable, the unweighted and design-weighted
count of every valid code and of every kind of missing answer (refused, don't know, not
asked...), as SPSS FREQUENCIES lays them out. :func:`distribution_by` gives the distribution
within each group of another variable (column percentages of a cross-tabulation) with design
standard errors, confidence intervals, significance letters from design-based pairwise tests,
and the Rao-Scott test of independence (R's ``svychisq``).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._core import Meta, ResultMixin, tidy_frame
from ..design import SurveyData
from ..estimate import ChisqResult, chisq, mean, total
from ._survey import add_columns, domain_value

__all__ = ["Distribution", "Frequencies", "compact_letters", "distribution_by", "frequencies"]

_KIND_ORDER = ("skipped", "dont_know", "refused", "missing", "system")


@dataclasses.dataclass(frozen=True, slots=True)
class Frequencies(ResultMixin):
    """Counts of one variable: valid codes, then missing answers by kind.

    ``table`` has ``variable, level, n`` (unweighted), ``weighted_n`` (design-based total),
    ``se`` (its standard error) and ``missing`` (the kind, empty for valid codes); the report
    shows it as an SPSS frequency table (``table_kind = "frequency"``).
    """

    variable: str
    table: pd.DataFrame
    meta: Meta
    table_kind: str = "frequency"

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame (``estimate`` = weighted count) with ``weighted_n`` and ``missing``."""
        t = self.table.assign(estimate=self.table["weighted_n"])
        return tidy_frame(t, extra=["weighted_n", "missing"])


def frequencies(
    sd: SurveyData, variable: str, *, kinds: pd.Series | Sequence[object] | None = None
) -> Frequencies:
    """Unweighted and weighted counts of every code and missing kind of ``variable``.

    Parameters
    ----------
    sd : SurveyData
    variable : str
        A categorical variable (codes).
    kinds : Series or sequence, optional
        Per row, the missing kind of the answer (``"refused"``, ``"skipped"``...; empty for a
        valid answer), when the codes were turned into missing values upstream. Without it,
        every missing value is ``"system"``.

    Returns
    -------
    Frequencies

    Notes
    -----
    Weighted counts are design-based totals (:func:`qonys.estimate.total`), so they carry
    standard errors; R: ``svytotal(~factor(x, exclude = NULL), design)``.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> df = pd.DataFrame({"sex": [1, 2, 2, None], "w": [10.0, 20, 20, 5]})
    >>> f = frequencies(SurveyData(df, SurveyDesign(weights="w")), "sex",
    ...                 kinds=[None, None, None, "refused"])
    >>> f.table[["level", "n", "weighted_n"]].to_numpy().tolist()
    [[1.0, 1, 10.0], [2.0, 2, 40.0], ['refused', 1, 5.0]]
    >>> f.table["missing"].fillna("").tolist()
    ['', '', 'refused']
    """
    col = sd.column(variable)
    k = [None] * sd.n if kinds is None else [_kind(x) for x in kinds]
    key = []
    back: dict[str, tuple[object, str | None]] = {}
    for v, kind in zip(col.tolist(), k, strict=True):
        if pd.notna(v) and kind is None:
            label = f"v{v!r}"
            back.setdefault(label, (v, None))
        else:
            kind = str(kind) if kind is not None else "system"
            label = f"m{_KIND_ORDER.index(kind) if kind in _KIND_ORDER else 9}{kind}"
            back.setdefault(label, (kind, kind))
        key.append(label)
    data = add_columns(sd, {"_freq_key": np.array(key, dtype=object)})
    tot = total(data, "_freq_key", missing="fail").table
    inside = data.prepared.in_domain
    counts = pd.Series(np.array(key, dtype=object)[inside]).value_counts()
    rows = []
    for rec in tot.to_dict(orient="records"):
        level, kind = back[str(rec["level"])]
        rows.append(
            {
                "variable": variable,
                "level": level,
                "n": int(counts.get(rec["level"], 0)),
                "weighted_n": float(rec["estimate"]),
                "se": float(rec["se"]),
                "missing": kind,
                "_valid": kind is None,
                "_order": str(rec["level"]),
            }
        )
    valid = sorted((r for r in rows if r["_valid"]), key=_row_key)
    miss = sorted((r for r in rows if not r["_valid"]), key=lambda r: str(r["_order"]))
    table = pd.DataFrame(valid + miss).drop(columns=["_valid", "_order"])
    meta = Meta(
        method="design-based totals of every code (Taylor linearisation)",
        design=sd.describe(),
        call={"variable": variable},
        n_used=int(inside.sum()),
    )
    return Frequencies(variable, table, meta)


def _kind(x: object) -> str | None:
    if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return None
    return str(x) or None


def _text(value: object) -> str:
    """A code as text, whatever its storage (``1``, ``1.0`` and ``"1"`` are all ``"1"``)."""
    text = str(value)
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def _row_key(row: dict[str, object]) -> tuple[int, float, str]:
    return _sort_key(row["level"])


def _sort_key(v: object) -> tuple[int, float, str]:
    try:
        return (0, float(v), "")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return (1, 0.0, str(v))


def compact_letters(different: np.ndarray) -> list[str]:
    """Compact letter display: columns sharing a letter do not differ (Piepho 2004).

    Parameters
    ----------
    different : bool array (k, k)
        Symmetric; ``True`` where two columns differ significantly.

    Returns
    -------
    list of str
        Letters per column (``"a"``, ``"ab"``...); every column gets at least one.

    Examples
    --------
    >>> d = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], bool)
    >>> compact_letters(d)
    ['a', 'b', 'ab']
    >>> compact_letters(np.zeros((0, 0), bool))
    []
    """
    k = different.shape[0]
    if k == 0:
        return []
    groups: list[set[int]] = [set(range(k))]
    for i, j in itertools.combinations(range(k), 2):
        if not different[i, j]:
            continue
        new: list[set[int]] = []
        for g in groups:
            if i in g and j in g:
                new += [g - {i}, g - {j}]
            else:
                new.append(g)
        groups = [g for g in new if not any(g < h for h in new)]
        groups = [g for n, g in enumerate(groups) if g not in groups[:n]]
    groups.sort(key=lambda g: (min(g), -len(g)))
    letters = ["" for _ in range(k)]
    for n, g in enumerate(groups):
        for c in sorted(g):
            letters[c] += "abcdefghijklmnopqrstuvwxyz"[n % 26]
    return letters


@dataclasses.dataclass(frozen=True, slots=True)
class Distribution(ResultMixin):
    """The distribution of a variable within each group (column percentages).

    ``table``: ``variable, level, domain`` (``"by=value"``), ``estimate`` (proportion within
    the group), ``se``, ``ci_low``, ``ci_high``, ``df``, ``deff``, ``n`` (unweighted cell
    count), then the group variable, ``weighted_n`` (design-based cell total) and ``letters``
    (compact letter display of pairwise design-based z-tests at ``alpha``, Bonferroni-adjusted
    within the row). ``test`` is the Rao-Scott test of independence.
    """

    variable: str
    by: str
    table: pd.DataFrame
    test: ChisqResult
    meta: Meta
    table_kind: str = "crosstab"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table."""
        return tidy_frame(self.table)


def distribution_by(
    sd: SurveyData,
    variable: str,
    by: str,
    *,
    level: float = 0.95,
    alpha: float = 0.05,
) -> Distribution:
    """Design-based distribution of ``variable`` in each group of ``by``, with tests.

    Parameters
    ----------
    sd : SurveyData
    variable, by : str
        Categorical variables (rows and columns of the cross-tabulation). Respondents missing
        either are left out (they stay in the design).
    level : float
        Confidence level of the intervals (Wald, on the domain's design df).
    alpha : float
        Level of the pairwise column tests behind the significance letters.

    Returns
    -------
    Distribution

    Notes
    -----
    Column proportions are domain means of the level indicators (:func:`qonys.estimate.mean`),
    R's ``svyby(~x, ~by, design, svymean, na.rm = TRUE)``; two columns differ in a row when
    :math:`|p_a - p_b| / \\sqrt{V_{aa} + V_{bb} - 2V_{ab}}` exceeds the normal quantile of
    :math:`1 - \\alpha / (2m)`, :math:`m` = number of pairs. The test is
    ``svychisq(~x + by, design, statistic = "F")``.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> df = pd.DataFrame({"x": list("aabbabab"), "g": list("uuuuvvvv")})
    >>> d = distribution_by(SurveyData(df, SurveyDesign()), "x", "g")
    >>> d.table[["level", "g", "estimate", "n"]].to_numpy().tolist()[:2]
    [['a', 'u', 0.5, 2], ['a', 'v', 0.5, 2]]
    """
    both = sd.column(variable).notna() & sd.column(by).notna()
    data = sd.subset(both.to_numpy())
    props = mean(data, variable, by=by, level=level, vcov=True, missing="fail")
    t = props.table.copy()
    tots = total(data, variable, by=by, missing="fail").table
    t["weighted_n"] = tots["estimate"].to_numpy()
    inside = data.prepared.in_domain
    pairs = zip(
        map(_text, data.column(variable)[inside]), map(_text, data.column(by)[inside]), strict=True
    )
    cells: dict[tuple[str, str], int] = {}
    for key in pairs:
        cells[key] = cells.get(key, 0) + 1
    t["n"] = [
        cells.get(key, 0) for key in zip(map(_text, t["level"]), map(_text, t[by]), strict=True)
    ]
    v = props.vcov if props.vcov is not None else np.diag(props.se**2)
    t["letters"] = ""
    groups = list(dict.fromkeys(t[by].tolist()))
    k = len(groups)
    q = float(stats.norm.isf(alpha / (2 * max(k * (k - 1) / 2, 1))))
    for lv in dict.fromkeys(t["level"].tolist()):
        idx = np.flatnonzero((t["level"] == lv).to_numpy())
        p = t["estimate"].to_numpy()[idx]
        diff = np.zeros((len(idx), len(idx)), bool)
        for a, b in itertools.combinations(range(len(idx)), 2):
            ia, ib = idx[a], idx[b]
            var = v[ia, ia] + v[ib, ib] - 2 * v[ia, ib]
            diff[a, b] = diff[b, a] = var > 0 and abs(p[a] - p[b]) / np.sqrt(var) > q
        for pos, letter in zip(idx, compact_letters(diff), strict=True):
            t.loc[t.index[int(pos)], "letters"] = letter
    t["domain"] = [f"{by}={domain_value(str(d))}" for d in t["domain"]]
    test = chisq(sd, variable, by, statistic="F")
    meta = Meta(
        method="design-based column proportions; Rao-Scott F test",
        design=sd.describe(),
        call={"variable": variable, "by": by, "level": level, "alpha": alpha},
        notes=props.meta.notes,
        n_used=int(inside.sum()),
    )
    return Distribution(variable, by, t.drop(columns=["sum_weights"], errors="ignore"), test, meta)
