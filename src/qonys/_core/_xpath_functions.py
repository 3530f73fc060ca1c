"""The functions of the XLSForm expression subset, vectorised (see :mod:`.expressions`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ._xpath import (
    _V,
    _bool,
    _Ctx,
    _date_node,
    _eval,
    _merge,
    _num,
    _obj,
    _str,
    round_half_up,
)
from ._xpath_ast import Call, Current, Node
from .errors import CodebookError

__all__ = ["call"]


def _strs(fn: Callable[..., Any], *arrays: np.ndarray) -> np.ndarray:
    return _obj([fn(*xs) for xs in zip(*arrays, strict=True)])


def _bools(fn: Callable[..., bool], *arrays: np.ndarray) -> np.ndarray:
    return np.fromiter(
        (bool(fn(*xs)) for xs in zip(*arrays, strict=True)), dtype=bool, count=len(arrays[0])
    )


def _nums(fn: Callable[..., float], *arrays: np.ndarray) -> np.ndarray:
    return np.fromiter(
        (float(fn(*xs)) for xs in zip(*arrays, strict=True)), dtype=float, count=len(arrays[0])
    )


def _index(x: float) -> int | None:
    return None if math.isnan(x) or math.isinf(x) else int(x)


def _selected_at(s: str, i: float) -> str:
    k = _index(i)
    toks = s.split()
    return toks[k] if k is not None and 0 <= k < len(toks) else ""


def _substr(s: str, start: float, end: float | None = None) -> str:
    a = _index(start)
    if a is None:
        return ""
    if end is None:
        return s[a:]
    b = _index(end)
    return "" if b is None else s[a:b]


def _translate(s: str, src: str, dst: str) -> str:
    table: dict[int, int | None] = {}
    for i, ch in enumerate(src):
        if ord(ch) not in table:
            table[ord(ch)] = ord(dst[i]) if i < len(dst) else None
    return s.translate(table)


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _regex(s: str, pattern: str, source: str) -> bool:
    rx = _REGEX_CACHE.get(pattern)
    if rx is None:
        try:
            rx = re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as err:
            raise CodebookError(
                f"invalid regular expression {pattern!r} in {source!r}: {err}",
                rule="expr.regex",
                hint="Check the pattern (ODK uses Java regular expressions).",
            ) from None
        _REGEX_CACHE[pattern] = rx
    return rx.search(s) is not None


def _format_date(days: float, fmt: str) -> str:
    if math.isnan(days) or abs(days) > 3_000_000:
        return ""
    t = datetime(1970, 1, 1) + timedelta(days=days)
    codes = {
        "Y": f"{t.year:04d}",
        "y": f"{t.year % 100:02d}",
        "m": f"{t.month:02d}",
        "n": str(t.month),
        "d": f"{t.day:02d}",
        "e": str(t.day),
        "H": f"{t.hour:02d}",
        "h": str(t.hour),
        "M": f"{t.minute:02d}",
        "S": f"{t.second:02d}",
        "3": f"{t.microsecond // 1000:03d}",
        "%": "%",
    }
    return re.sub(r"%(.)", lambda m: codes.get(m.group(1), m.group(0)), fmt)


def call(node: Call, ctx: _Ctx) -> _V:
    """Evaluate a function call."""
    name = node.name
    if name not in _DISPATCH:
        raise CodebookError(
            f"{name}() in {ctx.source!r} cannot be evaluated on one row of a flat table",
            rule="expr.unsupported-function",
            hint="qonys checks this rule by hand-written code, or skips it with a note.",
        )
    args: tuple[Node, ...] = node.args
    if not args and name in ("string-length", "string", "number", "normalize-space"):
        args = (Current(),)
    return _DISPATCH[name](args, ctx)


def _a(args: tuple[Node, ...], ctx: _Ctx) -> list[_V]:
    return [_eval(a, ctx) for a in args]


def _f_selected(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    s, x = (_str(v) for v in _a(args, ctx))
    return _V("bool", b=_bools(lambda a, b: b.strip() in a.split(), s, x))


def _f_count_selected(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (s,) = (_str(v) for v in _a(args, ctx))
    return _V("num", n=_nums(lambda a: len(a.split()), s))


def _f_selected_at(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    v, i = _a(args, ctx)
    return _V("str", s=_strs(_selected_at, _str(v), _num(i)))


def _f_if(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    c, a, b = _a(args, ctx)
    return _merge(_bool(c), a, b)


def _f_coalesce(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    a, b = _a(args, ctx)
    filled = np.fromiter((x != "" for x in _str(a)), dtype=bool, count=ctx.n)
    return _merge(filled, a, b)


def _f_regex(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    s, p = (_str(v) for v in _a(args, ctx))
    return _V("bool", b=_bools(lambda a, b: _regex(a, b, ctx.source), s, p))


def _f_round(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    vals = _a(args, ctx)
    x = _num(vals[0])
    d = _num(vals[1]) if len(vals) > 1 else np.zeros(ctx.n)

    def one(a: float, k: float) -> float:
        kk = _index(k)
        return math.nan if kk is None or abs(kk) > 300 else round_half_up(a, kk)

    return _V("num", n=_nums(one, x, d))


def _f_minmax(fn: Callable[..., Any]) -> Callable[[tuple[Node, ...], _Ctx], _V]:
    def f(args: tuple[Node, ...], ctx: _Ctx) -> _V:
        arrays = [_num(v) for v in _a(args, ctx)]
        out = arrays[0]
        for arr in arrays[1:]:
            out = fn(out, arr)
        return _V("num", n=out)

    return f


def _unary_num(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[tuple[Node, ...], _Ctx], _V]:
    def f(args: tuple[Node, ...], ctx: _Ctx) -> _V:
        (x,) = (_num(v) for v in _a(args, ctx))
        with np.errstate(all="ignore"):
            return _V("num", n=fn(x))

    return f


def _str_pred(fn: Callable[[str, str], bool]) -> Callable[[tuple[Node, ...], _Ctx], _V]:
    def f(args: tuple[Node, ...], ctx: _Ctx) -> _V:
        a, b = (_str(v) for v in _a(args, ctx))
        return _V("bool", b=_bools(fn, a, b))

    return f


def _str_fn(fn: Callable[..., str]) -> Callable[[tuple[Node, ...], _Ctx], _V]:
    def f(args: tuple[Node, ...], ctx: _Ctx) -> _V:
        return _V("str", s=_strs(fn, *(_str(v) for v in _a(args, ctx))))

    return f


def _f_substr(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    vals = _a(args, ctx)
    s, start = _str(vals[0]), _num(vals[1])
    if len(vals) == 2:
        return _V("str", s=_strs(_substr, s, start))
    return _V("str", s=_strs(_substr, s, start, _num(vals[2])))


def _f_concat(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    parts = [_str(v) for v in _a(args, ctx)]
    if not parts:
        return ctx.full("str", "")
    return _V("str", s=_strs(lambda *xs: "".join(xs), *parts))


def _f_date(with_time: bool) -> Callable[[tuple[Node, ...], _Ctx], _V]:
    def f(args: tuple[Node, ...], ctx: _Ctx) -> _V:
        (v,) = _a(args, ctx)
        return _date_node(ctx, _num(v), with_time)

    return f


def _f_today(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    days = float((ctx.today - datetime(1970, 1, 1).date()).days)
    return _date_node(ctx, np.full(ctx.n, days), with_time=False)


def _f_now(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    days = (ctx.now.replace(tzinfo=None) - datetime(1970, 1, 1)) / timedelta(days=1)
    return _date_node(ctx, np.full(ctx.n, days), with_time=True)


def _f_format_date(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    d, fmt = _a(args, ctx)
    return _V("str", s=_strs(_format_date, _num(d), _str(fmt)))


def _f_int(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (x,) = (_num(v) for v in _a(args, ctx))
    with np.errstate(all="ignore"):
        return _V("num", n=np.trunc(x))


def _f_number(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (v,) = _a(args, ctx)
    return _V("num", n=_num(v))


def _f_string(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (v,) = _a(args, ctx)
    return _V("str", s=_str(v))


def _f_boolean(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (v,) = _a(args, ctx)
    return _V("bool", b=_bool(v))


def _f_not(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (v,) = _a(args, ctx)
    return _V("bool", b=~_bool(v))


def _f_length(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (s,) = (_str(v) for v in _a(args, ctx))
    return _V("num", n=_nums(len, s))


def _f_once(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (v,) = _a(args, ctx)
    return v


def _f_decimal_date_time(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    (v,) = _a(args, ctx)
    return _V("num", n=_num(v))


def _f_pow(args: tuple[Node, ...], ctx: _Ctx) -> _V:
    a, b = (_num(v) for v in _a(args, ctx))
    with np.errstate(all="ignore"):
        return _V("num", n=np.power(a, b))


_DISPATCH: dict[str, Callable[[tuple[Node, ...], _Ctx], _V]] = {
    "selected": _f_selected,
    "count-selected": _f_count_selected,
    "selected-at": _f_selected_at,
    "string-length": _f_length,
    "string": _f_string,
    "number": _f_number,
    "int": _f_int,
    "boolean": _f_boolean,
    "boolean-from-string": lambda args, ctx: _V(
        "bool", b=_bools(lambda s: s.strip() in ("true", "1"), _str(_eval(args[0], ctx)))
    ),
    "not": _f_not,
    "true": lambda args, ctx: ctx.full("bool", True),
    "false": lambda args, ctx: ctx.full("bool", False),
    "if": _f_if,
    "coalesce": _f_coalesce,
    "concat": _f_concat,
    "contains": _str_pred(lambda a, b: b in a),
    "starts-with": _str_pred(lambda a, b: a.startswith(b)),
    "ends-with": _str_pred(lambda a, b: a.endswith(b)),
    "substr": _f_substr,
    "substring-before": _str_fn(lambda a, b: a.split(b, 1)[0] if b and b in a else ""),
    "substring-after": _str_fn(
        lambda a, b: a.split(b, 1)[1] if b and b in a else (a if b == "" else "")
    ),
    "normalize-space": _str_fn(lambda a: " ".join(a.split())),
    "translate": _str_fn(_translate),
    "regex": _f_regex,
    "round": _f_round,
    "floor": _unary_num(np.floor),
    "ceiling": _unary_num(np.ceil),
    "abs": _unary_num(np.abs),
    "sqrt": _unary_num(np.sqrt),
    "pow": _f_pow,
    "min": _f_minmax(np.minimum),
    "max": _f_minmax(np.maximum),
    "today": _f_today,
    "now": _f_now,
    "date": _f_date(with_time=False),
    "date-time": _f_date(with_time=True),
    "decimal-date-time": _f_decimal_date_time,
    "format-date": _f_format_date,
    "once": _f_once,
}
