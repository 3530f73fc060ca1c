"""CSV exports of XLSForm data (KoboToolbox, ODK Central, ODK Briefcase) -> raw tables.

The text is decoded strictly (UTF-8 with or without a byte-order mark unless ``encoding`` is
given); the delimiter is sniffed among ``;``, ``,`` and tab (Kobo writes ``;``, ODK ``,``);
quoting follows RFC 4180 (doubled quotes, line breaks inside quoted fields) and a broken quote
is an error, never a silently merged row. Blank lines are skipped. A record with more fields
than the header is an error; one with fewer (older ODK Central servers leave out empty trailing
fields) is padded with empty fields and counted in the dataset's source notes.

Rules: ``<dialect>.empty``, ``<dialect>.encoding``, ``<dialect>.csv-syntax``,
``<dialect>.csv-row-length``, ``<dialect>.duplicate-column``, ``<dialect>.empty-header``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .._core import ReadError, Where
from .xlsform_data import RawTable

__all__ = ["decode_text", "read_csv_table", "sniff_delimiter"]


def decode_text(data: bytes, encoding: str | None, *, file: str, prefix: str) -> tuple[str, str]:
    """Decode ``data`` strictly; return (text, encoding used)."""
    enc = encoding or "utf-8-sig"
    try:
        return data.decode(enc), enc
    except LookupError:
        raise ReadError(
            f"unknown encoding {enc!r}",
            where=Where(file=file, key="encoding"),
            rule="read.encoding",
            hint="Use a Python codec name such as 'utf-8' or 'cp1251'.",
        ) from None
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ReadError(
            f"the bytes at offset {err.start} are not valid {enc}",
            where=Where(file=file, line=line),
            rule=f"{prefix}.encoding",
            hint="Exports from KoboToolbox and ODK are UTF-8; if the file was re-saved by "
            "Excel, pass its encoding (encoding='cp1251').",
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: ``;``, ``,`` or tab.

    Examples
    --------
    >>> sniff_delimiter('"a";"b"\\r\\n"1";"2"\\r\\n')
    ';'
    """
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(";,\t", key=first.count) if first else ","


def read_csv_table(
    path: Path,
    *,
    data: bytes | None = None,
    encoding: str | None,
    prefix: str,
    roster: str | None = None,
    sheet: str | None = None,
) -> tuple[RawTable, str]:
    """Read one CSV export into a :class:`RawTable`; return it with the encoding used."""
    file = str(path)
    raw = path.read_bytes() if data is None else data
    text, enc = decode_text(raw, encoding, file=file, prefix=prefix)
    if not text.strip():
        raise ReadError(
            "the file is empty",
            where=Where(file=file),
            rule=f"{prefix}.empty",
            hint="Download the export again.",
        )
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[list[object]] = []
    lines: list[int] = []
    last = 0
    short = 0
    name = sheet or path.name
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            if not record:
                continue
            if header is None:
                header = [h.strip() for h in record]
                continue
            if len(record) > len(header):
                raise ReadError(
                    f"this record has {len(record)} fields, the header {len(header)}",
                    where=Where(file=file, sheet=name, row=len(rows) + 1, line=start),
                    rule=f"{prefix}.csv-row-length",
                    hint="The file is damaged or was edited by hand; download the export again.",
                )
            if len(record) < len(header):
                short += 1
            rows.append([*record, *([""] * (len(header) - len(record)))])
            lines.append(start)
    except csv.Error as err:
        raise ReadError(
            f"the CSV text is malformed ({err})",
            where=Where(file=file, sheet=name, line=reader.line_num),
            rule=f"{prefix}.csv-syntax",
            hint="Look for an unbalanced double quote near that line, or download the export "
            "again.",
        ) from None
    if header is None:
        raise ReadError(
            "the file has no header line",
            where=Where(file=file),
            rule=f"{prefix}.empty",
            hint="Download the export again.",
        )
    seen: set[str] = set()
    for i, h in enumerate(header):
        if not h:
            raise ReadError(
                f"column {i + 1} has no header",
                where=Where(file=file, sheet=name, line=1),
                rule=f"{prefix}.empty-header",
                hint="Every column of an export has a header; download the export again.",
            )
        if h in seen:
            raise ReadError(
                f"column {h!r} appears twice in the header",
                where=Where(file=file, sheet=name, line=1, variable=h),
                rule=f"{prefix}.duplicate-column",
                hint="Export again without editing the header.",
            )
        seen.add(h)
    table = RawTable(roster, name, header, rows, lines)
    if short:
        table.notes.append(
            f"{name}: {short} record(s) shorter than the header; their missing trailing fields "
            "are read as empty"
        )
    return table, enc
