"""Registries of readers and writers, format detection, and the ``read`` / ``write`` entry points.

Four registries, each keyed by a stable format name:

``READERS``
    ``(path, *, codebook=None, encoding=None, **options) -> Dataset``
``WRITERS``
    ``(dataset, path, **options) -> list[Path]`` (every file written, e.g. ``.sav`` + ``.sps``)
``CODEBOOK_READERS``
    ``(path, **options) -> Codebook``
``CODEBOOK_WRITERS``
    ``(codebook, path, **options) -> Path``

Built-in formats register themselves when :mod:`qonys.io` is imported; plugins use the same
``register`` calls. :func:`detect_format` picks a reader from the file name and, where the name
is ambiguous (``.csv``, ``.xlsx``), from the first bytes or sheet names.
"""

from __future__ import annotations

import csv
import io as _io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._core import Codebook, Dataset, QonysError, ReadError, Registry, Where, WriteError

__all__ = [
    "CODEBOOK_READERS",
    "CODEBOOK_WRITERS",
    "READERS",
    "WRITERS",
    "detect_codebook_format",
    "detect_format",
    "read",
    "read_codebook",
    "write",
    "write_codebook",
]

Reader = Callable[..., Dataset]
Writer = Callable[..., list[Path]]
CodebookReader = Callable[..., Codebook]
CodebookWriter = Callable[..., Path]

READERS: Registry[Reader] = Registry("reader")
WRITERS: Registry[Writer] = Registry("writer")
CODEBOOK_READERS: Registry[CodebookReader] = Registry("codebook reader")
CODEBOOK_WRITERS: Registry[CodebookWriter] = Registry("codebook writer")

KOBO_META_COLUMNS = frozenset(
    {"_id", "_uuid", "_submission_time", "_validation_status", "_index", "__version__"}
)


def _display(path: Path) -> str:
    """The name shown in messages: the path as the user gave it, never resolved."""
    return str(path)


def _need_file(path: Path) -> None:
    if not path.exists():
        raise ReadError(
            "file not found",
            where=Where(file=_display(path)),
            rule="read.not-found",
            hint="Check the path; relative paths are taken from the current folder.",
        )
    if path.is_dir():
        raise ReadError(
            "this is a folder, not a file",
            where=Where(file=_display(path)),
            rule="read.is-directory",
            hint="Give the path of a data file inside it.",
        )


def _sniff_csv_header(path: Path) -> tuple[str, list[str]]:
    """Delimiter and header fields of a text file (UTF-8 with or without BOM)."""
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    text = head.decode("utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text else ""
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        delim = max(",;\t|", key=first.count) if first else ","
    fields = next(csv.reader(_io.StringIO(first), delimiter=delim), [])
    return delim, [f.strip() for f in fields]


def detect_format(path: str | Path) -> str:
    """Name of the reader for ``path``.

    Rules: ``.sav``/``.zsav`` -> ``sav``; ``.dta`` -> ``dta``; ``.parquet`` -> ``parquet``;
    ``.zip`` holding CSVs with ``KEY`` columns -> ``odk_central``; ``.csv`` with Kobo meta
    columns (``_uuid``, ``_submission_time``...) -> ``kobo_csv``, with ``KEY`` and
    ``SubmissionDate`` / ``meta-instanceID`` -> ``odk_central``, with ``KEY`` and
    ``SubmissionDate`` plus Briefcase's ``SET-OF-`` columns -> ``odk_briefcase``, else ``csv``;
    ``.xlsx`` with Kobo meta columns on its first sheet -> ``kobo_xlsx``, else ``xlsx``.
    A ``.csv`` or ``.xlsx`` with a qonys sidecar ``<file>.codebook.yaml`` beside it is ``csv`` or
    ``xlsx`` whatever its columns (a Kobo export saved by qonys keeps ``_uuid``).

    Raises
    ------
    ReadError
        For a missing file or an unknown extension.
    """
    p = Path(path)
    _need_file(p)
    name = p.name.lower()
    if name.endswith((".sav", ".zsav")):
        return "sav"
    if name.endswith(".dta"):
        return "dta"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".zip"):
        return "odk_central"
    if name.endswith((".csv", ".xlsx")) and p.with_name(p.name + ".codebook.yaml").is_file():
        return "csv" if name.endswith(".csv") else "xlsx"  # written by qonys, with its sidecar
    if name.endswith((".csv", ".tsv", ".txt")):
        _, header = _sniff_csv_header(p)
        cols = set(header)
        if cols & {"_uuid", "_submission_time", "_validation_status"}:
            return "kobo_csv"
        if "KEY" in cols and any(c.startswith("SET-OF-") for c in cols):
            return "odk_briefcase"
        if "KEY" in cols or "PARENT_KEY" in cols:
            return "odk_central"
        return "csv"
    if name.endswith((".xlsx", ".xlsm")):
        sheets, first_header = _xlsx_first_header(p)
        if {"survey"} <= {s.lower() for s in sheets}:
            raise ReadError(
                "this workbook is an XLSForm (it has a 'survey' sheet), not data",
                where=Where(file=_display(p)),
                rule="read.is-xlsform",
                hint="Give it as the codebook (--codebook FORM.xlsx), or use 'qonys codebook'.",
            )
        if set(first_header) & KOBO_META_COLUMNS:
            return "kobo_xlsx"
        return "xlsx"
    raise ReadError(
        f"unknown file type {p.suffix or '(no extension)'!r}",
        where=Where(file=_display(p)),
        rule="read.unknown-format",
        hint="Known: .sav .zsav .dta .csv .xlsx .parquet .zip (ODK Central); or pass format=.",
    )


