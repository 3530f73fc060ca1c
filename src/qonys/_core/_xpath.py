"""Vectorised evaluation of parsed XLSForm expressions (see :mod:`qonys._core.expressions`).

Every value is an array with one entry per row, of one of four kinds: ``num`` (float64),
``str`` (Python strings), ``bool``, or ``node`` (a reference: strings, with a numeric view used
when XPath converts it to a number).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from ._xpath_ast import Binary, Current, Expr, Node, Num, Ref, Str, Unary
from .errors import CodebookError, DataError, Where

__all__ = ["evaluate_tree"]

_EPOCH = date(1970, 1, 1)
_NUM_RE = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_DATE_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


@dataclasses.dataclass(slots=True)
class _V:
    kind: str
    s: np.ndarray | None = None
    n: np.ndarray | None = None
    b: np.ndarray | None = None


def _obj(values: list[Any]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def fmt_number(x: float) -> str:
    """A number written as XPath's ``string()`` writes it (``2`` not ``2.0``)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _date_to_days(text: str) -> float:
    m = _DATE_RE.match(text)
    if m is None:
        return math.nan
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return math.nan
    days = float((d - _EPOCH).days)
    if m.group(4) is not None:
        secs = int(m.group(4)) * 3600 + int(m.group(5)) * 60 + float(m.group(6) or 0)
        tz = m.group(7)
        if tz and tz != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            secs -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        days += secs / 86_400
    return days


def str_to_number(text: str) -> float:
    """XPath ``number()`` of a string, extended to ISO dates (days since 1970-01-01)."""
    if _NUM_RE.match(text):
        return float(text)
    return _date_to_days(text)


def _map(arr: np.ndarray, fn: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    cache: dict[Any, Any] = {}
    out = []
    for x in arr:
        if x not in cache:
            cache[x] = fn(x)
        out.append(cache[x])
    if dtype is object:
        return _obj(out)
    return np.asarray(out, dtype=dtype)


def _num(v: _V) -> np.ndarray:
    if v.n is not None:
        return v.n
    if v.b is not None:
        return v.b.astype(float)
    n = _map(_str(v), str_to_number, float)
    if v.kind == "node":
        v.n = n
    return n


def _str(v: _V) -> np.ndarray:
    if v.s is not None:
        return v.s
    if v.kind == "node" and v.n is not None:  # a numeric column: missing is ''
        v.s = _obj(["" if math.isnan(x) else fmt_number(x) for x in v.n.tolist()])
        return v.s
    if v.b is not None:
        return _obj(["true" if x else "false" for x in v.b])
    return _map(_num(v), fmt_number, object)


def _bool(v: _V) -> np.ndarray:
    if v.b is not None:
        return v.b
    if v.kind == "num":
        n = _num(v)
        return (n != 0) & ~np.isnan(n)
    s = _str(v)
    return np.fromiter((x != "" for x in s), dtype=bool, count=len(s))


def _node_from_series(col: pd.Series) -> _V:
    if isinstance(col, pd.DataFrame):  # duplicate column names
        raise DataError(
            f"column {col.columns[0]!r} appears more than once",
            where=Where(variable=str(col.columns[0])),
            rule="expr.duplicate-column",
            hint="Give every column a unique name.",
        )
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        ts = pd.DatetimeIndex(col)
        naive = ts.tz_convert(None) if ts.tz is not None else ts
        midnight = (naive.hour == 0) & (naive.minute == 0) & (naive.second == 0)
        strings = []
        for t, mid in zip(ts, midnight, strict=True):
            if pd.isna(t):
                strings.append("")
            elif mid and ts.tz is None and t.microsecond == 0 and t.nanosecond == 0:
                strings.append(t.strftime("%Y-%m-%d"))
            else:
                strings.append(t.isoformat())
        delta = (naive - pd.Timestamp(1970, 1, 1)) / pd.Timedelta(days=1)
        days = np.asarray(delta, dtype=float)
        return _V("node", s=_obj(strings), n=days)
    if pd.api.types.is_bool_dtype(col.dtype):
        mask = col.isna().to_numpy()
        vals = col.fillna(False).astype(bool).to_numpy()
        strings = ["" if m else ("true" if x else "false") for x, m in zip(vals, mask, strict=True)]
        return _V("node", s=_obj(strings), n=np.where(mask, np.nan, vals.astype(float)))
    if pd.api.types.is_numeric_dtype(col.dtype):
        n = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return _V("node", n=n)  # its text is made only if a string comparison needs it
    return _V("node", s=_obj([_cell_text(x) for x in col.tolist()]))


def _cell_text(x: Any) -> str:
    if x is None or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, float):
        return "" if math.isnan(x) else fmt_number(x)
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, np.floating):
        return "" if math.isnan(float(x)) else fmt_number(float(x))
    if isinstance(x, datetime | pd.Timestamp):
        return x.isoformat()
    if isinstance(x, date):
        return x.isoformat()
    return str(x)


