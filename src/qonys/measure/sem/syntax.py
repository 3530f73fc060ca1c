"""A parser for the lavaan model syntax subset used in measurement work.

Supported: ``=~`` (measured by), ``~~`` (variances and covariances), ``~`` (regressions),
``~ 1`` (intercepts and means), comments (``#``, ``!``), statements separated by new lines or
``;``, several left-hand sides joined by ``+``, and modifiers ``value*x`` (fixed), ``NA*x``
(free), ``label*x`` (equality by label), ``start(value)*x`` and ``c(...)*x`` (one modifier per
group).
"""

from __future__ import annotations

import dataclasses
import re

from ..._core.errors import DataError, Where

__all__ = ["Modifier", "Statement", "parse_model"]

_OPS = ("=~", "~~", "~")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclasses.dataclass(frozen=True, slots=True)
class Modifier:
    """One modifier of a term: a fixed value, a label, a start value, or free (``NA``)."""

    fixed: float | None = None
    label: str | None = None
    start: float | None = None
    free: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Statement:
    """``lhs op rhs`` with per-group modifiers (a single modifier applies to every group)."""

    lhs: str
    op: str
    rhs: str
    modifiers: tuple[Modifier, ...] = ()
    line: int = 0


def _error(msg: str, line: int) -> DataError:
    return DataError(
        msg,
        where=Where(line=line, key="model"),
        rule="sem.syntax",
        hint="Write lavaan syntax, e.g. 'visual =~ x1 + x2 + x3'.",
    )


def _parse_single(tok: str, line: int) -> Modifier:
    tok = tok.strip()
    if tok in ("NA", "na"):
        return Modifier(free=True)
    m = re.fullmatch(r"start\(([^)]*)\)", tok)
    if m:
        try:
            return Modifier(start=float(m.group(1)))
        except ValueError as ex:
            raise _error(f"bad start value {m.group(1)!r}", line) from ex
    try:
        return Modifier(fixed=float(tok))
    except ValueError:
        pass
    m = re.fullmatch(r"""["']?([A-Za-z_.][A-Za-z0-9_.]*)["']?""", tok)
    if m:
        return Modifier(label=m.group(1))
    raise _error(f"cannot read modifier {tok!r}", line)


def _parse_modifier(text: str, line: int) -> tuple[Modifier, ...]:
    text = text.strip()
    m = re.fullmatch(r"c\((.*)\)", text)
    if m:
        return tuple(_parse_single(t, line) for t in m.group(1).split(","))
    return (_parse_single(text, line),)


def _split_terms(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "+" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [t.strip() for t in out]


def parse_model(model: str) -> list[Statement]:
    """Parse lavaan model syntax into statements.

    Examples
    --------
    >>> [f"{s.lhs}{s.op}{s.rhs}" for s in parse_model("f =~ x1 + a*x2 + x3; x1 ~~ x2")]
    ['f=~x1', 'f=~x2', 'f=~x3', 'x1~~x2']
    >>> parse_model("f =~ 1*x1 + NA*x2")[0].modifiers[0].fixed
    1.0
    """
    out: list[Statement] = []
    lines = re.split(r"[\n;]", model)
    for no, raw in enumerate(lines, start=1):
        text = re.split(r"[#!]", raw, maxsplit=1)[0].strip()
        if not text:
            continue
        op = next((o for o in _OPS if o in text), None)
        if op is None or ":=" in text or "==" in text or re.search(r"(?<![=~])<|>", text):
            raise _error(f"cannot read statement {text!r} (only =~, ~~ and ~ are supported)", no)
        lhs_text, rhs_text = text.split(op, 1)
        lhss = [t.strip() for t in lhs_text.split("+")]
        for lhs in lhss:
            if not _NAME.match(lhs):
                raise _error(f"bad variable name {lhs!r}", no)
            for term in _split_terms(rhs_text):
                if not term:
                    raise _error(f"empty term in {text!r}", no)
                mods: tuple[Modifier, ...] = ()
                if "*" in term:
                    mod_text, term = term.rsplit("*", 1)
                    mods = _parse_modifier(mod_text, no)
                    term = term.strip()
                if term == "1":
                    if op != "~":
                        raise _error("'1' is only allowed as 'x ~ 1' (an intercept)", no)
                    out.append(Statement(lhs, "~1", "", mods, no))
                    continue
                if not _NAME.match(term):
                    raise _error(f"bad variable name {term!r}", no)
                out.append(Statement(lhs, op, term, mods, no))
    if not out:
        raise _error("the model is empty", 0)
    return out
