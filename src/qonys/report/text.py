"""Language-neutral text in the document model, resolved when a report is rendered.

A report is built once and rendered in every language, so its text is one of:

``str``
    printed as it is (a variable name, a number already formatted);
:class:`Msg`
    a message of the qonys catalogue (English source text with ``{placeholders}``), translated
    with gettext at render time;
:class:`PMsg`
    a message with singular and plural forms chosen by a count (Russian has three);
:class:`Labels`
    text supplied by the user in several languages (codebook labels, study titles); Kazakh Latin
    is derived from Kazakh.

Placeholders may hold numbers (grouped by the language's rules) or other text.

Examples
--------
>>> resolve(Msg("Input file {name}", name="survey.sav"), "ru")
'Входной файл survey.sav'
>>> resolve(PMsg("The data hold {n} respondent.", "The data hold {n} respondents.", 5), "ru")
'В данных 5 респондентов.'
>>> resolve(Labels({"kk": "Жынысы", "en": "Sex"}), "kk-Latn")
'Jynysy'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .._core import FrozenMap
from .i18n import translator
from .translit import to_latin

__all__ = ["Labels", "Msg", "PMsg", "Text", "resolve"]


@dataclasses.dataclass(frozen=True, slots=True, init=False)
class Msg:
    """A catalogue message with named parameters.

    Parameters
    ----------
    text : str
        English source text (the gettext ``msgid``).
    **params
        Values for ``{placeholders}``: numbers, strings or other text objects.
    """

    text: str
    params: Mapping[str, Any]

    def __init__(self, text: str, /, **params: Any) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "params", FrozenMap(params))


@dataclasses.dataclass(frozen=True, slots=True, init=False)
class PMsg:
    """A catalogue message with plural forms chosen by ``n`` (also available as ``{n}``)."""

    singular: str
    plural: str
    n: int
    params: Mapping[str, Any]

    def __init__(self, singular: str, plural: str, n: int, /, **params: Any) -> None:
        object.__setattr__(self, "singular", singular)
        object.__setattr__(self, "plural", plural)
        object.__setattr__(self, "n", int(n))
        object.__setattr__(self, "params", FrozenMap(params))


@dataclasses.dataclass(frozen=True, slots=True, init=False)
class Labels:
    """User text in several languages (``{"kk": ..., "ru": ..., "en": ...}``).

    A missing language falls back to English, then Russian, then Kazakh, then any; ``kk-Latn``
    is the transliterated ``kk`` text unless given.
    """

    by_lang: Mapping[str, str]

    def __init__(self, by_lang: Mapping[str, str] | None = None, /, **langs: str) -> None:
        merged = {**dict(by_lang or {}), **langs}
        clean = {str(k).replace("_", "-"): str(v) for k, v in merged.items() if v not in (None, "")}
        object.__setattr__(self, "by_lang", FrozenMap(clean))

    def get(self, lang: str) -> str:
        """The text for ``lang`` with the fallbacks above."""
        d = self.by_lang
        if lang in d:
            return d[lang]
        if lang == "kk-Latn" and "kk" in d:
            return to_latin(d["kk"])
        for other in ("en", "ru", "kk", "default"):
            if other in d:
                return d[other] if not (lang == "kk-Latn" and other == "kk") else to_latin(d[other])
        return next(iter(d.values()), "")


Text = str | Msg | PMsg | Labels
"""Anything the document model accepts as text."""


def _param(value: Any, lang: str) -> Any:
    from .numbers import fmt_int, fmt_number

    if isinstance(value, Msg | PMsg | Labels):
        return resolve(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value, lang)
    if isinstance(value, float):
        return fmt_int(value, lang) if value.is_integer() else fmt_number(value, lang, 2)
    return value


def resolve(text: Text | None, lang: str) -> str:
    """The text in ``lang`` (empty for ``None``)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, Labels):
        return text.get(lang)
    tr = translator(lang)
    if isinstance(text, Msg):
        template = tr.gettext(text.text)
        params = {k: _param(v, lang) for k, v in text.params.items()}
    elif isinstance(text, PMsg):
        template = tr.ngettext(text.singular, text.plural, text.n)
        params = {"n": _param(text.n, lang), **{k: _param(v, lang) for k, v in text.params.items()}}
    else:
        return str(text)
    try:
        return template.format(**params) if params else template
    except (KeyError, IndexError, ValueError):
        return template


_DESIGN_WORDS: dict[str, dict[str, str]] = {
    "strata": {"kk": "страталар", "ru": "страты", "en": "strata"},
    "ids": {"kk": "іріктеу бірліктері", "ru": "единицы отбора", "en": "sampling units"},
    "fpc": {
        "kk": "шектеулі жиынтық түзетуі",
        "ru": "поправка на конечность совокупности",
        "en": "finite population correction",
    },
    "weights": {"kk": "салмақтар", "ru": "веса", "en": "weights"},
    "replicates": {"kk": "репликалар", "ru": "реплики", "en": "replicates"},
    "lonely_psu": {
        "kk": "стратадағы жалғыз бірінші сатылы бірлік",
        "ru": "единственная первичная единица в страте",
        "en": "lonely PSU",
    },
    "calibrated": {"kk": "калибрленген", "ru": "калибровка", "en": "calibrated"},
    "rake": {"kk": "рейкинг", "ru": "рейкинг", "en": "raking"},
    "poststratify": {
        "kk": "постстратификация",
        "ru": "постстратификация",
        "en": "post-stratification",
    },
    "calibrate": {"kk": "калибрлеу", "ru": "калибровка", "en": "calibration"},
    "subpopulation": {"kk": "ішкі жиынтық", "ru": "подсовокупность", "en": "subpopulation"},
}


def design_text(design: str, lang: str) -> str:
    """:meth:`qonys.design.SurveyData.describe`'s one line in the report's language.

    The variable names stay as they are; the words around them are translated (``strata``,
    ``weights``, ``calibrated (rake)``...). Parts it does not know are kept unchanged.

    >>> design_text("strata=smp_stratum; ids=smp_psu; weights=w; calibrated (rake)", "ru")
    'страты: smp_stratum; единицы отбора: smp_psu; веса: w; калибровка (рейкинг)'
    """
    base = lang.split("-")[0]

    def word(w: str) -> str:
        return _DESIGN_WORDS.get(w, {}).get(base, w)

    out = []
    for part in design.split("; "):
        if "=" in part:
            key, _, value = part.partition("=")
            out.append(f"{word(key)}: {value}")
        elif part.startswith("calibrated (") and part.endswith(")"):
            methods = ", ".join(word(m) for m in part[len("calibrated (") : -1].split(", "))
            out.append(f"{word('calibrated')} ({methods})")
        elif part.startswith("subpopulation of "):
            out.append(f"{word('subpopulation')}: {part.split()[2]}")
        else:
            out.append(part)
    return "; ".join(out)
