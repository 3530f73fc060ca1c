"""Shared machinery of the CSV, XLSX and Parquet readers and writers (see :mod:`.tabular`):
sidecar paths, codebook resolution, table conversion, dataset assembly, writer checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from .._core import (
    Codebook,
    CodebookError,
    Dataset,
    ReadError,
    SourceInfo,
    Variable,
    Where,
    WriteError,
    sha256_bytes,
)
from ._tabular_convert import convert_column
from ._tabular_kinds import Kind, kind_of_dtype, kind_of_variable
from .yaml_codebook import codebook_to_yaml, sidecar_from_yaml

__all__ = [
    "SIDECAR_SUFFIX",
    "Meta",
    "check_options",
    "check_writable",
    "convert_table",
    "find_sidecar",
    "finish",
    "inferred_codebook",
    "kinds_for",
    "load_sidecar",
    "other_columns",
    "resolve_meta",
    "roster_path",
    "sidecar_path",
    "write_bytes",
    "write_sidecar",
]

SIDECAR_SUFFIX = ".codebook.yaml"


def sidecar_path(path: str | Path) -> Path:
    """Where the codebook of data file ``path`` is written: ``<file>.codebook.yaml``.

    >>> sidecar_path("out/survey.csv").as_posix()
    'out/survey.csv.codebook.yaml'
    """
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def roster_path(path: str | Path, roster: str) -> Path:
    """File of roster ``roster`` beside main file ``path``: ``survey.<roster>.csv``.

    >>> roster_path("out/survey.csv", "members").as_posix()
    'out/survey.members.csv'
    """
    p = Path(path)
    return p.with_name(f"{p.stem}.{roster}{p.suffix}")


@dataclass
class Meta:
    """What a reader knows about the columns before converting them."""

    codebook: Codebook | None
    other: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def find_sidecar(path: Path) -> Path | None:
    """The sidecar of ``path`` if one exists (``<file>.codebook.yaml`` or ``<stem>...``)."""
    for candidate in (sidecar_path(path), path.with_name(path.stem + SIDECAR_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def load_sidecar(sidecar: Path) -> tuple[Codebook, dict[str, str]]:
    """Read a data file's sidecar (strict UTF-8)."""
    try:
        raw = sidecar.read_bytes()
    except OSError as err:
        raise ReadError(
            f"cannot read the codebook sidecar ({err.strerror or type(err).__name__})",
            where=Where(file=str(sidecar)),
            rule="read.os-error",
            hint="Check the file's permissions.",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ReadError(
            "the codebook sidecar is not UTF-8 text",
            where=Where(file=str(sidecar), line=raw[: err.start].count(b"\n") + 1),
            rule="yaml.encoding",
            hint="Save the sidecar as UTF-8.",
        ) from None
    return sidecar_from_yaml(text, source=str(sidecar))


def resolve_meta(
    path: Path, codebook: Codebook | None, embedded: Callable[[], str | None] | None = None
) -> Meta:
    """Pick the codebook: given, else sidecar, else embedded text, else none (inferred later)."""
    if codebook is not None:
        if not isinstance(codebook, Codebook):
            raise CodebookError(
                f"codebook must be a Codebook or a path, got {type(codebook).__name__}",
                where=Where(key="codebook"),
                rule="read.codebook-type",
            )
        return Meta(codebook)
    sidecar = find_sidecar(path)
    if sidecar is not None:
        cb, other = load_sidecar(sidecar)
        return Meta(cb, other, [f"codebook read from {sidecar.name}"])
    text = embedded() if embedded is not None else None
    if text is not None:
        cb, other = sidecar_from_yaml(text, source=f"{path} (embedded codebook)")
        return Meta(cb, other, ["codebook read from the file's embedded metadata"])
    return Meta(None)


def convert_table(
    raw: pd.DataFrame,
    meta: Meta,
    *,
    file: str,
    sheet: str | None,
    line_of: Callable[[int], int | None] | None = None,
    decimal: str = ".",
    dtype_kinds: bool = False,
) -> pd.DataFrame:
    """Convert every column of a raw table (see the module docstring for the rules)."""
    cb = meta.codebook
    out: dict[str, pd.Series] = {}
    untyped: list[str] = []
    for name in raw.columns:
        col = raw[name]
        kind: Kind
        if cb is not None and name in cb:
            kind = kind_of_variable(cb[name], cb)
        elif name in meta.other:
            kind = cast(Kind, meta.other[name])
        elif cb is None:
            kind = kind_of_dtype(col) if dtype_kinds and col.dtype != object else "auto"
        else:
            kind = "text"
            untyped.append(name)
        out[name] = convert_column(
            col, kind, file=file, sheet=sheet, line_of=line_of, decimal=decimal, notes=meta.notes
        )
    if untyped:
        meta.notes.append(
            f"{len(untyped)} column(s) of {sheet or 'the main table'} are not in the codebook "
            f"and were kept as text: {', '.join(untyped[:10])}"
            + (" ..." if len(untyped) > 10 else "")
        )
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)))


