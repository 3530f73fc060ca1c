"""Tables of a dataset as validation sees them: rows, context for expressions, missing kinds."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, QonysError, Roster, Variable
from .._core.expressions import evaluate_bool

__all__ = [
    "TableView",
    "classify",
    "empty_mask",
    "key_text",
    "relevant_mask",
    "tables",
]


def key_text(x: object) -> str | None:
    """A key value as comparable text (``1``, ``1.0`` and ``"1"`` are the same key)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float | np.floating):
        if math.isnan(x):
            return None
        if float(x) == int(x):
            return str(int(x))
        return repr(float(x))
    if isinstance(x, bool | np.bool_):
        return str(int(x))
    if isinstance(x, int | np.integer):
        return str(int(x))
    text = str(x)
    return None if text == "" else text


def numeric_values(col: pd.Series) -> np.ndarray | None:
    """The column as floats (NaN for missing) when its dtype is numeric, else ``None``."""
    if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(col.dtype):
        return None
    return np.asarray(col.astype("Float64").to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _code_number(code: object) -> float | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int | float | np.integer | np.floating):
        return float(code)
    if isinstance(code, str):
        try:
            return float(code) if code.strip() == code and code else None
        except ValueError:
            return None
    return None


def empty_mask(col: pd.Series) -> np.ndarray:
    """System-missing cells: ``NA``/``NaN``/``None`` or the empty string."""
    mask = col.isna().to_numpy(dtype=bool, na_value=True)
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        mask = mask | np.fromiter(
            (isinstance(x, str) and x == "" for x in col.tolist()), dtype=bool, count=len(col)
        )
    return mask


@dataclass
class TableView:
    """One table (main or roster) with its position in the roster tree."""

    name: str | None
    frame: pd.DataFrame
    roster: Roster | None
    chain: list[tuple[Roster, pd.DataFrame]] = field(default_factory=list)
    _context: pd.DataFrame | None = None
    _unresolved: np.ndarray | None = None
    _relevant: dict[str, tuple[np.ndarray | None, str | None]] = field(default_factory=dict)
    _conditions: dict[str, np.ndarray | str] = field(default_factory=dict)

    def context(self, codebook: Codebook) -> pd.DataFrame:
        """The table plus its ancestors' variables, row-aligned through the roster keys.

        An expression in a roster may refer to a question of the parent form
        (``${consent}``); orphan rows get missing values for those columns.
        """
        if self._context is not None:
            return self._context
        ctx = self.frame
        unresolved = np.zeros(len(self.frame), dtype=bool)
        positions = np.arange(len(self.frame))
        child = self.frame
        for roster, parent in self.chain:
            if roster.parent_key not in child.columns or roster.key not in parent.columns:
                break
            lookup: dict[str, int] = {}
            for i, k in enumerate(parent[roster.key].tolist()):
                kt = key_text(k)
                if kt is not None:
                    lookup.setdefault(kt, i)
            links = child[roster.parent_key].tolist()
            step = np.array(
                [lookup.get(key_text(links[p]) or "", -1) if p >= 0 else -1 for p in positions],
                dtype=int,
            )
            parent_vars = {v.name for v in codebook.variables_of(roster.parent)}
            unique = parent.columns[~parent.columns.duplicated(keep=False)]
            added = {
                col: pd.Series(parent[col].array.take(step, allow_fill=True), index=ctx.index)
                for col in unique
                if col not in ctx.columns and col in parent_vars
            }
            if added:
                ctx = pd.concat([ctx, pd.DataFrame(added, index=ctx.index)], axis=1)
            unresolved |= step < 0
            positions, child = step, parent
        self._context = ctx
        self._unresolved = unresolved
        return ctx

    def unresolved(self, codebook: Codebook) -> np.ndarray:
        """Roster rows whose ancestors cannot be found (orphans): their routing is unknown."""
        self.context(codebook)
        return self._unresolved if self._unresolved is not None else np.zeros(0, dtype=bool)

    def relevant(
        self, codebook: Codebook, var: Variable, today: date | None
    ) -> tuple[np.ndarray | None, str | None]:
        """Rows where ``var`` is asked (``None``: always), and a note if it could not be told."""
        if var.name not in self._relevant:
            mask, note = relevant_mask(
                self.context(codebook), codebook, var, today, self._conditions
            )
            self._relevant[var.name] = (mask, note)
        return self._relevant[var.name]


