"""CSV, XLSX and Parquet survey data with a YAML codebook sidecar.

Files
-----
Each writer writes the main table to the given path, one more file (CSV, Parquet) or sheet
(XLSX) per roster, and the codebook next to the data as ``<file>.codebook.yaml``:

=========  =====================================  ===================================
format     main table and rosters                 codebook
=========  =====================================  ===================================
csv        ``survey.csv``, ``survey.<roster>.csv``  ``survey.csv.codebook.yaml``
xlsx       sheet ``data``, one sheet per roster   ``survey.xlsx.codebook.yaml``
parquet    ``survey.parquet``,                    ``survey.parquet.codebook.yaml``, and
           ``survey.<roster>.parquet``            embedded in the Parquet key-value
                                                  metadata (key ``qonys.codebook``)
=========  =====================================  ===================================

CSV is written as UTF-8 *with* a byte-order mark and CRLF line ends, so that Excel opens
Kazakh and Russian text correctly on a double click.

Reading
-------
The codebook is the one given; else the sidecar ``<file>.codebook.yaml`` (or
``<stem>.codebook.yaml``); else, for Parquet, the embedded one; else a minimal codebook is
inferred from the values (integers, decimals, text) and the dataset's notes say so. Rosters the
codebook declares are read from their files or sheets when present.

Columns are converted to the codebook's types; a cell that does not fit is a ``ReadError``
naming file, sheet, row (1-based data row), line (CSV) and variable, with rule
``tabular.not-a-number``, ``tabular.not-an-integer``, ``tabular.not-a-date``... Nothing is
coerced silently and no row is dropped. In memory:

* ``integer``, ``binary`` and ``select_one`` variables whose choice codes are all integers are
  pandas nullable ``Int64``, so codes stay exact integers (``98`` is ``98``, not ``98.0``) and
  system-missing is ``<NA>``; ``decimal`` variables are ``float64`` with ``NaN``;
* ``date`` and ``datetime`` are ``datetime64`` (date-times with different UTC offsets are
  converted to UTC, with a note); dates read as ``YYYY-MM-DD`` or ``DD.MM.YYYY``;
* ``calculate`` variables are ``Int64``, ``float64`` or text depending on their values;
* everything else (text, ``select_multiple`` summaries, ``select_one`` with text codes, time,
  geopoint) is text (pandas ``str``); an empty cell is system-missing;
* columns the codebook does not describe keep the storage kind the writer recorded in the
  sidecar's ``other_columns`` (roster keys such as ``_index``), else stay text as in the file.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from qonys._core import Codebook, Dataset, Variable
>>> ds = Dataset(pd.DataFrame({"city": ["Астана", None], "age": [34, None]}),
...              Codebook(variables=(Variable("city"), Variable("age", "integer"))))
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in write_csv(ds, folder / "s.csv")]
['s.csv', 's.csv.codebook.yaml']
>>> back = read_csv(folder / "s.csv")
>>> back.data["age"].tolist(), str(back.data["age"].dtype)
([34, <NA>], 'Int64')
"""

from __future__ import annotations

import csv
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
from ._registry import READERS, WRITERS
from ._tabular_convert import (
    Kind,
    convert_column,
    format_cell,
    kind_of_dtype,
    kind_of_variable,
)
from ._tabular_csv import decode, parse_csv
from .yaml_codebook import codebook_to_yaml, sidecar_from_yaml