def inferred_codebook(frame: pd.DataFrame) -> Codebook:
    """A minimal codebook from column dtypes (integer, decimal, datetime or text)."""
    types = {"integer": "integer", "decimal": "decimal", "datetime": "datetime"}
    return Codebook(
        variables=tuple(
            Variable(str(c), types.get(kind_of_dtype(frame[c]), "text"))  # type: ignore[arg-type]
            for c in frame.columns
        ),
        notes=("inferred from the data's values: no codebook was given or found",),
    )


def finish(
    main: pd.DataFrame,
    rosters: Mapping[str, pd.DataFrame],
    meta: Meta,
    *,
    path: Path,
    fmt: str,
    raw_bytes: bytes | None,
    encoding: str | None,
) -> Dataset:
    """Assemble the Dataset (inferring a codebook when none was found)."""
    cb = meta.codebook
    if cb is None:
        cb = inferred_codebook(main)
        meta.notes.append("no codebook given or found: column types inferred from the values")
    digest = sha256_bytes(raw_bytes) if raw_bytes is not None else None
    source = SourceInfo(
        name=str(path), format=fmt, sha256=digest, encoding=encoding, notes=tuple(meta.notes)
    )
    return Dataset(main, cb, dict(rosters), source)


def check_options(options: Mapping[str, Any], file: str, known: Iterable[str] = ()) -> None:
    """Reject options a reader or writer does not know (a typo must not be ignored)."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ReadError(
            f"unknown option(s) {unknown}",
            where=Where(file=file, key=unknown[0]),
            rule="read.unknown-option",
            hint="Check the option's spelling in the reader's documentation.",
        )


def other_columns(dataset: Dataset) -> dict[str, str]:
    """Storage kinds of the data columns that are not codebook variables (for the sidecar)."""
    out: dict[str, str] = {}
    for table in (dataset.data, *dataset.rosters.values()):
        for c in table.columns:
            if str(c) in dataset.codebook:
                continue
            kind = kind_of_dtype(table[c])
            out[str(c)] = kind if out.get(str(c), kind) == kind else "text"
    return out


def check_writable(dataset: Dataset, file: str) -> None:
    """Column names are unique strings and every roster table is declared in the codebook."""
    declared = {r.name for r in dataset.codebook.rosters}
    for name, table in (("main table", dataset.data), *dataset.rosters.items()):
        if name != "main table" and name not in declared:
            raise WriteError(
                f"roster table {name!r} is not declared in the codebook",
                where=Where(file=file, sheet=name),
                rule="tabular.undeclared-roster",
                hint="Add a Roster entry to the codebook so the table can be read back.",
            )
        cols = [c for c in table.columns]
        if any(not isinstance(c, str) or c == "" for c in cols):
            raise WriteError(
                "column names must be non-empty text",
                where=Where(file=file, sheet=None if name == "main table" else name),
                rule="tabular.column-name",
                hint="Rename the columns before writing.",
            )
        if len(set(cols)) != len(cols):
            dup = next(c for c in cols if cols.count(c) > 1)
            raise WriteError(
                f"column {dup!r} appears twice",
                where=Where(file=file, variable=dup),
                rule="tabular.duplicate-column",
                hint="Give every column a unique name.",
            )


def write_sidecar(dataset: Dataset, path: Path) -> tuple[Path, str]:
    """Write ``<file>.codebook.yaml``; return its path and text."""
    text = codebook_to_yaml(dataset.codebook, other_columns(dataset))
    target = sidecar_path(path)
    write_bytes(target, text.encode("utf-8"))
    return target, text


def write_bytes(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as err:
        raise WriteError(
            f"cannot write the file ({err.strerror or type(err).__name__})",
            where=Where(file=str(target)),
            rule="write.os-error",
            hint="Check that the folder exists and is writable.",
        ) from None


def kinds_for(frame: pd.DataFrame, codebook: Codebook) -> dict[str, Kind]:
    """Storage kind of each column, for writers."""
    return {
        str(c): (
            kind_of_variable(codebook[str(c)], codebook)
            if str(c) in codebook
            else kind_of_dtype(frame[c])
        )
        for c in frame.columns
    }
