"""Stata ``.dta`` files: reader, codebook reader and writer, all named ``dta``.

Reading (conventions shared with the SPSS reader, :mod:`qonys.io.sav_read`):

- Variable labels, value labels and the dataset label are keyed by ``language=`` (else
  ``"default"``); each Stata value-label set becomes one
  :class:`~qonys._core.codebook.ChoiceList` **with the set's own name** (sets are shared in
  Stata already); sets attached to no variable (a second label language such as ``type_de``)
  are kept too.
- **Extended missing values** ``.a``-``.z`` are kept as the strings ``".a"``...``".z"`` in the
  column (which is then of ``object`` dtype, numbers and these strings), and each one that is
  used in the data or labelled becomes a ``MissingCode(value=".a", kind=...)``, the kind read
  from its value label (:mod:`qonys.io.sav_kinds`: ``.a "Don't know"`` -> ``dont_know``).
  With ``extended_missing="nan"`` they become ``NaN`` instead (the codebook still lists them).
  Stata's plain ``.`` is an empty cell.
- Types: integer storage types are ``integer``, ``float``/``double`` ``decimal``, strings
  ``text``; value labels on a code that is not an extended missing value make ``select_one``;
  ``%td`` is ``date``, ``%tc``/``%tC`` ``datetime``, ``%tcHH:MM:SS`` ``time``. Integer columns
  become ``Int64``; blank strings are missing values.
- Encoding: Stata 14+ files (release 118/119) are UTF-8; older files are in the writer's code
  page, read by default as Windows-1252. When that gives mojibake or fails, WINDOWS-1251,
  CP866 and KOI8-R are tried, as for SPSS files, then UTF-8 (old-format files written by
  pyreadstat or R hold UTF-8) -- but UTF-8 only when Windows-1252 failed on invalid bytes or
  gave UTF-8-looking mojibake, because pyreadstat silently drops characters that are not
  UTF-8.

Errors (:class:`~qonys._core.errors.ReadError`): ``dta.empty``, ``dta.not-dta`` (another kind
of file, e.g. an SPSS file renamed ``.dta``), ``dta.truncated``, ``dta.invalid-text`` (text
that is not UTF-8 in a Stata 14+ file, typically binary data in a ``strL``; read the other
columns with ``usecols=``), ``dta.encoding``, ``dta.encoding-unknown``, ``dta.unreadable``.

Writing is in :mod:`qonys.io.stata_write`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyreadstat

from .._core import (
    Code,
    Codebook,
    Dataset,
    QonysError,
    ReadError,
    SourceInfo,
    Where,
    sha256_file,
)
from ._registry import CODEBOOK_READERS, READERS
from .sav_encoding import DecodeAttemptError, decode_with_fallback
from .sav_frame import attach_codebook, blank_to_missing, to_int_if_integral
from .sav_kinds import KindRules
from .stata_dict import stata_codebook
from .stata_write import write_dta

__all__ = ["read_dta", "read_dta_codebook", "stata_release", "write_dta"]

_OLD_RELEASES = frozenset({102, 103, 104, 105, 108, 110, 111, 113, 114, 115})


def stata_release(head: bytes) -> int | None:
    """The .dta format release from the first bytes, or ``None`` if it is not a .dta file.

    >>> stata_release(b"<stata_dta><header><release>118</release>")
    118
    >>> stata_release(bytes([115, 2, 1, 0])), stata_release(b"$FL2")
    (115, None)
    """
    if head.startswith(b"<stata_dta>"):
        m = re.search(rb"<release>(\d+)</release>", head[:200])
        return int(m.group(1)) if m else None
    if len(head) >= 4 and head[0] in _OLD_RELEASES and head[1] in (1, 2):
        return head[0]
    return None


def _sniff(path: Path, display: str) -> int:
    if not path.exists():
        raise ReadError(
            "file not found",
            where=Where(file=display),
            rule="read.not-found",
            hint="Check the path; relative paths are taken from the current folder.",
        )
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise ReadError(
            "the file is empty (0 bytes)",
            where=Where(file=display),
            rule="dta.empty",
            hint="Copy or export the file again; the transfer may have failed.",
        )
    release = stata_release(head)
    if release is None:
        what = (
            "an SPSS .sav file (read it with format='sav')"
            if head.startswith((b"$FL2", b"$FL3"))
            else "not a Stata file"
        )
        raise ReadError(
            f"this is not a Stata .dta file: it looks like {what}",
            where=Where(file=display),
            rule="dta.not-dta",
            hint="Check the file and its extension.",
        )
    return release


def _call(
    path: Path,
    display: str,
    release: int,
    *,
    encoding: str | None,
    metadataonly: bool,
    usecols: list[str] | None,
) -> tuple[pd.DataFrame, Any]:
    try:
        return pyreadstat.read_dta(
            str(path),
            metadataonly=metadataonly,
            user_missing=True,
            encoding=encoding,
            dates_as_pandas_datetime=True,
            usecols=usecols,
        )
    except UnicodeDecodeError:
        if release >= 118:
            raise ReadError(
                "a text value is not valid UTF-8: a strL variable probably holds binary data "
                "(an image or a document)",
                where=Where(file=display),
                rule="dta.invalid-text",
                hint="Read the other columns with usecols=[...], or drop that variable in Stata.",
            ) from None
        raise DecodeAttemptError("invalid bytes") from None
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as err:
        msg = str(err)
        if "convert string to the requested encoding" in msg:
            raise DecodeAttemptError(msg) from None
        if "unsupported character set" in msg:
            raise ReadError(
                f"unknown encoding name {encoding!r}",
                where=Where(file=display, key="encoding"),
                rule="dta.encoding-unknown",
                hint="Use an iconv name such as WINDOWS-1251, CP866 or KOI8-R.",
            ) from None
        cut = ("Unable to read from file", "Invalid file", "expected number of rows")
        if any(c in msg for c in cut):
            raise ReadError(
                "the file ends early or is damaged",
                where=Where(file=display),
                rule="dta.truncated",
                hint="Copy or export the file again; the transfer may have been interrupted.",
            ) from None
        raise ReadError(
            f"pyreadstat cannot read the file: {msg}",
            where=Where(file=display),
            rule="dta.unreadable",
            hint="Open it in Stata and save it again (saveold for old Stata versions).",
        ) from None
    except Exception as err:
        raise ReadError(
            f"pyreadstat cannot read the file: {type(err).__name__}",
            where=Where(file=display),
            rule="dta.unreadable",
            hint="Open it in Stata and save it again.",
        ) from None


def _texts(df: pd.DataFrame, meta: Any) -> list[str]:
    out = [str(c) for c in meta.column_names]
    out += [v for v in meta.column_names_to_labels.values() if v]
    out += [str(lab) for vl in meta.value_labels.values() for lab in vl.values()]
    out += list(meta.notes or []) + [meta.file_label or ""]
    for col in df.columns:
        if pd.api.types.is_string_dtype(df[col]) and meta.readstat_variable_types.get(col) == (
            "string"
        ):
            out += [v for v in df[col].dropna().unique()[:2000] if isinstance(v, str)]
    return out


def _read(
    path: Path,
    *,
    encoding: str | None,
    metadataonly: bool,
    usecols: list[str] | None,
    check_mojibake: bool,
) -> tuple[pd.DataFrame, Any, str | None, list[str]]:
    display = str(path)
    release = _sniff(path, display)

    def attempt(enc: str | None) -> tuple[tuple[pd.DataFrame, Any], str | None, list[str]]:
        df, meta = _call(
            path, display, release, encoding=enc, metadataonly=metadataonly, usecols=usecols
        )
        used = enc or ("UTF-8" if release >= 118 else "WINDOWS-1252")
        return (df, meta), used, _texts(df, meta)

    (df, meta), used, notes = decode_with_fallback(
        attempt,
        encoding=encoding,
        file=display,
        rule="dta.encoding",
        check_mojibake=check_mojibake,
        fallbacks=("WINDOWS-1251", "CP866", "KOI8-R", "UTF-8"),
        only_if_own_fails=("UTF-8",),
    )
    return df, meta, used, notes


def _frame(df: pd.DataFrame, cb: Codebook, extended_missing: str) -> tuple[pd.DataFrame, Codebook]:
    cols: dict[str, pd.Series] = {}
    for name in df.columns:
        col = df[name]
        var = cb[name]
        if var.type in ("integer", "decimal", "select_one") and not pd.api.types.is_numeric_dtype(
            col
        ):
            values = [
                np.nan
                if x is None or (isinstance(x, float) and np.isnan(x))
                else ("." + x if isinstance(x, str) else x)
                for x in col.tolist()
            ]
            if extended_missing == "nan" or not any(isinstance(x, str) for x in values):
                numbers = [np.nan if isinstance(x, str) else float(x) for x in values]
                col = to_int_if_integral(pd.Series(numbers, dtype="float64"))
            else:
                col = pd.Series(values, dtype=object)
        elif pd.api.types.is_integer_dtype(col):
            col = col.astype("Int64")
        elif pd.api.types.is_float_dtype(col) and var.type in ("integer", "select_one"):
            col = to_int_if_integral(col)
        elif pd.api.types.is_string_dtype(col):
            col = blank_to_missing(col)
        cols[name] = col.reset_index(drop=True)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(df))), cb


def _check_options(options: Mapping[str, Any], display: str) -> None:
    if options:
        raise QonysError(
            f"unknown option(s) for the Stata reader: {', '.join(sorted(options))}",
            where=Where(file=display, key=sorted(options)[0]),
            rule="read.unknown-option",
            hint="Options: language, missing_rules, missing_kinds, extended_missing, "
            "check_mojibake, usecols.",
        )


@READERS.register("dta", doc="Stata .dta data with value labels and .a-.z missing values")
def read_dta(
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    language: str | None = None,
    missing_rules: KindRules | None = None,
    missing_kinds: Mapping[str, Mapping[Code, str]] | None = None,
    extended_missing: Literal["codes", "nan"] = "codes",
    check_mojibake: bool = True,
    usecols: list[str] | None = None,
    **options: Any,
) -> Dataset:
    """Read a Stata ``.dta`` file with its labels (conventions in the module docstring).

    Parameters are those of :func:`qonys.io.sav_read.read_sav`, plus ``extended_missing``:
    ``"codes"`` keeps ``.a``-``.z`` as the strings ``".a"``...; ``"nan"`` makes them ``NaN``.

    Raises
    ------
    ReadError
        Rules ``dta.*`` listed in the module docstring.
    """
    p = Path(path)
    display = str(path)
    _check_options(options, display)
    df, meta, used, notes = _read(
        p, encoding=encoding, metadataonly=False, usecols=usecols, check_mojibake=check_mojibake
    )
    cb = stata_codebook(meta, language=language, rules=missing_rules, kinds=missing_kinds)
    frame, cb = _frame(df, cb, extended_missing)
    if codebook is not None:
        cb = attach_codebook(cb, codebook)
    source = SourceInfo(
        name=display, format="dta", sha256=sha256_file(p), encoding=used, notes=tuple(notes)
    )
    return Dataset(frame, cb, source=source)


@CODEBOOK_READERS.register("dta", doc="Stata .dta labels and missing values")
def read_dta_codebook(
    path: str | Path,
    *,
    encoding: str | None = None,
    language: str | None = None,
    missing_rules: KindRules | None = None,
    missing_kinds: Mapping[str, Mapping[Code, str]] | None = None,
    check_mojibake: bool = True,
    **options: Any,
) -> Codebook:
    """Read only the labels of a .dta file as a :class:`Codebook` (no data, so only the
    extended missing values that are labelled are listed)."""
    _check_options(options, str(path))
    _, meta, _, _ = _read(
        Path(path),
        encoding=encoding,
        metadataonly=True,
        usecols=None,
        check_mojibake=check_mojibake,
    )
    return stata_codebook(meta, language=language, rules=missing_rules, kinds=missing_kinds)
