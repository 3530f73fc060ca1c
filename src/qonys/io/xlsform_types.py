"""XLSForm vocabulary: question types, qonys' extra columns, language suffixes.

Question types are parsed as pyxform reads them (``select one`` = ``select_one``, ``begin group``
= ``begin_group``, ``select_one list or_other``) and mapped to qonys' analysis types
(:data:`~qonys._core.codebook.VarType`). Language suffixes follow ``label::Қазақша (kk)``: the
code is the text in parentheses, or the whole suffix when it has none.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from .._core import parse_language_header
from .._core.codebook import VarType

__all__ = [
    "METADATA_TYPES",
    "MISSING_COLUMN",
    "NO_DATA_TYPES",
    "OR_OTHER_SOURCE",
    "REVERSE_COLUMN",
    "SCALE_COLUMN",
    "TRANSLATABLE_CHOICES",
    "TRANSLATABLE_SURVEY",
    "QuestionType",
    "language_code",
    "languages_of",
    "parse_type",
    "translations",
    "var_type_of",
]

SCALE_COLUMN = "qonys_scale"
"""Survey column naming the scale an item belongs to (qonys convention)."""
REVERSE_COLUMN = "qonys_reverse"
"""Survey column marking reverse-keyed scale items (``yes``/``true``/``1``)."""
MISSING_COLUMN = "missing"
"""Choices column marking missing-code choices (``skipped``, ``refused``, ``dont_know``,
``missing``)."""
TRANSLATABLE_SURVEY = (
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "image",
    "big-image",
    "audio",
    "video",
)
"""Survey columns that take a ``::language`` suffix."""
TRANSLATABLE_CHOICES = ("label", "image", "big-image", "audio", "video")
"""Choices columns that take a ``::language`` suffix."""

OR_OTHER_SOURCE = "or_other"
"""``source_type`` of the ``q_other`` text variable that ``or_other`` adds."""

METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
        "imei",
    }
)
"""XLSForm metadata question types: filled in by the device, never asked."""

NO_DATA_TYPES = frozenset(
    {"begin_group", "end_group", "begin_repeat", "end_repeat", "xml-external", "csv-external"}
)
"""Survey rows that produce no variable."""

_TYPE_MAP: dict[str, VarType] = {
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "select_one": "select_one",
    "select_multiple": "select_multiple",
    "select_one_from_file": "select_one",
    "select_multiple_from_file": "select_multiple",
    "select_one_external": "select_one",
    "rank": "other",
    "date": "date",
    "datetime": "datetime",
    "dateTime": "datetime",
    "time": "time",
    "geopoint": "geopoint",
    "start-geopoint": "geopoint",
    "geotrace": "other",
    "geoshape": "other",
    "note": "note",
    "calculate": "calculate",
    "hidden": "text",
    "acknowledge": "other",
    "trigger": "other",
    "start": "datetime",
    "end": "datetime",
    "today": "date",
    "deviceid": "text",
    "imei": "text",
    "subscriberid": "text",
    "simserial": "text",
    "phonenumber": "text",
    "username": "text",
    "email": "text",
    "audit": "other",
    "background-audio": "other",
    "image": "other",
    "photo": "other",
    "audio": "other",
    "video": "other",
    "file": "other",
    "barcode": "other",
    "range": "integer",
}

_MULTIWORD = (
    ("begin group", "begin_group"),
    ("end group", "end_group"),
    ("begin repeat", "begin_repeat"),
    ("end repeat", "end_repeat"),
    ("begin_group", "begin_group"),
    ("begin_repeat", "begin_repeat"),
    ("select one from file", "select_one_from_file"),
    ("select multiple from file", "select_multiple_from_file"),
    ("select all that apply from", "select_multiple"),
    ("select all that apply", "select_multiple"),
    ("add select one prompt using", "select_one"),
    ("add select multiple prompt using", "select_multiple"),
    ("select one from", "select_one"),
    ("select one", "select_one"),
    ("select multiple", "select_multiple"),
    ("select1", "select_one"),
)
_SELECT_BASES = frozenset(
    {
        "select_one",
        "select_multiple",
        "rank",
        "select_one_from_file",
        "select_multiple_from_file",
        "select_one_external",
    }
)


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionType:
    """A parsed XLSForm ``type`` cell.

    Examples
    --------
    >>> t = parse_type("select_one yes_no or_other")
    >>> t.base, t.list_name, t.or_other
    ('select_one', 'yes_no', True)
    >>> parse_type("begin group").base
    'begin_group'
    """

    base: str
    list_name: str | None
    or_other: bool
    raw: str


def parse_type(raw: str) -> QuestionType:
    """Parse a ``type`` cell (aliases such as ``select one`` and ``begin group`` accepted)."""
    text = " ".join(raw.split())
    low = text.lower()
    base, rest = "", ""
    for alias, canonical in _MULTIWORD:
        if low == alias or low.startswith(alias + " "):
            base, rest = canonical, text[len(alias) :].strip()
            break
    if not base:
        first, _, rest = text.partition(" ")
        base = first if first == "dateTime" else first.lower()
        rest = rest.strip()
    list_name: str | None = None
    or_other = False
    if base in _SELECT_BASES and rest:
        parts = rest.split()
        list_name = parts[0]
        or_other = len(parts) > 1 and parts[1].lower() == "or_other"
    return QuestionType(base=base, list_name=list_name, or_other=or_other, raw=text)


def var_type_of(qtype: QuestionType, parameters: str | None = None) -> VarType | None:
    """The analysis type of a question type (``None`` for structure rows and unknown types).

    ``range`` is ``integer`` when its start, end and step are whole numbers, else ``decimal``.

    Examples
    --------
    >>> var_type_of(parse_type("range"), "start=0;end=1;step=0.1")
    'decimal'
    >>> var_type_of(parse_type("start"))
    'datetime'
    """
    if qtype.base in NO_DATA_TYPES:
        return None
    if qtype.base == "range":
        values = dict(
            (k.strip(), v.strip())
            for k, _, v in (p.partition("=") for p in re.split(r"[;,\s]+", parameters or ""))
            if k.strip()
        )
        for key in ("start", "end", "step"):
            text = values.get(key)
            if text is not None:
                try:
                    if not float(text).is_integer():
                        return "decimal"
                except ValueError:
                    return "decimal"
        return "integer"
    return _TYPE_MAP.get(qtype.base)


def language_code(display: str) -> str:
    """Code of a language header suffix (``"Қазақша (kk)"`` -> ``"kk"``).

    Examples
    --------
    >>> language_code("Русский (ru)"), language_code("English")
    ('ru', 'English')
    """
    code = parse_language_header(f"x::{display}")[1]
    return code if code is not None else display


def translations(cells: Mapping[str, str], column: str) -> dict[str, str]:
    """Language code -> text for ``column`` (``label``) and its ``column::lang`` variants."""
    out: dict[str, str] = {}
    for header, value in cells.items():
        base, _code, display = parse_language_header(header)
        if base != column:
            continue
        out["default" if display is None else language_code(display)] = value
    return out


def languages_of(headers: Iterable[str]) -> dict[str, str]:
    """Code -> display name of every language suffix among ``headers``, first spelling kept."""
    out: dict[str, str] = {}
    for header in headers:
        _base, _code, display = parse_language_header(header)
        if display is not None:
            out.setdefault(language_code(display), display)
    return out
