"""Small-cell suppression for published tables, with complementary (secondary) suppression.

A frequency or cross-tabulation printed with its margins must not reveal how many respondents
fall in a small cell. Two steps protect it:

*Primary suppression*
    every cell (margins included) whose **unweighted** count is at least 1 and below the threshold
    is hidden. The threshold comes from a disclosure-control profile: ``standard`` = 5,
    ``strict`` = 10 (the UK ONS research-output rule).
*Complementary suppression*
    more cells are hidden so that no hidden value can be recomputed from what is printed. Two
    rules are applied until nothing changes (a fixed point):

    1. *lines*: every row and column (the margin row and column included) that holds a hidden
       entry holds at least two, so a single subtraction from a margin recovers nothing; the
       complement is the smallest non-zero cell of the line, preferring a cell whose other line
       also needs a complement, and a margin only when no inner cell is left;
    2. *exact check*: for every hidden entry, the smallest and largest value compatible with the
       printed entries, the table's additivity and non-negativity are found by linear
       programming. A hidden entry whose interval has zero width is still disclosed, and the
       smallest visible cell of its row or column is hidden too.

    Rule 1 alone is the classic heuristic; it is not enough in general (a hidden cell that
    joins two otherwise separate groups of hidden cells is determined), which rule 2 catches.

The same functions work on one-dimensional tables (categories plus a total).

Estimates whose relative standard error exceeds 30 % are flagged (not hidden) by
:func:`rse_flags`.

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 4 (tabular data).
OECD glossary, "threshold rule"; UK ONS research-output guidance (threshold 10).

Examples
--------
>>> p = suppress_table([[12, 3, 20], [15, 9, 30]], threshold=5)
>>> p.suppressed[:2, :3].astype(int).tolist()
[[1, 1, 0], [1, 1, 0]]
>>> int(p.primary.sum()), int(p.secondary.sum())
(1, 3)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from .._core import QonysError, Where

__all__ = [
    "PROFILES",
    "DisclosureRules",
    "Profile",
    "SuppressionPattern",
    "feasible_intervals",
    "rse_flags",
    "suppress_lines",
    "suppress_table",
    "suppress_vector",
    "table_lines",
    "threshold_for",
]

Profile = Literal["standard", "strict"]
PROFILES: dict[str, int] = {"standard": 5, "strict": 10}
"""Disclosure-control profiles and their minimum unweighted cell count."""

_TOL = 1e-7


def threshold_for(profile: str) -> int:
    """Minimum unweighted cell count of a disclosure-control profile.

    >>> threshold_for("strict")
    10
    """
    try:
        return PROFILES[profile]
    except KeyError:
        raise QonysError(
            f"unknown disclosure-control profile {profile!r}",
            where=Where(key="privacy.profile"),
            rule="privacy.profile",
            hint=f"Use one of: {', '.join(PROFILES)}.",
        ) from None


@dataclasses.dataclass(frozen=True, slots=True)
class DisclosureRules:
    """What may be printed: the cell threshold, the RSE limit, microdata and free text.

    Parameters
    ----------
    profile : {"standard", "strict"}
        Named profile; sets ``threshold`` unless it is given.
    threshold : int, optional
        Minimum unweighted count of a printed cell (5 standard, 10 strict).
    rse_limit : float
        Relative standard error above which an estimate is flagged (0.30).
    zeros_disclosive : bool
        Whether empty cells are suppressed too (off: an empty cell names nobody).
    allow_microdata, allow_free_text : bool
        Whether respondent-level rows or free-text answers may appear in a report. Both are off by
        default and may be switched on only after a clean personal-data scan.

    Examples
    --------
    >>> DisclosureRules("strict").threshold
    10
    """

    profile: str = "standard"
    threshold: int | None = None
    rse_limit: float = 0.30
    zeros_disclosive: bool = False
    allow_microdata: bool = False
    allow_free_text: bool = False

    def __post_init__(self) -> None:
        base = threshold_for(self.profile)
        if self.threshold is None:
            object.__setattr__(self, "threshold", base)
        elif isinstance(self.threshold, bool) or not isinstance(self.threshold, int):
            raise QonysError(
                f"the cell threshold must be an integer; got {self.threshold!r}",
                where=Where(key="privacy.threshold"),
                rule="privacy.threshold",
                hint="Give a whole number of respondents, e.g. 5.",
            )
        elif self.threshold < 1:
            raise QonysError(
                f"the cell threshold must be at least 1; got {self.threshold}",
                where=Where(key="privacy.threshold"),
                rule="privacy.threshold",
                hint="Use 5 (standard) or 10 (strict).",
            )
        if not self.rse_limit > 0:
            raise QonysError(
                f"the RSE limit must be positive; got {self.rse_limit!r}",
                where=Where(key="privacy.rse_limit"),
                rule="privacy.rse-limit",
                hint="Use a fraction such as 0.30.",
            )

    @property
    def min_n(self) -> int:
        """The threshold as an int (always set after construction)."""
        return int(self.threshold or PROFILES[self.profile])


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class SuppressionPattern:
    """Which entries of a table (margins included) are hidden, and why.

    The arrays have the *extended* shape: for a two-way table of ``R x C`` cells it is
    ``(R + 1, C + 1)`` with column totals in the last row, row totals in the last column and the
    grand total at ``[R, C]``; for a one-way table of ``K`` cells it is ``(K + 1,)`` with the total
    last.

    Attributes
    ----------
    primary : ndarray of bool
        Hidden because the unweighted count is below the threshold.
    secondary : ndarray of bool
        Hidden so that the primary ones cannot be recomputed.
    threshold : int
        The threshold applied.
    """

    primary: npt.NDArray[np.bool_]
    secondary: npt.NDArray[np.bool_]
    threshold: int

    @property
    def suppressed(self) -> npt.NDArray[np.bool_]:
        """Every hidden entry."""
        return np.asarray(self.primary | self.secondary)

    @property
    def inner(self) -> npt.NDArray[np.bool_]:
        """Hidden entries among the inner cells (margins dropped)."""
        s = self.suppressed
        return np.asarray(s[:-1] if s.ndim == 1 else s[:-1, :-1])

    @property
    def any(self) -> bool:
        """Whether anything is hidden."""
        return bool(self.suppressed.any())

    def apply(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Copy of ``values`` (extended shape) with hidden entries set to ``NaN``."""
        out = np.array(values, dtype=float, copy=True)
        out[self.suppressed] = np.nan
        return out


