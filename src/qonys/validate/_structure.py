"""Checks of a dataset's structure: columns against the codebook, respondent ids, roster keys
and orphan roster rows."""

from __future__ import annotations

from collections.abc import Callable

from .._core import Codebook, Dataset
from ._tables import TableView, key_text
from .report import Issue

__all__ = ["check_columns", "check_ids", "check_rosters"]

Emit = Callable[[Issue], None]

META_COLUMNS = frozenset(
    {
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "_tags",
        "_index",
        "_parent_index",
        "_parent_table_name",
        "__version__",
        "_attachments",
        "_geolocation",
        "KEY",
        "PARENT_KEY",
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "meta-instanceID",
        "instanceID",
    }
)
"""KoboToolbox and ODK Central meta columns: reported as ``info`` when not in the codebook."""


def check_columns(view: TableView, codebook: Codebook, *, file: str | None, emit: Emit) -> None:
    """Columns in the data but not in the codebook, and variables without a column."""
    own = {v.name for v in codebook.variables_of(view.name)}
    keys: set[str] = set()
    for r in codebook.rosters:
        if r.name == view.name:
            keys |= {r.key, r.parent_key}
        if r.parent == view.name:
            keys.add(r.key)
    names = [str(c) for c in view.frame.columns]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        emit(
            Issue(
                "columns.duplicate",
                "error",
                f"column {dup!r} appears {names.count(dup)} times; its values are not checked",
                dup,
                None,
                view.name,
                None,
                file,
            )
        )
    for col in dict.fromkeys(view.frame.columns):
        name = str(col)
        if name in own or name in keys:
            continue
        if view.name is not None and (
            name == "_parent_table_name" or name.startswith("_submission_")
        ):
            continue  # a KoboToolbox repeat sheet's link to its submission: structure, not data
        if name in codebook:
            where = codebook[name].repeat or "the main table"
            emit(
                Issue(
                    "columns.wrong-table",
                    "warning",
                    f"column {name!r} belongs to {where} in the codebook",
                    name,
                    None,
                    view.name,
                    None,
                    file,
                )
            )
        elif name in META_COLUMNS or name.startswith("_submission_"):
            emit(
                Issue(
                    "columns.meta-not-in-codebook",
                    "info",
                    f"meta column {name!r} is not described by the codebook",
                    name,
                    None,
                    view.name,
                    None,
                    file,
                )
            )
        else:
            emit(
                Issue(
                    "columns.not-in-codebook",
                    "warning",
                    f"column {name!r} is not described by the codebook",
                    name,
                    None,
                    view.name,
                    None,
                    file,
                )
            )
    present = {str(c) for c in view.frame.columns}
    for v in codebook.variables_of(view.name):
        if v.name not in present and v.type != "note":
            emit(
                Issue(
                    "columns.not-in-data",
                    "warning",
                    f"variable {v.name!r} of the codebook has no column in the data",
                    v.name,
                    None,
                    view.name,
                    None,
                    file,
                )
            )


def check_ids(dataset: Dataset, id_variable: str | None, *, file: str | None, emit: Emit) -> None:
    """Duplicate and empty respondent ids in the main table."""
    if id_variable is None:
        return
    if id_variable not in dataset.data.columns:
        emit(
            Issue(
                "id.no-column",
                "error",
                f"the respondent id variable {id_variable!r} is not a column of the data",
                id_variable,
                None,
                None,
                None,
                file,
            )
        )
        return
    first: dict[str, int] = {}
    for i, x in enumerate(dataset.data[id_variable].tolist()):
        k = key_text(x)
        if k is None:
            emit(
                Issue(
                    "id.missing",
                    "error",
                    "the respondent id is empty",
                    id_variable,
                    i + 1,
                    None,
                    "missing",
                    file,
                )
            )
        elif k in first:
            emit(
                Issue(
                    "id.duplicate",
                    "error",
                    f"the same respondent id as row {first[k] + 1}",
                    id_variable,
                    i + 1,
                    None,
                    "valid",
                    file,
                )
            )
        else:
            first[k] = i


def _duplicate_keys(
    view_name: str | None, frame_keys: list[object], column: str, file: str | None, emit: Emit
) -> set[str]:
    seen: dict[str, int] = {}
    for i, x in enumerate(frame_keys):
        k = key_text(x)
        if k is None:
            emit(
                Issue(
                    "roster.missing-key",
                    "error",
                    f"the row key {column!r} is empty",
                    column,
                    i + 1,
                    view_name,
                    "missing",
                    file,
                )
            )
        elif k in seen:
            emit(
                Issue(
                    "roster.duplicate-key",
                    "error",
                    f"the row key {column!r} repeats row {seen[k] + 1}",
                    column,
                    i + 1,
                    view_name,
                    "valid",
                    file,
                )
            )
        else:
            seen[k] = i
    return set(seen)


def check_rosters(dataset: Dataset, codebook: Codebook, *, file: str | None, emit: Emit) -> None:
    """Declared rosters without a table, tables without a roster, duplicate keys, orphans.

    A roster row is an orphan when its ``parent_key`` names no row of its parent table (the
    main table or another roster), at any depth of nesting.
    """
    declared = {r.name: r for r in codebook.rosters}
    for name in dataset.rosters:
        if name not in declared:
            emit(
                Issue(
                    "roster.undeclared",
                    "warning",
                    f"table {name!r} is not a roster of the codebook",
                    None,
                    None,
                    name,
                    None,
                    file,
                )
            )
    checked_keys: dict[tuple[str | None, str], set[str]] = {}
    for r in codebook.rosters:
        if r.name not in dataset.rosters:
            emit(
                Issue(
                    "roster.missing-table",
                    "warning",
                    f"roster {r.name!r} has no table in the data",
                    None,
                    None,
                    r.name,
                    None,
                    file,
                )
            )
            continue
        child = dataset.rosters[r.name]
        parent = dataset.data if r.parent is None else dataset.rosters.get(r.parent)
        if parent is None:
            continue  # reported as the parent's missing table
        ok = True
        for table_name, frame, column in (
            (r.name, child, r.key),
            (r.name, child, r.parent_key),
            (r.parent, parent, r.key),
        ):
            if column not in frame.columns:
                where = table_name or "the main table"
                emit(
                    Issue(
                        "roster.missing-key-column",
                        "error",
                        f"key column {column!r} is missing from {where}",
                        column,
                        None,
                        table_name,
                        None,
                        file,
                    )
                )
                ok = False
        if not ok:
            continue
        for table_name, frame in ((r.name, child), (r.parent, parent)):
            if (table_name, r.key) not in checked_keys:
                checked_keys[(table_name, r.key)] = _duplicate_keys(
                    table_name, frame[r.key].tolist(), r.key, file, emit
                )
        parent_keys = checked_keys[(r.parent, r.key)]
        parent_name = r.parent or "the main table"
        for i, x in enumerate(child[r.parent_key].tolist()):
            k = key_text(x)
            if k is None or k not in parent_keys:
                emit(
                    Issue(
                        "roster.orphan",
                        "error",
                        f"no row of {parent_name} has this {r.parent_key} (its {r.key})",
                        r.parent_key,
                        i + 1,
                        r.name,
                        "missing" if k is None else "valid",
                        file,
                    )
                )
