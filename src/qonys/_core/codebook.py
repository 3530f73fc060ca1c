"""The codebook: the single source of variable metadata.

A :class:`Codebook` describes every variable of a survey: its stable name (the XLSForm / XML
name, never a label), type, question text and labels in any number of languages (Kazakh ``kk``,
Russian ``ru`` and English ``en`` first of all), value labels, measure level, missing codes of
distinct kinds, routing (``relevant``), constraints, membership of multiple-response sets, repeat
groups (rosters) and scales.

It is built from an XLSForm, from an SPSS file's dictionary or from a YAML sidecar (see
:mod:`qonys.io`) and written back to each. It is immutable: every change returns a new codebook.

Missing values
--------------
Survey practice distinguishes *why* a value is missing, and the distinction changes results
(item non-response rates, scale scores). qonys keeps four kinds, :class:`MissingKind`:

``skipped``
    the question was not asked because routing (``relevant``) skipped it;
``refused``
    asked, the respondent refused;
``dont_know``
    asked, the respondent did not know / found it hard to answer («Затрудняюсь ответить»);
``missing``
    asked, no answer recorded, or a user-missing code whose reason is not stated.

In a data frame the raw codes are kept as they are (``98`` stays ``98``); the codebook says which
codes are missing and of which kind. An empty cell (system-missing) is ``skipped`` where the
question's ``relevant`` condition is false for that respondent and ``missing`` otherwise.

Examples
--------
>>> cb = Codebook(
...     variables=(
...         Variable("sex", "select_one", label={"kk": "Жынысы", "ru": "Пол", "en": "Sex"},
...                  choices="sex"),
...     ),
...     choice_lists=(ChoiceList("sex", (Choice(1, {"en": "Male"}), Choice(2, {"en": "Female"}))),),
... )
>>> cb.value_labels("sex", "en")
{1: 'Male', 2: 'Female'}
>>> cb["sex"].label_in("ru")
'Пол'
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, get_args

from .errors import CodebookError, Where
from .frozen import FrozenMap

__all__ = [
    "MEASURES",
    "NUMERIC_TYPES",
    "VAR_TYPES",
    "Choice",
    "ChoiceList",
    "Code",
    "Codebook",
    "Group",
    "MRSet",
    "Measure",
    "MissingCode",
    "MissingKind",
    "Roster",
    "Scale",
    "VarType",
    "Variable",
    "parse_language_header",
]

Code = int | float | str
"""A value code: a number for numeric variables, a string for text-coded choices."""

VarType = Literal[
    "integer",
    "decimal",
    "text",
    "select_one",
    "select_multiple",
    "binary",
    "date",
    "datetime",
    "time",
    "geopoint",
    "calculate",
    "note",
    "other",
]
"""Analysis types.