def _extend(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    if counts.ndim == 1:
        return np.append(counts, counts.sum())
    ext = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1))
    ext[:-1, :-1] = counts
    ext[:-1, -1] = counts.sum(axis=1)
    ext[-1, :-1] = counts.sum(axis=0)
    ext[-1, -1] = counts.sum()
    return ext


Line = tuple[tuple[int, ...], ...]
"""An additive line: entries (as index tuples) whose sum is the last entry, the line's margin."""


def table_lines(shape: tuple[int, ...]) -> list[Line]:
    """The additive lines of an extended one- or two-way table (margins last in each line).

    >>> table_lines((3,))
    [((0,), (1,), (2,))]
    >>> len(table_lines((3, 4)))   # 3 rows and 4 columns, margin row and column included
    7
    """
    if len(shape) == 1:
        return [tuple((k,) for k in range(shape[0]))]
    R, C = shape
    rows: list[Line] = [tuple((i, j) for j in range(C)) for i in range(R)]
    cols: list[Line] = [tuple((i, j) for i in range(R)) for j in range(C)]
    return rows + cols


def _equations(shape: tuple[int, ...], lines: Sequence[Line]) -> npt.NDArray[np.float64]:
    """Additivity constraints ``A @ x.ravel() == 0``."""
    size = int(np.prod(shape))
    rows = []
    for line in lines:
        a = np.zeros(size)
        for idx in line[:-1]:
            a[np.ravel_multi_index(idx, shape)] += 1.0
        a[np.ravel_multi_index(line[-1], shape)] -= 1.0
        rows.append(a)
    return np.array(rows)