__all__ = [
    "SIDECAR_SUFFIX",
    "read_csv",
    "roster_path",
    "sidecar_path",
    "write_csv",
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


# -- codebook resolution ----------------------------------------------------------------------
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
    raw = sidecar.read_bytes()
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
    _write_bytes(target, text.encode("utf-8"))
    return target, text


def _write_bytes(target: Path, data: bytes) -> None:
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


# -- CSV --------------------------------------------------------------------------------------
def _read_csv_table(
    path: Path,
    meta: Meta,
    *,
    encoding: str | None,
    delimiter: str | None,
    decimal: str,
    sheet: str | None,
) -> tuple[pd.DataFrame, bytes, str]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ReadError(
            f"cannot read the file ({err.strerror or type(err).__name__})",
            where=Where(file=str(path)),
            rule="read.os-error",
        ) from None
    text, used = decode(raw, encoding, str(path))
    table = parse_csv(text, delimiter=delimiter, file=str(path))
    if table.blank_lines:
        meta.notes.append(f"{path.name}: {table.blank_lines} blank line(s) skipped")
    if table.dropped_trailing_column:
        meta.notes.append(f"{path.name}: empty trailing column (delimiter at line ends) ignored")
    frame = pd.DataFrame(table.records, columns=table.header, dtype=object)
    lines = table.lines
    data = convert_table(
        frame, meta, file=str(path), sheet=sheet, line_of=lambda i: lines[i], decimal=decimal
    )
    return data, raw, used


@READERS.register("csv", doc="CSV with a YAML codebook sidecar")
def read_csv(
    path: Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    **options: Any,
) -> Dataset:
    """Read a CSV file (and its rosters' files) with its codebook.

    Parameters
    ----------
    path : Path
        The main table.
    codebook : Codebook, optional
        Metadata; else the sidecar, else inferred (see the module docstring).
    encoding : str, optional
        Character encoding; UTF-8 (with or without byte-order mark) when omitted. Decoding is
        strict.
    delimiter : str, optional
        Field delimiter; sniffed among ``, ; TAB |`` when omitted.
    decimal : {".", ","}
        Decimal separator of numbers (``","`` for files saved by a Russian-locale Excel).

    Raises
    ------
    ReadError
        ``csv.encoding``, ``csv.quote``, ``csv.ragged``, ``csv.duplicate-column``,
        ``tabular.not-a-number``...; each names the file, line, row and variable.
    CodebookError
        A malformed sidecar.
    """
    p = Path(path)
    check_options(options, str(p))
    if decimal not in (".", ","):
        raise ReadError(
            f"decimal must be '.' or ',', got {decimal!r}",
            where=Where(file=str(p), key="decimal"),
            rule="read.option",
        )
    meta = resolve_meta(p, codebook)
    main, raw, used = _read_csv_table(
        p, meta, encoding=encoding, delimiter=delimiter, decimal=decimal, sheet=None
    )
    rosters: dict[str, pd.DataFrame] = {}
    for r in meta.codebook.rosters if meta.codebook is not None else ():
        rp = roster_path(p, r.name)
        if rp.is_file():
            rosters[r.name] = _read_csv_table(
                rp, meta, encoding=encoding, delimiter=delimiter, decimal=decimal, sheet=r.name
            )[0]
        else:
            meta.notes.append(f"roster {r.name!r}: no file {rp.name}")
    return finish(main, rosters, meta, path=p, fmt="csv", raw_bytes=raw, encoding=used)


def _csv_bytes(
    frame: pd.DataFrame, codebook: Codebook, *, file: str, sheet: str | None, delimiter: str
) -> bytes:
    import io

    kinds = kinds_for(frame, codebook)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([str(c) for c in frame.columns])
    columns = [frame[c].tolist() for c in frame.columns]
    names = [str(c) for c in frame.columns]
    for i in range(len(frame)):
        writer.writerow(
            [
                format_cell(col[i], kind=kinds[n], file=file, sheet=sheet, row=i + 1, variable=n)
                for col, n in zip(columns, names, strict=True)
            ]
        )
    return buf.getvalue().encode("utf-8-sig")


@WRITERS.register("csv", doc="CSV (UTF-8 with BOM) with a YAML codebook sidecar")
def write_csv(dataset: Dataset, path: Path, *, delimiter: str = ",", **options: Any) -> list[Path]:
    """Write the main table, one CSV per roster, and the sidecar; return the paths written.

    Files are UTF-8 with a byte-order mark (Excel reads Cyrillic correctly) and CRLF line ends.
    """
    p = Path(path)
    check_options(options, str(p))
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise WriteError(
            f"the delimiter must be one character other than a quote or newline, got {delimiter!r}",
            where=Where(file=str(p), key="delimiter"),
            rule="write.option",
        )
    check_writable(dataset, str(p))
    written: list[Path] = []
    _write_bytes(
        p, _csv_bytes(dataset.data, dataset.codebook, file=str(p), sheet=None, delimiter=delimiter)
    )
    written.append(p)
    for name, table in dataset.rosters.items():
        rp = roster_path(p, name)
        _write_bytes(
            rp, _csv_bytes(table, dataset.codebook, file=str(rp), sheet=name, delimiter=delimiter)
        )
        written.append(rp)
    written.append(write_sidecar(dataset, p)[0])
    return written


from . import _tabular_parquet, _tabular_xlsx  # noqa: E402,F401  (register xlsx and parquet)