@dataclasses.dataclass
class _Ctx:
    frame: pd.DataFrame
    n: int
    current: str | None
    today: date
    now: datetime
    source: str
    cache: dict[str, _V] = dataclasses.field(default_factory=dict)

    def column(self, name: str) -> _V:
        if name not in self.cache:
            if name not in self.frame.columns:
                raise DataError(
                    f"expression {self.source!r} refers to {name!r}, which is not in the data",
                    where=Where(variable=name),
                    rule="expr.unknown-reference",
                    hint="Check the variable name, or read the data with its codebook.",
                )
            self.cache[name] = _node_from_series(self.frame[name])
        return self.cache[name]

    def full(self, kind: str, value: Any) -> _V:
        if kind == "num":
            return _V("num", n=np.full(self.n, float(value)))
        if kind == "bool":
            return _V("bool", b=np.full(self.n, bool(value)))
        return _V("str", s=_obj([value] * self.n))


def _date_node(ctx: _Ctx, days: np.ndarray, with_time: bool) -> _V:
    strings = []
    for d in days:
        if math.isnan(d) or abs(d) > 3_000_000:
            strings.append("")
            continue
        moment = datetime(1970, 1, 1) + timedelta(days=float(d))
        strings.append(moment.isoformat() if with_time else moment.date().isoformat())
    return _V("node", s=_obj(strings), n=days if with_time else np.floor(days))


def _merge(mask: np.ndarray, a: _V, b: _V) -> _V:
    if a.kind == b.kind == "num":
        return _V("num", n=np.where(mask, _num(a), _num(b)))
    if a.kind == b.kind == "bool":
        return _V("bool", b=np.where(mask, _bool(a), _bool(b)))
    s = _obj(list(np.where(mask, _str(a), _str(b))))
    if a.kind == b.kind == "str":
        return _V("str", s=s)
    return _V("node", s=s, n=np.where(mask, _num(a), _num(b)))


def _compare(op: str, a: _V, b: _V) -> np.ndarray:
    if op in ("=", "!="):
        if "bool" in (a.kind, b.kind):
            eq = _bool(a) == _bool(b)
        elif "num" in (a.kind, b.kind):
            eq = _num(a) == _num(b)
        else:
            eq = _str(a) == _str(b)
        eq = np.asarray(eq, dtype=bool)
        return eq if op == "=" else ~eq
    x, y = _num(a), _num(b)
    with np.errstate(invalid="ignore"):
        if op == "<":
            return x < y
        if op == "<=":
            return x <= y
        if op == ">":
            return x > y
        return x >= y


def _arith(op: str, a: _V, b: _V) -> np.ndarray:
    x, y = _num(a), _num(b)
    with np.errstate(all="ignore"):
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "div":
            return x / y
        return np.fmod(x, y)


def _eval(node: Node, ctx: _Ctx) -> _V:
    if isinstance(node, Num):
        return ctx.full("num", node.value)
    if isinstance(node, Str):
        return ctx.full("str", node.value)
    if isinstance(node, Ref):
        return ctx.column(node.name)
    if isinstance(node, Current):
        if ctx.current is None:
            raise CodebookError(
                f"expression {ctx.source!r} uses '.', but no current variable was given",
                rule="expr.no-current",
                hint="Evaluate constraints with current=<the variable's name>.",
            )
        return ctx.column(ctx.current)
    if isinstance(node, Unary):
        return _V("num", n=-_num(_eval(node.operand, ctx)))
    if isinstance(node, Binary):
        if node.op in ("and", "or"):
            left, right = _bool(_eval(node.left, ctx)), _bool(_eval(node.right, ctx))
            return _V("bool", b=(left & right) if node.op == "and" else (left | right))
        a, b = _eval(node.left, ctx), _eval(node.right, ctx)
        if node.op in ("=", "!=", "<", "<=", ">", ">="):
            return _V("bool", b=_compare(node.op, a, b))
        return _V("num", n=_arith(node.op, a, b))
    from ._xpath_functions import call

    return call(node, ctx)


def evaluate_tree(
    expr: Expr,
    frame: pd.DataFrame,
    *,
    current: str | None,
    today: date | None,
    now: datetime | None,
    as_bool: bool,
) -> pd.Series:
    """Evaluate a parsed expression over ``frame`` (see :func:`.expressions.evaluate`)."""
    moment = now if now is not None else datetime.now()
    ctx = _Ctx(
        frame=frame,
        n=len(frame),
        current=current,
        today=today if today is not None else moment.date(),
        now=moment,
        source=expr.source,
    )
    v = _eval(expr.root, ctx)
    if as_bool:
        return pd.Series(_bool(v), index=frame.index, dtype=bool)
    if v.kind == "num":
        return pd.Series(_num(v), index=frame.index, dtype=float)
    if v.kind == "bool":
        return pd.Series(_bool(v), index=frame.index, dtype=bool)
    return pd.Series(_str(v), index=frame.index, dtype=object)


def round_half_up(x: float, digits: int) -> float:
    """ODK's ``round()``: half away from zero, on the decimal text of ``x``."""
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        q = Decimal(1).scaleb(-digits)
        return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return math.nan
