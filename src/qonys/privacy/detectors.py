"""Rule-based detectors of direct identifiers common in Kazakhstan.

In values (free-text answers, and numbers for IINs and phones):

``iin`` / ``possible_iin``
    12 digits with a birth date, a century/sex digit 1-6 and the check digit of
    :mod:`qonys.privacy.iin` (wrong check digit: ``possible_iin``). In integer columns an IIN
    that lost its leading zero (born 2000-2009) is found too.
``phone``
    +7 or 8 followed by 10 digits written with spaces, dashes or parentheses (other +7/8
    numbers, such as Russian ones, count too); without a country code, only a Kazakh mobile
    number (700-708, 747, 760-764, 771, 775-778, 785: the ranges of libphonenumber's KZ
    metadata), or a leading 7 followed by a Kazakh mobile or landline (area codes 71x, 72x).
``email``
    ``name@domain.tld``.
``person_name``
    a capitalised word ending in a Kazakh patronymic (-ұлы, -улы, -қызы, -кызы) or a Russian one
    (-ович, -евич, -ьич, -овна, -евна, -ична) and their Latin spellings (-uly, -kyzy, -ovich,
    -ovna...); a surname with initials (``Иванов И.И.``, ``А.Б. Серікбаев``); a common first
    name next to a surname-shaped word (-ов, -ева, -ин, -баев, -ко...); or an answer that is
    nothing but one to three capitalised words including a common first name.

Text is normalised to Unicode NFC and the Latin look-alikes ``ə`` and ``Ə`` typed for Kazakh
``ә``/``Ә`` are folded before matching. The rules aim at recall with few false alarms; a human
should review the report (names are the least certain).

Examples
--------
>>> sorted(find_identifiers("Звоните: +7 (701) 234-56-78, Ерлан Серікұлы"))
['person_name', 'phone']
>>> find_identifiers("ЖСН 900101300126")
{'iin': '900101300126'}
"""

from __future__ import annotations

import re
import unicodedata

from ._names import FIRST_NAMES
from .iin import iin_kind

__all__ = ["find_identifiers", "identifiers_in_number"]

_UP = "А-ЯЁӘІҢҒҮҰҚӨҺ"
_LO = "а-яёәіңғүұқөһ"
_WORD = rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?"
_LATIN_WORD = r"[A-Z][a-z]+"

_IIN_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?P<prefix>\+\s*7|8|7)?[\s\-]{0,2}(?P<body>\(?\d(?:[\s\-()]{0,3}\d){9})(?!\d)"
)
_KZ_MOBILE = re.compile(r"^7(?:0[0-25-8]|47|6[0-4]|7[15-8]|85)\d{7}$")
_KZ_FIXED = re.compile(r"^7[12]\d{8}$")
_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
_PATRONYMIC_RE = re.compile(
    rf"\b[{_UP}][{_LO}]+(?:ұлы|улы|қызы|кызы|ович|евич|ьич|овна|евна|ична)\b"
    rf"|\b[A-Z][a-z]+(?:uly|ulu|kyzy|qyzy|ovich|evich|ovna|evna)\b"
)
_SURNAME_END = (
    "ов|ев|ёв|ова|ева|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|енко|ко|ук|юк|бай|баев|баева|"
    "беков|бекова|ұлы|улы|қызы|кызы"
)
_SURNAME = rf"[{_UP}][{_LO}]*(?:{_SURNAME_END})"
_INITIALS_RE = re.compile(
    rf"\b{_WORD}\s+[{_UP}]\.\s?[{_UP}]\.|\b[{_UP}]\.\s?[{_UP}]\.\s?{_WORD}\b"
    rf"|\b{_SURNAME}\s+[{_UP}]\.(?!\s?[{_UP}]\.)|\b[{_UP}]\.\s?{_SURNAME}\b"
    rf"|\b{_LATIN_WORD}\s+[A-Z]\.\s?[A-Z]\.|\b[A-Z]\.\s?[A-Z]\.\s?{_LATIN_WORD}\b"
)
_TOKEN_RE = re.compile(rf"[{_UP}{_LO}]+(?:-[{_UP}{_LO}]+)?")
_SURNAME_WORD = re.compile(rf"^{_SURNAME}$")
_FOLD = str.maketrans({"ə": "ә", "Ə": "Ә"})


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_FOLD)


def _is_phone(m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group("body"))
    prefix = m.group("prefix")
    if prefix is None or prefix == "7":
        # no country code: only a Kazakh mobile number is specific enough; a bare leading 7
        # is a country code only when a Kazakh number follows
        return bool(_KZ_MOBILE.match(digits)) or (prefix == "7" and bool(_KZ_FIXED.match(digits)))
    return True


def _names(text: str) -> str | None:
    m = _PATRONYMIC_RE.search(text) or _INITIALS_RE.search(text)
    if m is not None:
        return m.group(0)
    tokens = [(t.group(0), t.start()) for t in _TOKEN_RE.finditer(text)]
    for i, (tok, _) in enumerate(tokens):
        if tok not in FIRST_NAMES:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(tokens) and _SURNAME_WORD.match(tokens[j][0]):
                return tok
    words = text.split()
    only_names = 1 <= len(words) <= 3 and all(
        _TOKEN_RE.fullmatch(w) and w[0].isupper() for w in words
    )
    if only_names and any(w in FIRST_NAMES for w in words):
        return words[0]
    return None


def find_identifiers(text: str) -> dict[str, str]:
    """Identifier kinds found in ``text``, each with the first matching substring.

    The substring is for masking only (see :func:`qonys.privacy.scan`); never print it.
    """
    t = _normalise(text)
    found: dict[str, str] = {}
    for m in _IIN_RE.finditer(t):
        kind = iin_kind(m.group(0))
        if kind is not None and (kind not in found) and not ("iin" in found and kind != "iin"):
            found[kind] = m.group(0)
    if "iin" in found:
        found.pop("possible_iin", None)
    for m in _PHONE_RE.finditer(t):
        if _is_phone(m):
            found["phone"] = m.group(0).strip()
            break
    m_mail = _EMAIL_RE.search(t)
    if m_mail is not None:
        found["email"] = m_mail.group(0)
    name = _names(t)
    if name is not None:
        found["person_name"] = name
    return found


def identifiers_in_number(value: int) -> dict[str, str]:
    """Identifier kinds an integer cell can be: an IIN (leading zero restored) or a phone.

    >>> identifiers_in_number(50101500127)
    {'iin': '050101500127'}
    >>> identifiers_in_number(87012345678)
    {'phone': '87012345678'}
    """
    if value < 0:
        return {}
    text = str(value)
    if len(text) <= 12:
        padded = text.zfill(12)
        kind = iin_kind(padded)
        if kind == "iin" or (kind == "possible_iin" and len(text) == 12):
            return {kind: padded}
    if len(text) == 11 and text[0] in "78":
        return {"phone": text}
    if len(text) == 10 and _KZ_MOBILE.match(text):
        return {"phone": text}
    return {}
