"""Map wording in Kazakh, Russian and English, and number formatting for map labels."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .registry import LANGS, District

__all__ = ["TEXT", "fmt_value", "short_name", "text"]

TEXT: dict[str, dict[str, str]] = {
    "no_data": {"kk": "Дерек жоқ", "ru": "Нет данных", "en": "No data"},
    "approximate_all": {
        "kk": "Аудан шекаралары шамамен берілген: қала шекарасы ішіндегі аудан "
        "орталықтары бойынша салынған.",
        "ru": "Границы районов приблизительные: построены по центрам районов в пределах "
        "границы города.",
        "en": "Approximate district boundaries, derived from district centres inside the "
        "city outline.",
    },
    "approximate_some": {
        "kk": "* шекарасы шамамен берілген аудан: шекара файлында жоқ аудан немесе одан "
        "бөлініп шыққан аудан.",
        "ru": "* приблизительная граница: района нет в файле границ или из него выделен "
        "отсутствующий район.",
        "en": "* approximate boundary: the district is missing from the boundary file, or a "
        "missing district was cut out of it.",
    },
    "boundaries": {"kk": "Шекаралар", "ru": "Границы", "en": "Boundaries"},
    "km": {"kk": "км", "ru": "км", "en": "km"},
    "north": {"kk": "С", "ru": "С", "en": "N"},
    "share_migrants": {
        "kk": "Мигранттар үлесі",
        "ru": "Доля мигрантов",
        "en": "Share of migrants",
    },
    "location_quotient": {
        "kk": "Орналасу коэффициенті",
        "ru": "Коэффициент локализации",
        "en": "Location quotient",
    },
    "favourite": {"kk": "Сүйікті орындар", "ru": "Любимые места", "en": "Favourite places"},
    "avoided": {"kk": "Барудан қашатын орындар", "ru": "Избегаемые места", "en": "Avoided places"},
    "mentions": {"kk": "Аталу саны", "ru": "Число упоминаний", "en": "Mentions"},
    "suppressed": {
        "kk": "Іріктеме аз: мән жарияланбайды",
        "ru": "Мало наблюдений: значение не публикуется",
        "en": "Too few respondents: not published",
    },
}


def text(key: str, lang: str) -> str:
    """Map wording ``key`` in ``lang`` (English for an unknown language)."""
    entry = TEXT[key]
    return entry.get(lang) or entry["en"]


def resolve(value: str | Mapping[str, str] | None, lang: str) -> str:
    """A plain string, or the ``lang`` entry of a ``{"kk": ..., "ru": ..., "en": ...}`` mapping."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang) or value.get("en") or next(iter(value.values()), "")


_STRIP = {
    "kk": (" ауданы",),
    "ru": (" район", "район "),
    "en": (" District", " district"),
}


def short_name(d: District, lang: str) -> str:
    """District name without the word *district* (``Бостандық``, ``Бостандыкский``, ``Bostandyk``).

    Examples
    --------
    >>> from qonys.spatial.registry import district
    >>> [short_name(district(7101), lang) for lang in ("kk", "ru", "en")]
    ['Алматы', 'Алматы', 'Almaty']
    """
    lang = lang if lang in LANGS else "en"
    name = d.name(lang)
    for piece in _STRIP[lang]:
        name = name.replace(piece, "")
    return name.strip()


def fmt_value(value: float, lang: str, *, percent: bool = False, decimals: int = 1) -> str:
    """Format a map label: decimal comma in kk and ru, ``%`` for shares (0.123 -> 12.3%).

    Examples
    --------
    >>> fmt_value(0.1234, "ru", percent=True), fmt_value(0.1234, "en", percent=True)
    ('12,3 %', '12.3%')
    >>> fmt_value(float("nan"), "kk")
    '–'
    """
    if value is None or not math.isfinite(value):
        return "–"
    v = value * 100 if percent else value
    s = f"{v:,.{decimals}f}"
    if lang in ("kk", "ru"):
        s = s.replace(",", "\u202f").replace(".", ",")
    if percent:
        s += "%" if lang == "en" else " %"
    return s
