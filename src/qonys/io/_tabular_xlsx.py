"""XLSX survey data with a YAML codebook sidecar (see :mod:`qonys.io.tabular`).

The main table is the first sheet (``data`` when qonys writes it); each roster is the sheet
named after it (cut to Excel's 31 characters). Entirely empty rows are not records (a note
counts them). Text that starts with ``=`` is written as text, never as a formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, QonysError, ReadError, Where, WriteError
from ._registry import READERS, WRITERS
from ._tabular_common import (
    Meta,
    check_options,
    check_writable,
    convert_table,
    finish,
    resolve_meta,
    write_sidecar,
)
from ._xlsx_cells import open_fast, rows_of

__all__ = ["read_xlsx", "write_xlsx"]

_MAX_CELL = 32_767
_SHEET_FORBIDDEN = set("[]:*?/\\")


def _sheet_name(name: str) -> str:
    return name[:31]


def _corrupt(path: Path, err: BaseException) -> ReadError:
    return ReadError(
        f"not a readable .xlsx workbook ({type(err).__name__})",
        where=Where(file=str(path)),
        rule="xlsx.corrupt",
        hint="Re-save the file from Excel or LibreOffice as .xlsx.",
    )


def _sheet_frame(
    values: Iterable[Sequence[object]], path: Path, sheet: str, meta: Meta
) -> pd.DataFrame:
    rows = [list(r) for r in values]
    while rows and all(v is None for v in rows[0]):
        rows.pop(0)
    if not rows:
        return pd.DataFrame()
    header = rows[0]
    last = max((i for i, h in enumerate(header) if h is not None), default=-1)
    body = rows[1:]
    for i, r in enumerate(body):
        if any(v is not None for v in r[last + 1 :]):
            raise ReadError(
                f"column {last + 2} has data but no name",
                where=Where(file=str(path), sheet=sheet, row=i + 1),
                rule="xlsx.empty-header",
                hint="Name every column in the first row.",
            )
    names: list[str] = []
    for j, h in enumerate(header[: last + 1]):
        if h is None or str(h).strip() == "":
            raise ReadError(
                f"column {j + 1} has no name",
                where=Where(file=str(path), sheet=sheet),
                rule="xlsx.empty-header",
                hint="Name every column in the first row.",
            )
        name = _cell_name(h)
        if name in names:
            raise ReadError(
                f"column {name!r} appears twice in the header",
                where=Where(file=str(path), sheet=sheet, variable=name),
                rule="xlsx.duplicate-column",
                hint="Give every column a unique name.",
            )
        names.append(name)
    records = []
    blank = 0
    for r in body:
        cells = (r + [None] * (last + 1 - len(r)))[: last + 1]
        if all(v is None or (isinstance(v, str) and v == "") for v in cells):
            blank += 1
            continue
        records.append(cells)
    if blank:
        meta.notes.append(f"{path.name}, sheet {sheet}: {blank} empty row(s) skipped")
    frame = pd.DataFrame(records, columns=names, dtype=object)
    return convert_table(frame, meta, file=str(path), sheet=sheet)


def _cell_name(h: object) -> str:
    if isinstance(h, float) and h == int(h):
        return str(int(h))
    return str(h).strip()


@READERS.register("xlsx", doc="XLSX with a YAML codebook sidecar")
def read_xlsx(
    path: Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    **options: Any,
) -> Dataset:
    """Read an XLSX workbook (main sheet and roster sheets) with its codebook.

    Parameters
    ----------
    path : Path
        The workbook.
    codebook : Codebook, optional
        Metadata; else the sidecar, else inferred.
    encoding : str, optional
        Not used (XLSX text is always Unicode); accepted for the common reader signature.
    sheet : str, optional
        Sheet holding the main table; the first sheet when omitted.
    """
    p = Path(path)
    check_options(options, str(p))
    meta = resolve_meta(p, codebook)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise _corrupt(p, err) from None
    try:
        from openpyxl import load_workbook

        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged zip or XML
        raise _corrupt(p, err) from None
    book = None
    try:
        book = open_fast(wb, raw)
        sheets = list(wb.sheetnames)
        if not sheets:
            raise _corrupt(p, ValueError("no sheets"))
        main_name = sheet if sheet is not None else sheets[0]
        if main_name not in sheets:
            raise ReadError(
                f"no sheet {main_name!r}",
                where=Where(file=str(p), sheet=main_name),
                rule="xlsx.unknown-sheet",
                hint=f"Sheets: {', '.join(sheets)}.",
            )
        main = _sheet_frame(rows_of(wb, wb[main_name], book), p, main_name, meta)
        rosters: dict[str, pd.DataFrame] = {}
        for r in meta.codebook.rosters if meta.codebook is not None else ():
            name = _sheet_name(r.name)
            if name in sheets and name != main_name:
                rosters[r.name] = _sheet_frame(rows_of(wb, wb[name], book), p, r.name, meta)
            else:
                meta.notes.append(f"roster {r.name!r}: no sheet {name!r}")
    except QonysError:
        raise
    except Exception as err:  # damaged sheet XML surfaces while iterating
        raise _corrupt(p, err) from None
    finally:
        if book is not None:
            book.close()
        wb.close()
    return finish(main, rosters, meta, path=p, fmt="xlsx", raw_bytes=raw, encoding=None)


_FORCE_TEXT = object()


def _cell(x: object, *, file: str, sheet: str, row: int, variable: str) -> Any:
    """The value to store; text starting with ``=`` comes back as ``(_FORCE_TEXT, text)``."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    where = Where(file=file, sheet=sheet, row=row, variable=variable)
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float | np.floating):
        if math.isnan(x):
            return None
        if not math.isfinite(x):
            raise WriteError(
                f"value {x} cannot be stored in Excel",
                where=where,
                rule="tabular.non-finite",
                hint="Replace infinite values by a missing code before writing.",
            )
        return float(x)
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, pd.Timestamp):
        return x.isoformat() if x.tzinfo is not None else x.to_pydatetime()
    if isinstance(x, datetime):
        return x.isoformat() if x.tzinfo is not None else x
    if isinstance(x, date | time):
        return x
    if isinstance(x, str):
        if ILLEGAL_CHARACTERS_RE.search(x):
            raise WriteError(
                "the text contains control characters Excel cannot store",
                where=where,
                rule="xlsx.illegal-character",
                hint="Remove control characters, or write CSV or Parquet instead.",
            )
        if len(x) > _MAX_CELL:
            raise WriteError(
                f"the text is longer than Excel's {_MAX_CELL} characters per cell",
                where=where,
                rule="xlsx.cell-too-long",
                hint="Write CSV or Parquet for long texts.",
            )
        if x == "":
            return None
        return (_FORCE_TEXT, x) if x.startswith("=") else x
    raise WriteError(
        f"a {type(x).__name__} value cannot be written to a table",
        where=where,
        rule="tabular.unsupported-value",
        hint="Store numbers, text or dates in data columns.",
    )


