"""Declared options of analysis stages, checked before any work.

A stage declares its ``[analyses.<stage>]`` options with :func:`declare_options`; the study
file is then checked in two passes, both before the first stage runs:

1. when the study file is read (:func:`check_options`): unknown keys (with the closest known
   key), wrong types and values outside a fixed list (method names, tie rules);
2. once the data are read (:func:`check_option_variables`): every variable, scale or
   multiple-response set an option names must be in the data's codebook (the migrants' data,
   or the long-term residents' for options marked ``form="locals"``).

Every mistake is a :class:`~qonys._core.StudyError` naming the key (``analyses.identity.
methods``), the rule and the fix. Stages without declared options keep free-form tables.

Examples
--------
>>> declare_options("example", {"method": Option((str,), "split rule", choices=("a", "b"))})
>>> try:
...     check_options({"example": {"method": "c"}}, "study.toml")
... except StudyError as err:
...     print(err.rule, err.where.key, err.hint)
study.option-value analyses.example.method Use one of: a, b.
>>> _ = DECLARED.pop("example")
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from .._core import StudyError, Where

__all__ = [
    "DECLARED",
    "Option",
    "check_option_variables",
    "check_options",
    "codes_by_name",
    "declare_options",
    "in_range",
    "integer_codes",
    "pairs_of_names",
]

NameKind = Literal["value", "variable", "scale", "mrset"]


@dataclasses.dataclass(frozen=True, slots=True)
class Option:
    """One declared option.

    Attributes
    ----------
    types : tuple of type
        Accepted TOML types (``list``: every element is checked against ``choices`` /
        ``names``; ``dict``: every value is).
    help : str
        What the option is; shown in the hint of a type error.
    choices : tuple of str
        Allowed values (of the string, or of each element).
    names : {"value", "variable", "scale", "mrset"}
        What the strings of the option name, checked against the codebook once the data are
        read (``value``: nothing to check).
    form : {"migrants", "locals"}
        Whose codebook names are looked up in.
    extra_names : tuple of str
        Names accepted besides the codebook's (variables a stage derives).
    check : callable, optional
        Further check of the value: returns what is wrong with it (the error's hint), or
        ``None``.
    """

    types: tuple[type, ...]
    help: str
    choices: tuple[str, ...] = ()
    names: NameKind = "value"
    form: Literal["migrants", "locals"] = "migrants"
    extra_names: tuple[str, ...] = ()
    check: Callable[[Any], str | None] | None = None


DECLARED: dict[str, dict[str, Option]] = {}
"""Declared options by stage name."""


def pairs_of_names(value: Any) -> str | None:
    """Check for a table whose values are lists of two names (``{name = ["a", "b"]}``)."""
    bad = [k for k, v in value.items() if not (isinstance(v, list) and len(v) == 2)]
    return f'Write {bad[0]} = ["first", "second"].' if bad else None


def codes_by_name(value: Any) -> str | None:
    """Check for a table whose values are lists of integer codes (``{name = [1, 2]}``)."""
    for k, v in value.items():
        if not (isinstance(v, list) and v and all(type(c) is int for c in v)):
            return f"Write {k} = [1, 7, 11] (option codes)."
    return None


def integer_codes(value: Any) -> str | None:
    """Check for a non-empty list of integer codes."""
    ok = isinstance(value, list) and value and all(type(c) is int for c in value)
    return None if ok else "Give a list of option codes, e.g. [1, 2, 3]."


def in_range(low: int, high: int) -> Callable[[Any], str | None]:
    """Check for an integer from ``low`` to ``high``."""

    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"Give a number from {low} to {high}."

    return check


def declare_options(stage: str, options: Mapping[str, Option]) -> None:
    """Declare the options of ``stage`` (replacing an earlier declaration)."""
    DECLARED[stage] = dict(options)


def _err(msg: str, key: str, rule: str, hint: str, file: str | None, var: str | None = None) -> Any:
    return StudyError(msg, where=Where(file=file, key=key, variable=var), rule=rule, hint=hint)


_TYPE_NAMES = {
    "str": "a string",
    "list": "a list",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "dict": "a table",
}


def _strings(value: Any) -> list[str]:
    """The strings an option value holds (itself, list elements, table values, nested)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def check_options(analyses: Mapping[str, Any], file: str | None) -> None:
    """Check the declared stages' option tables of ``[analyses]`` (first pass).

    Raises
    ------
    StudyError
        ``study.unknown-key`` (with the closest key), ``study.type`` or ``study.option-value``.
    """
    for stage, opts in analyses.items():
        spec = DECLARED.get(stage)
        if spec is None or not isinstance(opts, Mapping):
            continue
        for key, value in opts.items():
            where = f"analyses.{stage}.{key}"
            if key not in spec:
                close = difflib.get_close_matches(key, list(spec), n=1, cutoff=0.5)
                raise _err(
                    f"unknown option {key!r} of the {stage} stage",
                    where,
                    "study.unknown-key",
                    f"Did you mean {close[0]!r}?" if close else f"Options: {', '.join(spec)}.",
                    file,
                )
            opt = spec[key]
            bad_bool = isinstance(value, bool) and bool not in opt.types
            int_as_float = float in opt.types and isinstance(value, int) and not bad_bool
            if not (isinstance(value, opt.types) or int_as_float) or bad_bool:
                names = " or ".join(_TYPE_NAMES.get(t.__name__, t.__name__) for t in opt.types)
                raise _err(
                    f"{where} must be {names}; got {value!r}",
                    where,
                    "study.type",
                    f"Expected: {opt.help}.",
                    file,
                )
            if opt.check is not None and (problem := opt.check(value)) is not None:
                raise _err(
                    f"{where} has a value that cannot be used; got {value!r}",
                    where,
                    "study.option-value",
                    problem,
                    file,
                )
            if opt.choices:
                for s in _strings(value):
                    if s not in opt.choices:
                        close = difflib.get_close_matches(s, opt.choices, n=1, cutoff=0.5)
                        hint = f"Did you mean {close[0]!r}? " if close else ""
                        raise _err(
                            f"unknown value {s!r}",
                            where,
                            "study.option-value",
                            hint + f"Use one of: {', '.join(opt.choices)}.",
                            file,
                        )


def check_option_variables(
    options: Mapping[str, Mapping[str, Any]],
    codebooks: Mapping[str, Any],
    file: str | None,
) -> None:
    """Check that the names options give exist in the codebooks (second pass).

    Parameters
    ----------
    options : Mapping
        ``[analyses]`` option tables by stage.
    codebooks : Mapping[str, Codebook]
        Codebook of the data read, by form (``migrants``, ``locals``); a form without data is
        left out, and its options are not checked.
    file : str, optional
        The study file's name, for the error.

    Raises
    ------
    StudyError
        ``study.unknown-variable``, ``study.unknown-scale`` or ``study.unknown-mrset``, with
        the closest name in the codebook.
    """
    for stage, opts in options.items():
        spec = DECLARED.get(stage, {})
        for key, value in opts.items():
            opt = spec.get(key)
            if opt is None or opt.names == "value" or opt.form not in codebooks:
                continue
            cb = codebooks[opt.form]
            if cb is None:
                continue
            known: Sequence[str]
            if opt.names == "variable":
                known = list(cb.names)
            elif opt.names == "scale":
                known = [s.name for s in cb.scales]
            else:
                known = [s.name for s in cb.mr_sets]
            for name in _strings(value):
                if name in known or name in opt.extra_names:
                    continue
                close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
                what = {"variable": "variable", "scale": "scale", "mrset": "multiple-response set"}
                raise _err(
                    f"unknown {what[opt.names]} {name!r} in analyses.{stage}.{key}",
                    f"analyses.{stage}.{key}",
                    f"study.unknown-{opt.names}",
                    (f"Did you mean {close[0]!r}? " if close else "")
                    + f"Name a {what[opt.names]} of the {opt.form}' codebook.",
                    file,
                    name,
                )
