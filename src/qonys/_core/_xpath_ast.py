"""Syntax tree and function tables of the XLSForm expression subset (see :mod:`.expressions`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
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
]

MAX_DEPTH = 100
"""Deepest nesting of parentheses and calls accepted (a guard against runaway input)."""

FUNCTIONS: dict[str, tuple[int, int | None]] = {
    # name: (min args, max args or None for any number)
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "string-length": (0, 1),
    "string": (0, 1),
    "number": (0, 1),
    "int": (1, 1),
    "boolean": (1, 1),
    "boolean-from-string": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "if": (3, 3),
    "coalesce": (2, 2),
    "concat": (0, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "substring-before": (2, 2),
    "substring-after": (2, 2),
    "normalize-space": (0, 1),
    "translate": (3, 3),
    "regex": (2, 2),
    "round": (1, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "pow": (2, 2),
    "sqrt": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "today": (0, 0),
    "now": (0, 0),
    "date": (1, 1),
    "date-time": (1, 1),
    "decimal-date-time": (1, 1),
    "format-date": (2, 2),
    "once": (1, 1),
}
"""Functions qonys evaluates, with their number of arguments."""

UNSUPPORTED_FUNCTIONS = frozenset(
    {
        "count",
        "sum",
        "position",
        "last",
        "indexed-repeat",
        "pulldata",
        "instance",
        "current",
        "jr:choice-name",
        "jr:itext",
        "uuid",
        "random",
        "randomize",
        "digest",
        "area",
        "distance",
        "geofence",
        "checklist",
        "weighted-checklist",
        "count-non-empty",
        "join",
        "version",
        "property",
        "base64-decode",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "atan2",
        "log",
        "log10",
        "exp",
        "exp10",
        "pi",
        "format-date-time",
        "decimal-time",
    }
)
"""XLSForm functions that parse but cannot be evaluated row by row on a flat table."""


# -- syntax tree ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class Num:
    """A number literal."""

    value: float


@dataclasses.dataclass(frozen=True, slots=True)
class Str:
    """A string literal."""

    value: str


@dataclasses.dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: the value of variable ``name`` in the same row."""

    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value of the variable the expression belongs to."""


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Node, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Unary:
    """Unary minus."""

    op: str
    operand: Node


@dataclasses.dataclass(frozen=True, slots=True)
class Binary:
    """A binary operator (``or and = != < <= > >= + - * div mod``)."""

    op: str
    left: Node
    right: Node


Node = Num | Str | Ref | Current | Call | Unary | Binary


@dataclasses.dataclass(frozen=True, slots=True)
class Expr:
    """A parsed expression: its source text and syntax tree.

    Examples
    --------
    >>> from qonys._core.expressions import parse
    >>> e = parse(". >= 18 and . < 100")
    >>> e.uses_current, sorted(e.references)
    (True, [])
    """

    source: str
    root: Node

    def walk(self) -> Iterator[Node]:
        """Every node of the tree, depth first."""
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, Call):
                stack.extend(reversed(node.args))
            elif isinstance(node, Unary):
                stack.append(node.operand)
            elif isinstance(node, Binary):
                stack.extend((node.right, node.left))

    @property
    def references(self) -> frozenset[str]:
        """Names referenced as ``${name}``."""
        return frozenset(n.name for n in self.walk() if isinstance(n, Ref))

    @property
    def functions(self) -> frozenset[str]:
        """Names of the functions called."""
        return frozenset(n.name for n in self.walk() if isinstance(n, Call))

    @property
    def uses_current(self) -> bool:
        """Whether the expression uses ``.``."""
        return any(isinstance(n, Current) for n in self.walk())

    @property
    def evaluable(self) -> bool:
        """Whether every function called can be evaluated (none is unsupported)."""
        return not (self.functions & UNSUPPORTED_FUNCTIONS)
