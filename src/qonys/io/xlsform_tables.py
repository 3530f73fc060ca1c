"""Export tables and how a platform lays them out: :class:`Dialect`, :class:`RawTable`, and the
columns a table holds (see :mod:`qonys.io.xlsform_data` for the rules).

:func:`infer_columns` describes a table's columns without a form: the group path is split off
at the dialect's separator, ``X/code`` beside a column ``X`` is a select_multiple indicator
(binary when its values are 0/1), Kobo's ``_X_latitude``... beside ``X`` and ODK's
``X-Latitude``... are geopoint parts, and every other column gets the type
:func:`~qonys.io.xlsform_values.infer_type` reads from its values. In ODK repeat tables, the
repeat name is put in front of the (repeat-relative) group path.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from .._core import Variable
from .._core.codebook import VarType
from .xlsform_labels import ODK_GEO
from .xlsform_values import cell_text, infer_type

__all__ = [
    "Col",
    "Dialect",
    "RawTable",
    "classify_fixed",
    "geo_part",
    "infer_columns",
    "meta_var",
]

_KOBO_PART = re.compile(r"^_(.+)_(latitude|longitude|altitude|precision)$")


@dataclasses.dataclass(frozen=True, slots=True)
class Dialect:
    """How one platform lays out its export (see the module docstring)."""

    name: str
    sep: str
    meta: Mapping[str, VarType]
    structural: Mapping[str, VarType]
    structural_prefixes: tuple[str, ...]
    key: str
    parent_key: str
    id_variable: str
    meta_prefix: str | None = None
    underscore_meta: bool = False


@dataclasses.dataclass(slots=True)
class RawTable:
    """The raw cells of one export table (``roster=None`` for the main table)."""

    roster: str | None
    sheet: str
    headers: list[str]
    rows: list[list[object]]
    lines: list[int] | None = None
    parent: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class Col:
    index: int
    header: str
    name: str
    var: Variable | None
    stype: VarType | None = None
    unknown: bool = False


def geo_part(v: Variable, part: str) -> Variable:
    """The decimal variable holding one part of geopoint ``v``."""
    return Variable(
        name=f"_{v.name}_{part}",
        type="decimal",
        label={k: f"{t} ({part})" for k, t in v.label.items()},
        group=v.group,
        repeat=v.repeat,
        relevant=v.relevant,
        source_type=f"geopoint:{part}",
    )


def meta_var(dialect: Dialect, header: str) -> Variable:
    vtype = dialect.meta.get(header, "text")
    if dialect.meta_prefix and header.startswith(dialect.meta_prefix):
        name = header[len(dialect.meta_prefix) :]
        return Variable(name, vtype, group=("meta",), source_type=f"{dialect.name}_meta")
    return Variable(header, vtype, source_type=f"{dialect.name}_meta")


def link_type(dialect: Dialect, header: str) -> VarType | None:
    if header in dialect.structural:
        return dialect.structural[header]
    for prefix in dialect.structural_prefixes:
        if header.startswith(prefix):
            return dialect.meta.get(header[len(prefix) :], "text")
    return None


def classify_fixed(dialect: Dialect, header: str, main: bool) -> Col | None:
    """A meta column (main table) or link column; ``None`` for anything else."""
    if main and (
        header in dialect.meta
        or (dialect.meta_prefix is not None and header.startswith(dialect.meta_prefix))
    ):
        var = meta_var(dialect, header)
        return Col(-1, header, var.name, var)
    stype = (
        link_type(dialect, header)
        if not main
        else ("text" if header.startswith(dialect.structural_prefixes) else None)
    )
    return None if stype is None else Col(-1, header, header, None, stype)


def infer_columns(table: RawTable, dialect: Dialect) -> list[Col]:
    """Describe the columns of ``table`` without a form (see the module docstring)."""
    main = table.roster is None
    headers = table.headers
    present = set(headers)
    leaves = {h.split(dialect.sep)[-1]: h for h in headers}
    kobo_geo = {
        m.group(1)
        for h in headers
        if dialect.sep == "/" and (m := _KOBO_PART.match(h.split("/")[-1])) is not None
    }
    odk_geo = {
        h: h.rsplit("-", 1)
        for h in headers
        if dialect.sep == "-" and "-" in h and h.rsplit("-", 1)[1] in ODK_GEO
    }
    cols: list[Col] = []
    for i, header in enumerate(headers):
        fixed = classify_fixed(dialect, header, main)
        if fixed is None and main and dialect.underscore_meta and header.startswith("_"):
            m = _KOBO_PART.match(header.split("/")[-1])
            if not (m and m.group(1) in leaves):
                fixed = Col(-1, header, header, Variable(header, "text", source_type="kobo_meta"))
        if fixed is not None:
            fixed.index = i
            cols.append(fixed)
            continue
        values = [row[i] if i < len(row) else None for row in table.rows]
        stem, _, choice = header.rpartition("/")
        if stem in present and choice:
            path = stem.split(dialect.sep)
            name, group = f"{path[-1]}/{choice}", path[:-1]
            vtype = "binary" if _zero_one(values) else infer_type(values)
        elif header in odk_geo and odk_geo[header][0] + "-Latitude" in present:
            path = odk_geo[header][0].split("-")
            name = f"_{path[-1]}_{ODK_GEO[odk_geo[header][1]]}"
            vtype, group = "decimal", path[:-1]
        else:
            path = header.split(dialect.sep)
            name, group = path[-1], path[:-1]
            m = _KOBO_PART.match(name) if dialect.sep == "/" else None
            if any(h.startswith(header + "/") for h in headers):
                vtype = "select_multiple"
            elif m and m.group(1) in leaves:
                vtype = "decimal"
            elif name in kobo_geo:
                vtype = "geopoint"
            else:
                vtype = infer_type(values)
        if dialect.name == "odk" and table.roster is not None:
            group = [table.roster, *group]
        var = Variable(name, vtype, group=tuple(group), repeat=table.roster)
        cols.append(Col(i, header, name, var))
    return cols


def _zero_one(values: Sequence[object]) -> bool:
    """Whether every value is 0, 1 or empty (the indicator columns of a select_multiple)."""
    return all(
        not isinstance(v, bool) and (cell_text(v) or "").strip() in ("0", "1", "") for v in values
    )
