"""The long-term residents' data (the ``locals`` form) and its own survey design.

A study of internal migrants usually also interviews long-term city residents (how they see
migrants: METHODS 5). Their interviews are a separate sample with its own design and weights,
declared in the study file under ``[data]``::

    [data]
    files = ["data/migrants.sav"]
    locals = "data/locals.sav"          # same design variables as [design], design weights

or, with its own design and weighting::

    [data.locals]
    files = ["data/locals.sav"]
    weights = "smp_weight"
    strata = "smp_stratum"
    psu = "smp_psu"
    method = "rake"                     # none, rake, poststratify, calibrate
    margins = "data/margins_locals.csv"
    # codebook, format, encoding, fpc, lonely_psu, trim: as in [data], [design], [weighting]

Design keys that are not given are taken from ``[design]``; ``method`` defaults to ``none``.
The files and the margins are checked before any work, like the migrants' ones, and belong to
the report's provenance. Stages reach the data with :func:`read_locals` and the weighted survey
data with :func:`locals_survey_data`, which applies the same weighting code as the ``weight``
stage (:func:`qonys.study.survey.weight_stage`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core import FrozenMap, StudyError, Where
from ._files import existing_file
from .margins import Margins, read_margins

if TYPE_CHECKING:  # pragma: no cover
    from .schema import StudyConfig
    from .stages import StudyContext

__all__ = ["LOCALS_KEYS", "LocalsConfig", "locals_survey_data", "parse_locals", "read_locals"]

LOCALS_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "files": ((list, str), "the long-term residents' data file(s)"),
    "codebook": ((str,), "XLSForm, YAML codebook or .sav whose dictionary to use"),
    "format": ((str,), "reader name"),
    "encoding": ((str,), "character encoding of text files"),
    "weights": ((str,), "design-weight variable (default: [design] weights)"),
    "strata": ((str,), "stratum variable (default: [design] strata)"),
    "psu": ((str,), "primary sampling unit (default: [design] psu)"),
    "fpc": ((str,), "finite-population correction (default: [design] fpc)"),
    "lonely_psu": ((str,), "strata with one PSU (default: [design] lonely_psu)"),
    "method": ((str,), "none, rake, poststratify or calibrate (default none)"),
    "margins": ((str,), "CSV of population targets: variable,level,target[,city]"),
    "trim": ((list,), "[low, high] bounds of weight ratios"),
}
"""Keys of a ``[data.locals]`` table: type(s) and help."""

_DESIGN_KEYS = ("weights", "strata", "psu", "fpc", "lonely_psu")


@dataclasses.dataclass(frozen=True, slots=True)
class LocalsConfig:
    """The checked ``data.locals`` entry.

    Attributes
    ----------
    files : tuple of Path
    codebook : Path or None
    data_format, encoding : str or None
    design : Mapping[str, str | None]
        ``weights``, ``strata``, ``psu``, ``fpc``, ``lonely_psu``.
    weighting_method : str
    margins_path : Path or None
    margins : Margins or None
    trim : (float, float) or None
    names : Mapping[str, Path]
        Input files by the name written in the study file (for provenance and caching).
    """

    files: tuple[Path, ...]
    codebook: Path | None
    data_format: str | None
    encoding: str | None
    design: Mapping[str, str | None]
    weighting_method: str
    margins_path: Path | None
    margins: Margins | None
    trim: tuple[float, float] | None
    names: Mapping[str, Path]


def _err(msg: str, key: str, rule: str, hint: str, file: str) -> StudyError:
    return StudyError(msg, where=Where(file=file, key=key), rule=rule, hint=hint)


def parse_locals(
    value: Any, root: Path, file: str, design: Mapping[str, Any]
) -> LocalsConfig | None:
    """Check the ``data.locals`` entry (a path, a list of paths or a table).

    Raises
    ------
    StudyError
        Unknown key, wrong type, missing file, unknown method, bad trim bounds, weighting
        without margins, or a margins file that does not parse (rules as for the migrants'
        data).
    """
    if value is None:
        return None
    spec: dict[str, Any] = dict(value) if isinstance(value, dict) else {"files": value}
    for k, v in spec.items():
        if k not in LOCALS_KEYS:
            import difflib

            close = difflib.get_close_matches(k, list(LOCALS_KEYS), n=1, cutoff=0.5)
            raise _err(
                f"unknown key {k!r} in [data.locals]",
                f"data.locals.{k}",
                "study.unknown-key",
                f"Did you mean {close[0]!r}?"
                if close
                else f"Known keys: {', '.join(LOCALS_KEYS)}.",
                file,
            )
        types = LOCALS_KEYS[k][0]
        if not isinstance(v, types) or isinstance(v, bool):
            raise _err(
                f"data.locals.{k} has the wrong type; got {v!r}",
                f"data.locals.{k}",
                "study.type",
                f"Expected: {LOCALS_KEYS[k][1]}.",
                file,
            )
    raw_files = spec.get("files")
    names = [raw_files] if isinstance(raw_files, str) else list(raw_files or [])
    if not names:
        raise _err(
            "data.locals names no file",
            "data.locals.files",
            "study.missing-file",
            'Give files = ["locals.sav"].',
            file,
        )
    files = tuple(existing_file(root, str(n), "data.locals.files", file) for n in names)
    inputs = {str(n): p for n, p in zip(names, files, strict=True)}
    codebook = None
    if spec.get("codebook"):
        codebook = existing_file(root, str(spec["codebook"]), "data.locals.codebook", file)
        inputs[str(spec["codebook"])] = codebook
    method = str(spec.get("method", "none")).lower()
    if method not in ("none", "rake", "poststratify", "calibrate"):
        raise _err(
            f"unknown weighting method {method!r}",
            "data.locals.method",
            "study.weighting",
            "Use one of: none, rake, poststratify, calibrate.",
            file,
        )
    margins_path = margins = None
    if spec.get("margins"):
        margins_path = existing_file(root, str(spec["margins"]), "data.locals.margins", file)
        margins = read_margins(margins_path, key="data.locals.margins")
        inputs[str(spec["margins"])] = margins_path
    if method != "none" and margins is None:
        raise _err(
            f"weighting method {method!r} needs population margins",
            "data.locals.margins",
            "study.weighting",
            'Give margins = "margins_locals.csv" (variable,level,target[,city]).',
            file,
        )
    trim = None
    if spec.get("trim") is not None:
        t = spec["trim"]
        if len(t) != 2 or not all(isinstance(x, int | float) for x in t) or not 0 < t[0] < t[1]:
            raise _err(
                f"data.locals.trim must be [low, high] with 0 < low < high; got {t!r}",
                "data.locals.trim",
                "study.weighting",
                "For example trim = [0.3, 3.0].",
                file,
            )
        trim = (float(t[0]), float(t[1]))
    merged = {k: spec.get(k, design.get(k)) for k in _DESIGN_KEYS}
    merged["lonely_psu"] = merged.get("lonely_psu") or "fail"
    return LocalsConfig(
        files=files,
        codebook=codebook,
        data_format=spec.get("format"),
        encoding=spec.get("encoding"),
        design=FrozenMap(merged),
        weighting_method=method,
        margins_path=margins_path,
        margins=margins,
        trim=trim,
        names=FrozenMap(inputs),
    )


def read_locals(config: StudyConfig) -> Any:
    """The long-term residents' data as read (a :class:`~qonys._core.Dataset`), or ``None``."""
    spec = config.locals
    if spec is None:
        return None
    from .. import io as qio

    parts = [
        qio.read(p, format=spec.data_format, codebook=spec.codebook, encoding=spec.encoding)
        for p in spec.files
    ]
    if len(parts) == 1:
        return parts[0]
    import pandas as pd

    return parts[0].replace(data=pd.concat([d.data for d in parts], ignore_index=True))


def locals_survey_data(ctx: StudyContext, data: Any) -> tuple[Any, list[Any]]:
    """The locals' :class:`~qonys.design.SurveyData`, weighted as ``data.locals`` says.

    Returns the survey data and the provenance notes of its weighting (labelled as the long-term
    residents').
    """
    from ..report.text import Msg
    from .stages import ProvenanceNote
    from .survey import weight_stage

    spec = ctx.config.locals
    if spec is None:
        raise StudyError(
            "the study file declares no long-term residents' data",
            where=Where(key="data.locals"),
            rule="study.missing-file",
            hint='Give locals = "data/locals.sav" under [data].',
        )
    config = dataclasses.replace(
        ctx.config,
        design=spec.design,
        weighting_method=spec.weighting_method,
        margins_path=spec.margins_path,
        margins=spec.margins,
        trim=spec.trim,
    )
    sub = dataclasses.replace(ctx, config=config, data=data, outputs={})
    items = weight_stage(sub)
    notes = [
        ProvenanceNote(n.kind, Msg("Long-term residents: {text}", text=n.text))
        for n in items
        if isinstance(n, ProvenanceNote)
    ]
    return items[-1], notes
