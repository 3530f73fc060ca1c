"""ODK exports: readers ``odk_central`` and ``odk_briefcase``.

ODK Central's "CSV download" (``submissions.csv.zip``) holds

* the root table ``<formId>.csv``: ``SubmissionDate``, the form's fields (group paths joined with
  ``-``: ``location-area_name``; or bare names with "remove group names"), ``meta-instanceID``,
  then ``KEY``, ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``,
  ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``,
  ``FormVersion`` (older servers write fewer of these);
* one table per repeat, ``<formId>-<repeat>.csv``, whose fields carry the path *inside* the
  repeat, then ``PARENT_KEY`` (the parent row's ``KEY``) and ``KEY``
  (``uuid:…/repeat[n]``, nested repeats ``uuid:…/outer[1]/inner[2]``);
* geopoints split into ``<q>-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy`` (read as
  ``_q_latitude``, ``_q_longitude``, ``_q_altitude``, ``_q_precision``, Kobo's names, so both
  platforms give the same variables); split select_multiple columns ``<q>/<choice>`` (0/1);
* media under ``files/`` and client audit logs, which are not read.

The reader takes the ``.zip`` or the root CSV (repeat CSVs named ``<root>-<repeat>.csv`` beside
it are read too). ODK Briefcase writes the same layout (root ``<form>.csv`` and
``<form>-<repeat>.csv``), adds ``SET-OF-<repeat>`` columns and formats dates for the locale
(``Apr 26, 2018 8:56:00 AM``), which are read as well.

Meta columns become variables with ``source_type="odk_meta"`` (``meta-instanceID`` is
``instanceID`` in group ``meta``); ``KEY``/``PARENT_KEY`` of repeat tables and ``SET-OF-*`` are
link columns described by the :class:`~qonys._core.codebook.Roster` (``key="KEY"``,
``parent_key="PARENT_KEY"``). With a form codebook, headers are matched to the form as in
:mod:`qonys.io.kobo` (rule ``odk.header-mismatch``); without one a minimal codebook is inferred,
splitting headers at ``-`` (give the form when names contain hyphens). Rows are never dropped.

Usage::

    from qonys.io import read

    ds = read("submissions.csv.zip")
    ds.rosters["taxon_encounter"]["PARENT_KEY"].value_counts()

See :func:`read_odk_central` for a runnable example.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from .._core import Codebook, Dataset, QonysError, ReadError, SourceInfo, Where, sha256_file
from .._core.policies import check_policy
from ._registry import READERS
from .xlsform_csv import read_csv_table
from .xlsform_data import Dialect, MismatchPolicy, RawTable, build_dataset

__all__ = ["ODK", "read_odk_briefcase", "read_odk_central"]

ODK = Dialect(
    name="odk",
    sep="-",
    meta={
        "SubmissionDate": "datetime",
        "KEY": "text",
        "SubmitterID": "text",
        "SubmitterName": "text",
        "AttachmentsPresent": "integer",
        "AttachmentsExpected": "integer",
        "Status": "text",
        "ReviewState": "text",
        "DeviceID": "text",
        "Edits": "integer",
        "FormVersion": "text",
    },
    structural={"KEY": "text", "PARENT_KEY": "text"},
    structural_prefixes=("SET-OF-",),
    key="KEY",
    parent_key="PARENT_KEY",
    id_variable="KEY",
    meta_prefix="meta-",
)
"""ODK Central / Briefcase export layout."""

_SUBSCRIPT = re.compile(r"^(.+)\[\d+\]$")


def _check(on_mismatch: object, options: dict[str, Any]) -> None:
    check_policy(on_mismatch, MismatchPolicy, "on_mismatch")
    if options:
        raise QonysError(
            f"unknown option(s) {sorted(options)} for an ODK reader",
            where=Where(key=sorted(options)[0]),
            rule="read.unknown-option",
            hint="Options: codebook, encoding, on_mismatch ('fail' or 'note').",
        )


def _parent_from_keys(table: RawTable) -> str | None:
    """Parent repeat named in the first ``PARENT_KEY`` (``None`` = the root table)."""
    if "PARENT_KEY" not in table.headers:
        return None
    i = table.headers.index("PARENT_KEY")
    for row in table.rows:
        value = row[i] if i < len(row) else None
        if value:
            last = str(value).rstrip("/").split("/")[-1]
            m = _SUBSCRIPT.match(last)
            return m.group(1) if m else None
    return None


def _root_of(stems: list[str]) -> str | None:
    """The stem every other stem extends with ``-<repeat>``."""
    for stem in sorted(stems, key=len):
        if all(s == stem or s.startswith(stem + "-") for s in stems):
            return stem
    return None


def _tables(
    members: list[tuple[str, bytes | Path]], file: str, encoding: str | None, prefix: str
) -> tuple[list[RawTable], str]:
    stems = [PurePosixPath(n).name[: -len(".csv")] for n, _ in members]
    root = _root_of(stems)
    if root is None:
        raise ReadError(
            "cannot tell the root table among the CSV files",
            where=Where(file=file),
            rule=f"{prefix}.no-root",
            hint="The root is <formId>.csv and repeats are <formId>-<repeat>.csv.",
        )
    tables: list[RawTable] = []
    enc = "utf-8-sig"
    for (name, content), stem in sorted(
        zip(members, stems, strict=True), key=lambda m: (m[1] != root, m[1])
    ):
        roster = None if stem == root else stem[len(root) + 1 :]
        if isinstance(content, Path):
            table, enc = read_csv_table(content, encoding=encoding, prefix=prefix, roster=roster)
        else:
            table, enc = read_csv_table(
                Path(file),
                data=content,
                encoding=encoding,
                prefix=prefix,
                roster=roster,
                sheet=name,
            )
        tables.append(table)
    if "PARENT_KEY" in tables[0].headers:
        raise ReadError(
            "this CSV is a repeat table (it has PARENT_KEY), not the root table",
            where=Where(file=file, sheet=tables[0].sheet),
            rule=f"{prefix}.not-root",
            hint="Give the root CSV (<formId>.csv) or the whole .zip.",
        )
    for t in tables[1:]:
        t.parent = _parent_from_keys(t)
    return tables, enc


def _members_of_zip(path: Path, prefix: str) -> list[tuple[str, bytes | Path]]:
    try:
        with zipfile.ZipFile(path) as zf:
            members: list[tuple[str, bytes | Path]] = [
                (info.filename, zf.read(info))
                for info in zf.infolist()
                if info.filename.lower().endswith(".csv")
                and not info.filename.startswith(("files/", "__MACOSX"))
                and not info.filename.lower().endswith("- audit.csv")
                and "/" not in info.filename.strip("/")
            ]
    except Exception as err:  # BadZipFile, zlib.error, NotImplementedError (compression)...
        raise ReadError(
            f"not a readable .zip archive ({type(err).__name__})",
            where=Where(file=str(path)),
            rule=f"{prefix}.zip-unreadable",
            hint="Download the CSV export from ODK Central again.",
        ) from None
    if not members:
        raise ReadError(
            "the archive holds no CSV table",
            where=Where(file=str(path)),
            rule=f"{prefix}.no-root",
            hint="Download 'All data and media' or the CSV export from ODK Central.",
        )
    return members


def _members_beside(path: Path) -> list[tuple[str, bytes | Path]]:
    stem = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.stem
    siblings = sorted(
        p for p in path.parent.glob(f"{glob_escape(stem)}-*.csv") if p.is_file() and p != path
    )
    return [(path.name, path), *((p.name, p) for p in siblings)]


def glob_escape(text: str) -> str:
    """Escape glob metacharacters in a file name stem.

    Examples
    --------
    >>> glob_escape("form[1]")
    'form[[]1]'
    """
    return re.sub(r"([*?\[])", r"[\1]", text)


def _read(
    path: str | Path,
    fmt: str,
    codebook: Codebook | None,
    encoding: str | None,
    on_mismatch: Literal["fail", "note"],
) -> Dataset:
    p = Path(path)
    prefix = "odk"
    zipped = p.name.lower().endswith(".zip")
    members = _members_of_zip(p, prefix) if zipped else _members_beside(p)
    tables, enc = _tables(members, str(path), encoding, prefix)
    notes = tuple(f"repeat table {t.sheet} read as roster {t.roster!r}" for t in tables[1:])
    source = SourceInfo(
        name=str(path), format=fmt, sha256=sha256_file(p), encoding=enc, notes=notes
    )
    return build_dataset(
        tables, codebook=codebook, dialect=ODK, source=source, on_mismatch=on_mismatch
    )


@READERS.register("odk_central", doc="ODK Central CSV export (.csv.zip or root CSV)")
def read_odk_central(
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    on_mismatch: Literal["fail", "note"] = "fail",
    **options: Any,
) -> Dataset:
    r"""Read an ODK Central CSV export (see the module docstring).

    Parameters
    ----------
    path : str or Path
        ``submissions.csv.zip`` or the root ``<formId>.csv`` (repeat CSVs beside it are read).
    codebook : Codebook, optional
        The form's codebook (from its XLSForm).
    encoding : str, optional
        Text encoding; UTF-8 (with or without BOM) when omitted. Decoding is strict.
    on_mismatch : {"fail", "note"}
        What to do when headers and form disagree (rule ``odk.header-mismatch``).

    Returns
    -------
    Dataset
        Root table and one roster per repeat table (``KEY`` / ``PARENT_KEY``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "hh.csv").write_text(
    ...     "SubmissionDate,size,meta-instanceID,KEY\n2024-05-01T10:00:00Z,2,uuid:1,uuid:1\n")
    >>> _ = (folder / "hh-members.csv").write_text(
    ...     "age,PARENT_KEY,KEY\n41,uuid:1,uuid:1/members[1]\n9,uuid:1,uuid:1/members[2]\n")
    >>> ds = read_odk_central(folder / "hh.csv")
    >>> ds.rosters["members"]["age"].tolist(), ds.codebook.roster("members").parent_key
    ([41, 9], 'PARENT_KEY')

    Raises
    ------
    ReadError
        Rules ``odk.zip-unreadable``, ``odk.no-root``, ``odk.not-root``, ``odk.empty``,
        ``odk.encoding``, ``odk.csv-syntax``, ``odk.csv-row-length``, ``odk.duplicate-column``.
    DataError
        Rules ``odk.header-mismatch``, ``odk.value``, ``odk.duplicate-name``.
    """
    _check(on_mismatch, options)
    return _read(path, "odk_central", codebook, encoding, on_mismatch)


@READERS.register("odk_briefcase", doc="ODK Briefcase CSV export (root CSV and repeat CSVs)")
def read_odk_briefcase(
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    on_mismatch: Literal["fail", "note"] = "fail",
    **options: Any,
) -> Dataset:
    """Read an ODK Briefcase CSV export; parameters as :func:`read_odk_central`."""
    _check(on_mismatch, options)
    return _read(path, "odk_briefcase", codebook, encoding, on_mismatch)
