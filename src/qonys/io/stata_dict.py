"""A Stata file's labels (pyreadstat metadata) as a qonys codebook.

The rules are in :mod:`qonys.io.stata` (module docstring): one choice list per Stata
value-label set, with the set's name; extended missing values ``.a``-``.z`` as codes ``".a"``
with kinds from their labels; types from storage types and display formats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._core import Choice, ChoiceList, Code, Codebook, MissingCode, Variable
from .sav_dict import as_code
from .sav_kinds import KindRules, kind_from_label, kinds_override

__all__ = ["stata_codebook"]

_DATE = frozenset({"%td", "%d", "%tdD_m_Y", "%tdCCYY-NN-DD"})
_DATETIME = frozenset({"%tC", "%tc"})
_TIME = frozenset({"%tcHH:MM:SS", "%tcHH:MM"})
_LETTER = re.compile(r"^[a-z]$")
_EXTENDED = re.compile(r"^\.[a-z]$")


def _code(x: Any) -> Code:
    if isinstance(x, str) and _LETTER.match(x):
        return "." + x
    return as_code(x)


def _vtype(fmt: str, rtype: str) -> str:
    if fmt in _DATE:
        return "date"
    if fmt in _DATETIME:
        return "datetime"
    if fmt in _TIME:
        return "time"
    if rtype == "string":
        return "text"
    return "integer" if rtype.startswith("int") else "decimal"


def stata_codebook(
    meta: Any,
    *,
    language: str | None = None,
    rules: KindRules | None = None,
    kinds: Mapping[str, Mapping[Code, Any]] | None = None,
) -> Codebook:
    """The codebook of a .dta file from pyreadstat's metadata (rules in the module docstring)."""
    lang = language or "default"
    sets = {
        name: {_code(k): str(v) for k, v in labels.items()}
        for name, labels in (meta.value_labels or {}).items()
    }
    used = dict(meta.missing_user_values or {})
    variables: list[Variable] = []
    for name in meta.column_names:
        set_name = (meta.variable_to_label or {}).get(name)
        labels = sets.get(set_name, {}) if set_name else {}
        override = kinds_override(kinds, name)
        extended = sorted(
            {"." + x for x in used.get(name, [])}
            | {c for c in labels if isinstance(c, str) and _EXTENDED.match(c)}
        )
        missing = tuple(
            MissingCode(
                value=c, kind=override.get(c) or kind_from_label(labels.get(c), rules=rules)
            )
            for c in extended
        )
        vtype = _vtype(
            meta.original_variable_types.get(name, ""), meta.readstat_variable_types[name]
        )
        if vtype in ("integer", "decimal") and any(c not in extended for c in labels):
            vtype = "select_one"
        label = meta.column_names_to_labels.get(name)
        variables.append(
            Variable(
                name=name,
                type=vtype,  # type: ignore[arg-type]
                label={lang: label} if label else {},
                choices=set_name if labels else None,
                missing=missing,
                format=meta.original_variable_types.get(name) or None,
            )
        )
    lists = []
    for set_name, labels in sets.items():
        users = [v for v in variables if v.choices == set_name]
        choices = []
        for code, text in labels.items():
            kind = next((v.missing_kind(code) for v in users if v.missing_kind(code)), None)
            if kind is None and isinstance(code, str) and _EXTENDED.match(code):
                kind = kind_from_label(text, rules=rules)
            choices.append(Choice(code, {lang: text} if text else {}, missing=kind))
        lists.append(ChoiceList(set_name, tuple(choices)))
    return Codebook(
        variables=tuple(variables),
        choice_lists=tuple(lists),
        languages={language: language} if language else {},
        default_language=language,
        title={lang: meta.file_label} if meta.file_label else {},
        notes=tuple(meta.notes or ()),
    )