``select_multiple`` is the space-separated summary column of a multiple choice question;
``binary`` is a 0/1 indicator (one column of a multiple-response set, e.g. Kobo's ``q/choice``);
``calculate`` holds a form-computed value; ``other`` covers media, barcodes and the like
(the original XLSForm type is kept in :attr:`Variable.source_type`).
"""

VAR_TYPES: tuple[str, ...] = get_args(VarType)
NUMERIC_TYPES = frozenset({"integer", "decimal", "binary"})

Measure = Literal["nominal", "ordinal", "scale", "unknown"]
MEASURES: tuple[str, ...] = get_args(Measure)

_LANG_HEADER = re.compile(r"^(?P<col>[A-Za-z_:]+?)::(?P<display>.+)$")
_LANG_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")


def parse_language_header(header: str) -> tuple[str, str | None, str | None]:
    """Split an XLSForm column header into (column, language code, language display name).

    ``label::Қазақша (kk)`` gives ``("label", "kk", "Қазақша (kk)")``; ``label`` gives
    ``("label", None, None)``; a suffix without a code in parentheses uses the suffix itself as
    the code.

    Examples
    --------
    >>> parse_language_header("label::Қазақша (kk)")
    ('label', 'kk', 'Қазақша (kk)')
    >>> parse_language_header("hint::English")
    ('hint', 'English', 'English')
    >>> parse_language_header("constraint")
    ('constraint', None, None)
    """
    m = _LANG_HEADER.match(header.strip())
    if not m:
        return header.strip(), None, None
    display = m.group("display").strip()
    code = _LANG_CODE.search(display)
    return m.group("col").strip(), (code.group(1) if code else display), display


class MissingKind(StrEnum):
    """Why a value is missing (see the module docstring)."""

    SKIPPED = "skipped"
    REFUSED = "refused"
    DONT_KNOW = "dont_know"
    MISSING = "missing"

    def __str__(self) -> str:
        return self.value


def _labels(value: Mapping[str, str] | str | None) -> FrozenMap[str, str]:
    if value is None:
        return FrozenMap()
    if isinstance(value, str):
        return FrozenMap({"default": value})
    return FrozenMap({str(k): str(v) for k, v in value.items() if v is not None and str(v) != ""})


def _pick(labels: Mapping[str, str], lang: str | None, fallback: Sequence[str]) -> str | None:
    order = ([lang] if lang else []) + list(fallback) + ["default"]
    for code in order:
        if code in labels:
            return labels[code]
    return next(iter(labels.values()), None)


@dataclasses.dataclass(frozen=True, slots=True)
class Choice:
    """One answer option: its code, labels by language, and whether it is a missing code.

    Parameters
    ----------
    code : int, float or str
        The stored value (XLSForm choice ``name``; SPSS numeric code).
    labels : Mapping[str, str]
        Language code -> label.
    missing : MissingKind, optional
        Set when choosing this option means a missing value ("Don't know" = ``dont_know``).
    """

    code: Code
    labels: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    missing: MissingKind | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _labels(self.labels))
        if self.missing is not None and not isinstance(self.missing, MissingKind):
            object.__setattr__(self, "missing", MissingKind(self.missing))

    def label_in(
        self, lang: str | None = None, fallback: Sequence[str] = ("en", "ru", "kk")
    ) -> str:
        """Label in ``lang``, else the first available in ``fallback``, else the code."""
        got = _pick(self.labels, lang, fallback)
        return got if got is not None else str(self.code)


@dataclasses.dataclass(frozen=True, slots=True)
class ChoiceList:
    """A named list of choices (the XLSForm ``choices`` sheet's ``list_name``)."""

    name: str
    choices: tuple[Choice, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(self.choices))

    def codes(self) -> tuple[Code, ...]:
        """All codes in order."""
        return tuple(c.code for c in self.choices)

    def get(self, code: Code) -> Choice | None:
        """The choice with ``code``, comparing numbers numerically and strings exactly."""
        for c in self.choices:
            if _same_code(c.code, code):
                return c
        return None


def _same_code(a: Code, b: Code) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return float(a) == float(b)


@dataclasses.dataclass(frozen=True, slots=True)
class MissingCode:
    """A user-missing code (``value``) or range (``low``..``high``) and its kind.

    Examples
    --------
    >>> MissingCode(value=99, kind="refused").matches(99.0)
    True
    >>> MissingCode(low=97, high=99).matches(98)
    True
    """

    value: Code | None = None
    low: float | None = None
    high: float | None = None
    kind: MissingKind = MissingKind.MISSING

    def __post_init__(self) -> None:
        if not isinstance(self.kind, MissingKind):
            object.__setattr__(self, "kind", MissingKind(self.kind))
        is_range = self.low is not None or self.high is not None
        if (self.value is None) == (not is_range) or (
            is_range and (self.low is None or self.high is None)
        ):
            raise CodebookError(
                "a missing code is either one value or a low..high range",
                rule="codebook.missing-code",
                hint="Give value=, or both low= and high=.",
            )

    @property
    def is_range(self) -> bool:
        """Whether this is a range of codes."""
        return self.value is None

    def matches(self, x: object) -> bool:
        """Whether raw value ``x`` is this missing code."""
        if x is None:
            return False
        if self.value is not None:
            if isinstance(self.value, str) or isinstance(x, str):
                return str(self.value) == str(x)
            try:
                return float(self.value) == float(x)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
        try:
            v = float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        low, high = self.low, self.high
        return low is not None and high is not None and low <= v <= high


@dataclasses.dataclass(frozen=True, slots=True)
class Variable:
    """One variable (question, computed value or meta field).

    Parameters
    ----------
    name : str
        Stable name (XLSForm ``name``); ASCII letters, digits and ``_`` recommended.
    type : VarType
        Analysis type (see :data:`VarType`).
    label : Mapping[str, str]
        Question text by language code (``{"kk": ..., "ru": ..., "en": ...}``).
    choices : str, optional
        Name of the :class:`ChoiceList` holding the value labels.
    measure : {"nominal", "ordinal", "scale", "unknown"}
        Measure level; derived from the type when not given.
    missing : tuple of MissingCode
        User-missing codes and ranges with their kinds.
    hint : Mapping[str, str]
        Interviewer / respondent hint by language.
    group : tuple of str
        Path of enclosing (non-repeat and repeat) groups, outermost first.
    repeat : str, optional
        Name of the roster (repeat group) the variable belongs to; ``None`` for the main table.
    relevant, constraint, calculation, choice_filter : str, optional
        XLSForm expressions, kept verbatim.
    constraint_message : Mapping[str, str]
        Message shown when the constraint fails, by language.
    required : bool
        Whether an answer is required when the question is relevant.
    source_type : str, optional
        The original type string (``"select_one yes_no"``, ``"F8.2"``...).
    format : str, optional
        Display format (SPSS ``F8.2``, ``A50``...).
    appearance : str, optional
        XLSForm appearance (kept for round trips).
    parameters : str, optional
        XLSForm parameters (kept for round trips).
    """

    name: str
    type: VarType = "text"
    label: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    choices: str | None = None
    measure: Measure = "unknown"
    missing: tuple[MissingCode, ...] = ()
    hint: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    group: tuple[str, ...] = ()
    repeat: str | None = None
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    required: bool = False
    calculation: str | None = None
    choice_filter: str | None = None
    source_type: str | None = None
    format: str | None = None
    appearance: str | None = None
    parameters: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise CodebookError(
                "a variable needs a non-empty name",
                rule="codebook.name",
                hint="Give every variable a name.",
            )
        if self.type not in VAR_TYPES:
            raise CodebookError(
                f"unknown variable type {self.type!r}",
                where=Where(variable=self.name),
                rule="codebook.type",
                hint=f"Use one of: {', '.join(VAR_TYPES)}.",
            )
        if self.measure not in MEASURES:
            raise CodebookError(
                f"unknown measure level {self.measure!r}",
                where=Where(variable=self.name),
                rule="codebook.measure",
                hint=f"Use one of: {', '.join(MEASURES)}.",
            )
        for name in ("label", "hint", "constraint_message"):
            object.__setattr__(self, name, _labels(getattr(self, name)))
        object.__setattr__(self, "missing", tuple(self.missing))
        object.__setattr__(self, "group", tuple(self.group))
        if self.measure == "unknown":
            object.__setattr__(self, "measure", _default_measure(self.type))

    @property
    def is_numeric(self) -> bool:
        """Whether values are stored as numbers (integer, decimal, binary)."""
        return self.type in NUMERIC_TYPES

    def label_in(
        self, lang: str | None = None, fallback: Sequence[str] = ("en", "ru", "kk")
    ) -> str:
        """Question text in ``lang``, else the first available of ``fallback``, else the name."""
        got = _pick(self.label, lang, fallback)
        return got if got is not None else self.name

    def missing_kind(self, value: object) -> MissingKind | None:
        """The kind of missing code ``value`` is, or ``None`` if it is not a user-missing code."""
        for m in self.missing:
            if m.matches(value):
                return m.kind
        return None

    def replace(self, **changes: Any) -> Variable:
        """Return a copy with fields changed."""
        return dataclasses.replace(self, **changes)


def _default_measure(vtype: str) -> Measure:
    if vtype in {"integer", "decimal", "calculate"}:
        return "scale"
    if vtype in {"select_one", "select_multiple", "binary", "text"}:
        return "nominal"
    return "unknown"


@dataclasses.dataclass(frozen=True, slots=True)
class MRSet:
    """A multiple-response set (SPSS ``MRSETS``; an XLSForm ``select_multiple``).

    Parameters
    ----------
    name : str
        Set name without SPSS's ``$`` prefix.
    variables : tuple of str
        Member variables, one per option (dichotomy) or one per mention (category).
    kind : {"dichotomy", "category"}
        Multiple-dichotomy set (each member 0/1, counted value = ``counted_value``) or
        multiple-category set (each member holds a code).
    counted_value : int or str, optional
        The value that counts as "selected" in a dichotomy set (usually 1).
    label : Mapping[str, str]
        Set label by language.
    source : str, optional
        The ``select_multiple`` variable the set was derived from.
    """

    name: str
    variables: tuple[str, ...]
    kind: Literal["dichotomy", "category"] = "dichotomy"
    counted_value: Code | None = 1
    label: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    source: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "label", _labels(self.label))
        if self.kind not in ("dichotomy", "category"):
            raise CodebookError(
                f"unknown multiple-response set kind {self.kind!r}",
                where=Where(variable=self.name),
                rule="codebook.mrset-kind",
                hint="Use 'dichotomy' or 'category'.",
            )


@dataclasses.dataclass(frozen=True, slots=True)
class Roster:
    """A repeat group: a table of child rows linked to a parent table.

    Parameters
    ----------
    name : str
        Repeat name (XLSForm ``begin_repeat`` name).
    parent : str, optional
        Parent roster; ``None`` when the parent is the main table.
    key : str
        Column identifying a row of this roster (Kobo ``_index``, ODK ``KEY``).
    parent_key : str
        Column of this roster holding the parent row's key (Kobo ``_parent_index``,
        ODK ``PARENT_KEY``).
    label : Mapping[str, str]
        Roster label by language.
    """

    name: str
    parent: str | None = None
    key: str = "_index"
    parent_key: str = "_parent_index"
    label: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", _labels(self.label))


@dataclasses.dataclass(frozen=True, slots=True)
class Group:
    """A group of questions (XLSForm ``begin_group`` or ``begin_repeat``) and its display.

    Variables name their enclosing groups in :attr:`Variable.group`; a :class:`Group` keeps what
    belongs to the group itself: its label, its routing condition (which applies to every
    question inside it), its appearance and, for a repeat, its count expression.

    Parameters
    ----------
    path : tuple of str
        Names of the enclosing groups, outermost first, ending with this group's own name.
    label : Mapping[str, str]
        Group label by language.
    relevant : str, optional
        XLSForm ``relevant`` of the group, verbatim.
    appearance : str, optional
        XLSForm ``appearance`` (``field-list``...).
    repeat : bool
        Whether this is a repeat group (its rows form a :class:`Roster` of the same name).
    repeat_count : str, optional
        XLSForm ``repeat_count`` of a repeat, verbatim.

    Examples
    --------
    >>> Group(("household", "members"), label={"en": "Members"}, repeat=True).name
    'members'
    """

    path: tuple[str, ...]
    label: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    relevant: str | None = None
    appearance: str | None = None
    repeat: bool = False
    repeat_count: str | None = None

    def __post_init__(self) -> None:
        path = (self.path,) if isinstance(self.path, str) else tuple(self.path)
        if not path or not all(isinstance(p, str) and p for p in path):
            raise CodebookError(
                "a group needs a non-empty path of names",
                rule="codebook.group",
                hint="Give the group's path, outermost name first, ending with its own name.",
            )
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "label", _labels(self.label))
        object.__setattr__(self, "repeat", bool(self.repeat))

    @property
    def name(self) -> str:
        """The group's own name (last element of the path)."""
        return self.path[-1]


