"""Small validation helpers shared by every layer (never ``assert`` for user input)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import pandas as pd

from .errors import DataError, QonysError, Where

__all__ = ["check_columns", "check_in", "check_positive_int", "suggest"]


def suggest(name: str, known: Iterable[str]) -> str:
    """A hint naming close matches of ``name`` among ``known``.

    >>> suggest("age_grp", ["agegrp", "sex"])
    "Did you mean 'agegrp'?"
    """
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "Did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "Check the variable names (qonys codebook FILE lists them)."


def check_columns(frame: pd.DataFrame, columns: Sequence[str], *, file: str | None = None) -> None:
    """Raise a :class:`DataError` for the first of ``columns`` missing from ``frame``."""
    for c in columns:
        if c not in frame.columns:
            raise DataError(
                f"column {c!r} is not in the data",
                where=Where(file=file, variable=c),
                rule="data.unknown-column",
                hint=suggest(c, map(str, frame.columns)),
            )


def check_in(value: object, allowed: Sequence[object], name: str) -> None:
    """Raise a :class:`QonysError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise QonysError(
            f"the {name!r} parameter must be one of {', '.join(map(repr, allowed))}; got {value!r}",
            where=Where(key=name),
            rule="parameter.choice",
        )


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` if it is an int >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise QonysError(
            f"the {name!r} parameter must be a positive integer; got {value!r}",
            where=Where(key=name),
            rule="parameter.positive-int",
        )
    return value