def _xlsx_first_header(path: Path) -> tuple[list[str], list[str]]:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise ReadError(
            f"not a readable .xlsx workbook ({type(err).__name__})",
            where=Where(file=_display(path)),
            rule="read.xlsx-corrupt",
            hint="Re-save the file from Excel or LibreOffice as .xlsx.",
        ) from None
    try:
        sheets = list(wb.sheetnames)
        ws = wb[sheets[0]]
        header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        return sheets, [str(h) for h in header if h is not None]
    finally:
        wb.close()


def detect_codebook_format(path: str | Path) -> str:
    """Name of the codebook reader for ``path`` (``xlsform``, ``yaml``, ``sav``)."""
    p = Path(path)
    _need_file(p)
    name = p.name.lower()
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith((".xlsx", ".xls", ".xlsm")):
        return "xlsform"
    if name.endswith((".sav", ".zsav")):
        return "sav"
    if name.endswith(".dta"):
        return "dta"
    raise ReadError(
        f"unknown codebook type {p.suffix or '(no extension)'!r}",
        where=Where(file=_display(p)),
        rule="read.unknown-codebook-format",
        hint="A codebook is an XLSForm (.xlsx), a YAML sidecar (.yaml) or an SPSS file (.sav).",
    )


def read(
    path: str | Path,
    *,
    format: str | None = None,
    codebook: Codebook | str | Path | None = None,
    encoding: str | None = None,
    **options: Any,
) -> Dataset:
    """Read survey data with its metadata.

    Parameters
    ----------
    path : str or Path
        The data file.
    format : str, optional
        Reader name (see ``READERS.names()``); detected from the file when omitted.
    codebook : Codebook or path, optional
        Metadata to attach (an XLSForm, YAML sidecar or .sav path is read first). Without one,
        readers use what the file carries (SPSS dictionary, sidecar ``.codebook.yaml`` next to
        the file) or infer a minimal codebook from the columns.
    encoding : str, optional
        Character encoding, for formats where it is not fixed.
    **options
        Reader-specific options.

    Returns
    -------
    Dataset

    Raises
    ------
    ReadError
        The file cannot be read (named file, rule and fix).
    """
    p = Path(path)
    _need_file(p)
    fmt = format or detect_format(p)
    cb = read_codebook(codebook) if isinstance(codebook, str | Path) else codebook
    try:
        reader = READERS.get(fmt)
    except QonysError as err:
        raise err.located(file=_display(p)) from None
    return reader(p, codebook=cb, encoding=encoding, **options)


def read_codebook(path: str | Path, *, format: str | None = None, **options: Any) -> Codebook:
    """Read a codebook from an XLSForm, a YAML sidecar or a data file's dictionary."""
    p = Path(path)
    _need_file(p)
    fmt = format or detect_codebook_format(p)
    return CODEBOOK_READERS.get(fmt)(p, **options)


def _writer_for(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in (
        (".zsav", "sav"),
        (".sav", "sav"),
        (".dta", "dta"),
        (".parquet", "parquet"),
        (".csv", "csv"),
        (".xlsx", "xlsx"),
    ):
        if name.endswith(suffix):
            return fmt
    raise WriteError(
        f"cannot tell the output format from {path.suffix or '(no extension)'!r}",
        where=Where(file=str(path)),
        rule="write.unknown-format",
        hint="Use .sav, .zsav, .dta, .csv, .xlsx or .parquet, or pass format=.",
    )


def write(
    dataset: Dataset, path: str | Path, *, format: str | None = None, **options: Any
) -> list[Path]:
    """Write ``dataset`` to ``path``; returns every file written (data, sidecars, syntax)."""
    p = Path(path)
    fmt = format or _writer_for(p)
    return WRITERS.get(fmt)(dataset, p, **options)


def write_codebook(
    codebook: Codebook, path: str | Path, *, format: str | None = None, **options: Any
) -> Path:
    """Write a codebook as YAML (``.yaml``) or as an XLSForm (``.xlsx``)."""
    p = Path(path)
    if format is None:
        name = p.name.lower()
        if name.endswith((".yaml", ".yml")):
            format = "yaml"
        elif name.endswith(".xlsx"):
            format = "xlsform"
        else:
            raise WriteError(
                f"cannot tell the codebook format from {p.suffix or '(no extension)'!r}",
                where=Where(file=str(p)),
                rule="write.unknown-format",
                hint="Use .yaml for a sidecar or .xlsx for an XLSForm.",
            )
    return CODEBOOK_WRITERS.get(format)(codebook, p, **options)
