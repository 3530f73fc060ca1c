"""Report languages: gettext catalogues for kk, ru and en, and Kazakh Latin derived from kk.

Catalogues are the ``.po`` files under ``qonys/data/locale/<lang>/LC_MESSAGES/qonys.po``. They
are compiled in memory on first use (with Babel), so nothing needs building and everything works
offline; there are no ``.mo`` files to keep in step. Plural forms follow CLDR: Kazakh and English
have two, Russian three (``1 респондент``, ``2 респондента``, ``5 респондентов``).

``kk-Latn`` has no catalogue of its own: the Kazakh catalogue is transliterated message by
message with :func:`qonys.report.translit.to_latin` (scheme ``kk-Latn-2021``); its number
formatting is Kazakh's.

Examples
--------
>>> tr = translator("ru")
>>> tr.ngettext("The data hold {n} respondent.", "The data hold {n} respondents.", 22).format(n=22)
'В данных 22 респондента.'
>>> translator("kk-Latn").gettext("Table")
'Keste'
"""

from __future__ import annotations

import dataclasses
import gettext
import io
from functools import lru_cache
from importlib import resources

from .._core import QonysError, Where
from .translit import to_latin

__all__ = [
    "DEFAULT_LANGUAGES",
    "LANGUAGES",
    "Translator",
    "babel_locale",
    "catalogue_path",
    "check_language",
    "translator",
]

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en", "kk-Latn")
"""Report languages: Kazakh (Cyrillic), Russian, English, Kazakh (Latin, 2021 alphabet)."""

DEFAULT_LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")

_ALIASES = {"kk_latn": "kk-Latn", "kk-latn": "kk-Latn", "kk_cyrl": "kk", "kk-cyrl": "kk"}

LANGUAGE_NAMES: dict[str, str] = {
    "kk": "Қазақша",
    "ru": "Русский",
    "en": "English",
    "kk-Latn": "Qazaqşa",
}


def check_language(lang: str, *, key: str = "report.languages") -> str:
    """Normalise and check a language code (``kk``, ``ru``, ``en``, ``kk-Latn``).

    >>> check_language("kk_Latn")
    'kk-Latn'
    """
    if isinstance(lang, str):
        code = _ALIASES.get(lang.strip().lower(), lang.strip())
        if code in LANGUAGES:
            return code
    raise QonysError(
        f"unknown report language {lang!r}",
        where=Where(key=key),
        rule="report.language",
        hint=f"Use one or more of: {', '.join(LANGUAGES)}.",
    )


def babel_locale(lang: str) -> str:
    """The Babel locale used for number formatting (``kk-Latn`` formats as ``kk``)."""
    return "kk" if lang == "kk-Latn" else check_language(lang)


def catalogue_path(lang: str) -> str:
    """Package-relative path of a language's ``.po`` catalogue."""
    return f"data/locale/{lang}/LC_MESSAGES/qonys.po"


def _read_catalogue(lang: str):  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    text = resources.files("qonys").joinpath(catalogue_path(lang)).read_bytes()
    return read_po(io.BytesIO(text), locale=lang.replace("-", "_") if lang != "kk-Latn" else "kk")


@lru_cache(maxsize=8)
def _translations(lang: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo

    if lang == "en" and not resources.files("qonys").joinpath(catalogue_path("en")).is_file():
        return gettext.NullTranslations()
    source = "kk" if lang == "kk-Latn" else lang
    catalog = _read_catalogue(source)
    if lang == "kk-Latn":
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.string, tuple | list):
                message.string = tuple(to_latin(s) for s in message.string)
            elif message.string:
                message.string = to_latin(message.string)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclasses.dataclass(frozen=True, slots=True)
class Translator:
    """Messages of one report language.

    Parameters
    ----------
    lang : str
        One of :data:`LANGUAGES`.
    """

    lang: str

    def gettext(self, message: str) -> str:
        """Translation of ``message`` (the English source when there is none)."""
        return _translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural-aware translation for count ``n``."""
        return _translations(self.lang).ngettext(singular, plural, n)

    @property
    def locale(self) -> str:
        """Babel locale for formatting numbers."""
        return babel_locale(self.lang)

    @property
    def html_lang(self) -> str:
        """BCP 47 tag for the HTML ``lang`` attribute."""
        return self.lang


def translator(lang: str) -> Translator:
    """A :class:`Translator` for ``lang`` (checked).

    >>> translator("kk").gettext("Total")
    'Барлығы'
    """
    return Translator(check_language(lang))