def feasible_intervals(
    values: npt.ArrayLike, suppressed: npt.ArrayLike, lines: Sequence[Line] | None = None
) -> npt.NDArray[np.float64]:
    """Smallest and largest value each hidden entry can take given what is printed.

    ``values`` and ``suppressed`` have the extended shape (see :class:`SuppressionPattern`);
    entries are taken to be non-negative and the table additive. Returns an array of shape
    ``values.shape + (2,)`` holding ``[low, high]`` for hidden entries and the printed value twice
    for the others. A hidden entry with ``high - low == 0`` can be recomputed. ``lines`` gives
    another additive structure (see :func:`suppress_lines`); by default that of a one- or two-way
    table with margins.

    Examples
    --------
    >>> v = np.array([3.0, 7.0, 10.0])
    >>> feasible_intervals(v, [True, False, False])[0].tolist()   # 10 - 7
    [3.0, 3.0]
    >>> feasible_intervals(v, [True, True, False])[0].tolist()
    [0.0, 10.0]
    """
    vals = np.asarray(values, dtype=float)
    mask = np.asarray(suppressed, dtype=bool)
    shape = vals.shape
    out = np.stack([vals, vals], axis=-1).astype(float)
    hidden = np.flatnonzero(mask.ravel())
    if hidden.size == 0:
        return out
    A = _equations(shape, table_lines(shape) if lines is None else lines)
    known = np.setdiff1d(np.arange(vals.size), hidden)
    A_u = A[:, hidden]
    b = -A[:, known] @ vals.ravel()[known]
    keep = np.abs(A_u).sum(axis=1) > 0
    A_u, b = A_u[keep], b[keep]
    flat = out.reshape(-1, 2)
    for k, cell in enumerate(hidden):
        c = np.zeros(hidden.size)
        c[k] = 1.0
        bounds = []
        for sign in (1.0, -1.0):
            res = linprog(
                sign * c,
                A_eq=A_u if A_u.size else None,
                b_eq=b if A_u.size else None,
                bounds=(0, None),
                method="highs",
            )
            bounds.append(sign * res.fun if res.status == 0 else (np.inf if sign < 0 else 0.0))
        flat[cell] = bounds
    return out


def _choose_complement(
    line: Line,
    supp: npt.NDArray[np.bool_],
    counts: npt.NDArray[np.float64],
    lines: Sequence[Line],
) -> tuple[int, ...] | None:
    """The entry of ``line`` to hide next, or ``None`` when every entry is hidden.

    An inner cell is preferred to the margin; among inner cells, one whose other line also
    holds a single hidden entry (so one complement serves two lines), then non-empty cells, then
    the smallest count, then the first position.
    """
    inner = [idx for idx in line[:-1] if not supp[idx]]
    if inner:

        def helps(idx: tuple[int, ...]) -> bool:
            return any(
                idx in other and sum(bool(supp[e]) for e in other) == 1
                for other in lines
                if other is not line
            )

        def key(idx: tuple[int, ...]) -> tuple[int, int, float, tuple[int, ...]]:
            return (0 if helps(idx) else 1, 1 if counts[idx] == 0 else 0, float(counts[idx]), idx)

        return min(inner, key=key)
    margin = line[-1]
    return None if supp[margin] else margin


