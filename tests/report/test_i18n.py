"""Languages: catalogue completeness, plural forms, Kazakh Latin transliteration, number formats."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

import qonys
from qonys import QonysError
from qonys.report import PMsg, check_language, resolve, to_latin, translator
from qonys.report.numbers import NNBSP, fmt_ci, fmt_int, fmt_number, fmt_p, fmt_stat_line

SRC = Path(qonys.__file__).parent
KEYWORDS = {"Msg": None, "PMsg": (1, 2)}


def extracted() -> set[str | tuple[str, str]]:
    ids: set[str | tuple[str, str]] = set()
    for py in sorted(SRC.rglob("*.py")):
        with open(py, "rb") as fh:
            for _, msg, _, _ in extract("python", fh, keywords=KEYWORDS):
                if msg:
                    ids.add(msg if isinstance(msg, str) else tuple(msg))
    return ids


def catalogue(lang: str):
    with open(SRC / "data" / "locale" / lang / "LC_MESSAGES" / "qonys.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize(("lang", "nplurals"), [("kk", 2), ("ru", 3), ("en", 2)])
def test_catalogue_holds_every_message(lang, nplurals):
    cat = catalogue(lang)
    assert cat.num_plurals == nplurals
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in cat if m.id}
    missing = extracted() - ids
    assert not missing, f"add to {lang}.po: {sorted(map(str, missing))}"
    if lang == "en":
        return
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        assert all(strings), f"{lang}: untranslated {m.id!r}"
        if isinstance(m.id, tuple):
            assert len(strings) == nplurals
        # every placeholder of the source survives the translation
        src = m.id if isinstance(m.id, str) else m.id[1]
        for ph in {p for p in src.split("{")[1:]}:
            name = "{" + ph.split("}")[0] + "}"
            assert all(name in s for s in strings), f"{lang}: {name} lost in {m.id!r}"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "В данных 1 респондент."),
        (2, "В данных 2 респондента."),
        (5, "В данных 5 респондентов."),
        (11, "В данных 11 респондентов."),
        (21, "В данных 21 респондент."),
        (22, "В данных 22 респондента."),
        (112, "В данных 112 респондентов."),
    ],
)
def test_russian_has_three_plural_forms(n, expected):
    assert (
        resolve(PMsg("The data hold {n} respondent.", "The data hold {n} respondents.", n), "ru")
        == expected
    )


def test_kazakh_plural_and_latin():
    msg = PMsg("The data hold {n} respondent.", "The data hold {n} respondents.", 5)
    assert resolve(msg, "kk") == "Деректерде 5 респондент бар."
    assert resolve(msg, "kk-Latn") == "Derekterde 5 respondent bar."
    assert resolve(msg, "en") == "The data hold 5 respondents."


def test_languages_are_checked():
    assert check_language("kk_latn") == "kk-Latn"
    with pytest.raises(QonysError, match="unknown report language"):
        check_language("de")
    assert translator("en").gettext("Total") == "Total"


# Every special Kazakh letter, in words (2021 alphabet; see qonys.report.translit).
@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("әке", "äke"),  # ә -> ä
        ("ағаш", "ağaş"),  # ғ -> ğ, ш -> ş
        ("қала", "qala"),  # қ -> q
        ("таң", "tañ"),  # ң -> ñ
        ("өмір", "ömır"),  # ө -> ö, і -> ı
        ("ұлт", "ūlt"),  # ұ -> ū
        ("үй", "üi"),  # ү -> ü, й -> i
        ("һижра", "hijra"),  # һ -> h, и -> i
        ("ит", "it"),  # и -> i (dotted)
        ("ін", "ın"),  # і -> ı (dotless)
        ("Іле", "Ile"),  # І -> I
        ("Ислам", "İslam"),  # И -> İ
        ("ЫСТЫҚ", "YSTYQ"),
        ("Шымкент", "Şymkent"),
        ("Астана", "Astana"),
        ("чемпион", "çempion"),  # ч -> ç (loanword)
        ("цирк", "tsirk"),  # ц -> ts
        ("щётка", "şiotka"),  # щ -> ş, ё -> io
        ("Юрий", "İurii"),  # ю -> iu
        ("ЯҢА", "İAÑA"),  # digraph inside an upper-case word
        ("съезд", "sezd"),  # ъ dropped
        ("пальто", "palto"),  # ь dropped
        ("экран", "ekran"),  # э -> e
        ("вагон", "vagon"),  # в -> v
        ("фильм", "film"),  # ф -> f
        ("хат", "hat"),  # х -> h
        ("жұмыс", "jūmys"),  # ж -> j
        ("Азияда", "Aziiada"),  # я -> ia (example from the alphabet's guidance)
    ],
)
def test_kazakh_latin_letters(cyrillic, latin):
    assert to_latin(cyrillic) == latin


def test_kazakh_latin_folds_lookalikes_and_keeps_other_text():
    # Latin "ə" and "i" typed inside Kazakh words are read as Cyrillic ә and і
    assert to_latin("əкe") == "äke"
    assert to_latin("бiр") == "bır"
    assert to_latin("{n} респондент, SHA-256") == "{n} respondent, SHA-256"


def test_number_formats():
    assert fmt_number(1234567.891, "ru", 1) == f"1{NNBSP}234{NNBSP}567,9"
    assert fmt_number(1234567.891, "kk", 2) == f"1{NNBSP}234{NNBSP}567,89"
    assert fmt_number(1234567.891, "kk-Latn", 0) == f"1{NNBSP}234{NNBSP}568"
    assert fmt_number(1234567.891, "en", 1) == "1,234,567.9"
    assert fmt_number(2.25, "en", 1) == "2.3"  # half away from zero, as SPSS and Excel print
    assert fmt_number(-0.04, "en", 1) == "0.0"  # no negative zero
    assert fmt_int(1500, "ru") == f"1{NNBSP}500"
    assert fmt_p(0.0231, "en") == "p = .023"
    assert fmt_p(0.0231, "ru") == "p = 0,023"
    assert fmt_ci(0.1, 0.25, "kk") == "[0,10; 0,25]"
    assert fmt_stat_line("χ²", 5.0, 2, 0.08, "kk") == "χ²(2) = 5,00, p = 0,080"
