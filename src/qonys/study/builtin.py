"""Built-in stages, registered through the same :func:`register_stage` as every other.

``validate`` and ``privacy`` plug in :func:`qonys.validate.validate` and
:func:`qonys.privacy.scan` when those modules are installed, and are absent otherwise. ``sample``
needs no analysis module: it counts respondents (unweighted) by city, the composition every
report opens with.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

from .._core import DataError, PrivacyError, Where
from ..report.model import Note
from ..report.tables import frequency_table
from ..report.text import Msg, PMsg
from .stages import StudyContext, register_stage

__all__ = ["available"]


def available(module: str, name: str) -> bool:
    """Whether ``module`` can be imported and defines ``name``."""
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


def _validate(ctx: StudyContext) -> list[Any]:
    from ..validate import validate  # type: ignore[import-not-found,unused-ignore]

    if ctx.data is None:
        return [Note(Msg("No data files were given."), kind="warning")]
    report = validate(ctx.data)
    frame = report.to_frame()
    n_err = int((frame["severity"] == "error").sum()) if len(frame) else 0
    if not report.ok:
        raise DataError(
            f"validation found {n_err} error(s)",
            rule="validate.failed",
            hint="Run 'qonys validate' on the data file to list them.",
        )
    return [
        Note(
            PMsg(
                "{n} problem found and reported as warnings.",
                "{n} problems found and reported as warnings.",
                len(frame),
            )
        )
        if len(frame)
        else Note(Msg("The data passed every check."))
    ]


def _privacy(ctx: StudyContext) -> list[Any]:
    from ..privacy import scan  # type: ignore[attr-defined,unused-ignore]

    if ctx.data is None:
        return []
    frame = scan(ctx.data).to_frame()
    if len(frame):
        raise PrivacyError(
            f"direct identifiers found in {frame['variable'].nunique()} variable(s)",
            where=Where(key="data.files"),
            rule="privacy.direct-identifiers",
            hint="Remove them first: qonys convert IN OUT --drop-pii.",
        )
    return [Note(Msg("No direct identifiers (IIN, phone numbers, e-mails, names) were found."))]


def _sample(ctx: StudyContext) -> list[Any]:
    data = ctx.data
    var = ctx.config.city_variable
    if data is None:
        return []
    if not var:
        return [
            Note(
                PMsg(
                    "The data hold {n} respondent.",
                    "The data hold {n} respondents.",
                    len(data.data),
                )
            )
        ]
    if var not in data.data.columns:
        raise DataError(
            f"the city variable {var!r} is not in the data",
            where=Where(variable=var, key="data.city_variable"),
            rule="study.unknown-variable",
            hint="Check data.city_variable.",
        )
    counts = data.data[var].value_counts(dropna=False, sort=False)
    order = list(ctx.config.cities) + [c for c in counts.index if c not in ctx.config.cities]
    rows = []
    for level in order:
        if level in counts.index:
            rows.append(
                {
                    "level": level,
                    "n": int(counts[level]),
                    "missing": "system" if pd.isna(level) else None,
                }
            )
    frame = pd.DataFrame(rows)
    codebook = getattr(data, "codebook", None)
    return [
        frequency_table(
            frame,
            variable=var,
            codebook=codebook,
            rules=ctx.rules,
            title=Msg("Respondents by city"),
            key="sample.city",
        )
    ]


if available("qonys.validate", "validate"):
    register_stage("validate")(_validate)
if available("qonys.privacy", "scan"):
    register_stage("privacy", after=("validate",))(_privacy)
register_stage("sample", after=("validate", "privacy", "weight"))(_sample)
