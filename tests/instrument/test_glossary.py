"""docs/glossary.md names every concept once in kk / ru / en, carries the programme's Kazakh
terms (shared/MISSION.md), and the questionnaires use its words and avoid the ones it rules
out."""

from __future__ import annotations

import re

import pytest
from instrument_helpers import LANG_HEADERS, ROOT, Forms

GLOSSARY = ROOT / "docs" / "glossary.md"


def _rows() -> list[list[str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| concept"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def _texts(forms: Forms, form: str, lang: str) -> str:
    header = LANG_HEADERS[lang]
    parts = []
    for sheet in ("survey", "choices"):
        for row in forms[form][sheet]:
            for column in ("label", "hint", "constraint_message"):
                value = row.get(f"{column}::{header}")
                if value:
                    parts.append(str(value))
    return "\n".join(parts)


def test_every_concept_has_a_term_in_each_language() -> None:
    rows = _rows()
    assert len(rows) > 50
    concepts = [r[0] for r in rows]
    assert len(concepts) == len(set(concepts)), "a concept is listed twice"
    for row in rows:
        assert len(row) == 5, row
        kk, ru = row[1], row[2]
        assert all(row[:4]), row
        assert re.search("[А-Яа-яӘәҚқҢңҰұҮүІі]", kk), row
        assert re.search("[А-Яа-я]", ru), row


@pytest.mark.parametrize(
    "term",
    [
        # The Kazakh terms the programme's reports use (shared/MISSION.md).
        "байланыс-буын",
        "байланыс-көпір",
        "байланыс-дәнекер",
        "циркулярлық көші-қон – қалалық қоныстану – қалалық интеграция",
        "ішкі мигрант",
        "внутренний мигрант",
        "структурная интеграция",
        "идентификационная интеграция",
        "стратегия адаптации",
        "стратегия интеграции",
    ],
)
def test_programme_terms_are_in_the_glossary(term: str) -> None:
    assert term in GLOSSARY.read_text(encoding="utf-8")


def test_questionnaires_use_the_glossary_words(forms: Forms) -> None:
    for form in ("migrants", "locals"):
        assert "қаланың байырғы тұрғындары" in _texts(forms, form, "kk")
        assert re.search(r"коренн\w+ горожан", _texts(forms, form, "ru"))
        assert "long-term city residents" in _texts(forms, form, "en")
    assert "жаңа келгендер" in _texts(forms, "locals", "kk")
    assert "приезжие" in _texts(forms, "locals", "ru")
    assert "туған жер" in _texts(forms, "migrants", "kk")
    assert "родные места" in _texts(forms, "migrants", "ru")


def test_questionnaires_avoid_ruled_out_words(forms: Forms) -> None:
    for form in ("migrants", "locals"):
        kk, ru = _texts(forms, form, "kk").lower(), _texts(forms, form, "ru").lower()
        assert "келімсек" not in kk
        assert "коренное население" not in ru
        assert "байырғы халық" not in kk
        assert "маятников" not in ru
