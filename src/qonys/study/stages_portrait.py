"""The ``portrait`` stage: who the migrants are, by city.

The design comes from :func:`qonys.study.survey.survey_data` (the weighted one when the
``weight`` stage ran): every percentage is design-based, domains keep every PSU, and tables go
through the report's builders (disclosure control, labels from the codebook in every language).
A variable the data lack is left out; with none of them the section is absent.

Per variable of the portrait, a subsection with

* the SPSS-style frequency table (valid and missing blocks, weighted counts and percentages,
  the unweighted n);
* the cross-tabulation by city (column percentages, significance letters from design-based
  pairwise tests of the column proportions, the Rao-Scott F test of independence);
* the shares overall and by city with standard errors, 95% confidence intervals, design
  effects and the unweighted n, and a chart.

Options (``[analyses.portrait]``): ``variables``, a list of the codebook's categorical
variables (default :data:`PORTRAIT_VARIABLES`); ``portrait_age_group`` (18-29, 30-44, 45-59,
60+ from ``scr_age``) and ``portrait_years_city`` (under 2, 2-4, 5-9, 10+ years from
``scr_years_city``) are derived groups that can be listed like any variable.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..measure.portrait import distribution_by, frequencies
from ..report.estimates import figure_for_table
from ..report.labels import variable_title
from ..report.model import Section
from ..report.tables import crosstab_table, frequency_table
from ..report.text import Labels, Msg, Text
from .options import Option, declare_options
from .portrait_tables import (
    L,
    display_codebook,
    estimates_by,
    test_lines,
    weighting_of,
    with_short_titles,
)
from .stages import StudyContext, register_stage
from .survey import survey_data

__all__ = ["DERIVED_GROUPS", "PORTRAIT_VARIABLES", "derive_groups", "portrait_stage"]

PORTRAIT_VARIABLES: tuple[str, ...] = (
    "dem_sex",
    "portrait_age_group",
    "dem_marital",
    "dem_ethnicity",
    "ses_edu",
    "ses_employment",
    "ses_isco",
    "ses_income",
    "scr_origin_type",
    "scr_origin_region",
    "portrait_years_city",
    "mig_registration",
    "hou_tenure",
)
"""Variables of the portrait, in order (the standard instrument's names)."""

declare_options(
    "portrait",
    {
        "variables": Option(
            (list,),
            "a list of categorical variables",
            names="variable",
            extra_names=("portrait_age_group", "portrait_years_city"),
        ),
    },
)

DERIVED_GROUPS: dict[str, tuple[str, list[float], Labels, list[Labels]]] = {
    "portrait_age_group": (
        "scr_age",
        [18, 30, 45, 60],
        L("Age group", "Возрастная группа", "Жас тобы"),
        [
            L("18-29 years", "18-29 лет", "18-29 жас"),
            L("30-44 years", "30-44 года", "30-44 жас"),
            L("45-59 years", "45-59 лет", "45-59 жас"),
            L("60 years and older", "60 лет и старше", "60 жас және одан жоғары"),
        ],
    ),
    "portrait_years_city": (
        "scr_years_city",
        [0, 2, 5, 10],
        L("Years in the city", "Лет в городе", "Қалада тұрған жылдары"),
        [
            L("Less than 2 years", "Менее 2 лет", "2 жылдан аз"),
            L("2-4 years", "2-4 года", "2-4 жыл"),
            L("5-9 years", "5-9 лет", "5-9 жыл"),
            L("10 years or more", "10 лет и более", "10 жыл және одан көп"),
        ],
    ),
}


_CALIBRATED = Msg(
    "The weights fix this distribution in every city (calibration to population margins): the "
    "cities are not tested against each other."
)


def derive_groups(sd: Any) -> tuple[Any, dict[str, tuple[Labels, dict[object, Labels]]]]:
    """``sd`` with the derived age and years-in-the-city groups, and their labels.

    Group :math:`g` of a value :math:`x` is the number of cuts at or below it (cuts 18, 30,
    45, 60: 18-29 is 1, 60+ is 4); values below the first cut, and missing ones, get none.
    """
    from ..measure._survey import add_columns

    new: dict[str, np.ndarray] = {}
    derived: dict[str, tuple[Labels, dict[object, Labels]]] = {}
    for name, (source, cuts, title, labels) in DERIVED_GROUPS.items():
        if source not in sd.data.columns:
            continue
        x = pd.to_numeric(sd.data[source], errors="coerce").to_numpy(dtype=float)
        code = np.searchsorted(np.asarray(cuts[1:], dtype=float), x, side="right") + 1.0
        new[name] = np.where(np.isnan(x) | (x < cuts[0]), np.nan, code)
        derived[name] = (title, {float(i + 1): lab for i, lab in enumerate(labels)})
    if not new:
        return sd, derived
    out = add_columns(sd, new)
    return dataclasses.replace(out, codebook=display_codebook(out.codebook, derived)), derived


def _kinds(ctx: StudyContext, sd: Any, variable: str) -> list[str | None]:
    """Missing kind of every row's answer, from the data as read (codes intact)."""
    raw = getattr(ctx.data, "data", None)
    cb = getattr(ctx.data, "codebook", None)
    values = sd.data[variable]
    if raw is None or variable not in raw.columns or len(raw) != len(values) or cb is None:
        return [None if pd.notna(v) else "system" for v in values]
    asked = bool(cb.relevant_chain(variable)) if variable in cb else False
    out: list[str | None] = []
    for r in raw[variable].tolist():
        if pd.isna(r):
            out.append("skipped" if asked else "system")
        else:
            kind = cb.missing_kind(variable, r) if variable in cb else None
            out.append(str(kind) if kind is not None else None)
    return out


def _variable_section(
    ctx: StudyContext, sd: Any, cb: Any, v: str, city: str | None, weighting: Text
) -> Section:
    from ..estimate import mean

    title = variable_title(cb, v)
    freq = frequencies(sd, v, kinds=_kinds(ctx, sd, v))
    elements: list[Any] = [
        frequency_table(
            freq.table,
            variable=v,
            codebook=cb,
            rules=ctx.rules,
            weighting=weighting,
            key=f"portrait.{v}.freq",
        )
    ]
    if city and city in sd.data.columns and sd.data[v].notna().any():
        dist = distribution_by(sd, v, city)
        frame = dist.table.assign(domain=dist.table[city])
        lines = test_lines(dist.test)
        if not lines:  # calibrated to this variable by city: no sampling variance to test
            frame = frame.assign(letters="")
        xt = crosstab_table(
            frame[["level", "domain", "n", "estimate", "weighted_n", "letters"]],
            row=v,
            col=city,
            codebook=cb,
            rules=ctx.rules,
            weighting=weighting,
            tests=lines,
            key=f"portrait.{v}.city",
        )
        if not lines:
            xt = dataclasses.replace(xt, notes=(*xt.notes, _CALIBRATED))
        overall = mean(sd, v, missing="drop").table.assign(**{city: np.nan})
        both = pd.concat([overall, dist.table], ignore_index=True)
        elements.append(xt)
        if ctx.config.figures and (fig := figure_for_table(xt)) is not None:
            elements.append(fig)
        elements.append(
            estimates_by(
                both,
                by=city,
                codebook=cb,
                rules=ctx.rules,
                weighting=weighting,
                title=Msg("{variable}: shares with 95% confidence intervals (%)", variable=title),
                key=f"portrait.{v}.ci",
                percent=True,
                level_variable=v,
                decimals=1,
                notes=() if lines else (_CALIBRATED,),
            )
        )
    return Section(title, tuple(elements), key=f"portrait.{v}")


@register_stage("portrait", after=("weight", "sample"))
def portrait_stage(ctx: StudyContext) -> list[Any]:
    """Frequencies and distributions by city of the portrait variables (module docstring)."""
    sd = survey_data(ctx)
    if sd is None:
        return []
    sd, derived = derive_groups(sd)
    cb = display_codebook(with_short_titles(sd.codebook), derived)
    wanted = list(ctx.options.get("variables", PORTRAIT_VARIABLES))
    present = [v for v in wanted if v in sd.data.columns]
    if not present:
        return []
    city = ctx.config.city_variable
    weighting = weighting_of(sd)
    return [_variable_section(ctx, sd, cb, v, city, weighting) for v in present]
