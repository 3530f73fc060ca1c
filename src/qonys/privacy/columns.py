"""Columns that are identifiers by their name, label or type.

A column is flagged when its name says what it holds (``name``, ``fio``, ``phone``, ``iin``,
``email``, ``address``, ``gps``... in English, Kazakh and Russian transliteration, or in
Cyrillic), when it is an XLSForm or KoboToolbox/ODK meta field that identifies a person or a
device (``deviceid``, ``phonenumber``, ``username``, ``_submitted_by``, ``SubmitterName``...),
when its question text asks for such a thing (``Телефон нөміріңіз``, ``ФИО``, ``ЖСН``), or when
it is a ``geopoint``. Place and organisation names (``city_name``, ``employer_name``) are not
person names and are not flagged.

Examples
--------
>>> column_kind("resp_phone"), column_kind("fio"), column_kind("district_name")
('phone', 'name', None)
>>> column_kind("_q3_latitude"), column_kind("SubmitterName")
('geolocation', 'account')
>>> column_kind("_parent_table_name") is None  # KoboToolbox's roster link column
True
"""

from __future__ import annotations

import re

__all__ = ["column_kind", "label_kind"]

_SPLIT = re.compile(r"[^0-9A-Za-zА-Яа-яЁёӘәІіҢңҒғҮүҰұҚқӨөҺһ]+|(?<=[a-z])(?=[A-Z])")

_TOKENS: dict[str, frozenset[str]] = {
    "name": frozenset(
        {
            "fio",
            "fullname",
            "firstname",
            "lastname",
            "surname",
            "familiya",
            "familia",
            "imya",
            "otchestvo",
            "patronymic",
            "aty",
            "atyzhoni",
            "tegi",
            "esimi",
            "фио",
            "имя",
            "фамилия",
            "отчество",
            "аты",
            "тегі",
            "есімі",
        }
    ),
    "phone": frozenset(
        {"phone", "tel", "telephone", "mobile", "cellphone", "телефон", "тел", "nomer_telefona"}
    ),
    "iin": frozenset(
        {
            "iin",
            "jsn",
            "zhsn",
            "иин",
            "жсн",
            "passport",
            "pasport",
            "паспорт",
            "udostoverenie",
            "удостоверение",
            "idcard",
        }
    ),
    "email": frozenset({"email", "mail", "почта"}),
    "address": frozenset(
        {
            "address",
            "adres",
            "addr",
            "mekenzhai",
            "mekenjai",
            "мекенжай",
            "адрес",
            "street",
            "kvartira",
            "квартира",
            "улица",
        }
    ),
    "geolocation": frozenset(
        {
            "gps",
            "geopoint",
            "geotrace",
            "geoshape",
            "latitude",
            "longitude",
            "coordinates",
            "coords",
            "geolocation",
            "координаты",
        }
    ),
}
_META: dict[str, str] = {
    "deviceid": "device_id",
    "subscriberid": "device_id",
    "simserial": "device_id",
    "imei": "device_id",
    "phonenumber": "phone",
    "username": "account",
    "_submitted_by": "account",
    "submittername": "account",
    "submitterid": "account",
    "_geolocation": "geolocation",
}
_NOT_PERSON = frozenset(
    {
        "city",
        "town",
        "village",
        "district",
        "region",
        "oblast",
        "org",
        "organization",
        "organisation",
        "company",
        "employer",
        "school",
        "university",
        "street",
        "file",
        "form",
        "group",
        "list",
        "choice",
        "project",
        "var",
        "variable",
        "item",
        "place",
        "country",
        "product",
        "brand",
        "job",
        "position",
        "app",
        "table",
        "sheet",
        "field",
        "parent",
    }
)


def _tokens(name: str) -> list[str]:
    return [t.lower() for t in _SPLIT.split(name) if t]


def column_kind(name: str) -> str | None:
    """What a column holds judging by its name, or ``None``."""
    lowered = name.lower()
    if lowered in _META:
        return _META[lowered]
    tokens = _tokens(name)
    joined = "".join(tokens)
    for kind, words in _TOKENS.items():
        if any(t in words for t in tokens) or joined in words:
            return kind
    if "name" in tokens and not (set(tokens) & _NOT_PERSON):
        return "name"
    return None


_LABEL_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iin", re.compile(r"\b(?:ЖСН|ИИН|IIN)\b|жеке сәйкестендіру|индивидуальный идентиф")),
    ("phone", re.compile(r"телефон|phone number|your phone|ұялы", re.IGNORECASE)),
    ("email", re.compile(r"e-?mail|электрон(?:ная|дық) (?:почта|пошта)", re.IGNORECASE)),
    (
        "name",
        re.compile(
            r"\bФИО\b|аты-жөн|атыңыз|ваше имя|ваша фамилия|your (?:full )?name", re.IGNORECASE
        ),
    ),
    (
        "address",
        re.compile(r"мекенжай|ваш адрес|домашний адрес|your address|home address", re.IGNORECASE),
    ),
)


def label_kind(label: str) -> str | None:
    """What a question asks for judging by its text (any language), or ``None``.

    >>> label_kind("Телефон нөміріңіз"), label_kind("Сіздің жасыңыз")
    ('phone', None)
    """
    for kind, rx in _LABEL_WORDS:
        if rx.search(label):
            return kind
    return None
