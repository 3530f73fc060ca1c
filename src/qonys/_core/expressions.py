"""XLSForm expressions: parse and evaluate ``relevant``, ``constraint`` and ``calculation``.

XLSForm writes skip logic and checks in a subset of XPath 1.0 with ODK's functions
(`ODK form logic <https://docs.getodk.org/form-logic/>`_). qonys parses that subset into a small
syntax tree and evaluates it *vectorised* over a data frame: one result per row.

Supported
---------
* ``${name}`` (the value of variable ``name`` in the same row) and ``.`` (the current variable,
  given by ``current=``);
* numbers (``3``, ``2.5``, ``.5``) and strings in single or double quotes;
* ``or``, ``and``, ``= != < <= > >=``, ``+ - * div mod``, unary ``-``, parentheses;
* functions: see :data:`FUNCTIONS` (``selected``, ``count-selected``, ``string-length``,
  ``regex``, ``if``, ``coalesce``, ``number``, ``int``, ``today``...).

Functions that XLSForm knows but that cannot be evaluated on one flat row (``count``, ``sum``,
``indexed-repeat``, ``pulldata``, ``uuid``...) parse, and raise a :class:`CodebookError` with
rule ``expr.unsupported-function`` when evaluated. Any other function name is an error at parse
time, rule ``expr.unknown-function``; syntax errors have rule ``expr.syntax``.

Semantics of values (XPath 1.0, as ODK Collect evaluates them)
---------------------------------------------------------------
A reference ``${q}`` is a *node*: its value is a string, and an empty or missing cell is the
empty string ``''``. Comparisons follow XPath 1.0:

* ``=`` and ``!=``: if either side is a boolean, both are compared as booleans; otherwise if
  either side is a number, both are converted to numbers; otherwise both are compared as
  strings. So ``${age} = 25`` compares numbers and ``${sex} = '1'`` compares strings, and an
  empty ``${q} = ''`` is true;
* ``< <= > >=`` convert both sides to numbers;
* ``number('')`` is ``NaN``; every comparison with ``NaN`` is false except ``!=``;
* a reference as a boolean (``if(${q}, ...)``, ``${q} and ...``) is true when the value is not
  empty; a number is true when it is neither 0 nor NaN.

Numbers in typed columns are written as XPath writes them (``2`` not ``2.0``); dates as
``YYYY-MM-DD``. As in ODK's JavaRosa, a date (a date column, ``today()``, or a string
``'2024-03-14'``) converts to a number as days since 1970-01-01, so ``${d} < today()`` works.
User-missing codes are not special here: a refused ``999`` is the number 999, as in the form.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"age": [17, 30, None], "city": ["Astana", "", "Almaty"]})
>>> evaluate_bool("${age} >= 18 and ${city} != ''", frame).tolist()
[False, False, False]
>>> evaluate_bool("${age} >= 18 or ${city} = 'Almaty'", frame).tolist()
[False, True, True]
>>> sorted(references("selected(${motive}, 'work') and ${age} > 16"))
['age', 'motive']
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

import pandas as pd

from ._xpath_ast import (
    FUNCTIONS,
    MAX_DEPTH,
    UNSUPPORTED_FUNCTIONS,
    Binary,
    Call,
    Current,
    Expr,
    Node,
    Num,
    Ref,
    Str,
    Unary,
)
from .errors import CodebookError, Where

__all__ = [
    "FUNCTIONS",
    "UNSUPPORTED_FUNCTIONS",
    "Binary",
    "Call",
    "Current",
    "Expr",
    "Node",
    "Num",
    "Ref",
    "Str",
    "Unary",
    "evaluate",
    "evaluate_bool",
    "parse",
    "references",
]


# -- tokenizer --------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[^\W\d][\w.\-]*)\s*\})
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|[=<>+\-*(),|])
  | (?P<dot>\.(?![.\w]))
  | (?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)
    """,
    re.VERBOSE,
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _syntax(source: str, message: str, pos: int) -> CodebookError:
    return CodebookError(
        f"cannot parse expression {source!r}: {message} at character {pos + 1}",
        where=Where(),
        rule="expr.syntax",
        hint="Write references as ${name}, strings in quotes, and close every parenthesis.",
    )


