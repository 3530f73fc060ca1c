"""KoboToolbox exports: readers ``kobo_csv`` and ``kobo_xlsx``.

What a Kobo export looks like (KPI / formpack defaults, "XML values and headers"):

* **CSV**: ``;``-separated, every field quoted, CRLF, UTF-8 (no BOM; a BOM is accepted), main
  table only (Kobo's CSV omits repeat groups). The delimiter is sniffed, not assumed.
* **XLSX**: the first sheet is the main table; one sheet per repeat group, named after the
  repeat (cut to 31 characters with ``...`` when longer) and linked to its parent table by
  ``_index`` / ``_parent_index`` (and ``_parent_table_name``, the parent's sheet title or repeat
  name). ``_submission__*`` columns repeat the submission's meta data.
* headers are names, with the group path joined by ``/`` when "include groups in headers" was
  on (``demo/age``); the reader strips the path (in-memory names are the XLSForm names);
* a select_multiple ``q`` gives a summary column ``q`` (space-separated codes) and one 0/1
  column ``q/<code>`` per choice (``multiple_select="both"``);
* a geopoint ``q`` gives ``q`` (``"lat lon alt precision"``) and ``_q_latitude``,
  ``_q_longitude``, ``_q_altitude``, ``_q_precision``;
* meta columns ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``,
  ``_status``, ``_submitted_by``, ``_tags``, ``_index``, ``__version__`` (and ``start``, ``end``,
  ``today`` when no form is given) become variables with ``source_type="kobo_meta"``; other
  columns starting with ``_`` that the form does not explain are kept as text meta variables.

With the form's codebook (``codebook=read_codebook("form.xlsx")``) each column is matched to its
question and converted to the question's type; an export with question **labels** as headers
(the default "Labels" export, or "Labels in language X") is recognised and mapped back to names
and codes. Headers that match neither the form's names nor its labels, and form questions absent
from the export, raise :class:`~qonys._core.errors.DataError` with rule ``kobo.header-mismatch``
unless ``on_mismatch="note"``. Without a codebook a minimal one is inferred from headers and
values (see :mod:`qonys.io.xlsform_data`); a label export then cannot be read (rule
``kobo.label-headers``: export "XML values and headers", or give the form).

Frames keep raw values: user-missing codes stay codes, an empty cell is system-missing, no row is
dropped (repeat rows whose ``_parent_index`` has no parent are kept; finding them is the job of
validation).

Usage::

    from qonys.io import read, read_codebook

    ds = read("export.xlsx", codebook=read_codebook("form.xlsx"))
    ds.rosters["members"].groupby("_parent_index").size()   # members per submission

See :func:`read_kobo_csv` for a runnable example.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from .._core import Codebook, Dataset, QonysError, ReadError, SourceInfo, Where, sha256_file
from .._core.policies import check_policy
from ._registry import READERS
from ._xlsx_cells import xlsx_rows
from .xlsform_csv import read_csv_table
from .xlsform_data import Dialect, MismatchPolicy, RawTable, build_dataset

__all__ = ["KOBO", "read_kobo_csv", "read_kobo_xlsx"]

KOBO = Dialect(
    name="kobo",
    sep="/",
    meta={
        "_id": "integer",
        "_uuid": "text",
        "_submission_time": "datetime",
        "_validation_status": "text",
        "_notes": "text",
        "_status": "text",
        "_submitted_by": "text",
        "_tags": "text",
        "_index": "integer",
        "__version__": "text",
        "_version_": "text",
        "_xform_id_string": "text",
        "_attachments": "text",
        "_geolocation": "text",
        "start": "datetime",
        "end": "datetime",
        "today": "date",
    },
    structural={"_index": "integer", "_parent_index": "integer", "_parent_table_name": "text"},
    structural_prefixes=("_submission_",),
    key="_index",
    parent_key="_parent_index",
    id_variable="_uuid",
    underscore_meta=True,
)
"""KoboToolbox's export layout."""

_LABEL_LIKE = re.compile(r"[\s?¿!,;:()'\"«»]")


