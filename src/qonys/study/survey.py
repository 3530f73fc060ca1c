"""The study's survey design and the ``weight`` stage.

Every stage that reports a population figure takes its :class:`~qonys.design.SurveyData` from
:func:`survey_data`: the weighted data the ``weight`` stage returned when it ran, otherwise the
design of the study file's ``[design]`` table applied to the data as read. One place builds the
design, so every section of a report uses the same weights, strata, clusters and lonely-PSU
policy.

The ``weight`` stage applies ``[weighting]``:

``method = "none"``
    the design weights as they are;
``method = "rake"``
    iterative proportional fitting to every margin of the margins file;
``method = "poststratify"``
    post-stratification on the one margin variable of the file (cells = its levels);
``method = "calibrate"``
    linear calibration (GREG) to every margin.

When the margins file has a ``city`` column the targets are met within each city: every margin
variable is crossed with the study's city variable (a margin ``dem_sex`` becomes the cells
``city x sex``), which is raking each city to its own margins in one pass. ``trim = [low, high]``
then trims the weights to those multiples of their mean, redistributing the excess. The exact
weighting applied (method, margins, iterations, weight range, Kish design effect) goes to the
report's provenance. Variances after raking or calibration are calibration-aware (residuals on
the margin variables), as in R's survey package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core import DataError, StudyError, Where
from ..report.text import Msg
from .stages import DerivedVariables, ProvenanceNote, StudyContext, register_stage

__all__ = ["survey_data", "weight_stage"]

CITY_SEP = "|"


def _design(ctx: StudyContext) -> Any:
    from ..design import SurveyDesign

    d = ctx.config.design
    return SurveyDesign(
        weights=d.get("weights"),
        strata=(str(d["strata"]),) if d.get("strata") else (),
        ids=(str(d["psu"]),) if d.get("psu") else (),
        fpc=(str(d["fpc"]),) if d.get("fpc") else (),
        lonely_psu=str(d.get("lonely_psu") or "fail"),  # type: ignore[arg-type]
    )


def survey_data(ctx: StudyContext, data: Any = None) -> Any:
    """The study's :class:`~qonys.design.SurveyData`, or ``None`` without data.

    Parameters
    ----------
    ctx : StudyContext
        The running stage's context.
    data : Dataset, optional
        Data to bind the design to instead of ``ctx.data`` (a stage that derived new columns).
        When the ``weight`` stage ran, its weights are carried over by row position.
    """
    from ..design import SurveyData

    weighted = next((x for x in ctx.outputs.get("weight", ()) if isinstance(x, SurveyData)), None)
    if data is None:
        if weighted is not None:
            return _with_derived(ctx, weighted)
        data = ctx.data
        if data is None:
            return None
    sd = SurveyData.from_dataset(data, _design(ctx))
    if weighted is not None:
        name = weighted.design.weights
        if name is not None and len(weighted.data) == len(sd.data):
            frame = sd.data.copy()
            frame[name] = weighted.data[name].to_numpy()
            # replicate weights and calibration steps are row arrays: they carry over by position
            sd = weighted.update(data=frame, codebook=sd.codebook)
    return _with_derived(ctx, sd)


def _with_derived(ctx: StudyContext, sd: Any) -> Any:
    """``sd`` with the columns of every earlier stage's :class:`DerivedVariables`."""
    extra = [
        (stage, item)
        for stage, items in ctx.outputs.items()
        for item in items
        if isinstance(item, DerivedVariables)
    ]
    if not extra:
        return sd
    frame = sd.data.copy()
    for stage, item in extra:
        if len(item.frame) != len(frame):
            raise StudyError(
                f"stage {stage!r} derived {len(item.frame)} rows for {len(frame)} respondents",
                where=Where(key=f"analyses.{stage}"),
                rule="study.derived-rows",
                hint="A stage's derived variables must have one row per respondent.",
            )
        for col in item.frame.columns:
            if col in frame.columns:
                raise StudyError(
                    f"stage {stage!r} derived a variable {col!r} that the data already hold",
                    where=Where(variable=str(col), key=f"analyses.{stage}"),
                    rule="study.derived-collision",
                    hint="Rename the column in the data, or choose another output name in "
                    f"[analyses.{stage}].",
                )
            frame[col] = item.frame[col].to_numpy()
    cb = sd.codebook
    variables = [v for _, item in extra for v in item.variables]
    lists = [c for _, item in extra for c in item.choice_lists]
    if cb is not None and (variables or lists):
        import dataclasses

        known = set(cb.names)
        names = {c.name for c in cb.choice_lists}
        cb = dataclasses.replace(
            cb,
            variables=(*cb.variables, *(v for v in variables if v.name not in known)),
            choice_lists=(*cb.choice_lists, *(c for c in lists if c.name not in names)),
        )
    return sd.update(data=frame, codebook=cb)


