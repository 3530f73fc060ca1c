"""SPSS ``.sav`` / ``.zsav`` support: reader, codebook reader and writer, all named ``sav``.

The work is split over modules of one concern each:

:mod:`qonys.io.sav_read`
    reading data (value conventions, errors and their rules);
:mod:`qonys.io.sav_dict`
    the dictionary as a codebook (types, value labels, user-missing codes, MR sets);
:mod:`qonys.io.sav_kinds`
    the kind of a missing code from its value label (kk/ru/en/de/fr rules);
:mod:`qonys.io.sav_encoding`
    the encoding fallback chain and the mojibake check;
:mod:`qonys.io.sav_write` and :mod:`qonys.io.sav_columns`
    writing (names, labels, SPSS limits, long strings, missing values);
:mod:`qonys.io.sav_meta`
    the ``qonys-data`` documents that make a round trip lossless;
:mod:`qonys.io.sps`
    ``MRSETS`` syntax for multiple-response sets.

Importing this module registers ``sav`` in ``READERS``, ``CODEBOOK_READERS`` and ``WRITERS``.
"""

from __future__ import annotations

from .sav_read import read_sav, read_sav_codebook
from .sav_write import write_sav

__all__ = ["read_sav", "read_sav_codebook", "write_sav"]