def _options(on_mismatch: object, labels: object, options: dict[str, Any]) -> None:
    check_policy(on_mismatch, MismatchPolicy, "on_mismatch")
    if options:
        raise QonysError(
            f"unknown option(s) {sorted(options)} for a KoboToolbox reader",
            where=Where(key=sorted(options)[0]),
            rule="read.unknown-option",
            hint="Options: codebook, encoding, on_mismatch ('fail' or 'note'), labels "
            "('auto', a language code, or None).",
        )
    if labels is not None and not isinstance(labels, str):
        raise QonysError(
            "labels must be 'auto', a language code or None",
            where=Where(key="labels"),
            rule="parameter.choice",
        )


def _check_not_labels(tables: list[RawTable], file: str) -> None:
    """Without a form, refuse headers that are question labels."""
    main = tables[0]
    odd = [h for h in main.headers if _LABEL_LIKE.search(h)]
    if odd:
        raise ReadError(
            f"the headers look like question labels, not names (e.g. {odd[0]!r})",
            where=Where(file=file, sheet=main.sheet),
            rule="kobo.label-headers",
            hint="Download the export with 'XML values and headers', or pass the form: "
            "read(..., codebook='form.xlsx').",
        )


def _finish(
    tables: list[RawTable],
    codebook: Codebook | None,
    source: SourceInfo,
    on_mismatch: Literal["fail", "note"],
    labels: str | None,
) -> Dataset:
    if codebook is None:
        _check_not_labels(tables, source.name)
    lang = labels if codebook is not None else None
    return build_dataset(
        tables,
        codebook=codebook,
        dialect=KOBO,
        source=source,
        on_mismatch=on_mismatch,
        lang=lang,
    )


@READERS.register("kobo_csv", doc="KoboToolbox CSV export (main table)")
def read_kobo_csv(
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    on_mismatch: Literal["fail", "note"] = "fail",
    labels: str | None = "auto",
    **options: Any,
) -> Dataset:
    r"""Read a KoboToolbox CSV export (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The ``.csv`` export.
    codebook : Codebook, optional
        The form's codebook (:func:`qonys.io.read_codebook` of the XLSForm).
    encoding : str, optional
        Text encoding; UTF-8 (with or without BOM) when omitted. Decoding is strict.
    on_mismatch : {"fail", "note"}
        What to do when headers and form disagree (rule ``kobo.header-mismatch``).
    labels : "auto", str or None
        ``"auto"`` detects a label export; a language code forces it; ``None`` expects names.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_bytes(
    ...     b'"age";"langs";"langs/kk";"langs/ru";"_uuid";"_index"\r\n'
    ...     b'"34";"kk ru";"1";"1";"a1";"1"\r\n"19";"ru";"0";"1";"b2";"2"\r\n')
    >>> ds = read_kobo_csv(path)
    >>> ds.data["age"].tolist(), ds.codebook.mr_set("langs").variables
    ([34, 19], ('langs/kk', 'langs/ru'))

    Raises
    ------
    ReadError
        Rules ``kobo.empty``, ``kobo.encoding``, ``kobo.csv-syntax``, ``kobo.csv-row-length``,
        ``kobo.duplicate-column``, ``kobo.label-headers``.
    DataError
        Rules ``kobo.header-mismatch``, ``kobo.value``, ``kobo.duplicate-name``.
    """
    _options(on_mismatch, labels, options)
    p = Path(path)
    table, enc = read_csv_table(p, encoding=encoding, prefix="kobo")
    source = SourceInfo(name=str(path), format="kobo_csv", sha256=sha256_file(p), encoding=enc)
    return _finish([table], codebook, source, on_mismatch, labels)


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _sheet_rows(
    values: Iterable[Sequence[object]], title: str, file: str
) -> tuple[list[str], list[list[object]]]:
    """Header and rows of a sheet; empty rows at the end (Excel's formatted rows) dropped."""
    rows = iter(values)
    first = next(rows, None)
    if first is None:
        return [], []
    header_cells = list(first)
    while header_cells and _blank(header_cells[-1]):
        header_cells.pop()
    header = ["" if h is None else str(h).strip() for h in header_cells]
    for i, h in enumerate(header):
        if not h:
            raise ReadError(
                f"column {i + 1} has no header",
                where=Where(file=file, sheet=title, line=1),
                rule="kobo.empty-header",
                hint="Every column of a Kobo export has a header; download the export again.",
            )
    width = len(header)
    body: list[list[object]] = []
    pending = 0  # empty rows kept only if a non-empty row follows them
    for raw in rows:
        row = list(raw[:width]) + [None] * (width - len(raw))
        if all(_blank(c) for c in row):
            pending += 1
            continue
        body.extend([None] * width for _ in range(pending))
        pending = 0
        body.append(row)
    return header, body


