"""Storage kinds of table columns: what the codebook asks for, or what the values suggest."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._core import Codebook, Variable

__all__ = ["Kind", "infer_kind", "kind_of_dtype", "kind_of_variable"]

Kind = Literal["integer", "decimal", "text", "date", "datetime", "boolean", "auto"]
"""Storage kinds: ``integer`` -> ``Int64``; ``decimal`` -> ``float64``; ``text`` -> ``str``;
``date``/``datetime`` -> ``datetime64``; ``boolean`` -> ``boolean``; ``auto`` (calculate) ->
``Int64``, ``float64`` or ``str`` depending on the values."""

_INT_RE = re.compile(r"^[+-]?\d+$")
_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_CANONICAL_INT_RE = re.compile(r"^-?(?:0|[1-9]\d*)$")


def _is_int_code(code: object) -> bool:
    """An integer choice code: an int, an integral float, or text such as ``"12"`` (not
    ``"012"``, which is a text code)."""
    if isinstance(code, bool):
        return False
    if isinstance(code, str):
        return bool(_CANONICAL_INT_RE.match(code))
    if isinstance(code, int | np.integer):
        return True
    if isinstance(code, float | np.floating):
        return math.isfinite(code) and float(code) == int(code)
    return False


def kind_of_variable(var: Variable, codebook: Codebook) -> Kind:
    """Storage kind of a codebook variable (see :data:`Kind`)."""
    t = var.type
    if t in ("integer", "binary"):
        return "integer"
    if t == "decimal":
        return "decimal"
    if t == "select_one":
        cl = codebook.choices_of(var.name)
        if cl is not None and cl.choices and all(_is_int_code(c) for c in cl.codes()):
            return "integer"
        return "text"
    if t in ("date", "datetime"):
        return t
    if t == "calculate":
        return "auto"
    return "text"


def kind_of_dtype(series: pd.Series) -> Kind:
    """Storage kind of an in-memory column (used for columns the codebook does not describe)."""
    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "integer"
    if pd.api.types.is_float_dtype(dt):
        return "decimal"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "datetime"
    return "text"


def infer_kind(values: Sequence[str]) -> Kind:
    """Kind of a column of text cells when no codebook describes it.

    Integers (no leading zeros, so ``"007"`` stays text) -> ``integer``; other plain decimal
    numbers -> ``decimal``; anything else (or an empty column) -> ``text``.

    Examples
    --------
    >>> infer_kind(["1", "", "12"]), infer_kind(["1.5", "2"]), infer_kind(["007", "1"])
    ('integer', 'decimal', 'text')
    """
    seen = False
    all_int = True
    for v in values:
        if v is None or v == "":
            continue
        text = v.strip() if isinstance(v, str) else ""
        if not _NUM_RE.match(text):
            return "text"
        seen = True
        if _INT_RE.match(text):
            digits = text.lstrip("+-")
            if len(digits) > 1 and digits.startswith("0"):
                return "text"
        else:
            all_int = False
    if not seen:
        return "text"
    return "integer" if all_int else "decimal"
