"""From candidate answers to the rows a KoboToolbox export holds, following the form.

:func:`fill_form` takes the answers the structural model gives (one array per variable) and

1. answers every other question of the form with a plain default (and lists them in
   ``FilledForm.defaulted``), so that no question is left out;
2. puts "don't know" (98) and "refused" (99) at low rates on questions whose choice list has
   them (never on screening, sampling and the district of residence, the stratum);
3. walks the form in order and applies the routing: a question whose ``relevant`` (or an
   enclosing group's) is false is emptied, exactly as the data-collection app skips it;
   calculations (``scr_age``, ``scr_eligible``...) are evaluated with the form's expressions;
4. writes each ``select_multiple`` as Kobo does: the space-separated summary and one 0/1
   column ``q/<code>`` per choice (empty when the question was skipped);
5. types each column as :mod:`qonys.io.kobo` reads it back (``Int64`` codes and numbers,
   text, date-times).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._core import Codebook, Variable, Where
from .._core.expressions import evaluate, evaluate_bool, references
from ..io.xlsform_values import convert_column
from .items import choice_codes

__all__ = ["FilledForm", "as_text", "fill_form", "typed"]

NEVER_MISSING = frozenset(
    {
        "hou_district",
        "hou_first_district",
        "net_n",
        "mot_main",
        "img_fav_district",
        "img_avoid_district",
        "net_a_relation",
        "net_a_origin",
        "net_a_status",
        "net_a_authority",
        "net_a_knows",
        "dem_sex",
    }
)
"""Questions that never get a missing code (screening, sampling and ``smp_``/``scr_`` ones
never do either): the stratum, and the alter attributes that determine the tie type."""


@dataclasses.dataclass(frozen=True)
class FilledForm:
    """A form's table filled in.

    Attributes
    ----------
    frame : DataFrame
        Columns in form order (notes left out), typed as the Kobo reader types them.
    defaulted : tuple of str
        Questions the structural model did not answer (filled with plain defaults).
    """

    frame: pd.DataFrame
    defaulted: tuple[str, ...]


def as_text(x: object) -> str | None:
    """Kobo's text of a value: numbers without ``.0``, ``None`` for empty.

    Examples
    --------
    >>> as_text(3.0), as_text(float("nan")), as_text("a"), as_text(2.5)
    ('3', None, 'a', '2.5')
    """
    if x is None or x is pd.NA:
        return None
    if isinstance(x, bool | np.bool_):
        return "1" if x else "0"
    if isinstance(x, float | np.floating):
        if np.isnan(x):
            return None
        return str(int(x)) if float(x).is_integer() else repr(float(x))
    if isinstance(x, int | np.integer):
        return str(int(x))
    text = str(x)
    return text if text.strip() else None


def typed(var: Variable, cb: Codebook, values: Sequence[object] | np.ndarray) -> pd.Series:
    """A column of ``var``'s type, as the Kobo reader gives it back.

    Numbers and codes become nullable ``Int64`` (``float64`` for decimals), dates and
    date-times go through the reader's own conversion, everything else is text.
    """
    int_codes = False
    if var.choices and var.choices in {c.name for c in cb.choice_lists}:
        codes = cb.choice_list(var.choices).codes()
        int_codes = bool(codes) and all(isinstance(c, int) for c in codes)
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if var.type in ("integer", "binary") or (var.type == "select_one" and int_codes):
        nums = pd.to_numeric(pd.Series(arr, dtype=object), errors="raise").to_numpy(float)
        if np.any(~np.isnan(nums) & (nums != np.round(nums))):
            raise ValueError(f"{var.name}: a whole number was expected")
        mask = np.isnan(nums)
        data = pd.arrays.IntegerArray(np.where(mask, 0, nums).astype(np.int64), mask)
        return pd.Series(data, dtype="Int64")
    if var.type == "decimal":
        return pd.Series(pd.to_numeric(pd.Series(arr, dtype=object)).to_numpy(float))
    texts = [as_text(v) for v in arr.tolist()]
    if var.type in ("date", "datetime"):
        return convert_column(
            texts,
            var.type,
            int_codes=False,
            where=lambda i: Where(row=i + 1, variable=var.name),
            rule="simulate.value",
        )
    return pd.Series(texts, dtype="str")


def _default(var: Variable, cb: Codebook, n: int, rng: np.random.Generator) -> np.ndarray:
    if var.type == "select_one":
        codes = [c for c in choice_codes(cb, var.name) if c not in (96, 97)]
        return rng.choice(codes, n).astype(float) if codes else np.full(n, np.nan)
    if var.type == "select_multiple":
        codes = [c for c in choice_codes(cb, var.name) if c not in (0, 96, 97)]
        out = np.empty(n, dtype=object)
        for i in range(n):
            k = int(rng.integers(1, 3))
            out[i] = " ".join(str(c) for c in sorted(rng.choice(codes, k, replace=False)))
        return out
    if var.type in ("integer", "decimal"):
        return rng.integers(1, 6, n).astype(float)
    return np.full(n, None, dtype=object)


def _inject_missing(
    var: Variable,
    cb: Codebook,
    values: np.ndarray,
    rng: np.random.Generator,
    rates: tuple[float, float],
) -> np.ndarray:
    if var.name in NEVER_MISSING or var.name.startswith(("scr_", "smp_", "meta_")):
        return values
    if not var.choices:
        return values
    flags = {c.missing.value for c in cb.choice_list(var.choices).choices if c.missing}
    dk, ref = rates
    n = len(values)
    u = rng.random(n)
    if var.type == "select_one":
        out = values.astype(float).copy()
        if "dont_know" in flags:
            out = np.where(u < dk, 98.0, out)
        if "refused" in flags:
            out = np.where((u >= dk) & (u < dk + ref), 99.0, out)
        return out
    if var.type == "select_multiple" and "refused" in flags:
        out = values.copy()
        out[(u < ref) & np.array([v is not None for v in values])] = "99"
        return out
    return values


def _calc_text(series: pd.Series) -> list[str | None]:
    return [
        as_text(v) if not isinstance(v, str) else (v if v.strip() else None)
        for v in series.tolist()
    ]


def fill_form(
    cb: Codebook,
    answers: Mapping[str, Sequence[object] | np.ndarray],
    n: int,
    rng: np.random.Generator,
    *,
    today: dt.date,
    roster: str | None = None,
    parent: pd.DataFrame | None = None,
    parent_rows: np.ndarray | None = None,
    rates: Mapping[str, tuple[float, float]] | None = None,
    default_rates: tuple[float, float] = (0.015, 0.004),
    computed: Mapping[str, Sequence[object]] | None = None,
) -> FilledForm:
    """Fill the main table (``roster=None``) or one repeat table of ``cb`` with answers.

    Parameters
    ----------
    cb : Codebook
        The form.
    answers : mapping
        Variable -> candidate answers (length ``n``).
    n : int
        Rows of the table.
    rng : numpy.random.Generator
    today : date
        Value of ``today()`` in calculations (the interview date).
    roster, parent, parent_rows
        For a repeat table: its name, the filled parent table and each row's parent row.
    rates : mapping, optional
        Variable -> (don't know, refused) rates; ``default_rates`` otherwise.
    computed : mapping, optional
        Calculations given directly (``position(..)`` cannot be evaluated on a flat table).
    """
    variables = [v for v in cb.variables if v.repeat == roster and v.type != "note"]
    members = {m: s.source for s in cb.mr_sets if s.source for m in s.variables}
    raw: dict[str, np.ndarray] = {}
    defaulted: list[str] = []
    for var in variables:
        if var.name in members or var.type == "calculate" or var.type in ("datetime", "date"):
            continue
        if var.name in answers:
            raw[var.name] = np.asarray(
                answers[var.name],
                dtype=object if var.type in ("text", "select_multiple") else float,
            )
        else:
            raw[var.name] = _default(var, cb, n, rng)
            defaulted.append(var.name)
        raw[var.name] = _inject_missing(
            var, cb, raw[var.name], rng, (rates or {}).get(var.name, default_rates)
        )
    ctx: dict[str, pd.Series] = {}
    if parent is not None and parent_rows is not None:
        for pcol in parent.columns:
            ctx[str(pcol)] = parent[pcol].iloc[parent_rows].reset_index(drop=True)
    for name, vals in raw.items():
        ctx[name] = typed(cb.variable(name), cb, vals)
    memo: dict[str, tuple[frozenset[str], np.ndarray]] = {}

    def condition(expr: str) -> np.ndarray:
        if expr not in memo:
            refs = references(expr)
            frame = pd.DataFrame({r: ctx[r] for r in sorted(refs)}, index=pd.RangeIndex(n))
            memo[expr] = (refs, evaluate_bool(expr, frame, today=today).to_numpy(dtype=bool))
        return memo[expr][1]

    def changed(name: str) -> None:
        for expr in [e for e, (refs, _) in memo.items() if name in refs]:
            del memo[expr]

    out: dict[str, pd.Series] = {}
    for var in variables:
        if var.name in members:
            continue
        if var.type == "calculate":
            if computed is not None and var.name in computed:
                calc_vals: list[object] = list(computed[var.name])
            else:
                calc = var.calculation or "''"
                refs = sorted(references(calc))
                frame = pd.DataFrame({r: ctx[r] for r in refs}, index=pd.RangeIndex(n))
                calc_vals = list(_calc_text(evaluate(calc, frame, today=today)))
            ctx[var.name] = typed(var, cb, calc_vals)
            changed(var.name)
        elif var.type in ("datetime", "date"):
            ctx[var.name] = typed(var, cb, list(answers.get(var.name, [None] * n)))
        keep = np.ones(n, dtype=bool)
        for expr in cb.relevant_chain(var.name):
            keep &= condition(expr)
        if not keep.all():
            col = ctx[var.name].copy()
            col[~keep] = pd.NA if str(col.dtype) == "Int64" else None
            if str(col.dtype) not in ("Int64",) and not str(col.dtype).startswith("datetime"):
                col = col.astype("str")
            ctx[var.name] = col
            changed(var.name)
        out[var.name] = ctx[var.name]
        if var.type == "select_multiple":
            tokens = [None if pd.isna(t) else str(t).split() for t in ctx[var.name].tolist()]
            for member in (m for m, src in members.items() if src == var.name):
                code = member[len(var.name) + 1 :]
                ind = [None if t is None else int(code in t) for t in tokens]
                out[member] = pd.Series(ind, dtype="Int64")
    order = [v.name for v in variables if v.name in out]
    frame = pd.DataFrame({name: out[name] for name in order}, index=pd.RangeIndex(n))
    return FilledForm(frame=frame, defaulted=tuple(defaulted))
