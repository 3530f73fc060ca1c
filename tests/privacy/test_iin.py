"""IIN check digit on numbers worked out by hand (no real person's IIN is used).

Algorithm (qonys.privacy.iin): s1 = sum(d_i * i, i = 1..11) mod 11; if s1 == 10,
s2 = (3 d1 + 4 d2 + ... + 11 d9 + 1 d10 + 2 d11) mod 11; the check digit is s1, else s2; when
s2 is also 10 no IIN is issued.
"""

from __future__ import annotations

from datetime import date

import pytest

from qonys.privacy import iin_birth_date, iin_check_digit, iin_kind, is_valid_iin


def test_first_sequence() -> None:
    # 9 0 0 1 0 1 3 0 0 1 2 (born 1990-01-01, male, 20th century):
    # 9*1 + 1*4 + 1*6 + 3*7 + 1*10 + 2*11 = 72; 72 mod 11 = 6
    assert iin_check_digit("90010130012") == 6
    assert is_valid_iin("900101300126")
    assert iin_birth_date("900101300126") == date(1990, 1, 1)


def test_second_sequence() -> None:
    # 8 5 0 3 1 5 4 0 0 6 0 (born 1985-03-15, female):
    # s1 = 8 + 10 + 0 + 12 + 5 + 30 + 28 + 0 + 0 + 60 + 0 = 153; 153 mod 11 = 10 -> second
    # s2 = 24 + 20 + 0 + 18 + 7 + 40 + 36 + 0 + 0 + 6 + 0 = 151; 151 mod 11 = 8
    assert iin_check_digit("85031540060") == 8
    assert is_valid_iin("850315400608")
    assert not is_valid_iin("850315400603")  # the first-sequence remainder is not a digit


def test_both_sequences_give_ten() -> None:
    # 8 5 0 3 1 5 4 0 0 6 1: s1 = 153 + 11 = 164, 164 mod 11 = 10;
    # s2 = 151 + 2 = 153, 153 mod 11 = 10 -> no IIN is issued with these 11 digits
    assert iin_check_digit("85031540061") is None
    assert all(not is_valid_iin(f"85031540061{k}") for k in range(10))
    assert iin_kind("850315400610") == "possible_iin"


def test_twenty_first_century() -> None:
    # 0 5 0 1 0 1 5 0 0 1 2 (born 2005-01-01, male): s1 = 10 + 4 + 6 + 35 + 10 + 22 = 87,
    # 87 mod 11 = 10; s2 = 20 + 6 + 8 + 45 + 1 + 4 = 84, 84 mod 11 = 7
    assert iin_check_digit("05010150012") == 7
    assert iin_birth_date("050101500127") == date(2005, 1, 1)
    assert iin_kind("050101500127") == "iin"


@pytest.mark.parametrize(
    "text",
    [
        "900101700126",  # century/sex digit 7 is not used
        "900101000126",  # 0 marks a business number (BIN)
        "901301300126",  # month 13
        "900230300126",  # 30 February
        "90010130012",  # 11 digits
        "9001013001２6",  # a full-width digit is not an ASCII digit
    ],
)
def test_not_iins(text: str) -> None:
    assert iin_kind(text) is None
    assert not is_valid_iin(text)


def test_wrong_check_digit_is_a_possible_iin() -> None:
    assert iin_kind("900101300121") == "possible_iin"  # the check digit should be 6


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="11 digits"):
        iin_check_digit("12345")
