"""The ``qonys-data`` document lines: what a .sav cannot say, stored inside the .sav.

An SPSS dictionary has no room for XLSForm names with ``/``, string choice codes, the kind of a
missing code, labels in a second language, routing or multiple-response sets (pyreadstat cannot
write MRSETS). qonys' SPSS writer therefore adds to the file's *documents* (``DOCUMENT`` lines,
shown by SPSS under *File > Display Data File Information*) one header line::

    qonys: the qonys-data lines restore names, codes, languages and missing kinds

followed by lines starting ``qonys-data:`` that hold, base64-encoded and zlib-compressed, a JSON
object (format version ``"v": 1``):

``lang``
    language code of the labels written into the dictionary;
``names``
    written (SPSS-safe) name -> qonys name, for renamed variables only;
``recode``
    qonys name -> string choice codes in order; code ``i`` in the file is the ``i``-th of them;
``fp``
    written name -> fingerprint of the variable's label, value labels and missing values as
    written. The reader trusts the stored metadata of a variable only while its fingerprint still
    matches the file, so a label edited in SPSS afterwards wins over the stored one;
``codebook``
    the full codebook (:meth:`~qonys._core.codebook.Codebook.to_dict`);
``rosters``
    repeat group -> file name of its table, written beside the main file.

Lines are at most 80 bytes, SPSS's document line length. Other documents are kept as codebook
notes. A damaged block is ignored with a note: the file's own dictionary is always enough to
read the data.

Examples
--------
>>> lines = pack({"v": 1, "names": {"q5_a": "q5/a"}})
>>> lines[0].startswith("qonys:")
True
>>> payload, other, problem = unpack(["Entered 1 Jan 2026", *lines])
>>> payload["names"], other, problem
({'q5_a': 'q5/a'}, ['Entered 1 Jan 2026'], None)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "DATA_PREFIX",
    "HEADER",
    "LINE_BYTES",
    "canon_missing",
    "fingerprint",
    "note_lines",
    "pack",
    "unpack",
]

HEADER = "qonys: the qonys-data lines restore names, codes, languages and missing kinds"
DATA_PREFIX = "qonys-data:"
LINE_BYTES = 80
FORMAT_VERSION = 1


def pack(payload: Mapping[str, Any]) -> list[str]:
    """Document lines holding ``payload`` (header line first)."""
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_plain)
    text = base64.b64encode(zlib.compress(raw.encode("utf-8"), 9)).decode("ascii")
    width = LINE_BYTES - len(DATA_PREFIX)
    return [HEADER] + [DATA_PREFIX + text[i : i + width] for i in range(0, len(text), width)]


def _plain(obj: Any) -> Any:
    """numpy scalars as Python numbers (codes keep their type); anything else as text."""
    item = getattr(obj, "item", None)
    return item() if callable(item) else str(obj)


def unpack(lines: Iterable[str]) -> tuple[dict[str, Any] | None, list[str], str | None]:
    """Split document lines into (payload or None, other lines, problem or None)."""
    chunks: list[str] = []
    other: list[str] = []
    for line in lines:
        text = line.strip()
        if text.startswith(DATA_PREFIX):
            chunks.append(text[len(DATA_PREFIX) :])
        elif text != HEADER:
            other.append(line)
    if not chunks:
        return None, other, None
    try:
        raw = zlib.decompress(base64.b64decode("".join(chunks), validate=True))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError):
        return None, other, "the qonys-data document lines are damaged; read the dictionary only"
    if not isinstance(payload, dict) or payload.get("v") != FORMAT_VERSION:
        return None, other, "the qonys-data document lines have an unknown format; ignored"
    return payload, other, None


def _canon(code: object) -> object:
    if isinstance(code, str):
        return code.rstrip()
    try:
        return float(code)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(code)


def canon_missing(ranges: Sequence[Mapping[str, Any]] | None) -> list[tuple[object, object]]:
    """pyreadstat's ``missing_ranges`` entry of one variable as sorted ``(lo, hi)`` pairs.

    >>> canon_missing([{"lo": 9.0, "hi": 9.0}, {"lo": 1, "hi": 2}])
    [(1.0, 2.0), (9.0, 9.0)]
    """
    pairs = [(_canon(r["lo"]), _canon(r["hi"])) for r in ranges or ()]
    return sorted(pairs, key=lambda p: (str(type(p[0])), p))


def fingerprint(
    label: str | None,
    value_labels: Mapping[Any, str] | None,
    missing: Sequence[tuple[object, object]],
) -> str:
    """Short hash of what SPSS holds about one variable (trailing spaces ignored).

    >>> fingerprint("Age", {1: "a"}, []) == fingerprint("Age  ", {1.0: "a"}, [])
    True
    """
    vl = sorted(
        ((_canon(k), str(v).rstrip()) for k, v in (value_labels or {}).items()),
        key=lambda p: (str(type(p[0])), p),
    )
    blob = json.dumps([(label or "").rstrip(), vl, list(missing)], ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def note_lines(notes: Sequence[str]) -> list[str]:
    """Notes as SPSS document lines of at most 80 bytes, broken at spaces where possible.

    >>> [len(line) for line in note_lines(["word " * 20, "x" * 90])]
    [79, 19, 80, 10]
    """
    out: list[str] = []
    for note in notes:
        for para in str(note).splitlines() or [""]:
            line = ""
            for word in para.split():
                while len(word.encode("utf-8")) > LINE_BYTES:
                    head = word.encode("utf-8")[:LINE_BYTES].decode("utf-8", errors="ignore")
                    if line:
                        out.append(line)
                        line = ""
                    out.append(head)
                    word = word[len(head) :]
                cand = f"{line} {word}" if line else word
                if len(cand.encode("utf-8")) > LINE_BYTES:
                    out.append(line)
                    line = word
                else:
                    line = cand
            out.append(line)
    return out
