"""Character encodings of SPSS and Stata files: the fallback chain and the mojibake check.

Modern SPSS files record their encoding and pyreadstat decodes them by it. Legacy Russian and
Kazakh files often record none, or a wrong one (Windows-1252 while the text is Windows-1251), and
decoding them "successfully" gives mojibake: text that is valid but wrong. Since a single-byte
code page decodes any bytes, a successful decode proves nothing (the trap of a
``['latin1', 'cp1252', 'utf-8']`` loop). qonys therefore checks the decoded labels and strings
and never accepts a decoding that looks like mojibake.

The checks (each on all the file's names, labels, documents and distinct string values):

``utf8-as-single-byte``
    UTF-8 text read with a single-byte code page (``Ð¡Ð¸`` in Windows-1252, ``РЎРё`` in
    Windows-1251, ``╨б╨╕`` in CP866): re-encoding the text with that code page gives valid
    UTF-8 for at least half of the strings that hold non-ASCII characters.
``cyrillic-as-latin``
    Windows-1251 (or KOI8-R, CP866) text read as Latin: words of four letters or more made only
    of the letters ``À``-``ÿ`` (``Ñèíòåòè÷åñêèé``), at least two of them and at least half of
    the words holding non-ASCII letters.
``wrong-cyrillic-code-page``
    KOI8-R read as Windows-1251 or the reverse turns the case of every letter (``Вопрос`` becomes
    ``чПРТПУ``; flagged from two such words, or when a third of the Cyrillic words switch from
    lower to upper case inside the word); CP866 read as Windows-1251 puts signs and Serbian
    letters between letters (``‚®Їа®б``; flagged when two words and a third of the Cyrillic
    words show it); a Cyrillic code page read as another one that has box-drawing characters
    where letters were (``└▒Ґ``; flagged from two words).

Examples
--------
>>> mojibake_reason(["Синтетический опрос", "Пол респондента"], "WINDOWS-1251") is None
True
>>> good = "Синтетический опрос".encode("cp1251")
>>> print(mojibake_reason([good.decode("latin-1"), "Ïîë ðåñïîíäåíòà"], "LATIN1"))
cyrillic-as-latin
>>> bad = "Пол респондента".encode("utf-8").decode("cp1251")
>>> bad
'РџРѕР» СЂРµСЃРїРѕРЅРґРµРЅС‚Р°'
>>> print(mojibake_reason([bad], "WINDOWS-1251"))
utf8-as-single-byte
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

from .._core import ReadError, Where

__all__ = [
    "FALLBACK_ENCODINGS",
    "DecodeAttemptError",
    "decode_with_fallback",
    "mojibake_reason",
    "python_codec",
]

T = TypeVar("T")

FALLBACK_ENCODINGS: tuple[str, ...] = ("UTF-8", "WINDOWS-1251", "CP866", "KOI8-R")
"""Encodings tried, in order, after the file's own encoding fails or gives mojibake.