@dataclasses.dataclass(frozen=True, slots=True)
class Scale:
    """A multi-item scale: which items, which are reverse-keyed, the response range.

    Reverse keying maps ``x`` to ``low + high - x``.

    Parameters
    ----------
    name : str
        Scale name (``"ipl_social"``).
    items : tuple of str
        Item variables.
    reverse : tuple of str
        Items to reverse before scoring.
    low, high : float, optional
        Theoretical minimum and maximum of an item (for reverse keying and min-max scaling).
    label : Mapping[str, str]
        Scale label by language.
    """

    name: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    label: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "reverse", tuple(self.reverse))
        object.__setattr__(self, "label", _labels(self.label))
        unknown = [r for r in self.reverse if r not in self.items]
        if unknown:
            raise CodebookError(
                f"reverse-keyed items {unknown} are not items of scale {self.name!r}",
                where=Where(variable=self.name),
                rule="codebook.scale-reverse",
                hint="List every reverse-keyed item among the scale's items.",
            )


@dataclasses.dataclass(frozen=True, slots=True)
class Codebook:
    """Metadata of a survey (see the module docstring).

    Parameters
    ----------
    variables : tuple of Variable
        Variables in questionnaire order.
    choice_lists : tuple of ChoiceList
        Value-label lists referenced by variables' ``choices``.
    mr_sets, rosters, scales : tuples
        Multiple-response sets, repeat groups, scales.
    languages : Mapping[str, str]
        Language code -> display name as written in XLSForm headers (``"kk": "Қазақша (kk)"``).
    default_language : str, optional
        Language code of the default language.
    title : Mapping[str, str]
        Form title (by language, or ``default``).
    form_id, version : str, optional
        XLSForm settings.
    id_variable : str, optional
        Variable identifying a respondent (``_uuid``, ``KEY``, ``id``); used for duplicate checks.
    notes : tuple of str
        Free notes (e.g. SPSS documents, provenance).
    groups : tuple of Group
        Groups and repeat groups with their labels and routing (XLSForm structure).
    group_relevant : Mapping[str, str]
        ``relevant`` expressions of (repeat) groups, keyed by the group path joined with ``/``
        (``"migration/work"``). A question is asked only when its own ``relevant`` and those of
        every enclosing group are true; see :meth:`relevant_chain`.
    """

    variables: tuple[Variable, ...] = ()
    choice_lists: tuple[ChoiceList, ...] = ()
    mr_sets: tuple[MRSet, ...] = ()
    rosters: tuple[Roster, ...] = ()
    scales: tuple[Scale, ...] = ()
    languages: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    default_language: str | None = None
    title: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    form_id: str | None = None
    version: str | None = None
    id_variable: str | None = None
    notes: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    group_relevant: Mapping[str, str] = dataclasses.field(default_factory=FrozenMap)
    _index: Mapping[str, int] = dataclasses.field(
        default_factory=FrozenMap, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name in (
            "variables",
            "choice_lists",
            "mr_sets",
            "rosters",
            "scales",
            "notes",
            "groups",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(
            self, "languages", FrozenMap({str(k): str(v) for k, v in self.languages.items()})
        )
        object.__setattr__(self, "title", _labels(self.title))
        # Group conditions live on ``groups`` (from an XLSForm); ``group_relevant`` is the same
        # information keyed by path, and may add conditions for groups not declared as ``Group``.
        # Both are merged here so routing sees one mapping; explicit entries win.
        merged = {"/".join(g.path): g.relevant for g in self.groups if g.relevant}
        merged.update(
            {str(k): str(v) for k, v in dict(self.group_relevant).items() if v not in (None, "")}
        )
        object.__setattr__(self, "group_relevant", FrozenMap(merged))
        index: dict[str, int] = {}
        for i, v in enumerate(self.variables):
            if v.name in index:
                raise CodebookError(
                    f"variable name {v.name!r} appears twice",
                    where=Where(variable=v.name),
                    rule="codebook.duplicate-name",
                    hint="Variable names must be unique across the whole survey.",
                )
            index[v.name] = i
        object.__setattr__(self, "_index", FrozenMap(index))
        self._check_references()

    # -- consistency -------------------------------------------------------------------------
    def _check_references(self) -> None:
        lists = {c.name for c in self.choice_lists}
        if len(lists) != len(self.choice_lists):
            dup = _first_duplicate(c.name for c in self.choice_lists)
            raise CodebookError(
                f"choice list {dup!r} is defined twice",
                where=Where(key=dup),
                rule="codebook.duplicate-list",
                hint="Give each choice list one definition.",
            )
        rosters = {r.name for r in self.rosters}
        for v in self.variables:
            if v.choices is not None and v.choices not in lists:
                raise CodebookError(
                    f"choice list {v.choices!r} is not defined",
                    where=Where(variable=v.name),
                    rule="codebook.unknown-list",
                    hint="Add the list to the choices or correct the list name.",
                )
            if v.repeat is not None and v.repeat not in rosters:
                raise CodebookError(
                    f"repeat group {v.repeat!r} is not defined",
                    where=Where(variable=v.name),
                    rule="codebook.unknown-roster",
                    hint="Declare the roster or correct the variable's repeat.",
                )
        for r in self.rosters:
            if r.parent is not None and r.parent not in rosters:
                raise CodebookError(
                    f"roster {r.name!r} names an unknown parent {r.parent!r}",
                    where=Where(key=r.name),
                    rule="codebook.unknown-roster",
                    hint="The parent must be another roster or None for the main table.",
                )
        for s in self.mr_sets:
            self._need(s.variables, f"multiple-response set {s.name!r}", "codebook.mrset-member")
        for sc in self.scales:
            self._need(sc.items, f"scale {sc.name!r}", "codebook.scale-item")
        paths = [g.path for g in self.groups]
        if len(set(paths)) != len(paths):
            dup = _first_duplicate("/".join(p) for p in paths)
            raise CodebookError(
                f"group {dup!r} is defined twice",
                where=Where(key=dup),
                rule="codebook.duplicate-group",
                hint="Give each group path one definition.",
            )
        if self.id_variable is not None and self.id_variable not in self._index:
            raise CodebookError(
                f"the respondent id variable {self.id_variable!r} is not a variable",
                where=Where(variable=self.id_variable),
                rule="codebook.id-variable",
                hint="Name an existing variable as the id, or none.",
            )

    def _need(self, names: Iterable[str], what: str, rule: str) -> None:
        for n in names:
            if n not in self._index:
                raise CodebookError(
                    f"{what} refers to unknown variable {n!r}",
                    where=Where(variable=n),
                    rule=rule,
                    hint=_suggest(n, self._index),
                )

    # -- lookup ------------------------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __getitem__(self, name: str) -> Variable:
        return self.variable(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in order."""
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``; a :class:`CodebookError` suggests close names."""
        try:
            return self.variables[self._index[name]]
        except KeyError:
            raise CodebookError(
                f"no variable {name!r} in the codebook",
                where=Where(variable=name),
                rule="codebook.unknown-variable",
                hint=_suggest(name, self._index),
            ) from None

    def choice_list(self, name: str) -> ChoiceList:
        """The choice list called ``name``."""
        for c in self.choice_lists:
            if c.name == name:
                return c
        raise CodebookError(
            f"no choice list {name!r}",
            where=Where(key=name),
            rule="codebook.unknown-list",
            hint=_suggest(name, [c.name for c in self.choice_lists]),
        )

    def choices_of(self, name: str) -> ChoiceList | None:
        """The choice list of variable ``name`` (``None`` if it has none)."""
        v = self.variable(name)
        return self.choice_list(v.choices) if v.choices else None

    def value_labels(self, name: str, lang: str | None = None) -> dict[Code, str]:
        """Code -> label in ``lang`` (falling back to other languages) for variable ``name``."""
        cl = self.choices_of(name)
        return {} if cl is None else {c.code: c.label_in(lang) for c in cl.choices}

    def missing_kind(self, name: str, value: object) -> MissingKind | None:
        """Kind of missing code ``value`` is for variable ``name`` (declared codes or choices)."""
        v = self.variable(name)
        kind = v.missing_kind(value)
        if kind is not None:
            return kind
        if v.choices and value is not None:
            ch = self.choice_list(v.choices).get(value)  # type: ignore[arg-type]
            if ch is not None:
                return ch.missing
        return None

    def roster(self, name: str) -> Roster:
        """The roster called ``name``."""
        for r in self.rosters:
            if r.name == name:
                return r
        raise CodebookError(
            f"no repeat group {name!r}",
            where=Where(key=name),
            rule="codebook.unknown-roster",
            hint=_suggest(name, [r.name for r in self.rosters]),
        )

    def relevant_chain(self, name: str) -> tuple[str, ...]:
        """``relevant`` expressions that must all hold for variable ``name`` to be asked.

        The enclosing groups' conditions come first (outermost first), then the variable's own.

        Examples
        --------
        >>> cb = Codebook(
        ...     variables=(Variable("employer", "text", group=("work",), relevant="${paid} = 1"),),
        ...     group_relevant={"work": "${employed} = 'yes'"},
        ... )
        >>> cb.relevant_chain("employer")
        ("${employed} = 'yes'", '${paid} = 1')
        """
        v = self.variable(name)
        chain = [
            self.group_relevant["/".join(v.group[: i + 1])]
            for i in range(len(v.group))
            if "/".join(v.group[: i + 1]) in self.group_relevant
        ]
        if v.relevant:
            chain.append(v.relevant)
        return tuple(chain)

    def variables_of(self, repeat: str | None) -> tuple[Variable, ...]:
        """Variables of the main table (``None``) or of roster ``repeat``."""
        return tuple(v for v in self.variables if v.repeat == repeat)

    def mr_set(self, name: str) -> MRSet:
        """The multiple-response set called ``name``."""
        for s in self.mr_sets:
            if s.name == name:
                return s
        raise CodebookError(
            f"no multiple-response set {name!r}",
            where=Where(key=name),
            rule="codebook.unknown-mrset",
            hint=_suggest(name, [s.name for s in self.mr_sets]),
        )

    def scale(self, name: str) -> Scale:
        """The scale called ``name``."""
        for s in self.scales:
            if s.name == name:
                return s
        raise CodebookError(
            f"no scale {name!r}",
            where=Where(key=name),
            rule="codebook.unknown-scale",
            hint=_suggest(name, [s.name for s in self.scales]),
        )

    # -- change (returns new codebooks) ------------------------------------------------------
    def replace(self, **changes: Any) -> Codebook:
        """Return a copy with top-level fields changed (re-validated)."""
        return dataclasses.replace(self, **changes)

    def with_variable(self, var: Variable) -> Codebook:
        """Add ``var`` at the end, or replace the variable of the same name in place."""
        if var.name in self._index:
            vs = list(self.variables)
            vs[self._index[var.name]] = var
            return self.replace(variables=tuple(vs))
        return self.replace(variables=(*self.variables, var))

    def with_choice_list(self, cl: ChoiceList) -> Codebook:
        """Add or replace a choice list."""
        lists = [c for c in self.choice_lists if c.name != cl.name]
        return self.replace(choice_lists=(*lists, cl))

    def select(self, names: Iterable[str]) -> Codebook:
        """A codebook restricted to ``names`` (sets, scales and lists pruned to match)."""
        keep = list(names)
        for n in keep:
            self.variable(n)
        keep_set = set(keep)
        vars_ = tuple(self.variable(n) for n in keep)
        lists = {v.choices for v in vars_ if v.choices}
        return Codebook(
            variables=vars_,
            choice_lists=tuple(c for c in self.choice_lists if c.name in lists),
            mr_sets=tuple(s for s in self.mr_sets if set(s.variables) <= keep_set),
            rosters=tuple(
                r
                for r in self.rosters
                if any(v.repeat == r.name for v in vars_) or _is_ancestor(r, vars_, self)
            ),
            scales=tuple(s for s in self.scales if set(s.items) <= keep_set),
            languages=self.languages,
            default_language=self.default_language,
            title=self.title,
            form_id=self.form_id,
            version=self.version,
            id_variable=self.id_variable if self.id_variable in keep_set else None,
            notes=self.notes,
            groups=tuple(
                g for g in self.groups if any(v.group[: len(g.path)] == g.path for v in vars_)
            ),
            group_relevant=self.group_relevant,
        )

    # -- plain data --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data (the YAML sidecar format). Inverse of :meth:`from_dict`.

        ``group_relevant`` is included only when some group has a condition.
        """
        out = self._to_dict()
        declared = {"/".join(g.path): g.relevant for g in self.groups if g.relevant}
        extra = {k: v for k, v in self.group_relevant.items() if declared.get(k) != v}
        if extra:
            out["group_relevant"] = extra
        return out

    def _to_dict(self) -> dict[str, Any]:
        return {
            "qonys_codebook": 1,
            "title": dict(self.title),
            "form_id": self.form_id,
            "version": self.version,
            "default_language": self.default_language,
            "languages": dict(self.languages),
            "id_variable": self.id_variable,
            "notes": list(self.notes),
            "variables": [_var_to_dict(v) for v in self.variables],
            "choice_lists": {
                c.name: [_choice_to_dict(ch) for ch in c.choices] for c in self.choice_lists
            },
            "mr_sets": [
                _drop_empty(
                    {
                        "name": s.name,
                        "variables": list(s.variables),
                        "kind": s.kind,
                        "counted_value": s.counted_value,
                        "label": dict(s.label),
                        "source": s.source,
                    }
                )
                for s in self.mr_sets
            ],
            "rosters": [
                _drop_empty(
                    {
                        "name": r.name,
                        "parent": r.parent,
                        "key": r.key,
                        "parent_key": r.parent_key,
                        "label": dict(r.label),
                    }
                )
                for r in self.rosters
            ],
            "scales": [
                _drop_empty(
                    {
                        "name": s.name,
                        "items": list(s.items),
                        "reverse": list(s.reverse),
                        "low": s.low,
                        "high": s.high,
                        "label": dict(s.label),
                    }
                )
                for s in self.scales
            ],
            "groups": [
                _drop_empty(
                    {
                        "path": list(g.path),
                        "label": dict(g.label),
                        "relevant": g.relevant,
                        "appearance": g.appearance,
                        "repeat": g.repeat or None,
                        "repeat_count": g.repeat_count,
                    }
                )
                for g in self.groups
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Codebook:
        """Build a codebook from :meth:`to_dict`'s format, with errors naming the bad entry."""
        if not isinstance(data, Mapping):
            raise CodebookError(
                "a codebook must be a mapping with a 'variables' list",
                where=Where(file=source),
                rule="codebook.format",
                hint="See docs/codebook.md for the YAML layout.",
            )
        try:
            variables = tuple(
                _var_from_dict(v, i, source) for i, v in enumerate(data.get("variables") or [])
            )
            lists_raw = data.get("choice_lists") or {}
            if not isinstance(lists_raw, Mapping):
                raise CodebookError(
                    "'choice_lists' must map list names to lists of choices",
                    where=Where(file=source, key="choice_lists"),
                    rule="codebook.format",
                )
            choice_lists = tuple(
                ChoiceList(
                    str(name), tuple(_choice_from_dict(c, str(name), source) for c in (items or []))
                )
                for name, items in lists_raw.items()
            )
            mr_sets = tuple(
                MRSet(
                    name=str(s["name"]),
                    variables=tuple(s["variables"]),
                    kind=s.get("kind", "dichotomy"),
                    counted_value=s.get(
                        "counted_value", 1 if s.get("kind", "dichotomy") == "dichotomy" else None
                    ),
                    label=s.get("label") or {},
                    source=s.get("source"),
                )
                for s in data.get("mr_sets") or []
            )
            rosters = tuple(
                Roster(
                    name=str(r["name"]),
                    parent=r.get("parent"),
                    key=r.get("key", "_index"),
                    parent_key=r.get("parent_key", "_parent_index"),
                    label=r.get("label") or {},
                )
                for r in data.get("rosters") or []
            )
            scales = tuple(
                Scale(
                    name=str(s["name"]),
                    items=tuple(s["items"]),
                    reverse=tuple(s.get("reverse") or ()),
                    low=s.get("low"),
                    high=s.get("high"),
                    label=s.get("label") or {},
                )
                for s in data.get("scales") or []
            )
            groups = tuple(
                Group(
                    path=tuple(g["path"]),
                    label=g.get("label") or {},
                    relevant=g.get("relevant"),
                    appearance=g.get("appearance"),
                    repeat=bool(g.get("repeat", False)),
                    repeat_count=g.get("repeat_count"),
                )
                for g in data.get("groups") or []
            )
            title = data.get("title") or {}
            group_relevant = data.get("group_relevant") or {}
            if not isinstance(group_relevant, Mapping):
                raise CodebookError(
                    "'group_relevant' must map group paths to expressions",
                    where=Where(file=source, key="group_relevant"),
                    rule="codebook.format",
                )
            return cls(
                variables=variables,
                choice_lists=choice_lists,
                mr_sets=mr_sets,
                rosters=rosters,
                scales=scales,
                languages=data.get("languages") or {},
                default_language=data.get("default_language"),
                title=title if isinstance(title, Mapping) else {"default": str(title)},
                form_id=data.get("form_id"),
                version=None if data.get("version") is None else str(data.get("version")),
                id_variable=data.get("id_variable"),
                notes=tuple(data.get("notes") or ()),
                groups=groups,
                group_relevant=group_relevant,
            )
        except CodebookError as err:
            raise err.located(file=source) from None
        except (KeyError, TypeError, ValueError) as err:
            raise CodebookError(
                f"malformed codebook entry: {err}",
                where=Where(file=source),
                rule="codebook.format",
                hint="Each set, roster and scale needs a name and its members.",
            ) from None


def _is_ancestor(r: Roster, vars_: Sequence[Variable], cb: Codebook) -> bool:
    """Whether roster ``r`` is the parent (at any depth) of a roster some kept variable is in."""
    parents: dict[str, str | None] = {x.name: x.parent for x in cb.rosters}
    for v in vars_:
        cur = v.repeat
        while cur is not None:
            cur = parents.get(cur)
            if cur == r.name:
                return True
    return False


def _first_duplicate(items: Iterable[str]) -> str:
    seen: set[str] = set()
    for x in items:
        if x in seen:
            return x
        seen.add(x)
    return ""


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "Did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "Check the spelling against the codebook (qonys codebook FILE lists the names)."


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "", [], {}, ())}


def _missing_to_dict(m: MissingCode) -> dict[str, Any]:
    if m.is_range:
        return {"low": m.low, "high": m.high, "kind": m.kind.value}
    return {"value": m.value, "kind": m.kind.value}


def _var_to_dict(v: Variable) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": v.name,
        "type": v.type,
        "label": dict(v.label),
        "choices": v.choices,
        "measure": v.measure,
        "missing": [_missing_to_dict(m) for m in v.missing],
        "hint": dict(v.hint),
        "group": list(v.group),
        "repeat": v.repeat,
        "relevant": v.relevant,
        "constraint": v.constraint,
        "constraint_message": dict(v.constraint_message),
        "required": v.required or None,
        "calculation": v.calculation,
        "choice_filter": v.choice_filter,
        "source_type": v.source_type,
        "format": v.format,
        "appearance": v.appearance,
        "parameters": v.parameters,
    }
    return _drop_empty(d)


