"""Number formatting for printed reports, by language (display only: nothing is computed).

Kazakh and Russian use a decimal comma and group thousands with a narrow no-break space
(U+202F), so a number never breaks across lines: ``1 234 567,9``; English uses ``1,234,567.9``.
Formats come from Babel/CLDR, with the group separator of kk and ru narrowed. ``kk-Latn`` formats
as ``kk``. Spreadsheets get numbers with number formats instead (see the XLSX renderer).

Statistics follow APA 7 in English (no leading zero for p: ``p = .023``, ``p < .001``) and the
usual Russian and Kazakh convention elsewhere (``p = 0,023``, ``p < 0,001``).

Examples
--------
>>> fmt_number(1234567.891, "ru", 1)
'1\\u202f234\\u202f567,9'
>>> fmt_number(0.5, "en", 2)
'0.50'
>>> fmt_p(0.0231, "en"), fmt_p(0.0004, "kk")
('p = .023', 'p < 0,001')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_decimal

from .i18n import babel_locale

__all__ = [
    "NNBSP",
    "fmt_ci",
    "fmt_int",
    "fmt_number",
    "fmt_p",
    "fmt_stat_line",
    "is_missing",
]

NNBSP = "\u202f"
"""Narrow no-break space: the thousands separator of kk and ru."""

MINUS = "\u2212"


def is_missing(x: object) -> bool:
    """Whether ``x`` is ``None`` or a non-finite float (printed as an empty cell).

    >>> is_missing(float("nan")), is_missing(0)
    (True, False)
    """
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_number(x: float | int | None, lang: str, decimals: int = 1) -> str:
    """``x`` rounded half-away-from-zero to ``decimals`` places, with the language's separators.

    Missing values give an empty string; negative numbers use the true minus sign.

    >>> fmt_number(-2.25, "kk", 1)
    '−2,3'
    >>> fmt_number(None, "en")
    ''
    >>> fmt_number(1e31, "en", 2)[:6], fmt_number(1e-300, "en", 2)
    ('10,000', '0.00')
    """
    if x is None or is_missing(x):
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    value = Decimal(repr(float(x)))
    with localcontext() as ctx:  # enough digits for any double (1e31 with 2 decimals: 34)
        ctx.prec = max(28, value.adjusted() + decimals + 2)
        exact = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = format_decimal(exact, format=pattern, locale=babel_locale(lang))
    if babel_locale(lang) in ("kk", "ru"):
        text = text.replace("\xa0", NNBSP)
    if text.startswith("-"):
        stripped = text[1:].replace("0", "").replace(",", "").replace(".", "").strip(NNBSP)
        text = (MINUS + text[1:]) if stripped else text[1:]
    return text


def fmt_int(n: int | float | None, lang: str) -> str:
    """A whole number with grouping.

    >>> fmt_int(12345, "en")
    '12,345'
    """
    return fmt_number(n, lang, 0)


def fmt_p(p: float | None, lang: str) -> str:
    """A p-value for a test line (``p = .023``; ``p < .001`` below one in a thousand).

    >>> fmt_p(0.5, "ru")
    'p = 0,500'
    """
    if p is None or is_missing(p):
        return ""
    if p < 0.001:
        text, op = fmt_number(0.001, lang, 3), "<"
    else:
        text, op = fmt_number(p, lang, 3), "="
    if babel_locale(lang) == "en" and text.startswith("0"):
        text = text[1:]
    return f"p {op} {text}"


def fmt_ci(low: float | None, high: float | None, lang: str, decimals: int = 2) -> str:
    """A confidence interval: ``[0.12, 0.35]`` in English, ``[0,12; 0,35]`` in kk and ru.

    >>> fmt_ci(0.12, 0.345, "ru")
    '[0,12; 0,35]'
    """
    if is_missing(low) or is_missing(high):
        return ""
    sep = ", " if babel_locale(lang) == "en" else "; "
    return f"[{fmt_number(low, lang, decimals)}{sep}{fmt_number(high, lang, decimals)}]"


def fmt_stat_line(
    statistic: str,
    value: float,
    df: float | tuple[float, float] | None,
    p: float | None,
    lang: str,
    decimals: int = 2,
) -> str:
    """An APA test line such as ``χ²(12) = 23.57, p = .023`` or ``F(3.8, 412.6) = 2.10, p = .081``.

    >>> fmt_stat_line("χ²", 23.571, 12, 0.0231, "en")
    'χ²(12) = 23.57, p = .023'
    >>> fmt_stat_line("F", 2.1, (3.84, 412.6), 0.081, "ru")
    'F(3,8; 412,6) = 2,10, p = 0,081'
    """

    def dfs(d: float) -> str:
        return fmt_number(d, lang, 0 if float(d).is_integer() else 1)

    if df is None:
        head = statistic
    elif isinstance(df, tuple):
        sep = ", " if babel_locale(lang) == "en" else "; "
        head = f"{statistic}({dfs(df[0])}{sep}{dfs(df[1])})"
    else:
        head = f"{statistic}({dfs(df)})"
    line = f"{head} = {fmt_number(value, lang, decimals)}"
    ptext = fmt_p(p, lang)
    return f"{line}, {ptext}" if ptext else line
