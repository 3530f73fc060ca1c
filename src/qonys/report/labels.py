"""Labels from the codebook, in every language, for tables and figures.

Examples
--------
>>> from qonys._core import Choice, ChoiceList, Codebook, Variable
>>> cb = Codebook(
...     variables=(Variable("sex", "select_one", label={"kk": "Жынысы", "ru": "Пол", "en": "Sex"},
...                         choices="sex"),),
...     choice_lists=(
...         ChoiceList("sex", (Choice(1, {"kk": "Ер", "ru": "Мужской", "en": "Male"}),)),
...     ),
... )
>>> from qonys.report.text import resolve
>>> resolve(variable_title(cb, "sex"), "ru"), resolve(level_label(cb, "sex", 1.0), "kk")
('Пол', 'Ер')
>>> resolve(level_label(None, "sex", 2.0), "en")
'2'
"""

from __future__ import annotations

import math

from .._core import Codebook
from .text import Labels, Text

__all__ = ["code_text", "level_label", "variable_title"]


def code_text(code: object) -> str:
    """A code as printed: ``2.0`` as ``2``, text as it is.

    >>> code_text(3.0), code_text("a"), code_text(2.5)
    ('3', 'a', '2.5')
    """
    if isinstance(code, float) and math.isfinite(code) and code.is_integer():
        return str(int(code))
    return str(code)


def variable_title(codebook: Codebook | None, variable: str | None) -> Text:
    """The question text of ``variable`` in every language, else its name."""
    if variable is None:
        return ""
    if codebook is not None and variable in codebook:
        v = codebook[variable]
        if v.label:
            return Labels(dict(v.label))
    return variable


def level_label(codebook: Codebook | None, variable: str | None, level: object) -> Text:
    """The value label of ``level`` in every language, else the code."""
    if codebook is not None and variable is not None and variable in codebook:
        cl = codebook.choices_of(variable)
        if cl is not None:
            choice = cl.get(level)  # type: ignore[arg-type]
            if choice is None and isinstance(level, float) and level.is_integer():
                choice = cl.get(int(level))
            if choice is not None and choice.labels:
                return Labels(dict(choice.labels))
    return code_text(level)