def _var_from_dict(d: Any, i: int, source: str | None) -> Variable:
    if not isinstance(d, Mapping) or "name" not in d:
        raise CodebookError(
            f"variable entry {i + 1} has no name",
            where=Where(file=source, key=f"variables[{i}]"),
            rule="codebook.format",
            hint="Every variable entry needs at least 'name' and 'type'.",
        )
    known = {f.name for f in dataclasses.fields(Variable)}
    unknown = set(d) - known
    if unknown:
        raise CodebookError(
            f"unknown field(s) {sorted(unknown)} in variable {d['name']!r}",
            where=Where(file=source, variable=str(d["name"])),
            rule="codebook.format",
            hint=f"Known fields: {', '.join(sorted(known))}.",
        )
    args = dict(d)
    args["name"] = str(args["name"])
    args["missing"] = tuple(
        MissingCode(
            value=m.get("value"),
            low=m.get("low"),
            high=m.get("high"),
            kind=m.get("kind", "missing"),
        )
        for m in (args.get("missing") or [])
    )
    args["group"] = tuple(args.get("group") or ())
    args["required"] = bool(args.get("required", False))
    try:
        return Variable(**args)
    except CodebookError as err:
        raise err.located(file=source, variable=args["name"]) from None


def _choice_to_dict(c: Choice) -> dict[str, Any]:
    d: dict[str, Any] = {"code": c.code, "labels": dict(c.labels)}
    if c.missing is not None:
        d["missing"] = c.missing.value
    return d


def _choice_from_dict(d: Any, list_name: str, source: str | None) -> Choice:
    if not isinstance(d, Mapping) or "code" not in d:
        raise CodebookError(
            f"a choice of list {list_name!r} has no code",
            where=Where(file=source, key=f"choice_lists.{list_name}"),
            rule="codebook.format",
            hint="Each choice needs 'code' and 'labels'.",
        )
    return Choice(code=d["code"], labels=d.get("labels") or {}, missing=d.get("missing"))
