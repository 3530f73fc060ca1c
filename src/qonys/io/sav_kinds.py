"""Why a user-missing code is missing, read from its value label.

SPSS and Stata files say *that* a code is missing (SPSS user-missing values and ranges, Stata's
``.a``-``.z``) but not *why*. qonys keeps four kinds (:class:`~qonys._core.codebook.MissingKind`):
``skipped``, ``refused``, ``dont_know`` and ``missing``. The readers take the kind from the code's
value label with the rules below, in Kazakh, Russian, English, German and French, and fall back
to ``missing``.

The label is lower-cased, ``ё`` is read as ``е`` and typographic apostrophes as ``'`` before the
patterns (regular expressions, searched anywhere in the label) are tried. A label that matches
the patterns of **exactly one** kind gets that kind; a label matching several kinds
("Не знаю / отказ") or none ("No answer", "missing") gets ``missing``.

``refused``
    refus, declin, prefer not, rather not, won't say; отказ, не хочу/желаю отвечать; бас тарт
    (бас тарту, бас тартты), жауап бергісі келмеді; verweiger.
``dont_know``
    don't know, do not know, DK, not sure, hard/difficult to say/answer, can't say; не знаю,
    затрудн(яюсь), трудно сказать/ответить; білмеймін, жауап беру қиын, айту қиын, қиналамын;
    weiß nicht; ne sais pas, NSP.
``skipped``
    not applicable, inapplicable, N/A, skip(ped), not asked; не применимо, неприменимо, не
    задавался, не относится, пропуск; қолданылмайды, қойылмады; trifft nicht zu, entfällt.

Callers override the rules in two ways: ``rules=`` adds ``(pattern, kind)`` pairs tried before
the built-in ones (the first custom match wins), and the readers' ``missing_kinds=`` option sets
the kind of given codes outright.

Examples
--------
>>> kind_from_label("Затрудняюсь ответить")
<MissingKind.DONT_KNOW: 'dont_know'>
>>> kind_from_label("Жауап беруден бас тарту")
<MissingKind.REFUSED: 'refused'>
>>> kind_from_label("Не применимо")
<MissingKind.SKIPPED: 'skipped'>
>>> kind_from_label("No answer")
<MissingKind.MISSING: 'missing'>
>>> kind_from_label("Don't know / refused")
<MissingKind.MISSING: 'missing'>
>>> kind_from_label("Н/О", rules=[(r"^н/о$", "refused")])
<MissingKind.REFUSED: 'refused'>
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .._core import Code, MissingKind, QonysError, Where

__all__ = ["DEFAULT_RULES", "KindRules", "kind_from_label", "kinds_override"]

KindRules = Sequence[tuple[str, "MissingKind | str"]]
"""Custom rules: ``(regular expression, kind)`` pairs."""

DEFAULT_RULES: Mapping[MissingKind, tuple[str, ...]] = {
    MissingKind.REFUSED: (
        r"refus",
        r"declin",
        r"prefer not",
        r"rather not",
        r"won'?t say",
        r"отказ",
        r"не (?:хочу|желаю|хотел[аи]?) отвечать",
        r"бас тарт",
        r"жауап бергі(?:сі)? келме",
        r"verweiger",
    ),
    MissingKind.DONT_KNOW: (
        r"don'?t know",
        r"do not know",
        r"^\W*d\W?k\W*$",
        r"not sure",
        r"(?:hard|difficult) to (?:say|answer|tell)",
        r"can'?t say",
        r"cannot say",
        r"не знаю",
        r"затрудн",
        r"трудно (?:сказать|ответить)",
        r"білмеймін",
        r"жауап беру қиын",
        r"айту қиын",
        r"қиналамын",
        r"wei(?:ß|ss) nicht",
        r"ne sai[st] pas",
        r"^\W*nsp\W*$",
    ),
    MissingKind.SKIPPED: (
        r"not applicable",
        r"inapplicable",
        r"^\W*n\W?a\W*$",
        r"\bskip",
        r"not asked",
        r"не ?применимо",
        r"не задавал",
        r"не относится",
        r"пропуск",
        r"қолданылмайды",
        r"қойылмады",
        r"trifft nicht zu",
        r"entf[äa]llt",
    ),
}

_COMPILED = {k: tuple(re.compile(p) for p in ps) for k, ps in DEFAULT_RULES.items()}


def _normalise(label: str) -> str:
    text = label.lower().replace("ё", "е").replace("’", "'").replace("`", "'").replace("ʼ", "'")
    return " ".join(text.split())


def _compile_rules(rules: KindRules | None) -> list[tuple[re.Pattern[str], MissingKind]]:
    out: list[tuple[re.Pattern[str], MissingKind]] = []
    for i, item in enumerate(rules or ()):
        try:
            pattern, kind = item
            out.append((re.compile(pattern, re.IGNORECASE), MissingKind(kind)))
        except (TypeError, ValueError, re.error) as err:
            raise QonysError(
                f"missing-kind rule {i + 1} is not a (pattern, kind) pair: {err}",
                where=Where(key="missing_rules"),
                rule="read.missing-rules",
                hint="Give pairs such as ('^нет ответа$', 'refused'); kinds: "
                + ", ".join(k.value for k in MissingKind)
                + ".",
            ) from None
    return out


def kind_from_label(label: str | None, *, rules: KindRules | None = None) -> MissingKind:
    """The :class:`MissingKind` a missing code's value label says (see the module docstring).

    Parameters
    ----------
    label : str or None
        The code's value label; ``None`` or empty gives ``missing``.
    rules : sequence of (pattern, kind), optional
        Custom rules tried first.

    Returns
    -------
    MissingKind
    """
    if not label:
        return MissingKind.MISSING
    text = _normalise(label)
    for pattern, kind in _compile_rules(rules):
        if pattern.search(text):
            return kind
    found = {k for k, pats in _COMPILED.items() if any(p.search(text) for p in pats)}
    return found.pop() if len(found) == 1 else MissingKind.MISSING


def kinds_override(
    missing_kinds: Mapping[str, Mapping[Code, MissingKind | str]] | None, variable: str
) -> dict[Code, MissingKind]:
    """Caller's code -> kind overrides for ``variable`` (key ``"*"`` applies to every variable).

    Examples
    --------
    >>> kinds_override({"*": {99: "refused"}, "q1": {98: "dont_know"}}, "q1")
    {99: <MissingKind.REFUSED: 'refused'>, 98: <MissingKind.DONT_KNOW: 'dont_know'>}
    """
    out: dict[Code, MissingKind] = {}
    if not missing_kinds:
        return out
    for key in ("*", variable):
        for code, kind in (missing_kinds.get(key) or {}).items():
            try:
                out[code] = MissingKind(kind)
            except ValueError:
                raise QonysError(
                    f"unknown missing kind {kind!r} for code {code!r}",
                    where=Where(key="missing_kinds", variable=None if key == "*" else key),
                    rule="read.missing-kinds",
                    hint="Kinds: " + ", ".join(k.value for k in MissingKind) + ".",
                ) from None
    return out
