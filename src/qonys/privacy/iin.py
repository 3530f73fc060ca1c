"""Kazakhstan's individual identification number (IIN; ЖСН in Kazakh, ИИН in Russian).

An IIN has 12 digits ``YYMMDD C NNNN K``:

* ``YYMMDD`` the date of birth;
* ``C`` century and sex: 1/2 born in the 1800s (male/female), 3/4 in the 1900s, 5/6 in the
  2000s (0 marks a business identification number, BIN, not a person);
* ``NNNN`` a registration number;
* ``K`` the check digit.

Check digit (the rules of forming IINs, Government Decree No. 406 of 21 May 2007, as
implemented identically by the ``kaz-person-id`` Java library and the ``kz-iin-validator``
Python package):

.. math::

    s_1 = \\sum_{i=1}^{11} d_i \\, i \\bmod 11

If :math:`s_1 \\ne 10` the check digit is :math:`s_1`. Otherwise a second sum uses the weights
3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2:

.. math::

    s_2 = (3 d_1 + 4 d_2 + \\dots + 11 d_9 + 1 d_{10} + 2 d_{11}) \\bmod 11

and the check digit is :math:`s_2`. If :math:`s_2 = 10` as well, no IIN is issued with those
11 digits. (The same two-pass mod-11 scheme is used by other CIS classifiers, some of which
write 0 in that case; qonys reports such a number as a *possible* IIN rather than ignoring it.)

Examples
--------
>>> iin_check_digit("90010130012")  # 9*1 + 1*4 + 1*6 + 3*7 + 1*10 + 2*11 = 72; 72 mod 11 = 6
6
>>> is_valid_iin("900101300126"), is_valid_iin("900101300121")
(True, False)
>>> iin_birth_date("900101300126")
datetime.date(1990, 1, 1)
"""

from __future__ import annotations

from datetime import date

__all__ = ["iin_birth_date", "iin_check_digit", "iin_kind", "is_valid_iin"]

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def iin_check_digit(first11: str) -> int | None:
    """The check digit of the first 11 digits, or ``None`` when both sums give 10.

    Raises
    ------
    ValueError
        If ``first11`` is not 11 ASCII digits (a programming error, not user input).
    """
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError("expected 11 digits")
    digits = [int(c) for c in first11]
    s1 = sum(d * w for d, w in zip(digits, _W1, strict=True)) % 11
    if s1 != 10:
        return s1
    s2 = sum(d * w for d, w in zip(digits, _W2, strict=True)) % 11
    return None if s2 == 10 else s2


def iin_birth_date(text: str) -> date | None:
    """Date of birth encoded in an IIN-shaped string, or ``None`` if it encodes none."""
    if len(text) != 12 or not text.isascii() or not text.isdigit():
        return None
    century = _CENTURY.get(int(text[6]))
    if century is None:
        return None
    try:
        return date(century + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def is_valid_iin(text: str) -> bool:
    """Whether ``text`` is a well-formed IIN: 12 digits, a real birth date, a century/sex digit
    1-6 and the right check digit."""
    if iin_birth_date(text) is None:
        return False
    return iin_check_digit(text[:11]) == int(text[11])


def iin_kind(text: str) -> str | None:
    """``"iin"`` for a valid IIN; ``"possible_iin"`` for 12 digits with a real birth date and a
    century digit 1-6 but a wrong (or unissuable) check digit; otherwise ``None``.

    >>> iin_kind("900101300126"), iin_kind("900101300121"), iin_kind("123456789012")
    ('iin', 'possible_iin', None)
    """
    if iin_birth_date(text) is None:
        return None
    return "iin" if is_valid_iin(text) else "possible_iin"