UTF-8 comes first because it is strict (it fails on any single-byte Cyrillic text), so it can
only succeed on text that really is UTF-8; then the three Russian/Kazakh legacy code pages.
"""

_WORD = re.compile(r"[^\W\d_]+")
_LATIN_HI = re.compile(r"^[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]{4,}$")
_CYR = re.compile(r"[\u0400-\u04ff]")
_CASE_FLIP = re.compile(r"[а-яё][А-ЯЁ]")
_INVERTED = re.compile(r"^[а-яё][А-ЯЁ]{2,}$")
_ODD = "ЂЃѓЉЊЌЋЏђљњќћџЎўЈЅѕј‚†‡‰‹›•™¤¦¶µ±®©§¬°\u00ad"
_ODD_IN_WORD = re.compile(rf"[^\W\d_][{_ODD}]+[^\W\d_]")
_BOX = re.compile(r"[\u2500-\u259f]")
_C1 = re.compile(r"[\u0080-\u009f]")


def python_codec(name: str | None) -> str | None:
    """Python's codec name for an iconv-style encoding name, or ``None`` if unknown.

    >>> python_codec("WINDOWS-1251")
    'cp1251'
    >>> python_codec("no-such-thing") is None
    True
    """
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _single_byte(codec: str | None) -> bool:
    if codec is None:
        return False
    try:
        return len("\u00e9".encode(codec, errors="replace")) == 1 and codec != "ascii"
    except LookupError:
        return False


def _utf8_ratio(texts: list[str], codec: str) -> tuple[int, int]:
    hits = total = 0
    for t in texts:
        if t.isascii():
            continue
        total += 1
        try:
            back = t.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if back != t and not back.isascii():
            hits += 1
    return hits, total


def _check_utf8(texts: list[str], codec: str | None) -> bool:
    candidates = [codec] if _single_byte(codec) else ["cp1252", "cp1251"]
    for c in candidates:
        if c is None:
            continue
        hits, total = _utf8_ratio(texts, c)
        if hits and hits * 2 >= total:
            return True
    return False


def _check_latin(words: list[str], texts: list[str]) -> bool:
    if any(_C1.search(t) for t in texts):
        return True
    non_ascii = [w for w in words if not w.isascii()]
    hi = [w for w in non_ascii if _LATIN_HI.match(w)]
    return len(hi) >= 2 and len(hi) * 2 >= len(non_ascii)


def _check_cyrillic(words: list[str], texts: list[str]) -> bool:
    cyr = [w for w in words if _CYR.search(w) and len(w) >= 3]
    if sum(1 for w in cyr if _INVERTED.match(w)) >= 2:
        return True
    flipped = [w for w in cyr if _CASE_FLIP.search(w)]
    if len(flipped) >= 2 and len(flipped) * 3 >= len(cyr):
        return True
    tokens = [tok for t in texts for tok in t.split() if _CYR.search(tok)]
    odd = [tok for tok in tokens if _ODD_IN_WORD.search(tok)]
    if len(odd) >= 2 and len(odd) * 3 >= len(tokens):
        return True
    boxed = [tok for t in texts for tok in t.split() if _BOX.search(tok)]
    return len(boxed) >= 2


def mojibake_reason(texts: Iterable[str], encoding: str | None) -> str | None:
    """Name of the mojibake check that ``texts`` fail when decoded as ``encoding``, else ``None``.

    Parameters
    ----------
    texts : iterable of str
        Decoded names, labels, documents and string values.
    encoding : str, optional
        The encoding they were decoded with (iconv or Python spelling).

    Returns
    -------
    str or None
        ``"utf8-as-single-byte"``, ``"cyrillic-as-latin"``, ``"wrong-cyrillic-code-page"`` or
        ``None`` when the text looks clean.
    """
    items = [t for t in texts if isinstance(t, str) and t]
    if not items:
        return None
    if _check_utf8(items, python_codec(encoding)):
        return "utf8-as-single-byte"
    words = [w for t in items for w in _WORD.findall(t)]
    if _check_latin(words, items):
        return "cyrillic-as-latin"
    if _check_cyrillic(words, items):
        return "wrong-cyrillic-code-page"
    return None


class DecodeAttemptError(Exception):
    """Raised by a read attempt when the bytes do not decode in the encoding tried."""


def decode_with_fallback(
    attempt: Callable[[str | None], tuple[T, str | None, list[str]]],
    *,
    encoding: str | None,
    file: str,
    rule: str,
    check_mojibake: bool = True,
    fallbacks: Sequence[str] = FALLBACK_ENCODINGS,
    only_if_own_fails: Collection[str] = (),
) -> tuple[T, str | None, list[str]]:
    """Run ``attempt`` with the right encoding; return (result, encoding used, notes).

    ``attempt(enc)`` reads the file with encoding ``enc`` (``None``: the file's own) and returns
    (result, the encoding it used, the decoded texts to check); it raises
    :class:`DecodeAttemptError` when the bytes do not decode. With an explicit ``encoding``
    only that one is tried; otherwise the file's own, then ``fallbacks`` in order (default
    :data:`FALLBACK_ENCODINGS`); those in ``only_if_own_fails`` are tried only when the file's
    own encoding met invalid bytes or gave text that looks like UTF-8 read byte by byte. A
    decoding that looks like mojibake is refused unless ``check_mojibake`` is false.

    Raises
    ------
    ReadError
        Rule ``rule`` (``sav.encoding``, ``dta.encoding``) naming every encoding tried and why
        it was refused.
    """
    attempts: list[str | None] = [encoding] if encoding else [None, *fallbacks]
    tried: list[str] = []
    own: str | None = None
    own_failed = False
    for enc in attempts:
        label = enc or "the file's own encoding"
        if enc in only_if_own_fails and not own_failed:
            continue
        try:
            result, used, texts = attempt(enc)
        except DecodeAttemptError:
            tried.append(f"{label}: invalid bytes")
            own_failed = own_failed or enc is None
            continue
        if enc is None:
            own = used
            label = f"the file's own encoding ({used or 'not recorded'})"
        reason = mojibake_reason(texts, used) if check_mojibake else None
        if reason is not None:
            tried.append(f"{label}: text looks like mojibake ({reason})")
            own_failed = own_failed or (enc is None and reason == "utf8-as-single-byte")
            continue
        notes: list[str] = []
        if enc is not None and encoding is None:
            notes.append(f"decoded as {enc}; refused before it: {'; '.join(tried)}")
        return result, used or own, notes
    raise ReadError(
        "the text of this file does not decode cleanly; tried " + "; ".join(tried),
        where=Where(file=file),
        rule=rule,
        hint="Give the file's encoding: --encoding WINDOWS-1251 on the command line or "
        "encoding='WINDOWS-1251' in Python (CP866, KOI8-R and UTF-8 are the other usual ones); "
        "if the text is in fact right, pass check_mojibake=False.",
    )
