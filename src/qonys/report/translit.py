"""Kazakh Cyrillic to Kazakh Latin, by the 2021 national alphabet (``kk-Latn-2021``).

Kazakh Latin text in qonys is never authored: it is derived from the Cyrillic catalogue by this
deterministic transliteration, and the scheme's version is recorded in every report.

The table
---------
The 31-letter alphabet presented by the National Alphabet Commission on 28 January 2021 (one
sound, one letter; umlaut, macron, breve and cedilla diacritics), as published in the
"Latin script" table of Wikipedia's *Kazakh alphabets* article and implemented by the
``qazaq-transliterator`` 2.0 package (21 February 2021):

====== ====== ====== ====== ====== ======
Cyr.   Latin  Cyr.   Latin  Cyr.   Latin
====== ====== ====== ====== ====== ======
А а    A a    Қ қ    Q q    Ф ф    F f
Ә ә    Ä ä    Л л    L l    Х х    H h
Б б    B b    М м    M m    Һ һ    H h
В в    V v    Н н    N n    Ц ц    Ts ts
Г г    G g    Ң ң    Ñ ñ    Ч ч    Ç ç
Ғ ғ    Ğ ğ    О о    O o    Ш ш    Ş ş
Д д    D d    Ө ө    Ö ö    Щ щ    Ş ş
Е е    E e    П п    P p    Ъ ъ    (dropped)
Ё ё    İo io  Р р    R r    Ы ы    Y y
Ж ж    J j    С с    S s    І і    I ı
З з    Z z    Т т    T t    Ь ь    (dropped)
И и    İ i    У у    U u    Э э    E e
Й й    İ i    Ұ ұ    Ū ū    Ю ю    İu iu
К к    K k    Ү ү    Ü ü    Я я    İa ia
====== ====== ====== ====== ====== ======

Choices where sources differ, and why:

* І і is written **I ı** (dotless) and И и / Й й **İ i** (dotted), Turkish-style; casing follows
  that pairing, not Python's locale-free ``str.upper`` (which would turn ``i`` into ``I``).
* Ч ч, which occurs only in loanwords, is **Ç ç** (as in ``qazaq-transliterator``); Ц is ``Ts``,
  Щ is ``Ş``; Ё, Ю, Я become ``İo``, ``İu``, ``İa`` (``Азияда`` -> ``Aziiada``); Ъ and Ь are
  dropped; Э is ``E``.
* A digraph from an upper-case letter is all upper case inside an upper-case word (``ЯҢА`` ->
  ``İAÑA``) and title case otherwise (``Ядро`` -> ``İadro``).

The mapping merges letters (И/Й, Х/Һ, Ш/Щ), so it cannot be reversed: author in Cyrillic.

Before transliterating, look-alike Latin characters typed inside Cyrillic words (Latin ``ə``,
``i``, ``I``) are folded to their Cyrillic letters, so mixed input gives clean output.

Examples
--------
>>> to_latin("Қазақстан Республикасы")
'Qazaqstan Respublikasy'
>>> to_latin("Бұрыңғы өткен заманда, бір данышпан кісі")
'Būryñğy ötken zamanda, bır danyşpan kısı'
>>> to_latin("ҮЙІНЕ")
'ÜİINE'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["SCHEME", "TABLE", "to_latin"]

SCHEME = "kk-Latn-2021"
"""Name and version of the transliteration scheme, recorded in reports."""

TABLE: dict[str, str] = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
    "ё": "io", "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
    "ч": "ç", "ш": "ş", "щ": "ş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
"""Lower-case Cyrillic letter -> lower-case Latin (see the module docstring)."""

_UPPER_LATIN = {"i": "İ", "ı": "I"}
_HOMOGLYPHS = {"ə": "ә", "Ə": "Ә", "i": "і", "I": "І"}
_CYRILLIC_WORD = re.compile(r"[\w\u0259\u018f]+")


def _upper(latin: str) -> str:
    return "".join(_UPPER_LATIN.get(ch, ch.upper()) for ch in latin)


def _is_cyr(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _fold_homoglyphs(word: str) -> str:
    """Replace Latin look-alikes inside a word that is otherwise Cyrillic."""
    if not any(_is_cyr(c) for c in word):
        return word
    return "".join(_HOMOGLYPHS.get(c, c) for c in word)


def to_latin(text: str) -> str:
    """Transliterate Kazakh Cyrillic ``text`` into the 2021 Kazakh Latin alphabet.

    Characters that are not Cyrillic (digits, punctuation, Latin words, ``{placeholders}``) are
    kept as they are.

    Parameters
    ----------
    text : str
        Kazakh text in Cyrillic (mixed text is fine).

    Returns
    -------
    str
        NFC-normalised Latin text.

    Examples
    --------
    >>> to_latin("Азияда {n} респондент")
    'Aziiada {n} respondent'
    >>> to_latin("ЯҢА Ядро")
    'İAÑA İadro'
    """
    text = unicodedata.normalize("NFC", text)
    text = _CYRILLIC_WORD.sub(lambda m: _fold_homoglyphs(m.group(0)), text)
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        low = ch.lower()
        if low not in TABLE:
            out.append(ch)
            continue
        latin = TABLE[low]
        if ch == low or not latin:
            out.append(latin)
            continue
        if len(latin) == 1:
            out.append(_upper(latin))
            continue
        prev_up = i > 0 and text[i - 1].isupper() and _is_cyr(text[i - 1])
        next_up = i + 1 < n and text[i + 1].isupper() and _is_cyr(text[i + 1])
        out.append(_upper(latin) if (prev_up or next_up) else _upper(latin[0]) + latin[1:])
    return unicodedata.normalize("NFC", "".join(out))
