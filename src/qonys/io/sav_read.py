"""Reading SPSS ``.sav`` and ``.zsav`` files (reader and codebook reader ``sav``).

Conventions (see also :mod:`qonys.io.sav_dict` for the codebook rules):

- The frame keeps **raw values**: user-missing codes stay as codes (read with pyreadstat's
  ``user_missing=True``); the codebook says which codes are missing and of which kind. Nothing
  is dropped or rounded.
- Numeric columns of ``select_one``, ``integer`` and ``binary`` variables whose values are all
  whole numbers become nullable ``Int64``; an ``integer`` (by format) column holding fractions
  stays ``float64`` and its type becomes ``decimal``. Other numeric columns are ``float64``.
- SPSS has no system-missing string: an empty (all blank) string is read as a missing value.
- Date formats become ``datetime64`` (``date``, ``datetime``) or ``datetime.time`` (``time``).
  Dates outside the range Python can hold make the read fail (rule ``sav.date-overflow``)
  unless ``dates="raw"`` is passed, which keeps SPSS's seconds since 14 Oct 1582.
- **Encoding**: an explicit ``encoding=`` is used as given; otherwise the file's own, then
  UTF-8, WINDOWS-1251, CP866 and KOI8-R (:mod:`qonys.io.sav_encoding`). A decoding that looks
  like mojibake is refused. The encoding used is in ``Dataset.source.encoding``; a fallback is
  reported in ``Dataset.source.notes``.
- Files written by qonys carry ``qonys-data`` documents (:mod:`qonys.io.sav_meta`) that restore
  the original names, string choice codes (written as 1..k), languages, missing kinds,
  multiple-response sets and repeat-group tables written beside the main file.

Errors are :class:`~qonys._core.errors.ReadError` with these rules: ``sav.empty`` (zero bytes),
``sav.encrypted`` (password-protected file), ``sav.not-sav`` (another kind of file),
``sav.truncated`` (file cut short), ``sav.corrupt`` (damaged dictionary),
``sav.encoding`` / ``sav.encoding-unknown`` (text does not decode / unknown encoding name),
``sav.date-overflow``, ``sav.unknown-code`` (a value outside the stored string codes),
``sav.unreadable`` (anything else pyreadstat refuses), ``read.unknown-option``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

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
from .sav_dict import Dictionary, read_dictionary
from .sav_encoding import DecodeAttemptError, decode_with_fallback
from .sav_frame import attach_codebook, merge_roster_codebooks, to_qonys_frame
from .sav_kinds import KindRules

__all__ = ["read_sav", "read_sav_codebook", "sniff_sav"]

_ENCRYPTED = b"ENCRYPTEDSAV"
_DICT_END = (b"\xe7\x03\x00\x00\x00\x00\x00\x00", b"\x00\x00\x03\xe7\x00\x00\x00\x00")


def _what_is(head: bytes) -> str:
    if head.startswith(b"<stata_dta>") or (
        len(head) > 1 and 102 <= head[0] <= 119 and head[1] in (1, 2)
    ):
        return "a Stata .dta file (read it with format='dta')"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive (an .xlsx workbook or an ODK Central export?)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel .xls workbook"
    if b"SPSSPORT" in head[:512]:
        return "an SPSS portable (.por) file; save it as .sav in SPSS or PSPP"
    try:
        head[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "not an SPSS data file"
    return "a text file (CSV?), not an SPSS data file"


def sniff_sav(path: Path, display: str) -> None:
    """Fail early, with a clear rule, on files that cannot be a readable .sav/.zsav."""
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
            rule="sav.empty",
            hint="Copy or export the file again; the transfer may have failed.",
        )
    if _ENCRYPTED in head[:64]:
        raise ReadError(
            "the file is encrypted with a password",
            where=Where(file=display),
            rule="sav.encrypted",
            hint="Open it in SPSS with its password and save an unencrypted copy (File > Save As,"
            " without 'Encrypt file with password').",
        )
    if not head.startswith((b"$FL2", b"$FL3")):
        raise ReadError(
            f"this is not an SPSS .sav/.zsav file: it looks like {_what_is(head)}",
            where=Where(file=display),
            rule="sav.not-sav",
            hint="Check the file and its extension.",
        )
    if len(head) < 176:
        raise ReadError(
            "the file ends inside its header: it was cut short",
            where=Where(file=display),
            rule="sav.truncated",
            hint="Copy or export the file again; the transfer may have been interrupted.",
        )


def _has_dictionary_end(path: Path) -> bool:
    with open(path, "rb") as fh:
        data = fh.read(64 * 1024 * 1024)
    return any(marker in data for marker in _DICT_END)


def _failure(path: Path, display: str, err: Exception, metadataonly: bool) -> ReadError:
    msg = str(err)
    where = Where(file=display)
    cut = ("Unable to read from file", "expected number of rows")
    if any(c in msg for c in cut) or not _has_dictionary_end(path):
        return ReadError(
            "the file ends before its end: it was cut short",
            where=where,
            rule="sav.truncated",
            hint="Copy or export the file again; the transfer may have been interrupted.",
        )
    if "Invalid file" in msg and not metadataonly:
        try:
            pyreadstat.read_sav(str(path), metadataonly=True)
        except Exception:
            pass
        else:
            return ReadError(
                "the dictionary reads but the data section is cut short or damaged",
                where=where,
                rule="sav.truncated",
                hint="Copy or export the file again; the transfer may have been interrupted.",
            )
    if "Invalid file" in msg:
        return ReadError(
            "the file's dictionary is damaged",
            where=where,
            rule="sav.corrupt",
            hint="Open it in SPSS or PSPP; if they fail too, ask for a new copy.",
        )
    return ReadError(
        f"pyreadstat cannot read the file: {msg}",
        where=where,
        rule="sav.unreadable",
        hint="Open it in SPSS or PSPP and save it again as .sav.",
    )


def _call(
    path: Path,
    display: str,
    *,
    encoding: str | None,
    metadataonly: bool,
    dates: str,
    usecols: list[str] | None,
) -> tuple[pd.DataFrame, Any]:
    try:
        return pyreadstat.read_sav(
            str(path),
            metadataonly=metadataonly,
            user_missing=True,
            encoding=encoding,
            dates_as_pandas_datetime=dates != "raw",
            disable_datetime_conversion=dates == "raw",
            usecols=usecols,
        )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as err:
        msg = str(err)
        if "convert string to the requested encoding" in msg:
            raise DecodeAttemptError(msg) from None
        if "unsupported character set" in msg:
            raise ReadError(
                f"unknown encoding name {encoding!r}",
                where=Where(file=display, key="encoding"),
                rule="sav.encoding-unknown",
                hint="Use an iconv name such as UTF-8, WINDOWS-1251, CP866 or KOI8-R.",
            ) from None
        raise _failure(path, display, err, metadataonly) from None
    except UnicodeDecodeError as err:
        raise DecodeAttemptError(str(err)) from None
    except OverflowError:
        raise ReadError(
            "a date in the file is outside the range Python can hold",
            where=Where(file=display),
            rule="sav.date-overflow",
            hint="Pass dates='raw' to keep dates as SPSS seconds since 14 Oct 1582.",
        ) from None
    except Exception as err:
        raise _failure(path, display, err, metadataonly) from None


def _texts(df: pd.DataFrame, meta: Any) -> list[str]:
    out: list[str] = [str(c) for c in meta.column_names]
    out += [v for v in meta.column_names_to_labels.values() if v]
    out += [str(lab) for vl in meta.variable_value_labels.values() for lab in vl.values()]
    out += [str(code) for vl in meta.variable_value_labels.values() for code in vl]
    out += [n for n in meta.notes or [] if not n.startswith("qonys-data:")]
    out += [meta.file_label or ""]
    out += [str(s.get("label") or "") for s in (getattr(meta, "mr_sets", None) or {}).values()]
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            out += [v for v in df[col].dropna().unique()[:2000] if isinstance(v, str)]
    return out


def _read(
    path: Path,
    *,
    encoding: str | None,
    metadataonly: bool,
    dates: str,
    usecols: list[str] | None,
    check_mojibake: bool,
) -> tuple[pd.DataFrame, Any, str | None, list[str]]:
    display = str(path)
    sniff_sav(path, display)

    def attempt(enc: str | None) -> tuple[tuple[pd.DataFrame, Any], str | None, list[str]]:
        df, meta = _call(
            path, display, encoding=enc, metadataonly=metadataonly, dates=dates, usecols=usecols
        )
        return (df, meta), enc or meta.file_encoding, _texts(df, meta)

    (df, meta), used, notes = decode_with_fallback(
        attempt, encoding=encoding, file=display, rule="sav.encoding", check_mojibake=check_mojibake
    )
    return df, meta, used, notes


def _check_options(options: Mapping[str, Any], display: str) -> None:
    if options:
        raise QonysError(
            f"unknown option(s) for the SPSS reader: {', '.join(sorted(options))}",
            where=Where(file=display, key=sorted(options)[0]),
            rule="read.unknown-option",
            hint="Options: language, missing_rules, missing_kinds, dates, check_mojibake, "
            "usecols, rosters.",
        )


@READERS.register("sav", doc="SPSS .sav / .zsav data with their dictionary")
def read_sav(
    path: str | Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    language: str | None = None,
    missing_rules: KindRules | None = None,
    missing_kinds: Mapping[str, Mapping[Code, str]] | None = None,
    dates: Literal["convert", "raw"] = "convert",
    check_mojibake: bool = True,
    usecols: list[str] | None = None,
    rosters: bool = True,
    **options: Any,
) -> Dataset:
    """Read an SPSS ``.sav`` or ``.zsav`` file with its dictionary.

    Parameters
    ----------
    path : str or Path
        The file.
    codebook : Codebook, optional
        Metadata that replace the file's for the variables they describe.
    encoding : str, optional
        iconv encoding name (``WINDOWS-1251``...); detected when omitted (module docstring).
    language : str, optional
        Language code the file's labels are in (``"ru"``); labels are keyed ``"default"``
        otherwise.
    missing_rules : sequence of (pattern, kind), optional
        Extra label rules for missing kinds, tried before the built-in ones
        (:mod:`qonys.io.sav_kinds`).
    missing_kinds : mapping, optional
        ``{variable: {code: kind}}`` (``"*"`` for every variable): kinds set outright.
    dates : {"convert", "raw"}
        Convert date formats, or keep SPSS's numbers.
    check_mojibake : bool
        Refuse decodings that look like mojibake (default ``True``).
    usecols : list of str, optional
        Read only these columns (names as in the file).
    rosters : bool
        Also read the repeat-group tables a qonys-written file lists (default ``True``).

    Returns
    -------
    Dataset

    Raises
    ------
    ReadError
        See the module docstring for the rules.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from qonys._core import Codebook, Variable, ChoiceList, Choice, Dataset
    >>> cb = Codebook(variables=(Variable("city", "select_one", choices="city"),),
    ...     choice_lists=(ChoiceList("city", (Choice("astana", {"ru": "Астана"}),
    ...                                       Choice("almaty", {"ru": "Алматы"}))),))
    >>> ds = Dataset(pd.DataFrame({"city": ["almaty", "astana"]}), cb)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "s.sav"
    >>> from qonys.io import write, read
    >>> _ = write(ds, out)
    >>> back = read(out)
    >>> back.data["city"].tolist(), back.codebook.value_labels("city", "ru")
    (['almaty', 'astana'], {'astana': 'Астана', 'almaty': 'Алматы'})
    """
    p = Path(path)
    display = str(path)
    _check_options(options, display)
    df, meta, used, notes = _read(
        p,
        encoding=encoding,
        metadataonly=False,
        dates=dates,
        usecols=usecols,
        check_mojibake=check_mojibake,
    )
    dictionary = read_dictionary(
        meta,
        language=language,
        rules=missing_rules,
        kinds=missing_kinds,
        dates_converted=dates != "raw",
    )
    frame, cb = to_qonys_frame(df, dictionary, display)
    tables: dict[str, pd.DataFrame] = {}
    notes += dictionary.notes
    if rosters and dictionary.rosters and usecols is None:
        tables, cb, more = _read_rosters(p, dictionary, cb, encoding=used, dates=dates)
        notes += more
    if codebook is not None:
        cb = attach_codebook(cb, codebook)
    source = SourceInfo(
        name=display, format="sav", sha256=sha256_file(p), encoding=used, notes=tuple(notes)
    )
    return Dataset(frame, cb, rosters=tables, source=source)


def _read_rosters(
    path: Path, dictionary: Dictionary, cb: Codebook, *, encoding: str | None, dates: Any
) -> tuple[dict[str, pd.DataFrame], Codebook, list[str]]:
    files = {r: path.parent / f for r, f in dictionary.rosters.items()}
    missing = [f.name for f in files.values() if not f.exists()]
    if missing:
        return {}, cb, [f"repeat-group tables not found beside the file: {', '.join(missing)}"]
    parts = {
        r: read_sav(f, encoding=encoding, dates=dates, rosters=False) for r, f in files.items()
    }
    merged = merge_roster_codebooks(cb, {r: ds.codebook for r, ds in parts.items()})
    return {r: ds.data for r, ds in parts.items()}, merged, []


@CODEBOOK_READERS.register("sav", doc="SPSS .sav / .zsav dictionary")
def read_sav_codebook(
    path: str | Path,
    *,
    encoding: str | None = None,
    language: str | None = None,
    missing_rules: KindRules | None = None,
    missing_kinds: Mapping[str, Mapping[Code, str]] | None = None,
    check_mojibake: bool = True,
    **options: Any,
) -> Codebook:
    """Read only the dictionary of an SPSS file as a :class:`Codebook` (no data).

    Takes the same ``encoding``, ``language``, ``missing_rules``, ``missing_kinds`` and
    ``check_mojibake`` options as :func:`read_sav`; string values are not checked for mojibake
    since no data are read.
    """
    _check_options(options, str(path))
    _, meta, _, _ = _read(
        Path(path),
        encoding=encoding,
        metadataonly=True,
        dates="convert",
        usecols=None,
        check_mojibake=check_mojibake,
    )
    return read_dictionary(
        meta, language=language, rules=missing_rules, kinds=missing_kinds
    ).codebook