def _rows(table: pd.DataFrame, file: str, sheet: str) -> list[list[Any]]:
    """Every row converted (and checked) before the workbook is opened."""
    cols = [table[c].tolist() for c in table.columns]
    names = [str(c) for c in table.columns]
    return [
        [
            _cell(col[i], file=file, sheet=sheet, row=i + 1, variable=v)
            for col, v in zip(cols, names, strict=True)
        ]
        for i in range(len(table))
    ]


def _as_cell(ws: Any, value: Any, cell_type: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] is _FORCE_TEXT:
        c = cell_type(ws, value=value[1])
        c.data_type = "s"
        return c
    return value


@WRITERS.register("xlsx", doc="XLSX (one sheet per table) with a YAML codebook sidecar")
def write_xlsx(dataset: Dataset, path: Path, **options: Any) -> list[Path]:
    """Write the main table (sheet ``data``), one sheet per roster, and the sidecar."""
    from openpyxl import Workbook

    p = Path(path)
    check_options(options, str(p))
    check_writable(dataset, str(p))
    names = {"data": "main table"}
    for r in dataset.rosters:
        sn = _sheet_name(r)
        if sn in names or set(sn) & _SHEET_FORBIDDEN:
            raise WriteError(
                f"roster {r!r} cannot be a sheet name (Excel: 31 characters, no []:*?/\\, unique)",
                where=Where(file=str(p), sheet=r),
                rule="xlsx.sheet-name",
                hint="Rename the roster, or write CSV or Parquet.",
            )
        names[sn] = r
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for sn, table_name in names.items():
        table = dataset.data if table_name == "main table" else dataset.rosters[table_name]
        label = sn if table_name == "main table" else table_name
        sheets.append((sn, [str(c) for c in table.columns], _rows(table, str(p), label)))
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for sn, header, rows in sheets:
        ws = wb.create_sheet(sn)
        ws.append(header)
        for row in rows:
            ws.append([_as_cell(ws, v, WriteOnlyCell) for v in row])
    try:
        wb.save(p)
    except OSError as err:
        raise WriteError(
            f"cannot write the file ({err.strerror or type(err).__name__})",
            where=Where(file=str(p)),
            rule="write.os-error",
            hint="Close the workbook in Excel and check the folder is writable.",
        ) from None
    return [p, write_sidecar(dataset, p)[0]]
