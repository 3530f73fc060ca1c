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
from pathlib import Path
from typing import Any

import pandas as pd

from .._core import (
    Codebook,
    Dataset,
    ReadError,
    Where,
    WriteError,
)
from . import _tabular_parquet, _tabular_xlsx  # noqa: F401  (register xlsx and parquet)
from ._registry import READERS, WRITERS
from ._tabular_common import (
    SIDECAR_SUFFIX,
    Meta,
    check_options,
    check_writable,
    convert_table,
    finish,
    kinds_for,
    resolve_meta,
    roster_path,
    sidecar_path,
    write_bytes,
    write_sidecar,
)
from ._tabular_convert import format_column
from ._tabular_csv import decode, parse_csv

__all__ = [
    "SIDECAR_SUFFIX",
    "read_csv",
    "roster_path",
    "sidecar_path",
    "write_csv",
]


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
    columns = [
        format_column(frame.iloc[:, j], kinds[str(c)], file=file, sheet=sheet)
        for j, c in enumerate(frame.columns)
    ]
    writer.writerows(zip(*columns, strict=True))
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
    write_bytes(
        p, _csv_bytes(dataset.data, dataset.codebook, file=str(p), sheet=None, delimiter=delimiter)
    )
    written.append(p)
    for name, table in dataset.rosters.items():
        rp = roster_path(p, name)
        write_bytes(
            rp, _csv_bytes(table, dataset.codebook, file=str(rp), sheet=name, delimiter=delimiter)
        )
        written.append(rp)
    written.append(write_sidecar(dataset, p)[0])
    return written
