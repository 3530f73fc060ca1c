"""Small-cell suppression: the printed table must not let anyone recompute a hidden cell.

The attack used here is written independently of the library: it writes the table's additivity
(rows and columns add up to their printed margins) as a linear system in the hidden entries and

* checks with a singular-value decomposition whether any hidden entry is fixed by the system
  (its coordinate is zero in every null-space vector), and
* solves two linear programmes per hidden entry (minimise and maximise it, entries >= 0): an
  interval of zero width means the value is recovered.

Tables are built to contain small cells (hand-made ones and random ones from hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from qonys import QonysError
from qonys.privacy import (
    DisclosureRules,
    feasible_intervals,
    rse_flags,
    suppress_table,
    suppress_vector,
    threshold_for,
)


def extended(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    if counts.ndim == 1:
        return np.append(counts, counts.sum())
    ext = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1))
    ext[:-1, :-1] = counts
    ext[:-1, -1] = counts.sum(axis=1)
    ext[-1, :-1] = counts.sum(axis=0)
    ext[-1, -1] = counts.sum()
    return ext


def constraint_matrix(shape: tuple[int, ...]) -> np.ndarray:
    """Rows: each printed line adds up to its margin (margin row and column included)."""
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    rows = []
    if len(shape) == 1:
        a = np.zeros(idx.size)
        a[idx[:-1]] = 1
        a[idx[-1]] = -1
        return a[None, :]
    for i in range(shape[0]):
        a = np.zeros(idx.size)
        a[idx[i, :-1]] = 1
        a[idx[i, -1]] = -1
        rows.append(a)
    for j in range(shape[1]):
        a = np.zeros(idx.size)
        a[idx[:-1, j]] = 1
        a[idx[-1, j]] = -1
        rows.append(a)
    return np.array(rows)


def recovered_entries(values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, ...]]:
    """Hidden entries an attacker can recompute from the printed ones."""
    A = constraint_matrix(values.shape)
    h = np.flatnonzero(hidden.ravel())
    k = np.setdiff1d(np.arange(values.size), h)
    if h.size == 0:
        return []
    A_h = A[:, h]
    b = -A[:, k] @ values.ravel()[k]
    # 1) linear algebra: entry fixed <=> zero in every null-space vector of A_h
    _, s, vt = np.linalg.svd(A_h)
    rank = int((s > 1e-9).sum())
    null = vt[rank:].T
    fixed = set()
    for pos in range(h.size):
        if null.shape[1] == 0 or np.allclose(null[pos], 0, atol=1e-9):
            fixed.add(pos)
    # 2) linear programming with non-negativity
    for pos in range(h.size):
        c = np.zeros(h.size)
        c[pos] = 1
        lo = linprog(c, A_eq=A_h, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=A_h, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0  # the true table is always feasible
        if hi.status == 3:  # unbounded above: nothing printed pins this entry
            continue
        assert hi.status == 0
        if abs(-hi.fun - lo.fun) < 1e-6:
            fixed.add(pos)
    return [tuple(int(x) for x in np.unravel_index(h[p], values.shape)) for p in sorted(fixed)]


def check_protected(counts, threshold=5, values=None):
    p = (
        suppress_table(counts, threshold=threshold, values=values)
        if np.ndim(counts) == 2
        else (suppress_vector(counts, threshold=threshold, values=values))
    )
    ext = extended(np.asarray(counts, dtype=float))
    printed = ext if values is None else extended(np.asarray(values, dtype=float))
    # every small non-empty entry is hidden, and only small ones are primary
    small = (ext > 0) & (ext < threshold)
    assert (p.primary == small).all()
    assert not (p.primary & p.secondary).any()
    assert recovered_entries(printed, p.suppressed) == []
    return p


HAND_MADE = [
    [[12, 3, 20], [15, 9, 30]],
    [[20, 2, 30], [25, 40, 12], [33, 18, 27]],
    [[1, 2], [3, 4]],  # everything small
    [[40, 3], [25, 60]],
    [[0, 3, 12], [14, 0, 9], [22, 31, 0]],  # zeros next to small cells
    [[7]],  # a single cell
    [[4, 50, 61, 70]],  # one row: cells equal their column totals
    [[4], [50], [61]],  # one column
    [[2, 2, 2], [2, 2, 2]],  # a whole small table
    [[30, 1, 44, 2], [28, 35, 1, 50], [60, 70, 80, 3], [12, 14, 16, 18]],
]


@pytest.mark.parametrize("counts", HAND_MADE)
def test_hand_made_tables_cannot_be_recovered(counts):
    check_protected(counts)


@pytest.mark.parametrize("counts", HAND_MADE)
def test_strict_profile_threshold_ten(counts):
    p = check_protected(counts, threshold=threshold_for("strict"))
    ext = extended(np.asarray(counts, dtype=float))
    assert (p.primary == ((ext > 0) & (ext < 10))).all()


def test_single_small_cell_needs_a_rectangle():
    # One small cell in a 3 x 3 table: the cheapest safe pattern hides a 2 x 2 rectangle.
    p = suppress_table([[20, 2, 30], [25, 40, 12], [33, 18, 27]])
    assert p.inner.sum() == 4
    assert p.inner[0, 1]
    assert p.primary[0, 1]


def test_complements_are_the_smallest_cells():
    p = suppress_table([[100, 3, 8], [90, 80, 70], [60, 50, 9]])
    # row 0 needs a complement: 8 (smaller than 100); column 1 then needs one: 50 < 80;
    # column 2 and row 2 then close on 9 (8, 3 | 50, 9 form the rectangle).
    assert p.inner.astype(int).tolist() == [[0, 1, 1], [0, 0, 0], [0, 1, 1]]


def test_one_way_table_with_total():
    p = check_protected([40, 3, 25, 12])
    assert p.suppressed.astype(int).tolist() == [0, 1, 0, 1, 0]
    # only one category and a total: hiding the category means hiding the total
    p = check_protected([4])
    assert p.suppressed.tolist() == [True, True]


def test_weighted_values_are_what_is_checked():
    counts = [[12, 3, 20], [15, 9, 30]]
    weighted = np.array(counts, dtype=float) * np.array([[1.2, 0.7, 1.1], [0.9, 1.4, 1.0]])
    check_protected(counts, values=weighted)


def test_bridge_cell_is_caught_by_the_exact_check():
    # Two hidden rectangles joined by one hidden cell: every line holds two or more hidden
    # entries (the classic rule is met), yet the joining cell is determined.
    counts = np.array(
        [[10, 11, 30, 31], [12, 13, 14, 32], [33, 34, 15, 16], [35, 36, 17, 18]], dtype=float
    )
    mask = np.zeros((5, 5), dtype=bool)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        mask[i, j] = True
    ext = extended(counts)
    assert recovered_entries(ext, mask) == [(1, 2)]
    iv = feasible_intervals(ext, mask)
    assert iv[1, 2, 0] == iv[1, 2, 1] == 14


def test_primary_zero_cells_only_when_asked():
    p = suppress_table([[0, 20], [30, 40]], zeros_disclosive=True)
    assert p.primary[0, 0]
    assert not suppress_table([[0, 20], [30, 40]]).any


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda r: st.integers(1, 5).flatmap(
            lambda c: st.lists(
                st.lists(st.sampled_from([0, 1, 2, 3, 4, 6, 9, 15, 40]), min_size=c, max_size=c),
                min_size=r,
                max_size=r,
            )
        )
    )
)
def test_random_tables_cannot_be_recovered(counts):
    check_protected(counts)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 2, 4, 7, 12, 30]), min_size=1, max_size=8))
def test_random_vectors_cannot_be_recovered(counts):
    check_protected(counts)


def test_hidden_values_are_removed_by_apply():
    p = suppress_table([[12, 3, 20], [15, 9, 30]])
    shown = p.apply(extended(np.array([[12, 3, 20], [15, 9, 30]])))
    assert np.isnan(shown[0, 1])
    assert np.isnan(shown[1, 1])
    assert shown[2, 3] == 89


def test_rse_flags():
    # RSE = se / |estimate|; 0.04 / 0.1 = 0.4 > 0.3 is flagged, 0.05 / 0.5 = 0.1 is not.
    assert rse_flags([0.5, 0.1, -2.0, np.nan], [0.05, 0.04, 0.5, 0.1]).tolist() == [
        False,
        True,
        False,
        False,
    ]


def test_rules_and_bad_input():
    assert DisclosureRules().min_n == 5
    assert DisclosureRules("strict").min_n == 10
    assert DisclosureRules("standard", threshold=3).min_n == 3
    with pytest.raises(QonysError, match="profile"):
        DisclosureRules("lax")
    with pytest.raises(QonysError, match="non-negative"):
        suppress_table([[1, -2]])
    with pytest.raises(QonysError, match="2-dimensional"):
        suppress_table([1, 2])
    with pytest.raises(QonysError, match="threshold"):
        suppress_table([[1, 2]], threshold=0)


def lines_matrix(n: int, lines) -> np.ndarray:
    rows = []
    for line in lines:
        a = np.zeros(n)
        a[list(line[:-1])] += 1
        a[line[-1]] -= 1
        rows.append(a)
    return np.array(rows)


@pytest.mark.parametrize(
    ("valid", "missing"),
    [([30, 2, 40], [6, 1]), ([3, 50, 60], [12, 9]), ([2, 2], [1]), ([45, 60], [3]), ([8], [2, 2])],
)
def test_frequency_layout_with_valid_and_missing_blocks(valid, missing):
    from qonys.privacy import suppress_lines

    counts = [*valid, sum(valid), *missing, sum(missing), sum(valid) + sum(missing)]
    nv, nm = len(valid), len(missing)
    lines = [
        list(range(nv + 1)),
        list(range(nv + 1, nv + nm + 2)),
        [nv, nv + nm + 1, nv + nm + 2],
    ]
    p = suppress_lines(counts, lines)
    vals = np.array(counts, dtype=float)
    A = lines_matrix(len(counts), lines)
    h = np.flatnonzero(p.suppressed)
    k = np.setdiff1d(np.arange(len(counts)), h)
    b = -A[:, k] @ vals[k]
    for pos in range(h.size):
        c = np.zeros(h.size)
        c[pos] = 1
        lo = linprog(c, A_eq=A[:, h], b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=A[:, h], b_eq=b, bounds=(0, None), method="highs")
        assert hi.status == 3 or abs(-hi.fun - lo.fun) > 1e-6, f"entry {h[pos]} recovered"
    assert ((vals > 0) & (vals < 5) <= p.suppressed).all()