def _targets(
    ctx: StudyContext, frame: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Margin targets keyed as the (possibly city-crossed) columns added to ``frame``."""
    margins = ctx.config.margins
    if margins is None:
        raise StudyError(
            f"weighting method {ctx.config.weighting_method!r} needs population margins",
            where=Where(key="weighting.margins"),
            rule="study.weighting",
            hint="Give a margins CSV: variable,level,target[,city].",
        )
    by_city = any(city for city, *_ in margins.rows)
    city_var = ctx.config.city_variable
    if by_city and (not city_var or city_var not in frame.columns):
        raise StudyError(
            "the margins file has a city column but the study names no city variable in the data",
            where=Where(key="data.city_variable"),
            rule="study.weighting",
            hint="Set data.city_variable to the variable holding the respondent's city.",
        )
    frame = frame.copy()
    targets: dict[str, dict[str, float]] = {}
    for var in margins.variables:
        if var not in frame.columns:
            raise DataError(
                f"margin variable {var!r} is not in the data",
                where=Where(variable=var, key="weighting.margins"),
                rule="study.unknown-variable",
                hint="Name variables of the data file in the margins CSV.",
            )
        level = _as_text(frame[var])
        known = frame[var].notna()
        if by_city:
            city_col = frame[str(city_var)]
            level = _as_text(city_col) + CITY_SEP + level
            known &= city_col.notna()
        col = f"_margin_{var}"
        frame[col] = level.where(known)
        targets[col] = {}
    for city, var, lv, target in margins.rows:
        key = f"{_norm(city)}{CITY_SEP}{_norm(lv)}" if by_city else _norm(lv)
        targets[f"_margin_{var}"][key] = float(target)
    return frame, targets


def _norm(value: object) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def _as_text(col: pd.Series) -> pd.Series:
    return col.map(lambda v: None if pd.isna(v) else _norm(v)).astype(object)


def weight_stage(ctx: StudyContext) -> list[Any]:
    """Apply the study's weighting (see the module docstring)."""
    from ..design import SurveyData
    from ..design.weighting import calibrate, poststratify, rake, trim

    sd = survey_data(ctx)
    if sd is None:
        return []
    method = ctx.config.weighting_method
    out: list[Any] = []
    result = None
    if method != "none":
        frame, targets = _targets(ctx, sd.data)
        for col in targets:
            if frame[col].isna().any():
                n = int(frame[col].isna().sum())
                var = col.removeprefix("_margin_")
                raise DataError(
                    f"{n} respondent(s) have no value of margin variable {var!r}",
                    where=Where(variable=var, key="weighting.margins"),
                    rule="weighting.missing-margin-value",
                    hint="Impute or recode the missing values before weighting.",
                )
        base = SurveyData(frame, sd.design, codebook=sd.codebook)
        if method == "rake":
            result = rake(base, targets, name="_weight_study")
        elif method == "poststratify":
            if len(targets) != 1:
                raise StudyError(
                    "post-stratification takes one margin variable (its levels are the cells)",
                    where=Where(key="weighting.method"),
                    rule="study.weighting",
                    hint="Use method = 'rake' for several margins.",
                )
            ((col, cells),) = targets.items()
            result = poststratify(base, col, cells, name="_weight_study")
        else:
            result = calibrate(base, targets, name="_weight_study")
        sd = result.data
        out.append(result)
    if ctx.config.trim is not None:
        low, high = ctx.config.trim
        w = sd.prepared.weights
        mean = float(np.mean(w))
        trimmed = trim(sd, lower=low * mean, upper=high * mean, name="_weight_trimmed")
        sd = trimmed.data
        out.append(trimmed)
    w = np.asarray(sd.prepared.weights, dtype=float)
    kish = float(len(w) * np.sum(w**2) / np.sum(w) ** 2)
    detail = (
        f"{method}"
        + (
            f" to {ctx.config.margins.describe()}"
            if method != "none" and ctx.config.margins
            else ""
        )
        + (f"; {result.stats.get('iterations', 0):g} iterations" if result is not None else "")
        + (
            f"; trimmed to [{ctx.config.trim[0]:g}, {ctx.config.trim[1]:g}] x mean"
            if ctx.config.trim
            else ""
        )
    )
    out.append(
        ProvenanceNote(
            "weighting",
            Msg(
                "Weights: {detail}; {n} respondents, weights from {lo} to {hi}, Kish design "
                "effect {kish}.",
                detail=detail,
                n=str(len(w)),
                lo=f"{w.min():.4g}",
                hi=f"{w.max():.4g}",
                kish=f"{kish:.3f}",
            ),
        )
    )
    out.append(sd)
    return out


register_stage("weight", after=("validate", "privacy"))(weight_stage)
