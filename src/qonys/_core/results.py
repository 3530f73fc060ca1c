"""The ``Result`` protocol every analysis returns.

A result is a frozen dataclass. It offers

``to_frame()``
    a tidy, long :class:`pandas.DataFrame` whose first columns are :data:`TIDY_COLUMNS`
    (``variable, level, domain, estimate, se, ci_low, ci_high, df, deff, n``) followed by
    module-specific columns; columns that do not apply hold missing values;
``to_dict()``
    plain Python data (JSON-serialisable with :func:`to_jsonable`);
``summary()``
    a short human-readable text;
``meta``
    a :class:`Meta`: method, design summary, policy choices, package version, call arguments and
    the inputs' hashes, plus ``notes`` and counts of cases used and dropped.

Computation never rounds; rounding is the report's business.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .._version import __version__
from .frozen import FrozenMap

__all__ = [
    "TIDY_COLUMNS",
    "Meta",
    "Result",
    "ResultMixin",
    "tidy_frame",
    "to_jsonable",
]

TIDY_COLUMNS: tuple[str, ...] = (
    "variable",
    "level",
    "domain",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "deff",
    "n",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Meta:
    """What produced a result, enough to reproduce it.

    Parameters
    ----------
    method : str
        Name of the method in the field's words (``"Taylor linearisation"``, ``"raking"``).
    design : str, optional
        One-line description of the survey design used.
    policies : Mapping[str, str]
        Policy name -> choice (``{"missing": "fail", "lonely_psu": "fail"}``).
    call : Mapping[str, Any]
        The arguments the public function was called with (data frames excluded).
    inputs : Mapping[str, str]
        Input name -> SHA-256 of its content.
    notes : tuple of str
        Plain-language notes ("12 cases excluded: missing weight").
    n_used, n_dropped : int, optional
        Cases used and dropped.
    version : str
        qonys version.
    """

    method: str
    design: str | None = None
    policies: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    call: Mapping[str, Any] = dataclasses.field(default_factory=FrozenMap)
    inputs: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    notes: tuple[str, ...] = ()
    n_used: int | None = None
    n_dropped: int | None = None
    version: str = __version__

    def __post_init__(self) -> None:
        for name in ("policies", "call", "inputs"):
            value = getattr(self, name)
            if not isinstance(value, FrozenMap):
                object.__setattr__(self, name, FrozenMap(value))
        object.__setattr__(self, "notes", tuple(self.notes))

    def with_notes(self, *notes: str) -> Meta:
        """Return a copy with notes appended."""
        return dataclasses.replace(self, notes=(*self.notes, *notes))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "method": self.method,
            "design": self.design,
            "policies": dict(self.policies),
            "call": to_jsonable(dict(self.call)),
            "inputs": dict(self.inputs),
            "notes": list(self.notes),
            "n_used": self.n_used,
            "n_dropped": self.n_dropped,
            "version": self.version,
        }


@runtime_checkable
class Result(Protocol):
    """What every analysis returns (see the module docstring)."""

    @property
    def meta(self) -> Meta: ...

    def to_frame(self) -> pd.DataFrame: ...

    def to_dict(self) -> dict[str, Any]: ...

    def summary(self) -> str: ...


class ResultMixin:
    """Default ``to_dict`` and ``summary`` for frozen result dataclasses.

    A subclass must be a dataclass with a ``meta`` field and must implement ``to_frame``.
    """

    __slots__ = ()

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - always overridden
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain data; frames become lists of records."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = to_jsonable(getattr(self, f.name))
        return out

    def summary(self) -> str:
        """Title line plus the tidy frame as text (numbers unrounded up to 6 significant digits)."""
        meta: Meta = self.meta  # type: ignore[attr-defined]
        frame = self.to_frame()
        lines = [f"{type(self).__name__}: {meta.method}"]
        if meta.design:
            lines.append(f"design: {meta.design}")
        with pd.option_context("display.max_rows", 60, "display.width", 120):
            lines.append(frame.to_string(index=False, float_format=lambda x: f"{x:.6g}"))
        lines.extend(f"note: {n}" for n in meta.notes)
        return "\n".join(lines)


def tidy_frame(
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """Build a frame whose columns are :data:`TIDY_COLUMNS` then ``extra``, in that order.

    Missing standard columns are filled with missing values (``NaN`` for numbers, ``None`` for
    labels), so every result frame can be stacked with every other.

    Examples
    --------
    >>> tidy_frame([{"variable": "age", "estimate": 31.5, "n": 10}]).columns.tolist()[:4]
    ['variable', 'level', 'domain', 'estimate']
    """
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    cols = list(TIDY_COLUMNS) + [c for c in extra if c not in TIDY_COLUMNS]
    cols += [c for c in frame.columns if c not in cols]
    for c in cols:
        if c not in frame.columns:
            if c in {"variable", "level", "domain"}:
                frame[c] = pd.Series([None] * len(frame), dtype=object)
            else:
                frame[c] = np.nan
    return frame.loc[:, cols].reset_index(drop=True)


def to_jsonable(value: Any) -> Any:
    """Convert results, frames, numpy scalars, dates and mappings into JSON-ready data.

    Non-finite floats become ``None`` (JSON has no NaN).
    """
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return to_jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)
