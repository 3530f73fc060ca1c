"""The ``motives`` stage: why migrants came (METHODS 8).

* **All reasons** (a multiple-response question, ``mot_reasons``): push motives (codes 1-7) and
  pull motives (11-21) tabulated as SPSS MULT RESPONSE does, with design-based % of cases
  (respondents naming the option, among those naming any; adds to more than 100) and % of
  responses (the option's share of all mentions; adds to 100), overall and by city with a
  Rao-Scott test per option (:func:`qonys.measure.mr_tables.mr_table`).
* **Factor structure** of the importance ratings (``mot_push`` and ``mot_pull`` items, 1-5):
  exploratory factor analysis on design-weighted polychoric correlations, with the
  Kaiser-Meyer-Olkin measure, Bartlett's test and the number of factors by parallel analysis
  (Horn 1965); minres extraction, oblimin rotation (:func:`qonys.measure.motives.
  motive_factors`).
* **Motive types**: the main reason (``mot_main``) grouped into the five expected motive types
  (:data:`MOTIVE_TYPES`: economic, education and career, family and social, urban amenities,
  land and environment), their distribution by city, and their relation to socio-economic
  status by a survey multinomial logit (:func:`qonys.estimate.multinom`; baseline: economic)
  of the type on education, income, sex, age group and origin type, with a design-based Wald
  F test per predictor (:func:`qonys.estimate.reg_term_test`, R's ``regTermTest``).

Options (``[analyses.motives]``): ``mrset``, ``push``, ``pull`` (option codes), ``items``
(importance items), ``n_factors`` (default: parallel analysis), ``correlation``
(``polychoric``/``pearson``), ``rotation`` (``oblimin``/``varimax``/``none``), ``main``,
``types`` (``{type = [codes]}``), ``ses`` (predictors of the model), ``linear`` (predictors
entered as centred numeric scores rather than as factors; default ``ses_edu``, ``ses_income``),
``min_type_n`` (types with fewer respondents are left out of the model; 30).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._core import DataError, QonysError, StudyError, Where
from ..measure._survey import add_columns
from ..measure.motives import motive_factors
from ..measure.mr_tables import mr_table
from ..measure.portrait import distribution_by
from ..report.labels import level_label, variable_title
from ..report.model import BarChart, Cell, Column, Figure, Note, Row, Section, StatLine, Table
from ..report.tables import crosstab_table
from ..report.text import Labels, Msg, Text
from .options import Option, codes_by_name, declare_options, in_range, integer_codes
from .portrait_tables import (
    L,
    display_codebook,
    mr_by_table,
    mr_overall_table,
    num,
    pval,
    test_lines,
    weighting_of,
    with_short_titles,
)
from .stages import StudyContext, register_stage
from .stages_portrait import derive_groups
from .survey import survey_data

__all__ = ["MOTIVE_TYPES", "SES_PREDICTORS", "motives_stage"]

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


SES_PREDICTORS: tuple[str, ...] = (
    "ses_edu",
    "ses_income",
    "dem_sex",
    "portrait_age_group",
    "scr_origin_type",
)
"""Predictors of the motive-type model (METHODS 8.3: education, income, sex, age, origin)."""

_TYPE_ORDER = ("economic", "career", "family", "amenities", "environment")

declare_options(
    "motives",
    {
        "mrset": Option((str,), "the multiple-response set of all reasons", names="mrset"),
        "push": Option((list,), "option codes of push motives", check=integer_codes),
        "pull": Option((list,), "option codes of pull motives", check=integer_codes),
        "items": Option((list,), "importance items", names="variable"),
        "n_factors": Option(
            (int,), "number of factors (default: parallel analysis)", check=in_range(1, 20)
        ),
        "correlation": Option((str,), "correlation of the EFA", choices=("polychoric", "pearson")),
        "rotation": Option((str,), "rotation", choices=("oblimin", "varimax", "none")),
        "main": Option((str,), "the main-reason question", names="variable"),
        "types": Option(
            (dict,), "a table {type = [codes of the main reason]}", check=codes_by_name
        ),
        "ses": Option(
            (list,),
            "predictors of the motive-type model",
            names="variable",
            extra_names=("portrait_age_group", "portrait_years_city"),
        ),
        "min_type_n": Option((int,), "fewest respondents of a type in the model (30)"),
        "linear": Option(
            (list,),
            "predictors entered as numeric scores",
            names="variable",
            extra_names=("portrait_age_group", "portrait_years_city"),
        ),
    },
)


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
    corr = Msg("polychoric") if res.correlation == "polychoric" else Msg("Pearson")
    rotation = {"oblimin": Msg("oblimin"), "varimax": Msg("varimax")}.get(res.rotation, Msg("none"))
    pa = res.parallel_factors
    note = Msg(
        "Correlations: {corr}, design-weighted; {n} respondents; KMO = {kmo}; Bartlett's test: "
        "χ²({df}) = {chisq}, {p}; {k} factors (parallel analysis suggests {pa}); "
        "extraction: minimum residual; rotation: {rotation}; loadings of .40 or more define a "
        "factor.",
        corr=corr,
        n=int(res.meta.n_used or 0),
        kmo=num(res.kmo),
        df=int(b["df"]),
        chisq=num(b["chisq"], 1),
        p=pval(b["pvalue"]),
        k=int(res.loadings.shape[1]),
        pa="-" if pa is None else int(pa),
        rotation=rotation,
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


def _types(opts: dict[str, Any]) -> dict[int, str]:
    raw = opts.get("types")
    if raw is None:
        return dict(MOTIVE_TYPES)
    out: dict[int, str] = {}
    for kind, codes in raw.items():
        if not isinstance(codes, list) or not all(isinstance(c, int) for c in codes):
            raise StudyError(
                f"motive type {kind!r} must list option codes; got {codes!r}",
                where=Where(key="analyses.motives.types"),
                rule="study.option-value",
                hint=f"Write {kind} = [1, 7, 11] (codes of the main-reason question).",
            )
        out.update(dict.fromkeys(codes, str(kind)))
    return out


def _with_types(sd: Any, main: str, types: dict[int, str]) -> tuple[Any, Any]:
    """``sd`` with ``motive_type`` (ordered categories, economic first) and its labels."""
    codes = pd.to_numeric(sd.data[main], errors="coerce")
    kind = [types.get(int(c)) if pd.notna(c) else None for c in codes]
    order = [t for t in _TYPE_ORDER if t in types.values()]
    order += sorted({t for t in types.values() if t not in order})
    col = pd.Categorical(kind, categories=order)
    sd2 = add_columns(sd, {"motive_type": col})
    labels: dict[object, Labels] = {t: _TYPE_LABELS.get(t, L(t, t, t)) for t in order}
    cb2 = display_codebook(
        with_short_titles(sd2.codebook),
        {
            "motive_type": (
                L("Type of the main motive", "Тип главного мотива", "Басты уәждің түрі"),
                labels,
            )
        },
    )
    return dataclasses.replace(sd2, codebook=cb2), cb2


def _left_out_note(cb2: Any, left_out: list[str], min_n: int) -> tuple[Text, ...]:
    if not left_out:
        return ()
    names: Text = level_label(cb2, "motive_type", left_out[0])
    for t in left_out[1:]:
        names = Msg("{a}; {b}", a=names, b=level_label(cb2, "motive_type", t))
    return (
        Msg(
            "Left out of the model: {types} (fewer than {n} respondents, or a type that no "
            "respondent of some group names, which makes its odds infinite).",
            types=names,
            n=min_n,
        ),
    )


def _order(cb2: Any) -> list[str]:
    """Motive types in the order of their (display) choice list."""
    lst = cb2.choice_list(cb2.variable("motive_type").choices)
    return [str(c.code) for c in lst.choices]


def _type_by_city(ctx: StudyContext, sd2: Any, cb2: Any, city: str, weighting: Text) -> Table:
    dist = distribution_by(sd2, "motive_type", city)
    frame = dist.table.assign(domain=dist.table[city])
    t = dist.test
    return crosstab_table(
        frame[["level", "domain", "n", "estimate", "weighted_n", "letters"]],
        row="motive_type",
        col=city,
        codebook=cb2,
        rules=ctx.rules,
        weighting=weighting,
        tests=test_lines(t),
        key="motives.main_type",
    )


def _ses_model(
    ctx: StudyContext, sd2: Any, cb2: Any, opts: dict[str, Any], weighting: Text
) -> list[Any]:
    """Multinomial logit of the motive type on SES, and a Wald test per predictor."""
    from ..estimate import multinom, reg_term_test

    wanted = [str(v) for v in opts.get("ses", SES_PREDICTORS)]
    linear = {str(v) for v in opts.get("linear", ["ses_edu", "ses_income"])}
    present = [v for v in wanted if v in sd2.data.columns and sd2.data[v].notna().any()]
    if not present:
        return []
    new: dict[str, np.ndarray] = {}
    terms: dict[str, str] = {}
    w = sd2.weights
    for v in present:
        if v in linear:
            x = pd.to_numeric(sd2.data[v], errors="coerce").to_numpy(dtype=float)
            ok = ~np.isnan(x)
            centre = float(np.average(x[ok], weights=w[ok])) if ok.any() else 0.0
            new[f"_c_{v}"] = x - centre  # centred: the Newton steps start well conditioned
            terms[v] = f"_c_{v}"
        else:
            terms[v] = f"C({v})"
    data = add_columns(sd2, new) if new else sd2
    formula = "motive_type ~ " + " + ".join(terms.values())
    min_n = int(opts.get("min_type_n", 30))
    col = pd.Series(pd.Categorical(data.data["motive_type"], categories=_order(cb2)))
    counts = col.value_counts()
    left_out = [str(t) for t, k in counts.items() if k < min_n]
    while True:
        kept = col.where(~col.isin(left_out)).cat.remove_unused_categories()
        fit_data = add_columns(data, {"motive_type": kept.astype(object).to_numpy()})
        fit_data.data["motive_type"] = kept.array  # ordered: the first type is the baseline
        try:
            model = multinom(fit_data, formula, missing="drop")
            break
        except (QonysError, np.linalg.LinAlgError) as err:
            # separation (a rare type that nobody of some group names): leave the rarest out
            rest = list(kept.value_counts(ascending=True).index)
            if len(rest) <= 2:
                return [
                    Note(
                        Msg(
                            "The motive-type model could not be estimated: {error}", error=str(err)
                        ),
                        kind="warning",
                    )
                ]
            left_out.append(str(rest[0] if rest[0] != kept.cat.categories[0] else rest[1]))
    frame = model.to_frame()
    rows = []
    for r in frame.to_dict("records"):
        if r["variable"] == "(Intercept)":
            continue
        var = next(v for v, t in terms.items() if t == r["variable"])
        who: Text = variable_title(cb2, var)
        if pd.notna(r.get("level")):
            who = Msg("{a}: {b}", a=who, b=level_label(cb2, var, _code(r["level"])))
        lab = Msg("{a} - {b}", a=level_label(cb2, "motive_type", r["outcome"]), b=who)
        rows.append(
            Row(
                lab,
                (
                    Cell(float(np.exp(r["estimate"]))),
                    Cell((float(np.exp(r["ci_low"])), float(np.exp(r["ci_high"])))),
                    Cell(float(r["p_value"])),
                ),
            )
        )
    lines = []
    for v, t in terms.items():
        tt = reg_term_test(model, t)
        lines.append(
            StatLine(
                "F", tt.statistic, (float(tt.ndf), tt.ddf), tt.p_value, label=variable_title(cb2, v)
            )
        )
    base = level_label(cb2, "motive_type", model.levels[0])
    table = Table(
        title=Msg("Type of the main motive and socio-economic status (multinomial logit)"),
        columns=(
            Column("or", Msg("Odds ratio"), kind="estimate", decimals=2),
            Column("ci", Msg("{level}% CI", level=95), kind="ci", decimals=2),
            Column("p", "p", kind="p"),
        ),
        rows=tuple(rows),
        base_n=int(model.meta.n_used or 0),
        weighting=weighting,
        notes=(
            Msg(
                "Odds of each motive type relative to {base}; numeric predictors per one step "
                "of their scale, factors relative to their first category. Respondents with a "
                "missing answer are left out ({n}). F: design-based Wald test that a predictor "
                "has no effect on any type.",
                base=base,
                n=int(model.meta.n_dropped or 0),
            ),
            *_left_out_note(cb2, left_out, min_n),
        ),
        stat_lines=tuple(lines),
        kind="estimates",
        key="motives.ses_model",
    )
    return [table]


def _code(level: object) -> object:
    text = str(level)
    try:
        f = float(text)
    except ValueError:
        return level
    return int(f) if f.is_integer() else f


def _mr_sections(
    ctx: StudyContext, sd: Any, opts: dict[str, Any], city: str | None, weighting: Text
) -> list[Any]:
    cb = sd.codebook
    name = str(opts.get("mrset", "mot_reasons"))
    if not any(s.name == name for s in cb.mr_sets):
        return []
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
    out: list[Any] = []
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
    return out


@register_stage("motives", after=("weight", "portrait"))
def motives_stage(ctx: StudyContext) -> list[Any]:
    """Multiple-response tables, EFA of the importance items, motive types and SES."""
    sd = survey_data(ctx)
    if sd is None or sd.codebook is None:
        return []
    opts = dict(ctx.options)
    types = _types(opts)
    cb = sd.codebook
    name = ctx.config.city_variable
    city = name if name and name in sd.data.columns else None
    weighting = weighting_of(sd)
    out = _mr_sections(ctx, sd, opts, city, weighting)
    default_items = [i for s in cb.scales if s.name in ("mot_push", "mot_pull") for i in s.items]
    items = [i for i in opts.get("items", default_items) if i in sd.data.columns]
    if len(items) >= 6:
        efa = motive_factors(
            sd,
            items,
            n_factors=opts.get("n_factors"),
            correlation=opts.get("correlation", "polychoric"),
            rotation=opts.get("rotation", "oblimin"),
            random_state=ctx.seed,
        )
        out.append(_loadings_table(efa, cb, weighting))
    main = str(opts.get("main", "mot_main"))
    if main in sd.data.columns and sd.data[main].notna().any():
        sd2, _ = derive_groups(sd)
        sd2, cb2 = _with_types(sd2, main, types)
        if sd2.data["motive_type"].notna().sum() > 0:
            els: list[Any] = []
            if city:
                els.append(_type_by_city(ctx, sd2, cb2, city, weighting))
            els += _ses_model(ctx, sd2, cb2, opts, weighting)
            els.append(
                Note(
                    Msg(
                        "Motive types group the main reasons into the five expected motive "
                        "factors: economic, education and career, family and social, urban "
                        "amenities, land and environment."
                    )
                )
            )
            out.append(
                Section(
                    L("Types of the main motive", "Типы главного мотива", "Басты уәж түрлері"),
                    tuple(els),
                    key="motives.types",
                )
            )
    return out
