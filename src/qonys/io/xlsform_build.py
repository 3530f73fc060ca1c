"""Building a :class:`~qonys._core.codebook.Codebook` from the rows of an XLSForm.

The rules are described in :mod:`qonys.io.xlsform`; this module walks the survey rows once,
keeping the stack of open groups and repeats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._core import (
    Choice,
    ChoiceList,
    Codebook,
    CodebookError,
    Group,
    MissingCode,
    MissingKind,
    MRSet,
    Roster,
    Scale,
    Variable,
    Where,
)
from .xlsform_sheets import XLSFormBook
from .xlsform_types import (
    MISSING_COLUMN,
    OR_OTHER_SOURCE,
    REVERSE_COLUMN,
    SCALE_COLUMN,
    language_code,
    languages_of,
    parse_type,
    translations,
    var_type_of,
)

__all__ = ["codebook_from_book"]

_INT_CODE = re.compile(r"^-?(?:0|[1-9][0-9]*)$")
_TRUE = frozenset({"yes", "true", "true()", "1", "y"})
_FALSE = frozenset({"no", "false", "false()", "0", "n"})
_SCALE_NAME = re.compile(r"^[^\W\d][\w.\-]*$")


def _truthy(value: str | None, where: Where, rule: str, what: str) -> bool:
    if value is None:
        return False
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE or low == "":
        return False
    raise CodebookError(
        f"{what} must be yes or no; got {value!r}",
        where=where,
        rule=rule,
        hint="Write yes (or true, 1) for reverse-keyed items and leave the cell empty otherwise.",
    )


def _required(value: str | None) -> bool:
    if value is None:
        return False
    return value.strip().lower() not in _FALSE


def _choice_lists(book: XLSFormBook) -> dict[str, list[tuple[str, dict[str, str], Any]]]:
    """list_name -> [(name, labels, missing kind)] in sheet order."""
    lists: dict[str, list[tuple[str, dict[str, str], Any]]] = {}
    if book.choices is None:
        return lists
    kinds = {k.value for k in MissingKind}
    for row in book.choices.rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name or name is None:
            continue
        where = Where(file=book.file, sheet=book.choices.name, row=row.row, key=list_name)
        missing = row.get(MISSING_COLUMN)
        kind = None
        if missing:
            low = missing.strip().lower().replace("'", "").replace(" ", "_")
            if low not in kinds:
                raise CodebookError(
                    f"choice {name!r}: unknown missing kind {missing!r}",
                    where=where,
                    rule="xlsform.missing-kind",
                    hint="Use one of: skipped, refused, dont_know, missing (or leave it empty).",
                )
            kind = MissingKind(low)
        lists.setdefault(list_name, []).append((name, translations(row.cells, "label"), kind))
    return lists


def _build_list(name: str, raw: list[tuple[str, dict[str, str], Any]]) -> ChoiceList:
    as_int = bool(raw) and all(_INT_CODE.match(n) for n, _, _ in raw)
    return ChoiceList(
        name,
        tuple(Choice(int(n) if as_int else n, labels, kind) for n, labels, kind in raw),
    )


def _missing_codes(cl: ChoiceList | None) -> tuple[MissingCode, ...]:
    if cl is None:
        return ()
    return tuple(MissingCode(value=c.code, kind=c.missing) for c in cl.choices if c.missing)


class _Builder:
    """Walks the survey rows once, keeping the group stack."""

    def __init__(self, book: XLSFormBook) -> None:
        self.book = book
        self.raw_lists = _choice_lists(book)
        self.variables: list[Variable] = []
        self.mr_sets: list[MRSet] = []
        self.rosters: list[Roster] = []
        self.groups: list[Group] = []
        self.scale_items: dict[str, list[str]] = {}
        self.scale_reverse: dict[str, list[str]] = {}
        self.seen: dict[str, int] = {}
        self.other_lists: set[str] = set()
        self.stack: list[tuple[str, bool, int]] = []  # (name, is_repeat, row)
        self.lists: dict[str, ChoiceList] = {}

    def where(self, row: int, name: str | None = None) -> Where:
        return Where(file=self.book.file, sheet=self.book.survey.name, row=row, variable=name)

    def run(self) -> None:
        survey = self.book.survey
        for row in survey.rows:
            if row.get("type") and parse_type(row.cells["type"]).or_other:
                list_name = parse_type(row.cells["type"]).list_name
                if list_name:
                    self.other_lists.add(list_name)
        for list_name, raw in self.raw_lists.items():
            if list_name in self.other_lists and all(n != "other" for n, _, _ in raw):
                langs = {k for _, labels, _ in raw for k in labels} or {"default"}
                raw = [*raw, ("other", dict.fromkeys(sorted(langs), "Other"), None)]
            self.lists[list_name] = _build_list(list_name, raw)
        for row in survey.rows:
            if row.get("type"):
                self.row(row.cells, row.row)
        if self.stack:
            name, is_repeat, line = self.stack[-1]
            kind = "begin_repeat" if is_repeat else "begin_group"
            raise CodebookError(
                f"{kind} {name!r} has no matching end",
                where=self.where(line, name),
                rule="xlsform.unmatched-group",
                hint=f"Add an end_{kind[6:]} row where the {kind[6:]} ends.",
            )

    def path(self) -> tuple[str, ...]:
        return tuple(n for n, _, _ in self.stack)

    def repeat(self) -> str | None:
        for name, is_repeat, _ in reversed(self.stack):
            if is_repeat:
                return name
        return None

    def add(self, var: Variable, line: int) -> None:
        if var.name in self.seen:
            raise CodebookError(
                f"the name {var.name!r} is already used on row {self.seen[var.name]}",
                where=self.where(line, var.name),
                rule="xlsform.duplicate-name",
                hint="Names must be unique across the whole form (data files and SPSS address "
                "variables without their group); rename one of them.",
            )
        self.seen[var.name] = line
        self.variables.append(var)

    def row(self, cells: Mapping[str, str], line: int) -> None:
        qtype = parse_type(cells["type"])
        name = cells.get("name")
        if qtype.base in ("begin_group", "begin_repeat"):
            self.begin(qtype.base == "begin_repeat", cells, line)
            return
        if qtype.base in ("end_group", "end_repeat"):
            if not self.stack or self.stack[-1][1] != (qtype.base == "end_repeat"):
                raise CodebookError(
                    f"{qtype.base} without a matching begin",
                    where=self.where(line),
                    rule="xlsform.unmatched-group",
                    hint="Every end_group/end_repeat closes the innermost open group/repeat.",
                )
            self.stack.pop()
            return
        vtype = var_type_of(qtype, cells.get("parameters"))
        if vtype is None:
            if qtype.base in ("xml-external", "csv-external"):
                return
            raise CodebookError(
                f"unknown question type {cells['type']!r}",
                where=self.where(line, name),
                rule="xlsform.unknown-type",
                hint="See xlsform.org for the question types.",
            )
        if not name:
            raise CodebookError(
                "a question row has no name",
                where=self.where(line),
                rule="xlsform.no-name",
                hint="Give every question a name (letters, digits, underscores).",
            )
        cl = self.choice_list(qtype.list_name, qtype.base, line, name)
        var = Variable(
            name=name,
            type=vtype,
            label=translations(cells, "label"),
            choices=cl.name if cl is not None else None,
            missing=_missing_codes(cl),
            hint=translations(cells, "hint"),
            group=self.path(),
            repeat=self.repeat(),
            relevant=cells.get("relevant"),
            constraint=cells.get("constraint"),
            constraint_message=translations(cells, "constraint_message"),
            required=_required(cells.get("required")),
            calculation=cells.get("calculation"),
            choice_filter=cells.get("choice_filter"),
            source_type=qtype.raw,
            appearance=cells.get("appearance"),
            parameters=cells.get("parameters"),
        )
        self.add(var, line)
        self.scale(cells, name, line)
        if vtype == "select_multiple" and cl is not None:
            self.indicators(var, cl, line)
        if qtype.or_other:
            self.add(
                Variable(
                    name=f"{name}_other",
                    type="text",
                    label={"default": "Specify other."},
                    group=var.group,
                    repeat=var.repeat,
                    relevant=f"selected(${{{name}}}, 'other')",
                    source_type=OR_OTHER_SOURCE,
                ),
                line,
            )

    def choice_list(
        self, list_name: str | None, base: str, line: int, name: str | None
    ) -> ChoiceList | None:
        if list_name is None or base.endswith(("_from_file", "_external")):
            return None
        if list_name not in self.lists:
            raise CodebookError(
                f"choice list {list_name!r} is not on the choices sheet",
                where=self.where(line, name),
                rule="xlsform.unknown-list",
                hint="Add the list to the choices sheet or correct the list name.",
            )
        return self.lists[list_name]

    def indicators(self, var: Variable, cl: ChoiceList, line: int) -> None:
        members: list[str] = []
        for choice in cl.choices:
            if f"{var.name}/{choice.code}" in members:
                continue  # a code repeated under allow_choice_duplicates
            item = Variable(
                name=f"{var.name}/{choice.code}",
                type="binary",
                label=choice.labels,
                group=var.group,
                repeat=var.repeat,
                relevant=var.relevant,
            )
            self.add(item, line)
            members.append(item.name)
        self.mr_sets.append(
            MRSet(var.name, tuple(members), "dichotomy", 1, var.label, source=var.name)
        )

    def begin(self, is_repeat: bool, cells: Mapping[str, str], line: int) -> None:
        name = cells.get("name")
        if not name:
            raise CodebookError(
                "a group or repeat has no name",
                where=self.where(line),
                rule="xlsform.no-name",
                hint="Give every begin_group/begin_repeat row a name.",
            )
        label = translations(cells, "label")
        if is_repeat:
            if any(r.name == name for r in self.rosters):
                raise CodebookError(
                    f"the repeat name {name!r} is used twice",
                    where=self.where(line, name),
                    rule="xlsform.duplicate-name",
                    hint="Repeat names must be unique across the form.",
                )
            self.rosters.append(Roster(name=name, parent=self.repeat(), label=label))
        self.stack.append((name, is_repeat, line))
        path = self.path()
        if any(g.path == path for g in self.groups):
            raise CodebookError(
                f"the group {'/'.join(path)!r} is defined twice",
                where=self.where(line, name),
                rule="xlsform.duplicate-name",
                hint="Group names must be unique within their parent group.",
            )
        self.groups.append(
            Group(
                path=path,
                label=label,
                relevant=cells.get("relevant"),
                appearance=cells.get("appearance"),
                repeat=is_repeat,
                repeat_count=cells.get("repeat_count") if is_repeat else None,
            )
        )

    def scale(self, cells: Mapping[str, str], name: str, line: int) -> None:
        scale = cells.get(SCALE_COLUMN)
        where = self.where(line, name)
        reverse = _truthy(cells.get(REVERSE_COLUMN), where, "xlsform.scale-reverse", REVERSE_COLUMN)
        if not scale:
            if reverse:
                raise CodebookError(
                    f"{name!r} is marked reverse-keyed but belongs to no scale",
                    where=where,
                    rule="xlsform.scale-reverse",
                    hint=f"Name its scale in the {SCALE_COLUMN} column.",
                )
            return
        scale = scale.strip()
        if not _SCALE_NAME.match(scale):
            raise CodebookError(
                f"scale name {scale!r} is not a valid name",
                where=where,
                rule="xlsform.scale-name",
                hint="Use letters, digits and underscores, starting with a letter.",
            )
        self.scale_items.setdefault(scale, []).append(name)
        if reverse:
            self.scale_reverse.setdefault(scale, []).append(name)

    def scales(self) -> tuple[Scale, ...]:
        by_name = {v.name: v for v in self.variables}
        out = []
        for scale, items in self.scale_items.items():
            codes: list[float] = []
            for item in items:
                lst = by_name[item].choices
                if lst is None:
                    continue
                codes.extend(
                    float(c.code)
                    for c in self.lists[lst].choices
                    if c.missing is None and isinstance(c.code, int | float)
                )
            out.append(
                Scale(
                    name=scale,
                    items=tuple(items),
                    reverse=tuple(self.scale_reverse.get(scale, ())),
                    low=min(codes) if codes else None,
                    high=max(codes) if codes else None,
                )
            )
        return tuple(out)


def codebook_from_book(book: XLSFormBook) -> Codebook:
    """Build the codebook of an already loaded XLSForm (no pyxform check)."""
    builder = _Builder(book)
    builder.run()
    headers = list(book.survey.headers) + list(book.choices.headers if book.choices else ())
    languages = languages_of(headers)
    default = book.setting("default_language")
    title = book.setting("form_title")
    try:
        return Codebook(
            variables=tuple(builder.variables),
            choice_lists=tuple(builder.lists.values()),
            mr_sets=tuple(builder.mr_sets),
            rosters=tuple(builder.rosters),
            scales=builder.scales(),
            languages=languages,
            default_language=language_code(default) if default else None,
            title={"default": title} if title else {},
            form_id=book.setting("form_id"),
            version=book.setting("version"),
            groups=tuple(builder.groups),
        )
    except CodebookError as err:
        raise err.located(file=book.file) from None
