"""The ``perceptions`` stage: how long-term city residents see internal migrants (METHODS 5).

Runs on the long-term residents' data (``data.locals`` in the study file, with its own design
and weighting: :mod:`qonys.study.locals`); a study without them has no section. Every figure is
design-based on the residents' design.

* **Social distance** (Bogardus; METHODS 5.1) toward each target group (newcomers from
  villages, from the south, from other cities): a respondent's score is the closest relation
  accepted (1 spouse of a relative ... 6 temporary visitor), 7 when none is ("should not
  settle"); the *distance quotient* is the mean score; the *coefficient of reproducibility*
  :math:`CR = 1 - e/(N k)` counts Guttman errors :math:`e` against the cumulative pattern the
  score implies (.90 or more is expected); the share excluding the group. Overall and by city.
* **Scales**: perceived threat (realistic, symbolic, intergroup anxiety, and all threat items
  together), contact (quantity, quality) and stigma: scale scores (means of the keyed items,
  half the items needed; contact quantity, whose items have different ranges, on 0-1 after
  rescaling each item), with Cronbach's alpha; design-based means overall and by city.
* **Comparison across cities**: the Wald F test that a scale's mean is the same in every city
  and every pair of cities by a design-based t-test (Bonferroni-adjusted p).
* **Threat and contact**: the design-based Pearson correlation of the threat and contact
  scores (linearised SE, Fisher-z interval), overall and by city, with Spearman's correction
  for attenuation by the two scales' alphas.

Options (``[analyses.perceptions]``; names are the residents' codebook's): ``distance``
(``{target = "mrset"}``), ``steps`` (option codes of the accepted relations, closest first,
default 1-6), ``threat``, ``contact``, ``stigma`` (lists of scales), ``rescale`` (scales scored
on 0-1), ``threat_score`` / ``contact_score`` (the two scales of the correlation: ``"threat"``
is all threat items together), ``city`` (the residents' city variable, default
``data.city_variable``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, Scale, StudyError, Where
from ..measure.comparisons import compare_groups, survey_correlation
from ..measure.mr_tables import mr_option_code
from ..measure.social_distance import social_distance
from ..measure.survey_scales import score_scales
from ..report.labels import level_label, variable_title
from ..report.model import FLAG_SUPPRESSED, Cell, Column, Note, Row, Section, StatLine, Table
from ..report.text import Labels, Msg, Text
from .locals import locals_survey_data, read_locals
from .options import Option, declare_options, integer_codes
from .portrait_tables import CALIBRATED_F, L, estimates_by, scale_title, weighting_of
from .stages import StudyContext, register_stage

__all__ = ["DISTANCE_TARGETS", "perceptions_stage"]

DISTANCE_TARGETS: dict[str, str] = {
    "village": "sdi_village",
    "south": "sdi_south",
    "othercity": "sdi_othercity",
}
"""Target groups of the Bogardus scale and their questions in the standard instrument."""

TARGET_LABELS: dict[str, Labels] = {
    "village": L("Newcomers from villages", "Приезжие из сёл", "Ауылдан келгендер"),
    "south": L(
        "People from the southern regions",
        "Выходцы из южных регионов",
        "Оңтүстік өңірлерден келгендер",
    ),
    "othercity": L(
        "People from other cities", "Приезжие из других городов", "Басқа қалалардан келгендер"
    ),
}

THREAT: tuple[str, ...] = ("thr_real", "thr_sym", "thr_anx")
CONTACT: tuple[str, ...] = ("cnt_quantity", "cnt_quality")
STIGMA: tuple[str, ...] = ("stg_stigma",)

_THREAT_ALL = L(
    "Perceived threat (all items)",
    "Воспринимаемая угроза (все пункты)",
    "Қабылданатын қауіп (барлық тармақ)",
)

declare_options(
    "perceptions",
    {
        "distance": Option(
            (dict,), "a table {target = multiple-response set}", names="mrset", form="locals"
        ),
        "steps": Option(
            (list,), "option codes of the relations, closest first", check=integer_codes
        ),
        "threat": Option((list,), "threat scales", names="scale", form="locals"),
        "contact": Option((list,), "contact scales", names="scale", form="locals"),
        "stigma": Option((list,), "stigma scales", names="scale", form="locals"),
        "rescale": Option((list,), "scales scored on 0-1", names="scale", form="locals"),
        "threat_score": Option((str,), 'threat scale of the correlation (or "threat")'),
        "contact_score": Option(
            (str,), "contact scale of the correlation", names="scale", form="locals"
        ),
        "city": Option((str,), "the residents' city variable", names="variable", form="locals"),
    },
)


def _steps(cb: Codebook, mrset: str, steps: list[str]) -> tuple[list[str], list[str]]:
    """Acceptance columns in step order, and the columns of missing answers."""
    s = cb.mr_set(mrset)
    source = s.source or s.name
    by_code = {_code(c): c for c in s.variables}
    missing = [
        c for code, c in by_code.items() if source in cb and cb.missing_kind(source, _num(code))
    ]
    cols = [by_code[c] for c in steps if c in by_code]
    if len(cols) != len(steps):
        lost = [c for c in steps if c not in by_code]
        raise StudyError(
            f"the set {mrset!r} has no option {lost[0]!r}",
            where=Where(key="analyses.perceptions.steps", variable=mrset),
            rule="study.option-value",
            hint=f"Its options are {', '.join(by_code)}.",
        )
    return cols, missing


def _code(column: str) -> str:
    code = mr_option_code(column)
    return code.rsplit("_", 1)[-1] if not code.isdigit() and "_" in code else code


def _num(code: str) -> object:
    return int(code) if code.isdigit() else code


def _distance(
    ctx: StudyContext, sd: Any, opts: dict[str, Any], city: str | None, weighting: Text
) -> list[Any]:
    cb = sd.codebook
    known = {s.name for s in cb.mr_sets}
    wanted = {str(k): str(v) for k, v in opts.get("distance", DISTANCE_TARGETS).items()}
    steps = [str(x) for x in opts.get("steps", [1, 2, 3, 4, 5, 6])]
    targets, missing = {}, {}
    for name, mrset in wanted.items():
        if mrset in known:
            targets[name], missing[name] = _steps(cb, mrset, steps)
    if not targets:
        return []
    res = social_distance(sd, targets, missing_columns=missing, by=city)
    f = res.table.copy()
    pct = f["level"] == "exclusion"
    for c in ("estimate", "se", "ci_low", "ci_high"):
        f.loc[pct, c] = f.loc[pct, c] * 100.0
    k = len(steps)
    stat: dict[object, Text] = {
        "quotient": Msg("Distance quotient (1-{k})", k=k + 1),
        "reproducibility": Msg("Coefficient of reproducibility"),
        "exclusion": Msg("Would not let them settle (%)"),
    }
    names = {t: TARGET_LABELS.get(t, variable_title(cb, wanted[t])) for t in targets}
    table = estimates_by(
        f,
        by=city,
        codebook=cb,
        rules=ctx.rules,
        weighting=weighting,
        title=Msg("Social distance toward internal migrants (Bogardus scale)"),
        key="perceptions.distance",
        variable_labels=names,
        level_labels=stat,
        decimals=2,
        notes=(
            Msg(
                "Score: the closest relation accepted, from 1 (spouse of a close relative) to "
                "{k} (a temporary visitor only); {k1} when none is accepted. Quotient: mean "
                "score. Coefficient of reproducibility: 1 - errors / (respondents x {k}); .90 "
                "or more shows a cumulative scale.",
                k=k,
                k1=k + 1,
            ),
            Msg(
                "Guttman errors: {errors}.",
                errors=_join(names, res.errors),
            ),
        ),
    )
    return [table]


def _join(names: Mapping[str, Text], counts: Mapping[str, int]) -> Text:
    parts: list[Text] = [Msg("{a}: {b}", a=names[t], b=n) for t, n in counts.items()]
    out: Text = parts[0]
    for p in parts[1:]:
        out = Msg("{a}; {b}", a=out, b=p)
    return out


def _scales(cb: Codebook, opts: dict[str, Any]) -> tuple[list[Scale], set[str]]:
    names = [
        *opts.get("threat", THREAT),
        *opts.get("contact", CONTACT),
        *opts.get("stigma", STIGMA),
    ]
    have = {s.name for s in cb.scales}
    chosen = [cb.scale(n) for n in dict.fromkeys(names) if n in have]
    threat = [s for s in chosen if s.name in opts.get("threat", THREAT)]
    if len(threat) > 1:
        chosen.insert(
            len(threat),
            Scale(
                "threat",
                tuple(i for s in threat for i in s.items),
                reverse=tuple(i for s in threat for i in s.reverse),
                low=threat[0].low,
                high=threat[0].high,
                label=dict(_THREAT_ALL.by_lang),
            ),
        )
    return chosen, set(opts.get("rescale", ["cnt_quantity"]))


def _score(sd: Any, scales: list[Scale], rescale: set[str]) -> tuple[Any, pd.DataFrame]:
    raw = [s for s in scales if s.name not in rescale]
    unit = [s for s in scales if s.name in rescale]
    data, tables = sd, []
    if raw:
        r = score_scales(data, raw, prefix="_score_")
        data, tables = r.data, [r.table]
    if unit:
        u = score_scales(data, unit, prefix="_score_", transform="unit", not_applicable=(96,))
        data, tables = u.data, [*tables, u.table]
    return data, pd.concat(tables, ignore_index=True)


def _reliability_table(
    cb: Codebook, scales: list[Scale], table: pd.DataFrame, rescale: set[str], weighting: Text
) -> Table:
    t = {str(r["scale"]): r for r in table.to_dict("records")}
    rows = []
    for s in scales:
        lab: Text = _THREAT_ALL if s.name == "threat" else scale_title(cb, s.name)
        rng = "0-1" if s.name in rescale else f"{s.low:g}-{s.high:g}"
        rows.append(
            Row(
                lab,
                (
                    Cell(int(t[s.name]["items"])),
                    Cell(rng),
                    Cell(float(t[s.name]["alpha"])),
                    Cell(int(t[s.name]["n_scored"])),
                ),
            )
        )
    return Table(
        title=Msg("Perception scales and their reliability"),
        columns=(
            Column("items", Msg("Items"), kind="n"),
            Column("range", Msg("Range"), kind="text"),
            Column("alpha", Msg("Cronbach's alpha"), kind="estimate", decimals=2),
            Column("n", Msg("n (unweighted)"), kind="n"),
        ),
        rows=tuple(rows),
        base_n=int(table["n_scored"].max()),
        weighting=weighting,
        notes=(Msg("Alpha with the design weights; a score needs half of the scale's items."),),
        kind="estimates",
        key="perceptions.reliability",
    )


def _means_table(
    ctx: StudyContext,
    data: Any,
    scales: list[Scale],
    city: str | None,
    weighting: Text,
    labels: dict[str, Text],
) -> Table:
    from ..estimate import mean

    cols = [f"_score_{s.name}" for s in scales]
    parts = [mean(data, cols, missing="available").table]
    if city:
        parts.append(mean(data, cols, by=city, missing="available").table)
    f = pd.concat(parts, ignore_index=True)
    if city not in f.columns and city:
        f[city] = np.nan
    stat_lines: tuple[StatLine, ...] = ()
    if city:
        cmp = compare_groups(data, cols, city)
        stat_lines = tuple(
            StatLine(
                "F",
                float(r["statistic"]),
                (float(r["ndf"]), float(r["ddf"])),
                float(r["p_value"]),
                label=labels[str(r["variable"])],
            )
            for r in cmp.tests.to_dict("records")
            if abs(float(r["statistic"])) < CALIBRATED_F  # NaN fails too
        )
    t = estimates_by(
        f,
        by=city,
        codebook=data.codebook,
        rules=ctx.rules,
        weighting=weighting,
        title=Msg("Threat, contact and stigma: mean scores"),
        key="perceptions.scales",
        variable_labels=labels,
        decimals=2,
        notes=(Msg("F: design-based Wald test that the mean is the same in every city."),),
    )
    return dataclasses.replace(t, stat_lines=stat_lines)


def _pairs_table(
    data: Any, cols: list[str], city: str, labels: dict[str, Text], weighting: Text
) -> Table:
    cmp = compare_groups(data, cols, city)
    cb = data.codebook
    rows = []
    for r in cmp.pairs.to_dict("records"):
        lab = Msg(
            "{scale}: {b} - {a}",
            scale=labels[str(r["variable"])],
            a=level_label(cb, city, r["group_a"]),
            b=level_label(cb, city, r["group_b"]),
        )
        rows.append(
            Row(
                lab,
                (
                    Cell(float(r["difference"])),
                    Cell(float(r["se"])),
                    Cell((float(r["ci_low"]), float(r["ci_high"]))),
                    Cell(float(r["statistic"])),
                    Cell(float(r["p_adjusted"])),
                ),
            )
        )
    return Table(
        title=Msg("Differences between cities (design-based t-tests)"),
        columns=(
            Column("difference", Msg("Difference"), kind="estimate", decimals=2),
            Column("se", Msg("SE"), kind="estimate", decimals=2),
            Column("ci", Msg("{level}% CI", level=95), kind="ci", decimals=2),
            Column("t", "t", kind="estimate", decimals=2),
            Column("p", Msg("p (Bonferroni)"), kind="p"),
        ),
        rows=tuple(rows),
        base_n=int(cmp.meta.n_used or 0),
        weighting=weighting,
        kind="estimates",
        key="perceptions.pairs",
    )


def _correlation_table(
    data: Any,
    x: str,
    y: str,
    rel: tuple[float, float],
    city: str | None,
    weighting: Text,
    labels: dict[str, Text],
    min_n: int = 0,
) -> Table:
    parts = [survey_correlation(data, x, y, reliability=rel).table]
    if city:
        parts.append(survey_correlation(data, x, y, by=city, reliability=rel).table)
    f = pd.concat(parts, ignore_index=True)
    cb = data.codebook
    rows = []
    for r in f.to_dict("records"):
        g = r.get(city) if city else None
        lab: Text = Msg("Total") if g is None or pd.isna(g) else level_label(cb, city, g)
        if int(r["n"]) < min_n:  # disclosure control: a correlation of a handful of people
            hidden = Cell(None, FLAG_SUPPRESSED)
            rows.append(Row(lab, (hidden, hidden, hidden, hidden, hidden)))
            continue
        rows.append(
            Row(
                lab,
                (
                    Cell(float(r["estimate"])),
                    Cell((float(r["ci_low"]), float(r["ci_high"]))),
                    Cell(float(r["corrected"])),
                    Cell((float(r["corrected_low"]), float(r["corrected_high"]))),
                    Cell(int(r["n"])),
                ),
            )
        )
    return Table(
        title=Msg("Correlation of {x} and {y}", x=labels[x], y=labels[y]),
        columns=(
            Column("r", "r", kind="estimate", decimals=3),
            Column("ci", Msg("{level}% CI", level=95), kind="ci", decimals=3),
            Column("rc", Msg("r corrected for attenuation"), kind="estimate", decimals=3),
            Column("rc_ci", Msg("{level}% CI", level=95), kind="ci", decimals=3),
            Column("n", Msg("n (unweighted)"), kind="n"),
        ),
        rows=tuple(rows),
        base_n=int(f["n"].iloc[0]),
        weighting=weighting,
        notes=(
            Msg(
                "Design-based Pearson correlation (linearised standard error, Fisher-z "
                "interval); corrected: divided by the square root of the product of the two "
                "scales' alphas (Spearman)."
            ),
        ),
        kind="estimates",
        key="perceptions.threat_contact",
    )


@register_stage("perceptions", after=("weight",))
def perceptions_stage(ctx: StudyContext) -> list[Any]:
    """Social distance, threat, contact and stigma of long-term residents (module docstring)."""
    data = read_locals(ctx.config)
    if data is None:
        return []
    sd, provenance = locals_survey_data(ctx, data)
    cb = sd.codebook
    opts = dict(ctx.options)
    name = str(opts.get("city", ctx.config.city_variable or ""))
    city = name if name and name in sd.data.columns else None
    weighting = weighting_of(sd)
    out: list[Any] = [*provenance]
    dist = _distance(ctx, sd, opts, city, weighting)
    if dist:
        out.append(Section(Msg("Social distance"), tuple(dist), key="perceptions.distance"))
    scales, rescale = _scales(cb, opts)
    scales = [s for s in scales if all(i in sd.data.columns for i in s.items)]
    if scales:
        data_s, rel = _score(sd, scales, rescale)
        labels: dict[str, Text] = {
            f"_score_{s.name}": _THREAT_ALL if s.name == "threat" else scale_title(cb, s.name)
            for s in scales
        }
        els: list[Any] = [
            _reliability_table(cb, scales, rel, rescale, weighting),
            _means_table(ctx, data_s, scales, city, weighting, labels),
        ]
        cols = list(labels)
        if city:
            els.append(_pairs_table(data_s, cols, city, labels, weighting))
        alpha = dict(zip(rel["scale"], rel["alpha"], strict=True))
        tx = str(opts.get("threat_score", "threat" if "threat" in alpha else THREAT[0]))
        cx = str(opts.get("contact_score", CONTACT[0]))
        if tx in alpha and cx in alpha:
            els.append(
                _correlation_table(
                    data_s,
                    f"_score_{tx}",
                    f"_score_{cx}",
                    (float(alpha[tx]), float(alpha[cx])),
                    city,
                    weighting,
                    labels,
                    ctx.rules.min_n,
                )
            )
        out.append(Section(Msg("Threat, contact and stigma"), tuple(els), key="perceptions.scales"))
    if len(out) == len(provenance):
        return []
    out.append(
        Note(
            Msg(
                "Long-term residents' sample, with its own design and weights: {design}.",
                design=sd.describe(),
            )
        )
    )
    return out
