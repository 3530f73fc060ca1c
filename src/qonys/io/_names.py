"""Variable names that SPSS and Stata accept, made from qonys names.

In memory, variable names are XLSForm names, and multiple-choice indicator columns are called
``<question>/<choice>`` (Kobo's convention). SPSS and Stata refuse some of these names, so the
writers rename at their boundary and record the mapping so that qonys' readers restore the
original names.

Rules applied (in this order):

SPSS (``dialect="spss"``)
    every character that is not a letter, a digit, ``_``, ``.``, ``@``, ``#`` or ``$`` becomes
    ``_`` (``q5/a`` -> ``q5_a``, ``group-x`` -> ``group_x``); a name that does not start with a
    letter gets a ``v`` in front (``1q`` -> ``v1q``, ``_index`` -> ``v_index``); a trailing ``.``
    becomes ``_``; the reserved words ``ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH`` (any case)
    get a ``_`` appended; the name is cut to 64 bytes of UTF-8 (32 Cyrillic letters) at a
    character boundary. Names are compared case-insensitively, as SPSS does.
Stata (``dialect="stata"``)
    every character that is not a letter, a digit or ``_`` becomes ``_``; a name that does not
    start with a letter or ``_`` gets a ``v`` in front; Stata's reserved words (``if``, ``in``,
    ``byte``, ``_n``, ``str20``...) get a ``_`` appended; the name is cut to 32 characters.
    Names are compared case-sensitively, as Stata does.

Two different names that end up the same are a collision. By default that is an error
(:class:`~qonys._core.errors.WriteError`, rule ``<dialect>.name-collision``); with
``collisions="suffix"`` the later name gets ``_2``, ``_3``... instead.

Examples
--------
>>> safe_name("q5/a", "spss")
'q5_a'
>>> safe_name("1q", "spss")
'v1q'
>>> safe_name("with", "spss")
'with_'
>>> len(safe_name("ж" * 40, "spss"))
32
>>> safe_name("if", "stata")
'if_'
>>> safe_names(["q/a", "q_b", "age"], "spss")
{'q/a': 'q_a', 'q_b': 'q_b', 'age': 'age'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from .._core import Where, WriteError

__all__ = [
    "SPSS_MAX_NAME_BYTES",
    "SPSS_RESERVED",
    "STATA_MAX_NAME_CHARS",
    "STATA_RESERVED",
    "Dialect",
    "cut_bytes",
    "safe_name",
    "safe_names",
]

Dialect = Literal["spss", "stata"]

SPSS_MAX_NAME_BYTES = 64
STATA_MAX_NAME_CHARS = 32

SPSS_RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
"""SPSS reserved keywords (compared in upper case)."""

STATA_RESERVED = frozenset(
    {
        "_all",
        "_b",
        "byte",
        "_coef",
        "_cons",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "_n",
        "_N",
        "_pi",
        "_pred",
        "_rc",
        "_skip",
        "strL",
        "using",
        "with",
    }
)
"""Stata reserved words (case-sensitive); ``str1``...``str2045`` are reserved too."""

_STATA_STR = re.compile(r"^str\d+$")


def cut_bytes(text: str, limit: int, encoding: str = "utf-8") -> str:
    """Cut ``text`` to at most ``limit`` bytes in ``encoding`` without splitting a character.

    Examples
    --------
    >>> cut_bytes("Қазақстан", 5)
    'Қа'
    >>> cut_bytes("abc", 10)
    'abc'
    """
    data = text.encode(encoding)
    if len(data) <= limit:
        return text
    return data[:limit].decode(encoding, errors="ignore")


def _spss_char_ok(ch: str) -> bool:
    return ch.isalpha() or ch in "0123456789_.@#$"


def _stata_char_ok(ch: str) -> bool:
    return ch.isalpha() or ch in "0123456789_"


def safe_name(name: str, dialect: Dialect) -> str:
    """The name ``dialect`` accepts for ``name`` (uniqueness is not checked here).

    Parameters
    ----------
    name : str
        A qonys variable name (may contain ``/``, ``-``, spaces, Cyrillic letters...).
    dialect : {"spss", "stata"}
        Target format.

    Returns
    -------
    str
        ``name`` itself when it is already acceptable.
    """
    if dialect == "spss":
        out = "".join(ch if _spss_char_ok(ch) else "_" for ch in name) or "v"
        if not out[0].isalpha():
            out = "v" + out
        if out.endswith("."):
            out = out[:-1] + "_"
        if out.upper() in SPSS_RESERVED:
            out += "_"
        return cut_bytes(out, SPSS_MAX_NAME_BYTES)
    out = "".join(ch if _stata_char_ok(ch) else "_" for ch in name) or "v"
    if not (out[0].isalpha() or out[0] == "_"):
        out = "v" + out
    if out in STATA_RESERVED or _STATA_STR.match(out):
        out += "_"
    return out[:STATA_MAX_NAME_CHARS]


def _key(name: str, dialect: Dialect) -> str:
    return name.upper() if dialect == "spss" else name


def _with_suffix(base: str, n: int, dialect: Dialect) -> str:
    suffix = f"_{n}"
    if dialect == "spss":
        return cut_bytes(base, SPSS_MAX_NAME_BYTES - len(suffix)) + suffix
    return base[: STATA_MAX_NAME_CHARS - len(suffix)] + suffix


def safe_names(
    names: Iterable[str],
    dialect: Dialect,
    *,
    collisions: Literal["fail", "suffix"] = "fail",
    file: str | None = None,
) -> dict[str, str]:
    """Map every name to a unique name ``dialect`` accepts, keeping acceptable names as they are.

    Parameters
    ----------
    names : iterable of str
        Names in column order (already unique in qonys).
    dialect : {"spss", "stata"}
        Target format.
    collisions : {"fail", "suffix"}
        What to do when two names end up the same: raise, or add ``_2``, ``_3``...
    file : str, optional
        Output file, for the error message.

    Returns
    -------
    dict
        Original name -> written name, in the order given.

    Raises
    ------
    WriteError
        Rule ``sav.name-collision`` / ``dta.name-collision`` when two names collide and
        ``collisions="fail"``.

    Examples
    --------
    >>> safe_names(["Q1", "q1"], "spss", collisions="suffix")
    {'Q1': 'Q1', 'q1': 'q1_2'}
    """
    rule = "sav.name-collision" if dialect == "spss" else "dta.name-collision"
    names = list(names)
    # Names that need no change keep their spelling; changed names go after them, so that an
    # unchanged name is never the one renamed.
    wanted = {n: safe_name(n, dialect) for n in names}
    taken: dict[str, str] = {}
    out: dict[str, str] = {}
    order = [n for n in names if wanted[n] == n] + [n for n in names if wanted[n] != n]
    for n in order:
        cand = wanted[n]
        if _key(cand, dialect) in taken:
            other = taken[_key(cand, dialect)]
            if collisions == "fail":
                raise WriteError(
                    f"variables {other!r} and {n!r} would both be written as {cand!r}",
                    where=Where(file=file, variable=n),
                    rule=rule,
                    hint="Rename one of them, or pass name_collisions='suffix' to add _2, _3...",
                )
            k = 2
            while _key(_with_suffix(wanted[n], k, dialect), dialect) in taken:
                k += 1
            cand = _with_suffix(wanted[n], k, dialect)
        taken[_key(cand, dialect)] = n
        out[n] = cand
    return {n: out[n] for n in names}
