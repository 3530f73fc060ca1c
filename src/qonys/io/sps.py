"""SPSS syntax (``.sps``) for what pyreadstat cannot write into a .sav: multiple-response sets.

pyreadstat has no way to store ``MRSETS`` in a .sav file, so the SPSS writer puts them in a
companion syntax file beside it. Running it in SPSS (or PSPP) after opening the data defines
the sets; saving the data then keeps them in the .sav::

    * Encoding: UTF-8.
    MRSETS
      /MDGROUP NAME=$q5 LABEL='Information sources'
        VARIABLES=q5_tv q5_internet q5_press
        VALUE=1
      /MCGROUP NAME=$q3 LABEL='Main problems'
        VARIABLES=q3_a q3_b.

A dichotomy set (``MRSet.kind == "dichotomy"``) becomes ``/MDGROUP`` with its counted value
(``VALUE=1``, or ``VALUE='y'`` for a string value), and ``CATEGORYLABELS=VARLABELS``; a category
set becomes ``/MCGROUP``. Set names get SPSS's ``$`` prefix and the same renaming as variables
(:mod:`qonys.io._names`); labels are quoted with ``'`` (doubled inside) and cut to 256 bytes.
Lines stay under 80 bytes where names allow.

Examples
--------
>>> from qonys._core import MRSet
>>> print(mrsets_syntax([MRSet("q5", ("q5/a", "q5/b"), label={"en": "Sources"})],
...                     {"q5/a": "q5_a", "q5/b": "q5_b"}, lang="en"))
* Encoding: UTF-8.
MRSETS
  /MDGROUP NAME=$q5 LABEL='Sources'
    VARIABLES=q5_a q5_b
    VALUE=1
    CATEGORYLABELS=VARLABELS.
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._core import MRSet
from ._names import cut_bytes, safe_name
from .sav_columns import pick_label

__all__ = ["mrsets_syntax", "quote"]


def quote(text: str) -> str:
    """An SPSS string literal.

    >>> quote("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"


def _wrap(words: Sequence[str], first: str, indent: str, width: int = 78) -> list[str]:
    lines: list[str] = []
    line = first
    for w in words:
        if (
            len(line.encode("utf-8")) + 1 + len(w.encode("utf-8")) > width
            and line.strip() != first.strip()
        ):
            lines.append(line)
            line = indent + w
        else:
            line = f"{line}{'' if line.endswith('=') else ' '}{w}"
    lines.append(line)
    return lines


def mrsets_syntax(
    sets: Sequence[MRSet],
    names: Mapping[str, str],
    *,
    lang: str | None = None,
    default_lang: str | None = None,
    header: Sequence[str] = (),
) -> str:
    """``MRSETS`` syntax defining ``sets`` over the written variable ``names``.

    Parameters
    ----------
    sets : sequence of MRSet
        Sets whose member variables were all written.
    names : mapping
        qonys name -> written name.
    lang, default_lang : str, optional
        Language of the set labels.
    header : sequence of str
        Comment lines put first (without the ``*``).
    """
    lines = ["* Encoding: UTF-8."] + [f"* {h}." for h in header] + ["MRSETS"]
    for s in sets:
        sub = "/MDGROUP" if s.kind == "dichotomy" else "/MCGROUP"
        head = f"  {sub} NAME=${safe_name(s.name, 'spss')}"
        label = pick_label(s.label, lang, default_lang)
        if label:
            head += f" LABEL={quote(cut_bytes(label, 256))}"
        lines.append(head)
        lines += _wrap([names.get(v, v) for v in s.variables], "    VARIABLES=", "      ")
        if s.kind == "dichotomy":
            value = s.counted_value if s.counted_value is not None else 1
            lines.append(f"    VALUE={quote(value) if isinstance(value, str) else value}")
            lines.append("    CATEGORYLABELS=VARLABELS")
    lines[-1] += "."
    return "\n".join(lines) + "\n"