def _tokens(source: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            if source.startswith("${", pos):
                raise _syntax(source, "malformed reference", pos)
            if source[pos] in "'\"":
                raise _syntax(source, "unterminated string", pos)
            raise _syntax(source, f"unexpected character {source[pos]!r}", pos)
        kind = m.lastgroup or ""
        if kind == "refname":  # pragma: no cover - the outer group always wins
            kind = "ref"
        if kind != "ws":
            text = m.group("refname") if kind == "ref" else m.group(0)
            out.append(_Tok(kind, text, pos))
        pos = m.end()
    out.append(_Tok("eof", "", len(source)))
    return out


# -- parser (precedence climbing, XPath 1.0 precedence) ---------------------------------------
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)
_WORD_OPS = frozenset({"or", "and", "div", "mod"})


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.toks = _tokens(source)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_op(self, tok: _Tok, ops: tuple[str, ...]) -> bool:
        if tok.kind == "op":
            return tok.text in ops
        return tok.kind == "name" and tok.text in _WORD_OPS and tok.text in ops

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.kind != "op" or tok.text != text:
            found = "the end" if tok.kind == "eof" else repr(tok.text)
            raise _syntax(self.source, f"expected {text!r}, found {found}", tok.pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CodebookError(
                f"expression nested deeper than {MAX_DEPTH} levels at character {pos + 1}",
                rule="expr.too-deep",
                hint="Simplify the expression.",
            )

    def parse(self) -> Node:
        node = self.level(0)
        tok = self.peek()
        if tok.kind != "eof":
            raise _syntax(self.source, f"unexpected {tok.text!r}", tok.pos)
        return node

    def level(self, k: int) -> Node:
        if k == len(_LEVELS):
            return self.unary()
        left = self.level(k + 1)
        while self.is_op(self.peek(), _LEVELS[k]):
            op = self.take().text
            right = self.level(k + 1)
            left = Binary(op, left, right)
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "-":
            self.take()
            self.enter(tok.pos)
            operand = self.unary()
            self.depth -= 1
            return Unary("-", operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Num(float(tok.text))
        if tok.kind == "str":
            return Str(tok.text[1:-1])
        if tok.kind == "ref":
            return Ref(tok.text)
        if tok.kind == "dot":
            return Current()
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok.pos)
            inner = self.level(0)
            self.expect(")")
            self.depth -= 1
            return inner
        if tok.kind == "name":
            nxt = self.peek()
            if nxt.kind == "op" and nxt.text == "(":
                return self.call(tok)
            raise _syntax(
                self.source,
                f"bare name {tok.text!r} (write a reference as ${{{tok.text}}})",
                tok.pos,
            )
        found = "the end" if tok.kind == "eof" else repr(tok.text)
        raise _syntax(self.source, f"expected a value, found {found}", tok.pos)

    def call(self, name_tok: _Tok) -> Node:
        name = name_tok.text
        if name not in FUNCTIONS and name not in UNSUPPORTED_FUNCTIONS:
            raise CodebookError(
                f"unknown function {name}() in expression {self.source!r}",
                rule="expr.unknown-function",
                hint="Supported functions: " + ", ".join(sorted(FUNCTIONS)) + ".",
            )
        self.take()  # "("
        self.enter(name_tok.pos)
        args: list[Node] = []
        if not (self.peek().kind == "op" and self.peek().text == ")"):
            args.append(self.level(0))
            while self.peek().kind == "op" and self.peek().text == ",":
                self.take()
                args.append(self.level(0))
        self.expect(")")
        self.depth -= 1
        if name in FUNCTIONS:
            lo, hi = FUNCTIONS[name]
            if len(args) < lo or (hi is not None and len(args) > hi):
                want = str(lo) if hi == lo else (f"{lo} or more" if hi is None else f"{lo}-{hi}")
                raise CodebookError(
                    f"{name}() takes {want} argument(s), got {len(args)} in {self.source!r}",
                    rule="expr.arity",
                    hint="Check the function's arguments against the ODK form-logic reference.",
                )
        return Call(name, tuple(args))


def parse(expr: str | Expr) -> Expr:
    """Parse an XLSForm expression.

    Parameters
    ----------
    expr : str
        The expression as written in the XLSForm (``relevant``, ``constraint``,
        ``calculation``).

    Returns
    -------
    Expr

    Raises
    ------
    CodebookError
        ``expr.syntax`` for malformed text, ``expr.unknown-function`` for a function XLSForm
        does not know, ``expr.arity`` for a wrong number of arguments, ``expr.too-deep`` for
        runaway nesting.

    Examples
    --------
    >>> parse("${a} + 1").root
    Binary(op='+', left=Ref(name='a'), right=Num(value=1.0))
    >>> try:
    ...     parse("frobnicate(${a})")
    ... except CodebookError as err:
    ...     print(err.rule)
    expr.unknown-function
    """
    if isinstance(expr, Expr):
        return expr
    if not isinstance(expr, str):
        raise CodebookError(
            f"an expression must be text, got {type(expr).__name__}",
            rule="expr.syntax",
            hint="Give the expression as a string.",
        )
    if not expr.strip():
        raise _syntax(expr, "empty expression", 0)
    return Expr(expr, _Parser(expr).parse())


def references(expr: str | Expr) -> frozenset[str]:
    """Names referenced as ``${name}`` in ``expr``.

    Examples
    --------
    >>> sorted(references("${a} = 1 or selected(${b}, 'x')"))
    ['a', 'b']
    """
    return parse(expr).references


def evaluate(
    expr: str | Expr,
    frame: pd.DataFrame,
    *,
    current: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> pd.Series:
    """Evaluate ``expr`` on every row of ``frame``.

    Parameters
    ----------
    expr : str or Expr
        The expression.
    frame : pandas.DataFrame
        One row per respondent; columns named as the variables.
    current : str, optional
        Column that ``.`` refers to (the variable a constraint belongs to).
    today, now : date, datetime, optional
        Values of ``today()`` and ``now()``; the machine's clock when omitted (pass them for
        reproducible results).

    Returns
    -------
    pandas.Series
        Indexed like ``frame``: float for numbers, bool for booleans, strings otherwise.

    Raises
    ------
    CodebookError
        Syntax errors (see :func:`parse`); ``expr.unsupported-function`` for functions that
        cannot be evaluated on a flat row; ``expr.regex`` for an invalid regular expression.
    DataError
        ``expr.unknown-reference`` when a referenced column is not in ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> evaluate("if(${n} > 2, 'many', 'few')", pd.DataFrame({"n": [1, 5]})).tolist()
    ['few', 'many']
    """
    from ._xpath import evaluate_tree

    parsed = parse(expr)
    return evaluate_tree(parsed, frame, current=current, today=today, now=now, as_bool=False)


def evaluate_bool(
    expr: str | Expr,
    frame: pd.DataFrame,
    *,
    current: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> pd.Series:
    """Evaluate ``expr`` as a condition (XPath ``boolean()``): a bool Series indexed like ``frame``.

    See :func:`evaluate` for the parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> evaluate_bool("selected(${m}, 'work')", pd.DataFrame({"m": ["work study", None]})).tolist()
    [True, False]
    """
    from ._xpath import evaluate_tree

    parsed = parse(expr)
    return evaluate_tree(parsed, frame, current=current, today=today, now=now, as_bool=True)