def _roster_of(title: str, headers: list[str], names: list[str]) -> str | None:
    if title in names:
        return title
    if title.endswith("..."):
        stem = title[:-3]
        matches = [n for n in names if n.startswith(stem)]
        if len(matches) == 1:
            return matches[0]
        for n in matches:
            if any(f"/{n}/" in f"/{h}" for h in headers):
                return n
    return None


def _inferred_roster(title: str, headers: list[str]) -> str:
    if title.endswith("..."):
        stem = title[:-3]
        for h in headers:
            for seg in h.split("/")[:-1]:
                if seg.startswith(stem):
                    return seg
        return stem
    return title


@READERS.register("kobo_xlsx", doc="KoboToolbox XLSX export (main table and repeat sheets)")
def read_kobo_xlsx(
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    on_mismatch: Literal["fail", "note"] = "fail",
    labels: str | None = "auto",
    **options: Any,
) -> Dataset:
    """Read a KoboToolbox XLSX export with its repeat sheets (see the module docstring).

    Parameters are those of :func:`read_kobo_csv` (``encoding`` is ignored: XLSX is Unicode).

    Returns
    -------
    Dataset
        Main table, one roster per repeat sheet (linked by ``_index`` / ``_parent_index``).

    Raises
    ------
    ReadError
        Rules ``kobo.xlsx-unreadable``, ``kobo.empty``, ``kobo.label-headers``.
    DataError
        Rules ``kobo.header-mismatch``, ``kobo.value``, ``kobo.duplicate-name``.
    """
    del encoding
    _options(on_mismatch, labels, options)
    p = Path(path)
    from openpyxl import load_workbook

    try:
        raw = p.read_bytes()
        # a file object: openpyxl then ignores the extension
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds of errors on damaged files
        raise ReadError(
            f"not a readable .xlsx workbook ({type(err).__name__})",
            where=Where(file=str(path)),
            rule="kobo.xlsx-unreadable",
            hint="Download the export again, or open and re-save it in Excel.",
        ) from None
    try:
        sheets = [
            (ws.title, *_sheet_rows(values, ws.title, str(path)))
            for ws, values in xlsx_rows(wb, raw)
        ]
    except ReadError:
        raise
    except Exception as err:  # damaged sheet XML (ParseError, ValueError...)
        raise ReadError(
            f"a sheet of the workbook cannot be read ({type(err).__name__})",
            where=Where(file=str(path)),
            rule="kobo.xlsx-unreadable",
            hint="Download the export again, or open and re-save it in Excel.",
        ) from None
    finally:
        wb.close()
    if not sheets or not sheets[0][1]:
        raise ReadError(
            "the workbook's first sheet has no header row",
            where=Where(file=str(path)),
            rule="kobo.empty",
            hint="The first sheet of a Kobo export is the main table.",
        )
    names = [r.name for r in codebook.rosters] if codebook is not None else []
    tables = [RawTable(None, sheets[0][0], sheets[0][1], sheets[0][2])]
    for title, headers, rows in sheets[1:]:
        if not headers:
            continue
        roster = _roster_of(title, headers, names) if codebook is not None else None
        tables.append(RawTable(roster or _inferred_roster(title, headers), title, headers, rows))
    titles = {t.sheet: t.roster for t in tables[1:]}
    rosters = {t.roster for t in tables[1:]}
    for t in tables[1:]:
        if "_parent_table_name" in t.headers:
            i = t.headers.index("_parent_table_name")
            parent = next((str(r[i]) for r in t.rows if r[i] not in (None, "")), None)
            if parent in rosters:
                t.parent = parent
            elif parent in titles:
                t.parent = titles[parent]
        if t.parent is None and not t.rows:
            for h in t.headers:
                segs = h.split("/")
                if t.roster in segs:
                    before = [x for x in segs[: segs.index(t.roster)] if x in rosters]
                    t.parent = before[-1] if before else None
                    break
    source = SourceInfo(name=str(path), format="kobo_xlsx", sha256=sha256_file(p))
    return _finish(tables, codebook, source, on_mismatch, labels)
