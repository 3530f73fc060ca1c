"""The ``portrait`` and ``motives`` stages: who the migrants are, and why they came.

Both take their design from :func:`qonys.study.survey.survey_data` (the weighted one when the
``weight`` stage ran); every percentage is design-based, domains keep every PSU, and tables go
through the report's builders (disclosure control, labels from the codebook in every language).
A variable the data lack is left out; a section whose variables are all missing is absent.

``portrait`` (options ``[analyses.portrait]``: ``variables``, a list of codebook variables; the
derived age and years-in-the-city groups are added when ``scr_age`` / ``scr_years_city``
exist): per variable, a subsection with the SPSS frequency table (valid and missing blocks,
weighted counts and percentages with the unweighted n), the cross-tabulation by city (column
percentages, significance letters from design-based pairwise tests, the Rao-Scott F line), the
shares by city with 95% confidence intervals, and a chart.

``motives`` (``[analyses.motives]``: ``mrset`` = ``"mot_reasons"``, ``push`` and ``pull`` codes,
``items``, ``n_factors``, ``main`` = ``"mot_main"``): multiple-response tables of push and pull
motives overall and by city (% of cases and of responses), the factor structure of the
importance ratings (polychoric EFA with KMO, Bartlett and parallel analysis), and the type of the
main motive by city.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core import DataError
from ..measure.motives import motive_factors
from ..measure.mr_tables import mr_table
from ..measure.portrait import distribution_by, frequencies
from ..report.estimates import figure_for_table
from ..report.labels import variable_title
from ..report.model import BarChart, Cell, Column, Figure, Note, Row, Section, Table
from ..report.tables import crosstab_table, frequency_table
from ..report.text import Labels, Msg, Text
from .portrait_tables import (
    L,
    display_codebook,
    estimates_by,
    mr_by_table,
    mr_overall_table,
    stat_line,
    weighting_of,
)
from .stages import StudyContext, register_stage
from .survey import survey_data

__all__ = ["MOTIVE_TYPES", "PORTRAIT_VARIABLES", "motives_stage", "portrait_stage"]

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

_GROUPS: dict[str, tuple[str, list[float], Labels, list[Labels]]] = {
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

MOTIVE_TYPES: dict[int, str] = {
    **dict.fromkeys((1, 7, 11, 19), "economic"),
    **dict.fromkeys((12, 18, 20), "career"),
    **dict.fromkeys((6, 15, 16, 21), "family"),
    **dict.fromkeys((3, 4, 13, 14, 17), "amenities"),
    **dict.fromkeys((2, 5), "environment"),
}
"""Main reasons of the standard instrument grouped into the five expected motive factors
(economic, education and career, family and social, amenities, environment)."""

_TYPE_LABELS: dict[object, Labels] = {
    "economic": L("Economic", "Экономические", "Экономикалық"),
    "career": L("Education and career", "Образование и карьера", "Білім және мансап"),
    "family": L("Family and social", "Семейные и социальные", "Отбасылық және әлеуметтік"),
    "amenities": L(
        "Urban amenities and services",
        "Городские удобства и услуги",
        "Қалалық жайлылық пен қызметтер",
    ),
    "environment": L("Land and environment", "Земля и экология", "Жер және экология"),
}


def _derive(sd: Any) -> tuple[Any, dict[str, tuple[Labels, dict[object, Labels]]]]:
    from ..measure._survey import add_columns

    new: dict[str, np.ndarray] = {}
    derived: dict[str, tuple[Labels, dict[object, Labels]]] = {}
    for name, (source, cuts, title, labels) in _GROUPS.items():
        if source not in sd.data.columns:
            continue
        x = pd.to_numeric(sd.data[source], errors="coerce").to_numpy(dtype=float)
        code = np.searchsorted(np.asarray(cuts[1:], dtype=float), x, side="right") + 1.0
        new[name] = np.where(np.isnan(x) | (x < cuts[0]), np.nan, code)
        derived[name] = (title, {float(i + 1): lab for i, lab in enumerate(labels)})
    return (add_columns(sd, new) if new else sd), derived


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
        xt = crosstab_table(
            frame[["level", "domain", "n", "estimate", "weighted_n", "letters"]],
            row=v,
            col=city,
            codebook=cb,
            rules=ctx.rules,
            weighting=weighting,
            tests=(
                stat_line(
                    "F", dist.test.statistic, dist.test.ndf, dist.test.ddf, dist.test.p_value
                ),
            ),
            key=f"portrait.{v}.city",
        )
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
            )
        )
    return Section(title, tuple(elements), key=f"portrait.{v}")


@register_stage("portrait", after=("weight", "sample"))
def portrait_stage(ctx: StudyContext) -> list[Any]:
    """Frequencies and distributions by city of the portrait variables (module docstring)."""
    sd = survey_data(ctx)
    if sd is None:
        return []
    sd, derived = _derive(sd)
    cb = display_codebook(sd.codebook, derived)
    wanted = list(ctx.options.get("variables", PORTRAIT_VARIABLES))
    wanted += [d for d in derived if d not in wanted and "variables" in ctx.options]
    present = [v for v in wanted if v in sd.data.columns]
    if not present:
        return []
    city = ctx.config.city_variable
    weighting = weighting_of(sd)
    return [_variable_section(ctx, sd, cb, v, city, weighting) for v in present]


def _mr_figure(table: Table, title: Text) -> Figure:
    body = [r for r in table.rows if r.kind == "body"]
    series = []
    for j, c in enumerate(table.columns[:-2]):
        vals = tuple(
            float(v) if isinstance(v := r.cells[j].value, int | float) else None for r in body
        )
        series.append((c.label, vals))
    return Figure(
        title=title,
        chart=BarChart(tuple(r.label for r in body), tuple(series), Msg("% of cases"), True),
        base_n=table.base_n,
        weighting=table.weighting,
        key=f"fig.{table.key}",
    )


def _loadings_table(res: Any, cb: Any, weighting: Text) -> Table:
    cols = [Column(f, f, kind="estimate", decimals=2) for f in res.loadings.columns]
    cols.append(Column("h2", "h²", kind="estimate", decimals=2))
    rows = [
        Row(
            variable_title(cb, item),
            tuple(Cell(float(v)) for v in rec) + (Cell(float(res.communality[item])),),
        )
        for item, rec in res.loadings.iterrows()
    ]
    b = res.bartlett
    note = Msg(
        "{corr} correlations of {n} respondents; KMO = {kmo}; Bartlett's test: χ²({df}) = "
        "{chisq}, p = {p}; {k} factors (parallel analysis: {pa}); minres extraction, oblimin "
        "rotation; loadings of .40 or more define a factor.",
        corr=res.correlation,
        n=int(res.meta.n_used or 0),
        kmo=f"{res.kmo:.2f}",
        df=int(b["df"]),
        chisq=f"{b['chisq']:.1f}",
        p=f"{b['pvalue']:.3f}",
        k=int(res.loadings.shape[1]),
        pa=res.meta.notes[0].split(" ")[0] if res.meta.notes else "-",
    )
    return Table(
        title=L(
            "Factor structure of the importance of motives (pattern loadings)",
            "Факторная структура значимости мотивов (нагрузки)",
            "Уәждер маңыздылығының факторлық құрылымы (жүктемелер)",
        ),
        columns=tuple(cols),
        rows=tuple(rows),
        base_n=int(res.meta.n_used or 0),
        weighting=weighting,
        notes=(note,),
        kind="estimates",
        key="motives.efa",
    )


@register_stage("motives", after=("weight", "portrait"))
def motives_stage(ctx: StudyContext) -> list[Any]:
    """Multiple-response tables, EFA of importance items, main motive types (docstring)."""
    sd = survey_data(ctx)
    if sd is None or sd.codebook is None:
        return []
    opts = dict(ctx.options)
    cb = sd.codebook
    name = str(opts.get("mrset", "mot_reasons"))
    city = ctx.config.city_variable
    city = city if city and city in sd.data.columns else None
    weighting = weighting_of(sd)
    out: list[Any] = []
    if any(s.name == name for s in cb.mr_sets):
        source = cb.mr_set(name).source or name
        parts = {
            "push": (
                opts.get("push", list(range(1, 8))),
                L("Push factors", "Выталкивающие факторы", "Итеруші факторлар"),
            ),
            "pull": (
                opts.get("pull", list(range(11, 22))),
                L("Pull factors", "Притягивающие факторы", "Тартушы факторлар"),
            ),
        }
        for part, (codes, title) in parts.items():
            try:
                res = mr_table(sd, name, options=codes, by=city)
            except DataError:
                continue  # no option of this part in the set
            els: list[Any] = [
                mr_overall_table(
                    res,
                    codebook=cb,
                    source=source,
                    rules=ctx.rules,
                    weighting=weighting,
                    title=title,
                    key=f"motives.{part}",
                )
            ]
            if city:
                bt = mr_by_table(
                    res,
                    by=city,
                    codebook=cb,
                    source=source,
                    rules=ctx.rules,
                    weighting=weighting,
                    title=title,
                    key=f"motives.{part}.city",
                )
                els.append(bt)
                if ctx.config.figures:
                    els.append(_mr_figure(bt, title))
            out.append(Section(title, tuple(els), key=f"motives.{part}"))
    items = list(
        opts.get(
            "items", [i for s in cb.scales if s.name in ("mot_push", "mot_pull") for i in s.items]
        )
    )
    items = [i for i in items if i in sd.data.columns]
    if len(items) >= 6:
        efa = motive_factors(sd, items, n_factors=opts.get("n_factors"), random_state=ctx.seed)
        out.append(_loadings_table(efa, cb, weighting))
    main = str(opts.get("main", "mot_main"))
    if main in sd.data.columns and city:
        from ..measure._survey import add_columns

        codes = pd.to_numeric(sd.data[main], errors="coerce")
        kind = codes.map(lambda c: MOTIVE_TYPES.get(int(c)) if pd.notna(c) else None)
        sd2 = add_columns(sd, {"motive_type": kind.astype(object).where(kind.notna(), np.nan)})
        cb2 = display_codebook(
            sd2.codebook,
            {
                "motive_type": (
                    L("Type of the main motive", "Тип главного мотива", "Басты уәждің түрі"),
                    _TYPE_LABELS,
                )
            },
        )
        if sd2.data["motive_type"].notna().sum() > 0:
            dist = distribution_by(sd2, "motive_type", city)
            frame = dist.table.assign(domain=dist.table[city])
            out.append(
                crosstab_table(
                    frame[["level", "domain", "n", "estimate", "weighted_n", "letters"]],
                    row="motive_type",
                    col=city,
                    codebook=cb2,
                    rules=ctx.rules,
                    weighting=weighting,
                    tests=(
                        stat_line(
                            "F",
                            dist.test.statistic,
                            dist.test.ndf,
                            dist.test.ddf,
                            dist.test.p_value,
                        ),
                    ),
                    key="motives.main_type",
                )
            )
    if not out:
        return []
    return out + [
        Note(
            L(
                "Motive types group the main reasons into the five expected motive factors: "
                "economic, education and career, family and social, urban amenities, land and "
                "environment.",
                "Типы мотивов объединяют главные причины в пять ожидаемых групп мотивов: "
                "экономические, образование и карьера, семейные и социальные, городские удобства, "
                "земля и экология.",
                "Уәж түрлері басты себептерді күтілген бес уәж тобына біріктіреді: экономикалық, "
                "білім және мансап, отбасылық және әлеуметтік, қалалық жайлылық, жер және "
                "экология.",
            )
        )
    ]
