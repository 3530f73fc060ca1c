"""The ``integration`` and ``structural_complex`` stages (METHODS 1, 2.3 and 2.6).

``integration`` scores the standard instrument's items (:mod:`qonys.measure.standard_items`)
into the six IPL dimensions and index and Esser's four dimensions, hands the scores to later
stages (:class:`~qonys.study.DerivedVariables`: ``ipl_index``, ``ipl_<dimension>``,
``esser_<dimension>``), and reports their design-based means overall and by city (SE, CI,
design effect, unweighted n) and the rank stability of the composite under alternative
aggregations and weights. ``structural_complex`` tests "structural integration is not complex
integration" on those scores. Data without the instrument's integration items give no section.
Options: :data:`qonys.study.stage_options.STAGE_OPTIONS`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, StudyError, Variable, Where
from ..report.estimates import estimates_table, weighting_note
from ..report.model import BarChart, Cell, Column, Figure, Note, Row, Table
from ..report.text import Labels, Msg
from .stage_options import options_of
from .stages import DerivedVariables, StudyContext, register_stage
from .survey import survey_data

__all__ = ["DIMENSION_LABELS", "integration_stage", "structural_complex_stage"]

DIMENSION_LABELS: dict[str, Labels] = {
    "esser_culturation": Labels(kk="Мәдениеттену", ru="Культурация", en="Culturation"),
    "esser_placement": Labels(kk="Орналасу", ru="Размещение", en="Placement"),
    "esser_interaction": Labels(kk="Өзара әрекеттесу", ru="Интеракция", en="Interaction"),
    "esser_identification": Labels(kk="Сәйкестену", ru="Идентификация", en="Identification"),
    "esser_index": Labels(
        kk="Эссер өлшемдерінің орташасы",
        ru="Среднее измерений Эссера",
        en="Mean of Esser's dimensions",
    ),
    "ipl_psychological": Labels(kk="Психологиялық", ru="Психологическая", en="Psychological"),
    "ipl_economic": Labels(kk="Экономикалық", ru="Экономическая", en="Economic"),
    "ipl_political": Labels(kk="Саяси", ru="Политическая", en="Political"),
    "ipl_social": Labels(kk="Әлеуметтік", ru="Социальная", en="Social"),
    "ipl_linguistic": Labels(kk="Тілдік", ru="Языковая", en="Linguistic"),
    "ipl_navigational": Labels(kk="Навигациялық", ru="Навигационная", en="Navigational"),
    "ipl_index": Labels(
        kk="IPL интеграция индексі", ru="Индекс интеграции IPL", en="IPL integration index"
    ),
}
"""Names of the derived scores in the report (``docs/glossary.md`` terms)."""

COMPLEX_LABEL = Labels(
    kk="Кешенді интеграция (1 = иә)",
    ru="Комплексная интеграция (1 = да)",
    en="Complex integration (1 = yes)",
)
"""Label of ``complex_integration``, the structural_complex stage's 0/1 class per respondent."""

ALTERNATIVE_LABELS: dict[str, Msg] = {
    "geometric": Msg("Geometric mean"),
    "mazziotta_pareto": Msg("Mazziotta-Pareto index"),
    "pca_weights": Msg("Weights from the first principal component"),
}

ESSER = ("culturation", "placement", "interaction", "identification")
IPL = ("psychological", "economic", "political", "social", "linguistic", "navigational")


def _label_codebook(data: Any, names: list[str]) -> Codebook:
    cb = getattr(data, "codebook", None) or Codebook()
    extra = tuple(
        Variable(n, "decimal", label=dict(DIMENSION_LABELS[n].by_lang))
        for n in names
        if n in DIMENSION_LABELS and n not in cb
    )
    import dataclasses

    return dataclasses.replace(cb, variables=(*cb.variables, *extra))


