"""Checks of the values of one variable: type, codes, 0/1 indicators, constraints, ranges,
required answers and routing."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from .._core import Codebook, QonysError, Variable
from .._core.expressions import evaluate_bool
from ._tables import TableView, classify, empty_mask, key_text, numeric_values
from .report import Issue

__all__ = ["check_variable"]

_NUM_RE = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_INT_TEXT = re.compile(r"^-?(?:0|[1-9]\d*)$")
_NUM_TEXT = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")
_TEXT_TYPES = frozenset({"text", "calculate", "other", "geopoint", "note"})

Emit = Callable[..., None]


def _number(x: object) -> float | None:
    if isinstance(x, bool | np.bool_):
        return float(x)
    if isinstance(x, int | float | np.integer | np.floating):
        return float(x)
    if isinstance(x, str) and _NUM_RE.match(x):
        return float(x)
    return None


def _show(var: Variable, x: object) -> str:
    """The offending value for a message, or nothing for free text (it may identify someone)."""
    if var.type in _TEXT_TYPES:
        return "the value"
    text = key_text(x) or ""
    return f"value {text[:30]!r}" if isinstance(x, str) else f"value {text[:30]}"


def _code_keys(codes: tuple[object, ...]) -> tuple[set[float], set[str]]:
    nums: set[float] = set()
    strs: set[str] = set()
    for c in codes:
        if isinstance(c, str):
            strs.add(c)
        else:
            nums.add(float(c))  # type: ignore[arg-type]
            strs.add(key_text(c) or "")
    return nums, strs


def _in_codes(x: object, nums: set[float], strs: set[str]) -> bool:
    """Whether ``x`` is a code, comparing numbers numerically and text exactly (a code ``"1"``
    and a value ``1`` are the same choice, as in :meth:`Codebook.missing_kind`)."""
    n = _number(x)
    if isinstance(x, str):
        return x in strs or (n is not None and _INT_TEXT.match(x) is not None and n in nums)
    return (n is not None and n in nums) or (key_text(x) or "") in strs


def check_variable(
    view: TableView,
    codebook: Codebook,
    var: Variable,
    *,
    file: str | None,
    today: date | None,
    emit: Emit,
    notes: list[str],
) -> np.ndarray:
    """Run the value checks of ``var`` in ``view``; return the kind of every cell."""
    col = view.frame[var.name]
    values = col.tolist()
    relevant, note = view.relevant(codebook, var, today)
    if note:
        notes.append(note)
    unknown = view.unresolved(codebook)
    kinds = classify(col, var, codebook, relevant, unknown)
    valid = kinds == "valid"

    def issue(i: int | np.integer, rule: str, message: str, kind: str = "valid") -> None:
        emit(
            Issue(rule, "error", message, var.name, int(i) + 1, view.name, kind, file),
        )

    nums_arr = numeric_values(col)
    if var.type in ("integer", "decimal", "binary") or (
        var.type == "select_one" and col.dtype != object and _numeric_list(codebook, var)
    ):
        if nums_arr is not None:
            if var.type in ("integer", "binary"):
                with np.errstate(invalid="ignore"):
                    frac = valid & np.isfinite(nums_arr) & (nums_arr != np.trunc(nums_arr))
                for i in np.flatnonzero(frac):
                    issue(
                        i, "type.not-an-integer", f"{_show(var, values[i])} is not a whole number"
                    )
                valid &= ~frac
        else:
            for i in np.flatnonzero(valid):
                n = _number(values[i])
                if n is None:
                    issue(i, "type.not-a-number", f"{_show(var, values[i])} is not a number")
                    valid[i] = False
                elif var.type in ("integer", "binary") and math.isfinite(n) and n != int(n):
                    issue(
                        i, "type.not-an-integer", f"{_show(var, values[i])} is not a whole number"
                    )
                    valid[i] = False
    if var.type in ("date", "datetime") and not pd.api.types.is_datetime64_any_dtype(col.dtype):
        for i in np.flatnonzero(valid):
            x = values[i]
            if not (isinstance(x, date) or (isinstance(x, str) and _DATE_RE.match(x))):
                issue(i, "type.not-a-date", f"{_show(var, x)} is not a date")
                valid[i] = False
    _check_codes(codebook, var, values, nums_arr, valid, issue)
    _check_constraint(view, codebook, var, values, valid, today, issue, notes)
    _check_scales(codebook, var, values, nums_arr, valid, issue)
    _check_routing(codebook, var, kinds, relevant, unknown, issue)
    return kinds


def _numeric_list(codebook: Codebook, var: Variable) -> bool:
    cl = codebook.choices_of(var.name)
    return cl is not None and all(
        not isinstance(c, str) or _INT_TEXT.match(c) is not None for c in cl.codes()
    )


def _check_codes(
    codebook: Codebook,
    var: Variable,
    values: list[object],
    nums_arr: np.ndarray | None,
    valid: np.ndarray,
    issue: Callable[..., None],
) -> None:
    if var.type == "binary":
        if nums_arr is not None:
            bad = np.flatnonzero(valid & ~np.isin(nums_arr, [0.0, 1.0]))
        else:
            bad = np.array([i for i in np.flatnonzero(valid) if _number(values[i]) not in (0, 1)])
        for i in bad:
            issue(i, "binary.not-0-1", f"{_show(var, values[i])} is neither 0 nor 1")
        valid[bad.astype(int)] = False
        return
    cl = codebook.choices_of(var.name) if var.type in ("select_one", "select_multiple") else None
    if cl is None:
        return
    nums, strs = _code_keys(cl.codes())
    if var.type == "select_one":
        if nums_arr is not None:
            allowed = nums | {float(c) for c in strs if _NUM_TEXT.match(c)}
            bad = np.flatnonzero(valid & ~np.isin(nums_arr, list(allowed)))
        else:
            bad = np.array(
                [i for i in np.flatnonzero(valid) if not _in_codes(values[i], nums, strs)]
            )
        for i in bad:
            issue(
                i, "codes.not-in-list", f"{_show(var, values[i])} is not a code of list {cl.name!r}"
            )
        valid[bad.astype(int)] = False
        return
    for i in np.flatnonzero(valid):
        bad_tokens = [t for t in str(key_text(values[i]) or "").split() if t not in strs]
        if bad_tokens:
            shown = ", ".join(repr(t[:20]) for t in bad_tokens[:3])
            issue(
                i, "codes.token-not-in-list", f"choice(s) {shown} are not codes of list {cl.name!r}"
            )
            valid[i] = False


def _check_constraint(
    view: TableView,
    codebook: Codebook,
    var: Variable,
    values: list[object],
    valid: np.ndarray,
    today: date | None,
    issue: Callable[..., None],
    notes: list[str],
) -> None:
    if not var.constraint or not valid.any():
        return
    try:
        ok = evaluate_bool(
            var.constraint, view.context(codebook), current=var.name, today=today
        ).to_numpy(dtype=bool)
    except QonysError as err:
        notes.append(f"constraint of {var.name} not checked: {err.message} [rule {err.rule}]")
        return
    for i in np.flatnonzero(valid & ~ok):
        issue(
            i,
            "constraint.failed",
            f"{_show(var, values[i])} fails the constraint {var.constraint!r}",
        )


def _check_scales(
    codebook: Codebook,
    var: Variable,
    values: list[object],
    nums_arr: np.ndarray | None,
    valid: np.ndarray,
    issue: Callable[..., None],
) -> None:
    for sc in codebook.scales:
        if var.name not in sc.items or sc.low is None or sc.high is None:
            continue
        if nums_arr is not None:
            numbers = nums_arr
        else:
            numbers = np.array([np.nan if (n := _number(x)) is None else n for x in values])
        with np.errstate(invalid="ignore"):
            outside = valid & ((numbers < sc.low) | (numbers > sc.high))
        for i in np.flatnonzero(outside):
            issue(
                i,
                "range.outside-scale",
                f"{_show(var, values[i])} is outside scale {sc.name!r} ({sc.low}..{sc.high})",
            )


def _check_routing(
    codebook: Codebook,
    var: Variable,
    kinds: np.ndarray,
    relevant: np.ndarray | None,
    unknown: np.ndarray,
    issue: Callable[..., None],
) -> None:
    if var.type in ("calculate", "note"):
        return
    asked_missing = kinds == "missing"
    if relevant is None:
        if var.required and not codebook.relevant_chain(var.name):
            for i in np.flatnonzero(asked_missing):
                issue(i, "required.missing", "a required answer is empty", "missing")
        return
    answered = (kinds != "missing") & (kinds != "skipped")
    relevant = relevant & ~unknown
    not_relevant = ~relevant & ~unknown
    for i in np.flatnonzero(answered & not_relevant):
        issue(
            i,
            "routing.answered-when-skipped",
            "answered although its relevant condition is false (the question was not asked)",
            str(kinds[i]),
        )
    if var.required:
        for i in np.flatnonzero(asked_missing & relevant):
            issue(
                i,
                "routing.missing-when-asked",
                "empty although the question was asked (relevant is true) and is required",
                "missing",
            )


def check_mr_consistency(
    view: TableView,
    codebook: Codebook,
    *,
    file: str | None,
    emit: Emit,
) -> None:
    """Indicator columns ``q/x`` agree with the summary column ``q`` (Kobo's two exports)."""
    frame = view.frame
    names = [str(c) for c in frame.columns]
    for s in codebook.mr_sets:
        if s.kind != "dichotomy" or s.source is None or names.count(s.source) != 1:
            continue
        summary = frame[s.source].tolist()
        s_empty = empty_mask(frame[s.source])
        s_kinds = (
            classify(frame[s.source], codebook[s.source], codebook, None)
            if s.source in codebook
            else np.where(s_empty, "missing", "valid")
        )
        counted = 1.0 if s.counted_value is None else _number(s.counted_value)
        for member in s.variables:
            if names.count(member) != 1 or not member.startswith(s.source + "/"):
                continue
            code = member[len(s.source) + 1 :]
            ind = frame[member].tolist()
            i_empty = empty_mask(frame[member])
            for i in range(len(frame)):
                if s_kinds[i] not in ("valid", "missing"):
                    continue  # the summary holds a user-missing code
                chosen = (not s_empty[i]) and code in str(key_text(summary[i]) or "").split()
                n = None if i_empty[i] else _number(ind[i])
                if s_empty[i]:
                    bad = n is not None and n == counted
                else:
                    bad = (n == counted) != chosen or n is None
                if bad:
                    emit(
                        Issue(
                            "binary.inconsistent",
                            "error",
                            f"indicator {member} disagrees with the answer in {s.source}",
                            member,
                            i + 1,
                            view.name,
                            "valid" if n is not None else "missing",
                            file,
                        )
                    )