def tables(dataset: Dataset, codebook: Codebook) -> Iterator[TableView]:
    """The main table, then every roster table present, each with its chain of ancestors."""
    yield TableView(None, dataset.data, None)
    by_name = {r.name: r for r in codebook.rosters}
    for name, frame in dataset.rosters.items():
        roster = by_name.get(name)
        chain: list[tuple[Roster, pd.DataFrame]] = []
        cur = roster
        seen: set[str] = set()
        while cur is not None and cur.name not in seen:
            seen.add(cur.name)
            if cur.parent is None:
                chain.append((cur, dataset.data))
                break
            if cur.parent not in dataset.rosters:
                break
            chain.append((cur, dataset.rosters[cur.parent]))
            cur = by_name.get(cur.parent)
        yield TableView(name, frame, roster, chain)


def relevant_mask(
    context: pd.DataFrame,
    codebook: Codebook,
    var: Variable,
    today: date | None,
    cache: dict[str, np.ndarray | str] | None = None,
) -> tuple[np.ndarray | None, str | None]:
    """AND of the enclosing groups' and the variable's own ``relevant`` over ``context``.

    Returns ``(None, None)`` when the question is always asked, and ``(None, note)`` when a
    condition cannot be evaluated (unsupported function, unknown reference). ``cache`` keeps
    each condition's result (or failure) for the other questions of the same table.
    """
    chain = codebook.relevant_chain(var.name)
    if not chain:
        return None, None
    memo = cache if cache is not None else {}
    mask = np.ones(len(context), dtype=bool)
    for expr in chain:
        if expr not in memo:
            try:
                memo[expr] = evaluate_bool(expr, context, today=today).to_numpy(dtype=bool)
            except QonysError as err:
                memo[expr] = f"{err.message} [rule {err.rule}]"
        got = memo[expr]
        if isinstance(got, str):
            return None, f"routing of {var.name} not checked: {got}"
        mask &= got
    return mask, None


def classify(
    col: pd.Series,
    var: Variable,
    codebook: Codebook,
    relevant: np.ndarray | None,
    unknown: np.ndarray | None = None,
) -> np.ndarray:
    """Kind of every cell: ``valid``, a user-missing kind, or for empty cells ``skipped``
    (routing false) or ``missing``.

    A cell holding a user-missing code has that code's kind whatever the routing says. Rows
    in ``unknown`` (orphan roster rows) are never called skipped.
    """
    empty = empty_mask(col)
    out = np.where(empty, "missing", "valid").astype(object)
    if relevant is not None:
        skipped = empty & ~relevant
        if unknown is not None:
            skipped &= ~unknown
        out[skipped] = "skipped"
    has_codes = bool(var.missing) or any(
        c.missing is not None for c in (codebook.choices_of(var.name) or _NoList()).choices
    )
    if not has_codes:
        return out
    nums = numeric_values(col)
    if nums is not None:
        filled = ~empty
        cl = codebook.choices_of(var.name)
        for ch in cl.choices if cl is not None else ():
            code = _code_number(ch.code)
            if ch.missing is not None and code is not None:
                out[filled & (nums == code)] = ch.missing.value
        for m in var.missing:  # the variable's own codes win over the list's
            if m.is_range and m.low is not None and m.high is not None:
                hit = (nums >= m.low) & (nums <= m.high)
            else:
                code = _code_number(m.value)
                if code is None:
                    continue
                hit = nums == code
            out[filled & hit] = m.kind.value
        return out
    cache: dict[object, str | None] = {}
    values = col.tolist()
    for i in np.flatnonzero(~empty):
        x = values[i]
        try:
            key: object = x if isinstance(x, str | int | float) else key_text(x)
            hash(key)
        except TypeError:
            key = repr(x)
        if key not in cache:
            kind = codebook.missing_kind(var.name, x)
            cache[key] = None if kind is None else kind.value
        kind_s = cache[key]
        if kind_s is not None:
            out[i] = kind_s
    return out


class _NoList:
    choices: tuple[()] = ()