def _protect(
    counts: npt.NDArray[np.float64],
    values: npt.NDArray[np.float64],
    primary: npt.NDArray[np.bool_],
    lines: Sequence[Line],
) -> npt.NDArray[np.bool_]:
    supp = primary.copy()
    for _ in range(4 * supp.size + 4):
        changed = False
        # rule 1: no line with exactly one hidden entry
        for line in lines:
            n_hidden = sum(bool(supp[idx]) for idx in line)
            if n_hidden == 1:
                pick = _choose_complement(line, supp, counts, lines)
                if pick is not None:
                    supp[pick] = True
                    changed = True
        if changed:
            continue
        # rule 2: exact check by linear programming
        if not supp.any():
            break
        iv = feasible_intervals(values, supp, lines)
        width = iv[..., 1] - iv[..., 0]
        scale = max(1.0, float(np.nanmax(np.abs(values))))
        exposed = [
            tuple(int(i) for i in idx) for idx in np.argwhere(supp & (width <= _TOL * scale))
        ]
        if not exposed:
            break
        target = exposed[0]
        for line in lines:
            if target in line:
                pick = _choose_complement(line, supp, counts, lines)
                if pick is not None:
                    supp[pick] = True
                    changed = True
                    break
        if not changed:  # everything on its lines is hidden already: hide the whole table
            supp[:] = True
            break
    return supp


def _primary(ext: npt.NDArray[np.float64], threshold: int, zeros: bool) -> npt.NDArray[np.bool_]:
    low = (ext < threshold) & (ext > 0)
    if zeros:
        low |= ext == 0
    return np.asarray(low)


