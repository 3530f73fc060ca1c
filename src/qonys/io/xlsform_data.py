"""Export tables of XLSForm-collected data (KoboToolbox, ODK) -> :class:`Dataset`.

The Kobo and ODK readers cut a file into :class:`RawTable` s (main table and one per repeat) and
hand them here with a :class:`Dialect`. Each column is then

* a **form variable**: its header is the variable's name, optionally preceded by (part of) its
  group path joined with the dialect's separator (``group/q`` Kobo, ``group-q`` ODK); the
  ``q/<code>`` indicator of a select_multiple; a geopoint part (Kobo ``_q_latitude``, ODK
  ``q-Latitude``; both become ``_q_latitude``, ``_q_longitude``, ``_q_altitude``,
  ``_q_precision``, decimal variables with ``source_type="geopoint:<part>"``);
* a **meta variable** the platform adds (Kobo ``_id``, ``_uuid``...; ODK ``SubmissionDate``,
  ``meta-instanceID``...), ``source_type`` ``kobo_meta`` / ``odk_meta``;
* a **link column** of a repeat table (Kobo ``_index``, ``_parent_index``,
  ``_parent_table_name``, ``_submission__*``; ODK ``KEY``, ``PARENT_KEY``; Briefcase
  ``SET-OF-*``): kept in the table, described by the :class:`Roster` rather than by a variable;
* **unknown**.

With a form codebook, unknown columns or form questions without a column raise a
:class:`DataError` (rule ``<dialect>.header-mismatch``, naming them) unless
``on_mismatch="note"``, which keeps unknown columns as inferred variables and notes both lists in
:attr:`SourceInfo.notes`. Notes, metadata questions (``start``, ``end``, ``deviceid``...) and
repeats without a table are exempt. Without a codebook a minimal one is inferred from headers and
values (see :func:`~qonys.io.xlsform_values.infer_type`). Values are converted by
:func:`~qonys.io.xlsform_values.convert_column`; rows are never dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from .._core import (
    Codebook,
    DataError,
    Dataset,
    MRSet,
    Roster,
    SourceInfo,
    Variable,
    Where,
)
from .xlsform_labels import label_candidates, labelled_values, languages_in
from .xlsform_tables import Col, Dialect, RawTable, classify_fixed, geo_part, infer_columns
from .xlsform_types import METADATA_TYPES, parse_type
from .xlsform_values import convert_column, infer_type

__all__ = ["Dialect", "MismatchPolicy", "RawTable", "build_dataset"]

MismatchPolicy = Literal["fail", "note"]


def _resolve(
    table: RawTable, cb: Codebook, dialect: Dialect, lang: str | None
) -> tuple[list[Col], set[str]]:
    """Columns of ``table`` matched to ``cb`` (names, or labels in ``lang``); matched names."""
    main = table.roster is None
    table_vars = [v for v in cb.variables if v.repeat == table.roster and v.type != "note"]
    cands = label_candidates(cb, table_vars, dialect.sep, lang, dialect.name == "odk")
    used: set[tuple[str, str | None]] = set()
    cols: list[Col] = []
    for i, header in enumerate(table.headers):
        found = next((c for c in cands.get(header, ()) if (c[0].name, c[1]) not in used), None)
        if found is not None:
            used.add((found[0].name, found[1]))
            var = found[0] if found[1] is None else geo_part(found[0], found[1])
            cols.append(Col(i, header, var.name, var))
            continue
        fixed = classify_fixed(dialect, header, main)
        if fixed is None and main and dialect.underscore_meta and header.startswith("_"):
            fixed = Col(-1, header, header, Variable(header, "text", source_type="kobo_meta"))
        if fixed is not None:
            fixed.index = i
            cols.append(fixed)
            continue
        cols.append(Col(i, header, header, None, "text", unknown=True))
    return cols, {name for name, _ in used}


def _missing(cb: Codebook, roster: str | None, matched: set[str]) -> list[str]:
    by_source = {s.source: s for s in cb.mr_sets if s.source}
    out = []
    for v in cb.variables:
        if v.repeat != roster or v.type == "note" or v.name in matched:
            continue
        if v.source_type and parse_type(v.source_type).base in METADATA_TYPES:
            continue
        if any(v.name in s.variables for s in cb.mr_sets if s.source):
            continue
        mr = by_source.get(v.name)
        if mr is not None and matched & set(mr.variables):
            continue
        out.append(v.name)
    return out


def _convert(
    table: RawTable,
    cols: list[Col],
    cb: Codebook | None,
    dialect: Dialect,
    file: str,
    lang: str | None,
) -> pd.DataFrame:
    rule = f"{dialect.name}.value"
    data: dict[str, pd.Series] = {}
    for col in cols:
        cells = [row[col.index] if col.index < len(row) else None for row in table.rows]
        var = col.var

        def where(i: int, _c: Col = col) -> Where:
            line = table.lines[i] if table.lines else None
            return Where(file=file, sheet=table.sheet, row=i + 1, line=line, variable=_c.name)

        if var is None:
            data[col.name] = convert_column(
                cells, col.stype or "text", int_codes=False, where=where, rule=rule
            )
            continue
        int_codes = False
        if var.choices and cb is not None and var.choices in {c.name for c in cb.choice_lists}:
            codes = cb.choice_list(var.choices).codes()
            int_codes = bool(codes) and all(isinstance(c, int) for c in codes)
            if lang is not None and var.type in ("select_one", "select_multiple"):
                cells = labelled_values(cells, var, cb, lang, table, cols, where, rule)
        data[col.name] = convert_column(
            cells, var.type, int_codes=int_codes, where=where, rule=rule
        )
    return pd.DataFrame(data, index=pd.RangeIndex(len(table.rows)))


def _choose_language(tables: Sequence[RawTable], cb: Codebook, dialect: Dialect) -> str | None:
    """``None`` (names) unless the headers match one language's labels better."""

    def n_unknown(lang: str | None) -> int:
        return sum(c.unknown for t in tables for c in _resolve(t, cb, dialect, lang)[0])

    best, best_n = None, n_unknown(None)
    if best_n == 0:
        return None
    for lang in languages_in(cb) or ["default"]:
        n = n_unknown(lang)
        if n < best_n:
            best, best_n = lang, n
    return best


