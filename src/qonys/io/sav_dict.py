"""An SPSS dictionary (pyreadstat metadata) as a qonys :class:`~qonys._core.codebook.Codebook`.

Rules, for a file qonys did not write (or for variables changed since it wrote them):

- **Names** are the file's names; variable labels, value labels and the file label are keyed by
  the ``language=`` given to the reader, else ``"default"``.
- **Types**: a string variable is ``text``, or ``select_one`` with string codes when it has value
  labels; a numeric variable with a date format that was converted is ``date`` (``DATE``,
  ``ADATE``, ``EDATE``, ``JDATE``, ``SDATE``), ``datetime`` (``DATETIME``, ``YMDHMS``) or
  ``time`` (``TIME``, ``DTIME``); a member of a multiple-dichotomy set is ``binary``; a numeric
  variable with a value label on at least one code that is not user-missing is ``select_one``;
  any other numeric variable is ``integer`` when its format has no decimals (``F8.0``, ``N6``)
  and ``decimal`` otherwise. Labels on user-missing codes only (``-1 'Не знаю'`` on an income)
  are kept in a choice list without making the variable categorical.
- **Value labels** become one :class:`~qonys._core.codebook.ChoiceList` per variable, named
  after the variable; variables with identical labels (codes, labels and missing flags) share
  the list of the first of them. Integral numeric codes become ``int``.
- **User-missing values** keep SPSS's distinction between codes and ranges: a discrete value is
  ``MissingCode(value=...)``, a range ``MissingCode(low=..., high=...)`` (``LO THRU -1`` has
  ``low=-inf``). The kind comes from the code's value label (:mod:`qonys.io.sav_kinds`). A
  range's own kind is ``missing``; the labelled codes inside it whose label names a kind are
  listed before it as discrete codes of that kind, so that ``97 THRU 99`` with ``98 'Не знаю'``
  gives ``98 -> dont_know`` and ``97..99 -> missing``. Choices that are user-missing carry the
  kind too (``Choice.missing``). Codes that are labelled like a missing code but not declared
  missing in the file are **not** marked: the file is taken at its word.
- **Multiple-response sets** (``MRSETS``) become :class:`~qonys._core.codebook.MRSet`\\ s without
  the ``$``: ``/MDGROUP`` -> ``kind="dichotomy"`` with its counted value, ``/MCGROUP`` ->
  ``kind="category"``.
- **Documents** become codebook notes, except the ``qonys-data`` lines (:mod:`qonys.io.sav_meta`),
  which restore what qonys wrote: names, string codes, types, other languages, missing kinds,
  multiple-response sets, rosters.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .._core import (
    Choice,
    ChoiceList,
    Code,
    Codebook,
    CodebookError,
    MissingCode,
    MissingKind,
    MRSet,
    Variable,
)
from .sav_kinds import KindRules, kind_from_label, kinds_override
from .sav_meta import canon_missing, fingerprint, note_lines, unpack

__all__ = ["Dictionary", "as_code", "read_dictionary", "share_lists", "spss_date_type"]

_FORMAT = re.compile(r"^([A-Z]+)(\d+)?(?:\.(\d+))?$")
_DATE = frozenset({"DATE", "ADATE", "EDATE", "JDATE", "SDATE"})
_DATETIME = frozenset({"DATETIME", "YMDHMS"})
_TIME = frozenset({"TIME", "DTIME"})


def spss_date_type(fmt: str | None) -> Literal["date", "datetime", "time"] | None:
    """``date``/``datetime``/``time`` for formats pyreadstat converts, else ``None``.

    >>> spss_date_type("ADATE10"), spss_date_type("DATETIME20"), spss_date_type("F8.2")
    ('date', 'datetime', None)
    """
    m = _FORMAT.match(fmt or "")
    if not m:
        return None
    kind = m.group(1)
    if kind in _DATE:
        return "date"
    if kind in _DATETIME:
        return "datetime"
    if kind in _TIME:
        return "time"
    return None


def _decimals(fmt: str | None) -> int:
    m = _FORMAT.match(fmt or "")
    return int(m.group(3)) if m and m.group(3) else 0


def as_code(x: Any) -> Code:
    """A value code as qonys stores it: integral numbers as ``int``, strings without padding.

    >>> as_code(2.0), as_code(2.5), as_code("ab  ")
    (2, 2.5, 'ab')
    """
    if isinstance(x, str):
        return x.rstrip()
    f = float(x)
    return int(f) if f.is_integer() and abs(f) < 2**53 else f


@dataclasses.dataclass(frozen=True)
class Dictionary:
    """What the SPSS reader learns from a file's dictionary.

    Attributes
    ----------
    codebook : Codebook
    names : dict
        Column name in the file -> qonys name.
    recode : dict
        qonys name -> string codes; the file's code ``i`` is the ``i``-th (1-based).
    notes : tuple of str
        Messages for :attr:`SourceInfo.notes <qonys._core.dataset.SourceInfo.notes>`.
    rosters : dict
        Repeat group -> file name of its table (from qonys' own files).
    """

    codebook: Codebook
    names: dict[str, str]
    recode: dict[str, tuple[Code, ...]]
    notes: tuple[str, ...] = ()
    rosters: dict[str, str] = dataclasses.field(default_factory=dict)


def _in_range(code: Code, lo: Any, hi: Any) -> bool:
    try:
        return float(lo) <= float(code) <= float(hi)
    except (TypeError, ValueError):
        return False


def missing_codes(
    ranges: Sequence[Mapping[str, Any]],
    labels: Mapping[Code, str],
    kind_for: Any,
) -> tuple[MissingCode, ...]:
    """SPSS ``missing_ranges`` of one variable as :class:`MissingCode`\\ s (see module doc)."""
    out: list[MissingCode] = []
    for r in ranges:
        lo, hi = r["lo"], r["hi"]
        if lo == hi:
            code = as_code(lo)
            out.append(MissingCode(value=code, kind=kind_for(code)))
            continue
        for code in labels:
            if _in_range(code, lo, hi):
                kind = kind_for(code)
                if kind != MissingKind.MISSING:
                    out.append(MissingCode(value=code, kind=kind))
        out.append(MissingCode(low=float(lo), high=float(hi), kind=MissingKind.MISSING))
    return tuple(out)


def derive_variable(
    name: str,
    *,
    is_string: bool,
    fmt: str | None,
    label: str | None,
    value_labels: Mapping[Any, str],
    ranges: Sequence[Mapping[str, Any]],
    measure: str | None,
    lang: str,
    rules: KindRules | None,
    kinds: Mapping[str, Mapping[Code, Any]] | None,
    binary: bool,
    date_type: str | None,
) -> tuple[Variable, tuple[Choice, ...]]:
    """One variable and its choices, by the rules of the module docstring."""
    labels = {as_code(k): str(v) for k, v in value_labels.items()}
    override = kinds_override(kinds, name)

    def kind_for(code: Code) -> MissingKind:
        for k, v in override.items():
            if MissingCode(value=k).matches(code):
                return v
        return kind_from_label(labels.get(code), rules=rules)

    missing = missing_codes(ranges, labels, kind_for)

    def missing_kind(code: Code) -> MissingKind | None:
        for m in missing:
            if m.matches(code):
                return kind_for(code) if m.is_range else m.kind
        return None

    choices = tuple(
        Choice(code=c, labels={lang: lab} if lab else {}, missing=missing_kind(c))
        for c, lab in labels.items()
    )
    if is_string:
        vtype = "select_one" if choices else "text"
    elif date_type is not None:
        vtype = date_type
    elif binary:
        vtype = "binary"
    elif any(ch.missing is None for ch in choices):
        vtype = "select_one"
    else:
        vtype = "integer" if _decimals(fmt) == 0 else "decimal"
    var = Variable(
        name=name,
        type=vtype,  # type: ignore[arg-type]
        label={lang: label} if label else {},
        choices=name if choices else None,
        measure=measure if measure in ("nominal", "ordinal", "scale") else "unknown",  # type: ignore[arg-type]
        missing=missing,
        format=fmt or None,
    )
    return var, choices


def share_lists(
    items: Sequence[tuple[Variable, tuple[Choice, ...]]], taken: set[str] | None = None
) -> tuple[list[Variable], list[ChoiceList]]:
    """Give each distinct set of choices one list, named after its first variable."""
    taken = set(taken or ())
    by_content: dict[tuple[Any, ...], str] = {}
    variables: list[Variable] = []
    lists: list[ChoiceList] = []
    for var, choices in items:
        if not choices:
            variables.append(var)
            continue
        key = tuple(
            (type(c.code).__name__, c.code, tuple(c.labels.items()), c.missing) for c in choices
        )
        if key not in by_content:
            list_name, k = var.name, 2
            while list_name in taken:
                list_name, k = f"{var.name}_{k}", k + 1
            taken.add(list_name)
            by_content[key] = list_name
            lists.append(ChoiceList(list_name, choices))
        variables.append(var.replace(choices=by_content[key]))
    return variables, lists


def _category_sets_uncounted(cb: Codebook) -> Codebook:
    """Undo ``Codebook.from_dict`` giving category sets (no counted value) a counted value of 1."""
    sets = tuple(
        dataclasses.replace(s, counted_value=None) if s.kind == "category" else s
        for s in cb.mr_sets
    )
    return cb.replace(mr_sets=sets) if sets != cb.mr_sets else cb


def _apply_overrides(var: Variable, kinds: Mapping[str, Mapping[Code, Any]] | None) -> Variable:
    override = kinds_override(kinds, var.name)
    if not override or not var.missing:
        return var
    missing = []
    for m in var.missing:
        for code, kind in override.items():
            if not m.is_range and m.matches(code):
                m = dataclasses.replace(m, kind=kind)
        missing.append(m)
    return var.replace(missing=tuple(missing))


def read_dictionary(
    meta: Any,
    *,
    language: str | None = None,
    rules: KindRules | None = None,
    kinds: Mapping[str, Mapping[Code, Any]] | None = None,
    dates_converted: bool = True,
) -> Dictionary:
    """Build the codebook of a .sav from pyreadstat's metadata (see the module docstring)."""
    payload, other_notes, problem = unpack(meta.notes or [])
    notes: list[str] = [problem] if problem else []
    payload = payload or {}
    lang = language or payload.get("lang") or "default"
    columns = list(meta.column_names)
    names = {s: str(payload.get("names", {}).get(s, s)) for s in columns}
    embedded: Codebook | None = None
    if payload.get("codebook"):
        try:
            embedded = _category_sets_uncounted(Codebook.from_dict(payload["codebook"]))
        except CodebookError:
            notes.append("the codebook stored by qonys in the file is invalid; ignored")
    fps: Mapping[str, str] = payload.get("fp", {})
    recode_all: Mapping[str, Sequence[Code]] = payload.get("recode", {})
    mr_sets = dict(getattr(meta, "mr_sets", None) or {})
    dichotomy = {v for s in mr_sets.values() if s.get("is_dichotomy") for v in s["variable_list"]}

    trusted: list[Variable] = []
    derived: list[tuple[Variable, tuple[Choice, ...]]] = []
    recode: dict[str, tuple[Code, ...]] = {}
    order: list[str] = []
    for s in columns:
        name = names[s]
        order.append(name)
        label = meta.column_names_to_labels.get(s)
        vl = meta.variable_value_labels.get(s) or {}
        ranges = meta.missing_ranges.get(s) or []
        if embedded is not None and name in embedded and s in fps:
            if fps[s] == fingerprint(label, vl, canon_missing(ranges)):
                trusted.append(_apply_overrides(embedded[name], kinds))
                if name in recode_all:
                    recode[name] = tuple(recode_all[name])
                continue
            notes.append(
                f"variable {name} was changed after qonys wrote the file; "
                "its metadata come from the SPSS dictionary"
            )
        fmt = meta.original_variable_types.get(s)
        derived.append(
            derive_variable(
                name,
                is_string=meta.readstat_variable_types.get(s) == "string",
                fmt=fmt,
                label=label,
                value_labels=vl,
                ranges=ranges,
                measure=meta.variable_measure.get(s),
                lang=lang,
                rules=rules,
                kinds=kinds,
                binary=s in dichotomy,
                date_type=spss_date_type(fmt) if dates_converted else None,
            )
        )
    kept_lists = {v.choices for v in trusted if v.choices}
    emb_lists = [c for c in (embedded.choice_lists if embedded else ()) if c.name in kept_lists]
    new_vars, new_lists = share_lists(derived, taken={c.name for c in emb_lists})
    by_name = {v.name: v for v in (*trusted, *new_vars)}
    variables = tuple(by_name[n] for n in order)
    present = set(order)

    sets: list[MRSet] = []
    if embedded is not None:
        sets = [s for s in embedded.mr_sets if set(s.variables) <= present]
    for key, spec in mr_sets.items():
        set_name = str(key).lstrip("$")
        members = tuple(names.get(v, v) for v in spec["variable_list"])
        if any(s.name == set_name for s in sets) or not set(members) <= present:
            continue
        sets.append(
            MRSet(
                name=set_name,
                variables=members,
                kind="dichotomy" if spec.get("is_dichotomy") else "category",
                counted_value=as_code(spec["counted_value"])
                if spec.get("is_dichotomy") and spec.get("counted_value") is not None
                else None,
                label={lang: spec["label"]} if spec.get("label") else {},
            )
        )
    title = {lang: meta.file_label} if meta.file_label else {}
    if embedded is not None:
        wrapped = note_lines(embedded.notes)
        extra = [n for n in other_notes if n not in wrapped]
        base = embedded.select([v for v in order if v in embedded])
        codebook = Codebook(
            variables=variables,
            choice_lists=(*emb_lists, *new_lists),
            mr_sets=tuple(sets),
            rosters=base.rosters,
            scales=tuple(s for s in embedded.scales if set(s.items) <= present),
            languages=embedded.languages,
            default_language=embedded.default_language,
            title=embedded.title or title,
            form_id=embedded.form_id,
            version=embedded.version,
            id_variable=embedded.id_variable if embedded.id_variable in present else None,
            notes=(*embedded.notes, *extra),
        )
    else:
        codebook = Codebook(
            variables=variables,
            choice_lists=tuple(new_lists),
            mr_sets=tuple(sets),
            languages={language: language} if language else {},
            default_language=language,
            title=title,
            notes=tuple(other_notes),
        )
    return Dictionary(
        codebook=codebook,
        names=names,
        recode=recode,
        notes=tuple(notes),
        rosters=dict(payload.get("rosters", {})),
    )