def _check_counts(counts: npt.ArrayLike, ndim: int) -> npt.NDArray[np.float64]:
    arr = np.asarray(counts, dtype=float)
    if arr.ndim != ndim or arr.size == 0:
        raise QonysError(
            f"expected a {ndim}-dimensional table of counts; got shape {arr.shape}",
            rule="privacy.suppression-shape",
            hint="Pass the inner cells only; margins are added for you.",
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise QonysError(
            "cell counts must be finite and non-negative",
            rule="privacy.suppression-counts",
            hint="Pass unweighted respondent counts.",
        )
    return arr


def _run(
    counts: npt.NDArray[np.float64],
    threshold: int,
    values: npt.ArrayLike | None,
    zeros_disclosive: bool,
) -> SuppressionPattern:
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise QonysError(
            f"the threshold must be a positive integer; got {threshold!r}",
            rule="privacy.threshold",
            hint="Use 5 (standard) or 10 (strict).",
        )
    ext = _extend(counts)
    vals = ext if values is None else np.asarray(values, dtype=float)
    if vals.shape == counts.shape:
        vals = _extend(vals)
    if vals.shape != ext.shape:
        raise QonysError(
            f"published values have shape {vals.shape}; expected {counts.shape} or {ext.shape}",
            rule="privacy.suppression-shape",
            hint="Give one published value per cell (margins optional).",
        )
    return _pattern(ext, vals, table_lines(ext.shape), threshold, zeros_disclosive)


def _pattern(
    ext: npt.NDArray[np.float64],
    vals: npt.NDArray[np.float64],
    lines: Sequence[Line],
    threshold: int,
    zeros_disclosive: bool,
) -> SuppressionPattern:
    primary = _primary(ext, int(threshold), zeros_disclosive)
    supp = _protect(ext, vals, primary, lines)
    return SuppressionPattern(primary=primary, secondary=supp & ~primary, threshold=int(threshold))


def suppress_lines(
    counts: npt.ArrayLike,
    lines: Sequence[Sequence[int]],
    *,
    threshold: int = 5,
    values: npt.ArrayLike | None = None,
    zeros_disclosive: bool = False,
) -> SuppressionPattern:
    """Suppression for any additive layout given as lines of entry positions.

    ``counts`` lists every printed entry, subtotals and totals included; each line lists the
    positions of entries that add up to the line's last entry. A frequency table with a valid
    block, a missing block and a grand total is three lines: ``valid cells + valid total``,
    ``missing cells + missing total`` and ``valid total + missing total + grand total``.

    Examples
    --------
    >>> # valid: 30, 2, 40 (total 72); missing: 6, 1 (total 7); grand total 79
    >>> p = suppress_lines([30, 2, 40, 72, 6, 1, 7, 79], [[0, 1, 2, 3], [4, 5, 6], [3, 6, 7]])
    >>> p.suppressed.astype(int).tolist()
    [1, 1, 0, 0, 1, 1, 0, 0]
    """
    ext = _check_counts(counts, 1)
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise QonysError(
            f"the threshold must be a positive integer; got {threshold!r}",
            rule="privacy.threshold",
            hint="Use 5 (standard) or 10 (strict).",
        )
    norm: list[Line] = []
    for line in lines:
        pos = [int(i) for i in line]
        if len(pos) < 2 or min(pos) < 0 or max(pos) >= ext.size:
            raise QonysError(
                f"a line must name two or more entries among 0..{ext.size - 1}; got {list(line)}",
                rule="privacy.suppression-lines",
                hint="List each line's cells and then its total.",
            )
        norm.append(tuple((i,) for i in pos))
    vals = ext if values is None else np.asarray(values, dtype=float)
    if vals.shape != ext.shape:
        raise QonysError(
            f"published values have shape {vals.shape}; expected {ext.shape}",
            rule="privacy.suppression-shape",
            hint="Give one published value per entry.",
        )
    return _pattern(ext, vals, norm, threshold, zeros_disclosive)


def suppress_table(
    counts: npt.ArrayLike,
    *,
    threshold: int = 5,
    values: npt.ArrayLike | None = None,
    zeros_disclosive: bool = False,
) -> SuppressionPattern:
    """Primary and complementary suppression of a two-way table printed with its margins.

        Parameters
        ----------
        counts : array-like, shape (R, C)
            Unweighted respondent counts of the inner cells.
        threshold : int
            Minimum printable count (5 standard, 10 strict).
        values : array-like, optional
            The values actually printed (weighted counts, say), inner ``(R, C)`` or extended
            ``(R + 1, C + 1)``; they must add up along rows and columns. Defaults to ``counts``.
        zeros_disclosive : bool
            Also suppress empty cells.

        Returns
        -------
        SuppressionPattern
            With the extended shape ``(R + 1, C + 1)``.

        Examples
        --------
        A 3 x 3 table with one small cell needs three complements (a 2 x 2 rectangle); the
    third is 40, not 18, because it completes both the second row and the second column:

        >>> p = suppress_table([[20, 2, 30], [25, 40, 12], [33, 18, 27]])
        >>> p.inner.astype(int).tolist()
        [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    """
    return _run(_check_counts(counts, 2), threshold, values, zeros_disclosive)


def suppress_vector(
    counts: npt.ArrayLike,
    *,
    threshold: int = 5,
    values: npt.ArrayLike | None = None,
    zeros_disclosive: bool = False,
) -> SuppressionPattern:
    """Primary and complementary suppression of a one-way table printed with its total.

    Examples
    --------
    >>> suppress_vector([40, 3, 25, 12]).suppressed.astype(int).tolist()
    [0, 1, 0, 1, 0]
    """
    return _run(_check_counts(counts, 1), threshold, values, zeros_disclosive)


def rse_flags(
    estimate: npt.ArrayLike, se: npt.ArrayLike, limit: float = 0.30
) -> npt.NDArray[np.bool_]:
    """Whether each estimate's relative standard error ``se / |estimate|`` exceeds ``limit``.

    An estimate of zero with a positive SE is flagged; a missing estimate or SE is not.

    >>> rse_flags([0.5, 0.1, 0.0], [0.05, 0.04, 0.01]).tolist()
    [False, True, True]
    """
    est = np.abs(np.asarray(estimate, dtype=float))
    s = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(est > 0, s / est, np.where(s > 0, np.inf, 0.0))
    flagged = np.nan_to_num(rse, nan=0.0) > limit
    return np.asarray(flagged & np.isfinite(est) & np.isfinite(s))
