"""Writing SPSS ``.sav`` / ``.zsav`` files (writer ``sav``).

What is written, and how (column rules are in :mod:`qonys.io.sav_columns`):

- ``path`` ending in ``.zsav`` gives a zlib-compressed file; ``.sav`` an uncompressed one
  (``compress=True`` gives SPSS's bytecode compression).
- Names are made SPSS-safe (:mod:`qonys.io._names`); labels are written in one language:
  ``language=``, else the codebook's default language, else its first language.
- The file's documents get the codebook's notes, then the ``qonys-data`` lines
  (:mod:`qonys.io.sav_meta`) holding the full codebook, the original names and the string
  codes, so that :func:`qonys.io.read` gives back the same dataset. SPSS shows them under
  *File > Display Data File Information*; they do no harm there.
- Multiple-response sets go to a companion ``<name>.sps`` syntax file (:mod:`qonys.io.sps`),
  since pyreadstat cannot write them into the .sav.
- Repeat groups (``Dataset.rosters``) are written as separate files beside the main one,
  ``<name>_<roster>.sav``, listed in the main file's ``qonys-data``.
- **Long strings.** SPSS splits text longer than 255 bytes (127 Cyrillic letters) into
  segments; files written by pyreadstat hold them whole and PSPP, R and Python read them, but
  SPSS may show the extra segments as separate variables (pyreadstat issue 119). The default
  ``long_strings="keep"`` writes the whole text and warns (:class:`DataWarning`) naming the
  variables; ``"truncate"`` cuts the text to 255 bytes at a character boundary, with a warning;
  ``"fail"`` raises (rule ``sav.long-string``). Open answers are often better exported to XLSX.
- The file label (the codebook title) is cut to SPSS's 64 bytes, with a warning.

Returns every file written: the data file, the roster files, the ``.sps`` file.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyreadstat

from .._core import Codebook, Dataset, DataWarning, QonysError, Where, WriteError
from ._names import cut_bytes, safe_name, safe_names
from ._registry import WRITERS
from .sav_columns import Column, complete_codebook, pick_label, prepare_column
from .sav_meta import fingerprint, note_lines, pack
from .sps import mrsets_syntax

__all__ = ["choose_language", "need_folder", "write_sav"]

LONG_STRING_BYTES = 255
FILE_LABEL_BYTES = 64


def choose_language(codebook: Codebook, language: str | None) -> str | None:
    """``language``, else the default language, else the first language, else ``None``."""
    if language:
        return language
    if codebook.default_language:
        return codebook.default_language
    return next(iter(codebook.languages), None)


def need_folder(path: Path) -> None:
    """Raise ``write.io`` unless the folder of ``path`` exists."""
    if not path.parent.is_dir():
        raise WriteError(
            f"the folder {str(path.parent)!r} does not exist",
            where=Where(file=str(path)),
            rule="write.io",
            hint="Create the folder first, or write somewhere else.",
        )


def _long_strings(col: Column, name: str, policy: str, file: str) -> bool:
    if col.values.dtype != object:
        return False
    too_long = [
        i
        for i, x in enumerate(col.values.tolist())
        if isinstance(x, str) and len(x.encode("utf-8")) > LONG_STRING_BYTES
    ]
    if not too_long:
        return False
    if policy == "fail":
        raise WriteError(
            f"text longer than {LONG_STRING_BYTES} bytes (SPSS's segment size)",
            where=Where(file=file, row=too_long[0] + 1, variable=name),
            rule="sav.long-string",
            hint="Pass long_strings='keep' or 'truncate', or export open answers to XLSX.",
        )
    if policy == "truncate":
        col.values = col.values.map(
            lambda x: cut_bytes(x, LONG_STRING_BYTES) if isinstance(x, str) else x
        )
    return True


def _table(
    frame: pd.DataFrame,
    cb: Codebook,
    path: Path,
    *,
    lang: str | None,
    name_collisions: Literal["fail", "suffix"],
    long_strings: str,
    zsav: bool,
    row_compress: bool,
    rosters: Mapping[str, str],
) -> dict[str, str]:
    display = str(path)
    originals = [str(c) for c in frame.columns]
    names = safe_names(originals, "spss", collisions=name_collisions, file=display)
    cols: dict[str, Column] = {}
    for orig in originals:
        var = cb[orig]
        cl = cb.choice_list(var.choices) if var.choices else None
        cols[orig] = prepare_column(
            frame[orig], var, cl, lang=lang, default_lang=cb.default_language, file=display
        )
    long_vars = [o for o, c in cols.items() if _long_strings(c, o, long_strings, display)]
    if long_vars:
        action = "cut to 255 bytes" if long_strings == "truncate" else "kept whole"
        warnings.warn(
            f"text longer than 255 bytes in {', '.join(long_vars)} was {action}; SPSS may show "
            "long text as extra segment variables (PSPP, R and Python read it whole)",
            DataWarning,
            stacklevel=3,
        )
    out = pd.DataFrame({names[o]: c.values.to_numpy() for o, c in cols.items()})
    payload: dict[str, Any] = {
        "v": 1,
        "lang": lang or "default",
        "names": {names[o]: o for o in originals if names[o] != o},
        "recode": {o: list(c.recode) for o, c in cols.items() if c.recode is not None},
        "fp": {
            names[o]: fingerprint(c.label, c.value_labels, c.missing_pairs) for o, c in cols.items()
        },
        "codebook": cb.to_dict(),
    }
    if rosters:
        payload["rosters"] = dict(rosters)
    title = pick_label(cb.title, lang, cb.default_language) or ""
    if len(title.encode("utf-8")) > FILE_LABEL_BYTES:
        warnings.warn(
            f"file label cut to {FILE_LABEL_BYTES} bytes, the SPSS limit", DataWarning, stacklevel=3
        )
        title = cut_bytes(title, FILE_LABEL_BYTES)
    try:
        pyreadstat.write_sav(
            out,
            str(path),
            file_label=title,
            column_labels={names[o]: c.label for o, c in cols.items() if c.label},
            compress=zsav,
            row_compress=row_compress,
            note=[*note_lines(cb.notes), *pack(payload)],
            variable_value_labels={
                names[o]: c.value_labels for o, c in cols.items() if c.value_labels
            },
            missing_ranges={names[o]: c.missing for o, c in cols.items() if c.missing},
            variable_measure={names[o]: c.measure for o, c in cols.items() if c.measure},
            variable_format={names[o]: c.format for o, c in cols.items() if c.format},
        )
    except OSError as err:
        raise WriteError(
            f"cannot write the file: {err.strerror or err}",
            where=Where(file=display),
            rule="write.io",
            hint="Check that the folder exists and that you may write there.",
        ) from None
    except QonysError:
        raise
    except Exception as err:
        raise WriteError(
            f"pyreadstat refused the data: {err}",
            where=Where(file=display),
            rule="sav.write-failed",
            hint="Check the names, labels and missing values of the variables named above.",
        ) from None
    return names


@WRITERS.register("sav", doc="SPSS .sav / .zsav with labels, missing values and .sps MRSETS")
def write_sav(
    dataset: Dataset,
    path: str | Path,
    *,
    language: str | None = None,
    name_collisions: Literal["fail", "suffix"] = "fail",
    long_strings: Literal["keep", "truncate", "fail"] = "keep",
    compress: bool = False,
    **options: Any,
) -> list[Path]:
    """Write ``dataset`` as an SPSS file (see the module docstring).

    Parameters
    ----------
    dataset : Dataset
        Data and codebook; columns the codebook does not describe are typed from their dtype.
    path : str or Path
        ``.sav`` or ``.zsav``.
    language : str, optional
        Language of the labels written into the dictionary.
    name_collisions : {"fail", "suffix"}
        What to do when two names become the same SPSS name.
    long_strings : {"keep", "truncate", "fail"}
        Text longer than 255 bytes.
    compress : bool
        SPSS bytecode compression for a ``.sav`` (a ``.zsav`` is always zlib-compressed).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    WriteError
        Rules ``sav.name-collision``, ``sav.unknown-code``, ``sav.not-numeric``,
        ``sav.too-many-missing``, ``sav.long-string``, ``sav.write-failed``, ``write.io``.
    """
    p = Path(path)
    display = str(path)
    if options:
        raise QonysError(
            f"unknown option(s) for the SPSS writer: {', '.join(sorted(options))}",
            where=Where(file=display, key=sorted(options)[0]),
            rule="write.unknown-option",
            hint="Options: language, name_collisions, long_strings, compress.",
        )
    if long_strings not in ("keep", "truncate", "fail"):
        raise QonysError(
            f"long_strings must be 'keep', 'truncate' or 'fail'; got {long_strings!r}",
            where=Where(key="long_strings"),
            rule="parameter.choice",
        )
    need_folder(p)
    zsav = p.name.lower().endswith(".zsav")
    frames = [dataset.data, *dataset.rosters.values()]
    cb = complete_codebook(frames, dataset.codebook)
    lang = choose_language(cb, language)
    stem = p.name[: -len(".zsav")] if zsav else p.stem
    roster_files = {r: f"{stem}_{safe_name(r, 'spss')}{p.suffix}" for r in dataset.rosters}
    kwargs: dict[str, Any] = {
        "lang": lang,
        "name_collisions": name_collisions,
        "long_strings": long_strings,
        "zsav": zsav,
        "row_compress": compress and not zsav,
    }
    names = _table(dataset.data, cb, p, rosters=roster_files, **kwargs)
    written = [p]
    for r, frame in dataset.rosters.items():
        rp = p.parent / roster_files[r]
        names.update(_table(frame, cb, rp, rosters={}, **kwargs))
        written.append(rp)
    sets = [s for s in cb.mr_sets if all(v in names for v in s.variables)]
    if sets:
        sps = p.parent / f"{stem}.sps"
        text = mrsets_syntax(
            sets,
            names,
            lang=lang,
            default_lang=cb.default_language,
            header=(
                f"Multiple-response sets of {p.name}, written by qonys",
                "pyreadstat cannot store them in the data file: run this after opening it",
            ),
        )
        try:
            sps.write_text(text, encoding="utf-8")
        except OSError as err:
            raise WriteError(
                f"cannot write the file: {err.strerror or err}",
                where=Where(file=str(sps)),
                rule="write.io",
                hint="Check that the folder exists and that you may write there.",
            ) from None
        written.append(sps)
    return written