def _mismatch_error(
    dialect: Dialect, file: str, sheet: str, unknown: list[str], missing: list[str]
) -> DataError:
    parts = []
    if unknown:
        parts.append(
            f"columns not in the form: {', '.join(unknown[:10])}"
            + (" ..." if len(unknown) > 10 else "")
        )
    if missing:
        parts.append(
            f"form questions without a column: {', '.join(missing[:10])}"
            + (" ..." if len(missing) > 10 else "")
        )
    return DataError(
        "the export's columns do not match the form (" + "; ".join(parts) + ")",
        where=Where(file=file, sheet=sheet),
        rule=f"{dialect.name}.header-mismatch",
        hint="Give the form version that produced this export (an 'XML values and headers' "
        "export), or on_mismatch='note' to keep unknown columns and go on.",
    )


def build_dataset(
    tables: Sequence[RawTable],
    *,
    codebook: Codebook | None,
    dialect: Dialect,
    source: SourceInfo,
    on_mismatch: MismatchPolicy = "fail",
    lang: str | None = None,
) -> Dataset:
    """Match, convert and assemble export tables (see the module docstring).

    ``lang="auto"`` detects a label export: headers are matched to names first and, if some stay
    unknown, to each language's labels; the language leaving fewest unknown headers wins.
    """
    file = source.name
    notes: list[str] = [n for t in tables for n in t.notes]
    resolved: list[list[Col]] = []
    if codebook is not None and lang == "auto":
        lang = _choose_language(tables, codebook, dialect)
    if codebook is not None:
        unknown_all: list[str] = []
        missing_all: list[str] = []
        first_bad: str | None = None
        for t in tables:
            cols, matched = _resolve(t, codebook, dialect, lang)
            unknown = [c.header for c in cols if c.unknown]
            missing = _missing(codebook, t.roster, matched)
            if (unknown or missing) and first_bad is None:
                first_bad = t.sheet
            unknown_all += unknown
            missing_all += missing
            for c in cols:
                if c.unknown:
                    values = [row[c.index] if c.index < len(row) else None for row in t.rows]
                    c.var = Variable(
                        c.header, infer_type(values), repeat=t.roster, source_type="unknown column"
                    )
                    c.unknown = False
            resolved.append(cols)
        if unknown_all or missing_all:
            err = _mismatch_error(dialect, file, first_bad or "", unknown_all, missing_all)
            if on_mismatch == "fail":
                raise err
            notes.append(err.message)
        if lang is not None:
            notes.append(f"label headers in language {lang!r} mapped back to names")
    else:
        resolved = [infer_columns(t, dialect) for t in tables]
    frames = [
        _convert(t, cols, codebook, dialect, file, lang)
        for t, cols in zip(tables, resolved, strict=True)
    ]
    cb = _dataset_codebook(tables, resolved, codebook, dialect, file)
    main = frames[0]
    rosters = {t.roster: f for t, f in zip(tables[1:], frames[1:], strict=True) if t.roster}
    return Dataset(main, cb, rosters, source.with_notes(*notes))


