"""Strict CSV text handling: decoding, delimiter sniffing and parsing with line numbers.

* Decoding is strict: the encoding is the one given, else UTF-8 (a byte-order mark is
  skipped). Undecodable bytes are a ``ReadError`` (rule ``csv.encoding``) naming the line, and
  the hint suggests ``--encoding cp1251`` when the bytes read well as Windows Cyrillic; there is
  no fallback chain (a fallback to latin-1 never fails and turns Cyrillic into mojibake).
* The delimiter is the one given, else the one of ``, ; TAB |`` that splits the first records
  into the same, largest number of fields (Kobo writes ``;``, ODK Central ``,``).
* Parsing is strict: a quote that is never closed, or text after a closing quote, is a
  ``ReadError`` (rule ``csv.quote``) naming the line where the field began; a record with more
  or fewer fields than the header is ``csv.ragged``. Blank lines are not records; how many were
  skipped is reported in the dataset's notes.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from itertools import islice

from .._core import ReadError, Where

__all__ = ["CsvTable", "decode", "parse_csv", "sniff_delimiter"]

DELIMITERS = ",;\t|"
_SAMPLE = 64 * 1024


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A parsed CSV file: header, records (lists of strings) and their first physical lines."""

    header: list[str]
    records: list[list[str]]
    lines: list[int]
    delimiter: str
    blank_lines: int
    dropped_trailing_column: bool


def _looks_cp1251(raw: bytes) -> bool:
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        return False
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    cyrillic = sum(1 for c in non_ascii if "\u0400" <= c <= "\u04ff")
    return cyrillic / len(non_ascii) >= 0.7


def decode(raw: bytes, encoding: str | None, file: str) -> tuple[str, str]:
    """Decode ``raw`` strictly; return the text and the encoding used.

    Examples
    --------
    >>> decode("қала".encode("utf-8-sig"), None, "x.csv")
    ('қала', 'utf-8')
    >>> try:
    ...     decode("город".encode("cp1251"), None, "x.csv")
    ... except ReadError as err:
    ...     print(err.rule, "|", err.hint[:40])
    csv.encoding | The bytes look like Windows Cyrillic: re
    """
    if encoding is None and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(
            "the file is UTF-16 text",
            where=Where(file=file, line=1),
            rule="csv.encoding",
            hint="Read again with --encoding utf-16 (encoding='utf-16').",
        )
    name = encoding or "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ReadError(
            f"unknown encoding {name!r}",
            where=Where(file=file, key="encoding"),
            rule="csv.unknown-encoding",
            hint="Use a Python codec name: utf-8, cp1251, cp866, koi8-r, utf-16.",
        ) from None
    used = "utf-8" if info.name in ("utf-8", "utf-8-sig") else info.name
    try:
        text = raw.decode("utf-8-sig" if used == "utf-8" else info.name)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 1].hex()
        if used == "utf-8" and _looks_cp1251(raw):
            hint = (
                "The bytes look like Windows Cyrillic: read again with --encoding cp1251 "
                "(encoding='cp1251')."
            )
        else:
            hint = "Give the file's encoding with --encoding (encoding=...), e.g. cp1251."
        raise ReadError(
            f"the file is not valid {'UTF-8' if used == 'utf-8' else used} text "
            f"(byte 0x{bad} at offset {err.start})",
            where=Where(file=file, line=line),
            rule="csv.encoding",
            hint=hint,
        ) from None
    return text, used


def _score(sample: str, delimiter: str, truncated: bool) -> tuple[bool, int]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        rows = [r for r in islice(reader, 50) if r]
    except csv.Error:
        return (False, 0)
    if truncated and len(rows) > 1:
        rows = rows[:-1]
    if not rows:
        return (False, 0)
    width = len(rows[0])
    return (all(len(r) == width for r in rows), width if width > 1 else 0)


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the first records most consistently.

    Examples
    --------
    >>> sniff_delimiter('"a";"b, c"\\r\\n"1";"2"\\r\\n')
    ';'
    >>> sniff_delimiter("x\\n1\\n")
    ','
    """
    sample = text[:_SAMPLE]
    truncated = len(text) > _SAMPLE
    best, best_score = ",", (False, 0)
    for d in DELIMITERS:
        score = _score(sample, d, truncated)
        if score[1] > 0 and score > best_score:
            best, best_score = d, score
    return best


def parse_csv(text: str, *, delimiter: str | None, file: str) -> CsvTable:
    """Parse CSV text strictly (see the module docstring)."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise ReadError(
            f"the delimiter must be one character other than a quote or newline, got {delimiter!r}",
            where=Where(file=file, key="delimiter"),
            rule="csv.delimiter",
            hint="Use one of , ; | or a tab.",
        )
    delim = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    blank = 0
    prev = 0
    while True:
        start = prev + 1
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise _csv_error(str(err), start, reader.line_num, file) from None
        prev = reader.line_num
        if not rec:
            blank += 1
            continue
        if header is None:
            header = [h.strip() for h in rec]
            _check_header(header, file)
            continue
        records.append(rec)
        lines.append(start)
    if header is None:
        raise ReadError(
            "the file has no header line",
            where=Where(file=file),
            rule="csv.empty",
            hint="The first line must name the columns.",
        )
    dropped = False
    if header[-1] == "" and len(header) > 1:
        if all(len(r) == len(header) and r[-1] == "" for r in records):
            header = header[:-1]
            records = [r[:-1] for r in records]
            dropped = True
        else:
            _empty_header(len(header), file)
    for h_i, h in enumerate(header):
        if h == "":
            _empty_header(h_i + 1, file)
    width = len(header)
    for i, (rec, line) in enumerate(zip(records, lines, strict=True)):
        if len(rec) != width:
            raise ReadError(
                f"this record has {len(rec)} fields but the header has {width}",
                where=Where(file=file, row=i + 1, line=line),
                rule="csv.ragged",
                hint=f"Check the delimiter ({delim!r}) and quotes on that line; "
                "a value containing the delimiter must be quoted.",
            )
    return CsvTable(header, records, lines, delim, blank, dropped)


def _csv_error(message: str, start: int, current: int, file: str) -> ReadError:
    if "unexpected end of data" in message or "expected after" in message:
        if "unexpected end of data" in message:
            text, line = f"a quoted field opened on line {start} is never closed", start
        else:
            text, line = "text follows a closing quote", current
        return ReadError(
            text,
            where=Where(file=file, line=line),
            rule="csv.quote",
            hint='Quotes inside a quoted value must be doubled ("").',
        )
    if "field larger" in message:
        return ReadError(
            "a field is larger than 128 KiB",
            where=Where(file=file, line=start),
            rule="csv.field-too-large",
            hint="Check for an unclosed quote, or store long texts in a separate file.",
        )
    return ReadError(
        f"malformed CSV ({message})",
        where=Where(file=file, line=current),
        rule="csv.format",
        hint="Re-export the file as CSV from its source program.",
    )


def _check_header(header: list[str], file: str) -> None:
    seen: set[str] = set()
    for h in header:
        if h in seen and h != "":
            raise ReadError(
                f"column {h!r} appears twice in the header",
                where=Where(file=file, line=1, variable=h),
                rule="csv.duplicate-column",
                hint="Give every column a unique name.",
            )
        seen.add(h)


def _empty_header(position: int, file: str) -> None:
    raise ReadError(
        f"column {position} has no name",
        where=Where(file=file, line=1),
        rule="csv.empty-header",
        hint="Name every column in the header line.",
    )