def _strip_domain(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame.copy()
    if "domain" in f.columns:
        f["domain"] = f["domain"].map(
            lambda d: d.split("=", 1)[1] if isinstance(d, str) and "=" in d else d
        )
    return f


def localised(value: float, decimals: int = 1) -> Labels:
    """A number written in each report language's own way (decimal comma in kk and ru)."""
    from ..report.numbers import fmt_number

    return Labels({lang: fmt_number(value, lang, decimals) for lang in ("kk", "ru", "en")})


def integration_stage(ctx: StudyContext) -> list[Any]:
    """Run the ``integration`` stage (see the module docstring)."""
    from .. import estimate
    from ..measure import dimension_index
    from ..measure.rank_stability import rank_stability
    from ..measure.standard_items import component_scores, esser_spec, ipl_spec
    from ..report.numbers import fmt_int

    if ctx.data is None:
        return []
    frame = ctx.data.data
    if not any(c.startswith(("ipl_", "ess_")) for c in frame.columns):
        return []  # not the standard instrument's integration module: no section
    opts = options_of("integration", ctx.options)
    sd = survey_data(ctx)
    w = np.asarray(sd.prepared.weights, float)
    city = ctx.config.city_variable
    comp, medians = component_scores(
        frame,
        city=city,
        income_median=opts["income_median"],
        language=opts["language"],
        sample_weight=w,
    )
    ipl = dimension_index(comp, ipl_spec(opts["form"]), mode=opts["mode"])
    ess = dimension_index(comp, esser_spec(opts["esser_components"]), mode=opts["mode"])
    derived = pd.DataFrame(index=frame.index)
    for d in IPL:
        derived[f"ipl_{d}"] = ipl.scores[d]
    derived["ipl_index"] = ipl.scores[ipl.index_name]
    for d in ESSER:
        derived[f"esser_{d}"] = ess.scores[d]
    derived["esser_index"] = ess.scores[ess.index_name]
    names = list(derived.columns)
    sdx = sd.update(data=pd.concat([sd.data, derived.set_axis(sd.data.index)], axis=1))
    cb = _label_codebook(ctx.data, names)
    out: list[Any] = [
        DerivedVariables(
            derived.reset_index(drop=True),
            tuple(
                Variable(n, "decimal", label=dict(DIMENSION_LABELS[n].by_lang), measure="scale")
                for n in derived.columns
                if n in DIMENSION_LABELS
            ),
        )
    ]
    for group, title, key in (
        (
            [f"ipl_{d}" for d in IPL] + ["ipl_index"],
            Msg("IPL integration index and its dimensions (0-1)"),
            "ipl",
        ),
        (
            [f"esser_{d}" for d in ESSER] + ["esser_index"],
            Msg("Esser's dimensions of integration (0-1)"),
            "esser",
        ),
    ):
        overall = estimate.mean(sdx, group, missing="drop")
        out.append(
            estimates_table(
                overall.to_frame(),
                codebook=cb,
                rules=ctx.rules,
                weighting=weighting_note(overall),
                title=title,
                key=f"integration.{key}",
            )
        )
        if city and city in sdx.data.columns:
            by = estimate.mean(sdx, group, by=city, missing="drop")
            bf = _strip_domain(by.to_frame())
            out.append(
                estimates_table(
                    bf,
                    codebook=cb,
                    rules=ctx.rules,
                    weighting=weighting_note(by),
                    title=Msg("{title}, by city", title=title),
                    domain_variable=city,
                    key=f"integration.{key}_by_city",
                )
            )
            index_rows = bf[bf["variable"] == group[-1]]
            if len(index_rows):
                out.append(
                    Figure(
                        Msg("{title}, by city", title=DIMENSION_LABELS[group[-1]]),
                        chart=BarChart(
                            tuple(_city_label(cb, city, v) for v in index_rows["domain"].tolist()),
                            (
                                (
                                    DIMENSION_LABELS[group[-1]],
                                    tuple(index_rows["estimate"].astype(float)),
                                ),
                            ),
                        ),
                        base_n=int(index_rows["n"].sum()),
                        weighting=weighting_note(by),
                        key=f"integration.{key}_figure",
                    )
                )
    stab = rank_stability(ess.scores, list(ESSER), w)
    out.append(_stability_table(stab.table, weighting_note(overall)))
    if opts["income_median"] is None and medians:
        out.append(
            Note(
                Msg(
                    "Income is relative to the migrants' own weighted median in each city "
                    "({medians} tenge); give the city's median in the study file for the "
                    "official reference.",
                    medians=Labels(
                        {
                            lang: ", ".join(fmt_int(round(v), lang) for v in medians.values())
                            for lang in ("kk", "ru", "en")
                        }
                    ),
                )
            )
        )
    return out


def _city_label(cb: Codebook, city: str, value: Any) -> Any:
    from ..report.labels import level_label

    try:
        return level_label(cb, city, int(float(value)))
    except (TypeError, ValueError):
        return level_label(cb, city, value)


def _stability_table(table: pd.DataFrame, weighting: Msg | None) -> Table:
    rows = []
    for rec in table.to_dict("records"):
        name = str(rec["variable"])
        if name.startswith("double_"):
            label: Any = Msg(
                "Double weight on {dimension}",
                dimension=DIMENSION_LABELS[f"esser_{name.removeprefix('double_')}"],
            )
        else:
            label = ALTERNATIVE_LABELS[name]
        rows.append(Row(label, (Cell(100 * float(rec["estimate"])), Cell(float(rec["rho"])))))
    return Table(
        Msg("Rank stability of the composite index under alternative aggregations"),
        (
            Column("changed", Msg("Changed tercile, %"), kind="percent"),
            Column("rho", Msg("Spearman's rho"), kind="stat"),
        ),
        tuple(rows),
        stub=Msg("Alternative to the equal-weight arithmetic mean"),
        base_n=int(table["n"].max()) if len(table) else None,
        weighting=weighting,
        notes=(Msg("Shares are weighted; terciles are cut at the weighted tertiles."),),
        key="integration.rank_stability",
    )


def _locals_thresholds(
    ctx: StudyContext, sd: Any, fallback: float | None
) -> tuple[dict[str, float], pd.DataFrame, tuple[Msg, ...]]:
    """tau = 'locals_median': each dimension's threshold is the long-term residents' weighted
    median (METHODS 2.6, step 2).

    Both groups are scored on the components of the dimension that both data sets measure
    (the locals' form has no registration or migration items, for example), with the
    integration stage's options and the migrants' median incomes as the income reference, so
    migrants and residents are compared on the same scale. A dimension the residents' data do
    not measure at all (interaction in the standard locals' form) is an error unless
    ``tau_fallback`` gives its threshold; it then keeps the migrants' full score.

    Returns the thresholds, the migrants' four scores as compared and the notes saying how.
    """
    from ..measure import dimension_index
    from ..measure.identity import weighted_median
    from ..measure.standard_items import ESSER_COMPONENTS, component_scores, esser_spec
    from ..report.numbers import fmt_number
    from .locals import locals_survey_data, read_locals

    where = Where(key="analyses.structural_complex.tau")
    data = read_locals(ctx.config)
    if data is None:
        raise StudyError(
            "tau = 'locals_median' needs the long-term residents' data",
            where=where,
            rule="study.option-value",
            hint='Give locals = "data/locals.sav" under [data], or tau as a number such as 0.6.',
        )
    lsd, _ = locals_survey_data(ctx, data)
    iopts = options_of("integration", ctx.config.options.get("integration", {}))
    comps = iopts["esser_components"] or ESSER_COMPONENTS
    city = ctx.config.city_variable
    w_m = np.asarray(sd.prepared.weights, float)
    w_l = np.asarray(lsd.prepared.weights, float)
    kw = {"city": city, "language": iopts["language"]}
    comp_m, medians = component_scores(
        sd.data, income_median=iopts["income_median"], sample_weight=w_m, **kw
    )
    comp_l, _ = component_scores(lsd.data, income_median=medians, sample_weight=w_l, **kw)
    common = {
        d: [c for c in comps[d] if comp_l[c].notna().any() and comp_m[c].notna().any()]
        for d in ESSER
    }
    missing = [d for d in ESSER if not common[d]]
    if missing and fallback is None:
        d = missing[0]
        raise StudyError(
            f"tau = 'locals_median': the long-term residents' data measure none of {d}'s "
            f"components ({', '.join(comps[d])})",
            where=where,
            rule="study.option-value",
            hint=f"Set tau_fallback (such as 0.6) as the threshold of {d}, or give tau as a "
            "number.",
        )
    spec = {d: common[d] or list(comps[d]) for d in ESSER}
    mig = dimension_index(comp_m, esser_spec(spec), mode=iopts["mode"]).scores
    res = dimension_index(
        comp_l, esser_spec({d: common[d] for d in ESSER if common[d]}), mode=iopts["mode"]
    ).scores
    tau: dict[str, float] = {}
    for d in ESSER:
        col = f"esser_{d}"
        if d in missing:
            tau[col] = float(fallback or 0.0)  # not None: checked above
            continue
        x = res[d].to_numpy(float)
        ok = np.isfinite(x) & (w_l > 0)
        if not ok.any():
            raise StudyError(
                f"tau = 'locals_median': no long-term resident has a {d} score",
                where=where,
                rule="study.option-value",
                hint="Check the residents' answers to the components: " + ", ".join(common[d]),
            )
        tau[col] = weighted_median(x[ok], w_l[ok])
    listed = Labels(
        {
            lang: "; ".join(
                f"{DIMENSION_LABELS[c].by_lang[lang]} {fmt_number(t, lang, 2)}"
                + ("*" if c[len("esser_") :] in missing else "")
                for c, t in tau.items()
            )
            for lang in ("kk", "ru", "en")
        }
    )
    note = Msg(
        "Thresholds: the long-term residents' weighted medians, both groups scored on the "
        "components both forms measure: {thresholds}.",
        thresholds=listed,
    )
    notes = [note]
    if missing:
        notes.append(
            Msg("* The residents' data do not measure this dimension: threshold tau_fallback.")
        )
    scores = pd.DataFrame({f"esser_{d}": mig[d].to_numpy() for d in ESSER}, index=sd.data.index)
    return tau, scores, tuple(notes)


_ATTENUATION = Msg(
    "The shares are those of the observed dimension scores. Measurement error in the scores "
    "weakens their correlations and so lowers the share at or above tau on all four "
    "dimensions at once: the share among error-free scores is likely higher, and part of a "
    "low share of complex integration may be the instrument's error."
)
"""The warning under the shares table (METHODS 2.6 on observed scores; ``docs/measure.md``)."""


def structural_complex_stage(ctx: StudyContext) -> list[Any]:
    """Run the ``structural_complex`` stage (see the module docstring)."""
    from ..measure.structural import structural_complex

    opts = options_of("structural_complex", ctx.options)
    sd = survey_data(ctx)
    cols = [f"esser_{d}" for d in ESSER]
    if sd is None or not all(c in sd.data.columns for c in cols):
        return []
    notes: tuple[Msg, ...] = (_ATTENUATION,)
    if opts["tau"] == "locals_median":
        tau: Any
        tau, scores, how = _locals_thresholds(ctx, sd, opts["tau_fallback"])
        sd = sd.update(data=sd.data.assign(**{c: scores[c] for c in cols}))
        notes = (*how, *notes)
        title = Msg("Structural and complex integration, tau = long-term residents' medians")
    else:
        tau = float(opts["tau"])
        title = Msg("Structural and complex integration, tau = {tau}", tau=localised(tau, 2))
    res = structural_complex(
        sd,
        dimensions=cols,
        structural="esser_placement",
        tau=tau,
        controls=list(opts["controls"]),
        margin=float(opts["margin"]),
        level=float(opts["level"]),
    )
    shares = res.shares.copy()
    labels = {
        "structural_high": Msg("Structurally integrated (placement at or above tau)"),
        "complex": Msg("Complex integration (all four dimensions at or above tau)"),
        "structural_only": Msg("Structural integration only"),
        "complex_given_structural_high": Msg(
            "Complex integration among the structurally integrated"
        ),
    }
    rows = []
    for rec in shares.to_dict("records"):
        rows.append(
            Row(
                labels[str(rec["variable"])],
                (
                    Cell(100 * float(rec["estimate"])),
                    Cell(100 * float(rec["se"])),
                    Cell((100 * float(rec["ci_low"]), 100 * float(rec["ci_high"]))),
                    Cell(int(rec["n"])),
                ),
            )
        )
    cond = res.conditional
    level = round(100 * float(opts["level"]))
    table = Table(
        title,
        (
            Column("estimate", Msg("Share, %"), kind="percent"),
            Column("se", Msg("SE"), kind="percent"),
            Column("ci", Msg("{level}% CI", level=level), kind="ci", decimals=1),
            Column("n", Msg("n (unweighted)"), kind="n"),
        ),
        tuple(rows),
        base_n=res.meta.n_used,
        weighting=weighting_note(res),
        notes=notes,
        key="structural_complex.shares",
    )
    said = {
        "p": localised(100 * float(cond["estimate"])),
        "lo": localised(100 * float(cond["ci_low"])),
        "hi": localised(100 * float(cond["ci_high"])),
        "limit": localised(100 * (1 - res.margin), 0),
        "level": str(level),
    }
    if res.verdict == "supported":
        verdict = Msg(
            "Supported: among the structurally integrated, {p}% ({level}% CI {lo}-{hi}%) are "
            "integrated on all four dimensions; even the interval's upper limit is below "
            "{limit}%, so structural integration does not always lead to complex integration.",
            **said,
        )
    elif res.verdict == "not supported":
        verdict = Msg(
            "Not supported: among the structurally integrated, {p}% ({level}% CI {lo}-{hi}%) are "
            "integrated on all four dimensions; even the interval's lower limit is above "
            "{limit}%, so structural integration mostly comes with complex integration.",
            **said,
        )
    else:
        verdict = Msg(
            "Inconclusive: among the structurally integrated, {p}% ({level}% CI {lo}-{hi}%) are "
            "integrated on all four dimensions; the interval includes {limit}%, so the data "
            "cannot tell whether structural integration leads to complex integration.",
            **said,
        )
    corr_rows = tuple(
        Row(
            DIMENSION_LABELS[r],
            tuple(Cell(float(res.correlations.to_numpy()[i, j])) for j in range(len(cols))),
        )
        for i, r in enumerate(cols)
    )
    corr = Table(
        Msg("Correlations of Esser's four dimensions (weighted Pearson)"),
        tuple(Column(c, DIMENSION_LABELS[c], kind="stat") for c in cols),
        corr_rows,
        base_n=res.meta.n_used,
        key="structural_complex.correlations",
    )
    model = res.model
    mf = model.to_frame()
    model_rows = tuple(
        Row(
            DIMENSION_LABELS.get(str(t), str(t)) if str(t) != "(Intercept)" else Msg("Intercept"),
            (
                Cell(float(e)),
                Cell(float(s)),
                Cell(float(np.exp(e))),
                Cell(float(p)),
            ),
        )
        for t, e, s, p in zip(mf["term"], mf["estimate"], mf["se"], mf["p_value"], strict=True)
    )
    logit = Table(
        Msg("Survey logit of complex integration on placement"),
        (
            Column("b", Msg("Coefficient"), kind="stat"),
            Column("se", Msg("SE"), kind="stat"),
            Column("or", Msg("Odds ratio"), kind="stat"),
            Column("p", Msg("p"), kind="p"),
        ),
        model_rows,
        base_n=res.meta.n_used,
        weighting=weighting_note(res),
        key="structural_complex.logit",
    )
    figure = Figure(
        Msg("Complex integration among the structurally integrated and overall (%)"),
        chart=BarChart(
            tuple(labels[v] for v in shares["variable"]),
            ((Msg("Share, %"), tuple(100 * float(x) for x in shares["estimate"])),),
            percent=True,
        ),
        base_n=res.meta.n_used,
        weighting=weighting_note(res),
        key="structural_complex.figure",
    )
    scored = sd.data[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    limits = np.array([float(tau[c]) if isinstance(tau, dict) else tau for c in cols])
    flag = (scored.to_numpy() >= limits).all(axis=1).astype(float)
    flag[scored.isna().any(axis=1).to_numpy()] = np.nan
    derived = DerivedVariables(
        pd.DataFrame({"complex_integration": flag}),
        (
            Variable(
                "complex_integration",
                "decimal",
                label=dict(COMPLEX_LABEL.by_lang),
                measure="nominal",
            ),
        ),
    )
    return [derived, table, Note(verdict), figure, corr, logit]


register_stage("integration", after=("weight",))(integration_stage)
register_stage("structural_complex", needs=("integration",))(structural_complex_stage)