def _dataset_codebook(
    tables: Sequence[RawTable],
    resolved: Sequence[list[Col]],
    form: Codebook | None,
    dialect: Dialect,
    file: str,
) -> Codebook:
    variables: list[Variable] = []
    seen: dict[str, str] = {}
    for t, cols in zip(tables, resolved, strict=True):
        for c in cols:
            if c.var is None:
                continue
            if c.var.name in seen:
                raise DataError(
                    f"two columns give the variable name {c.var.name!r} "
                    f"({seen[c.var.name]!r} and {c.header!r})",
                    where=Where(file=file, sheet=t.sheet, variable=c.var.name),
                    rule=f"{dialect.name}.duplicate-name",
                    hint="Give the form (names must be unique across the form), or rename.",
                )
            seen[c.var.name] = c.header
            variables.append(c.var)
    names = {v.name for v in variables}
    rosters = [
        Roster(
            name=t.roster,
            parent=(
                form.roster(t.roster).parent
                if form is not None and t.roster in {r.name for r in form.rosters}
                else t.parent
            ),
            key=dialect.key,
            parent_key=dialect.parent_key,
            label=(
                form.roster(t.roster).label
                if form is not None and t.roster in {r.name for r in form.rosters}
                else {}
            ),
        )
        for t in tables[1:]
        if t.roster
    ]
    present_rosters = {r.name for r in rosters}
    rosters = [
        r
        if r.parent is None or r.parent in present_rosters
        else dataclasses.replace(r, parent=None)
        for r in rosters
    ]
    if form is None:
        mr_sets = [
            MRSet(
                v.name,
                tuple(m.name for m in variables if m.name.startswith(v.name + "/")),
                source=v.name,
            )
            for v in variables
            if v.type == "select_multiple"
        ]
        return Codebook(
            variables=tuple(variables),
            mr_sets=tuple(s for s in mr_sets if s.variables),
            rosters=tuple(rosters),
            id_variable=dialect.id_variable if dialect.id_variable in names else None,
        )
    lists = {v.choices for v in variables if v.choices}
    mr = []
    for s in form.mr_sets:
        members = tuple(m for m in s.variables if m in names)
        if members:
            mr.append(dataclasses.replace(s, variables=members))
    return Codebook(
        variables=tuple(variables),
        choice_lists=tuple(c for c in form.choice_lists if c.name in lists),
        mr_sets=tuple(mr),
        rosters=tuple(rosters),
        scales=tuple(s for s in form.scales if set(s.items) <= names),
        languages=form.languages,
        default_language=form.default_language,
        title=form.title,
        form_id=form.form_id,
        version=form.version,
        id_variable=dialect.id_variable if dialect.id_variable in names else None,
        notes=form.notes,
        groups=tuple(
            g for g in form.groups if any(v.group[: len(g.path)] == g.path for v in variables)
        ),
    )
