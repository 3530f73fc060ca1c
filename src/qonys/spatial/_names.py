"""Place-name keys: one Latin skeleton for Kazakh, Russian and English spellings.

``name_key("Бостандық ауданы") == name_key("Bostandyk District") == "bostandik"``: Cyrillic is
transliterated with a simple table (Kazakh letters folded to their Russian neighbours), ``y`` is
folded into ``i``, ``q`` into ``k``, punctuation and the generic words for *district* are dropped,
and Russian adjectival endings (``-ский``) are cut. Keys are for matching, never for display.

Examples
--------
>>> name_key("Бостандыкский р-н"), name_key("Bostandyk District"), name_key("Бостандық ауданы")
('bostandik', 'bostandik', 'bostandik')
>>> name_key("Аль-Фараби"), name_key("Әл-Фараби ауданы")
('alfarabi', 'alfarabi')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["GENERIC_WORDS", "name_key", "token_matches", "tokens"]

_CYR = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

GENERIC_WORDS: frozenset[str] = frozenset(
    {
        "audani", "audan", "aud", "raion", "rn", "r", "district", "distr", "dist", "raionu",
        "raiona", "raione", "gorod", "g", "kala", "kalasi", "city", "mkr", "mikroraion",
    }
)  # fmt: skip
"""Words dropped from keys: *district* and *city* in kk/ru/en and their abbreviations."""

_ADJ_ENDINGS = ("skogo", "skomu", "skaia", "skoe", "skii", "skom", "sky", "ski")


def _latin(text: str) -> str:
    out = []
    for ch in text.casefold():
        out.append(_CYR.get(ch, ch))
    s = "".join(out)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def _fold(word: str) -> str:
    word = word.replace("kh", "h").replace("q", "k").replace("w", "v").replace("x", "ks")
    word = word.replace("j", "zh").replace("zhzh", "zh")
    word = word.replace("y", "i")
    word = re.sub(r"i{2,}", "i", word)
    for end in _ADJ_ENDINGS:
        fend = end.replace("y", "i")
        if word.endswith(fend) and len(word) - len(fend) >= 4:
            word = word[: -len(fend)]
            break
    return word


def tokens(text: object) -> list[str]:
    """Folded word keys of ``text`` with generic words removed (hyphenated words are joined).

    Examples
    --------
    >>> tokens("г. Алматы, Бостандыкский район, ул. Тимирязева 42")
    ['almati', 'bostandik', 'ul', 'timiriazeva', '42']
    """
    if text is None:
        return []
    s = _latin(str(text))
    s = re.sub(r"(?<=\w)[-‐–'’`](?=\w)", "", s)
    words = re.findall(r"[a-z0-9]+", s)
    return [_fold(w) for w in words if w not in GENERIC_WORDS and _fold(w) not in GENERIC_WORDS]


def name_key(text: object) -> str:
    """The matching key of a place name (words of :func:`tokens` joined without spaces)."""
    return "".join(tokens(text))


def token_matches(token: str, keys: Iterable[str]) -> bool:
    """Whether ``token`` is one of ``keys`` or an inflected form of one.

    A token matches a key when equal to it, or when it starts with the key less its last letter
    and is at most three letters longer (``almalin`` from *Алмалинский* matches ``almali``).
    Keys shorter than five letters match only exactly.
    """
    for key in keys:
        if token == key:
            return True
        if len(key) >= 5 and token.startswith(key[:-1]) and len(token) - len(key) <= 3:
            return True
    return False
