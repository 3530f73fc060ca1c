"""The ``social_capital`` stage: ego networks, tie types and generators, estimated by domain.

Reads the name-generator roster (``net_alter`` by default) and the position and resource
generators of the standard instrument, computes every respondent's social capital measures
(:func:`qonys.network.social_capital_measures`), attaches them to the survey data with its
design and returns design-based estimates overall and by city, phase, strategy and origin type
(those of the domain variables present), a bar chart of tie-type shares by city, an
illustrative sociogram drawn from the estimated shares (never a respondent's network) and,
when asked, design-based models of integration scores on tie types. Data without the roster
give no section at all.

Options (``[analyses.social_capital]``):

``roster``
    name of the name-generator roster (``"net_alter"``);
``by``
    domain variables (default: the city variable, ``phase``, ``strategy``,
    ``scr_origin_type``; absent ones are skipped with a note);
``prestige``, ``prestige_gap``
    scale (``"siops08"`` or ``"isei08"``) and Δ of the linking rule (15);
``model_outcomes``
    integration scores (columns of the data) to regress on the tie-type shares.
"""

from __future__ import annotations

from typing import Any

from .._core import DataError, Dataset, Where
from ..report.model import BarChart, Figure, Note
from ..report.text import Labels
from .stages import StudyContext, register_stage
from .survey import survey_data

__all__ = ["PROFILE_MEASURES", "TIE_LABELS", "social_capital_stage"]

PROFILE_MEASURES: tuple[str, ...] = (
    "size",
    "density",
    "effective_size",
    "constraint",
    "blau_net_a_relation",
    "ei_net_a_status",
    "share_kin",
    "share_covillagers",
    "share_long_term_residents",
    "share_coworkers",
    "share_bonding",
    "share_bridging",
    "share_linking",
    "share_bonding_weak",
    "pg_extensity",
    "pg_upper_reachability",
    "pg_range",
    "pg_mean_prestige",
    "pg_share_bonding",
    "pg_share_bridging",
    "pg_share_linking",
    "rg_total",
)
"""Measures estimated by the stage (those the data allow)."""

TIE_LABELS: dict[str, Labels] = {
    "bonding": Labels(kk="байланыс-буын", ru="связи-узы", en="bonding ties"),
    "bridging": Labels(kk="байланыс-көпір", ru="связи-мосты", en="bridging ties"),
    "linking": Labels(kk="байланыс-дәнекер", ru="связи-посредники", en="linking ties"),
    "bonding_weak": Labels(
        kk="әлсіз байланыс-буын", ru="слабые связи-узы", en="bonding ties (weak)"
    ),
    "unclassified": Labels(kk="жіктелмеген", ru="не классифицированы", en="unclassified"),
}
"""Names of the tie types in the report (the project glossary's terms)."""


def _ego_key(data: Dataset, roster: str) -> str:
    spec = next((r for r in data.codebook.rosters if r.name == roster), None)
    parent = spec.parent_key if spec else "_parent_index"
    key = {"_parent_index": "_index", "PARENT_KEY": "KEY"}.get(parent)
    if key is None or key not in data.data.columns:
        raise DataError(
            f"cannot match the roster {roster!r} to respondents",
            where=Where(sheet=roster, variable=parent),
            rule="network.ego-key",
            hint="The main table needs the key the roster's parent column refers to.",
        )
    return key


def social_capital_stage(ctx: StudyContext) -> list[Any]:
    """Run the stage (see the module docstring)."""
    from ..network import (
        TieRules,
        attach_measures,
        from_dataset,
        illustrative_network,
        social_capital_measures,
        social_capital_profile,
        sociogram_png,
        tie_type_model,
    )

    data = ctx.data
    if data is None:
        return []
    opts = dict(ctx.options)
    roster = str(opts.get("roster", "net_alter"))
    if roster not in data.rosters:
        return []  # no name generator in these data: the section is absent, never faked
    rules = TieRules(
        prestige=str(opts.get("prestige", "siops08")),
        prestige_gap=float(opts.get("prestige_gap", 15.0)),
    )
    net = from_dataset(data, roster)
    measures = social_capital_measures(net, rules=rules)
    key = _ego_key(data, roster)
    sd = attach_measures(survey_data(ctx), measures, key=key, prefix="sc_")
    names = [m for m in PROFILE_MEASURES if m in measures.columns]
    cols = [f"sc_{m}" for m in names]
    city = ctx.config.city_variable
    wanted = opts.get("by", [city, "phase", "strategy", "scr_origin_type"])
    by = [b for b in wanted if b and b in sd.data.columns]
    skipped = [b for b in wanted if b and b not in sd.data.columns]
    prof = social_capital_profile(sd, cols, by=by)
    out: list[Any] = list(prof.estimates)
    if skipped:
        out.append(
            Note(
                Labels(
                    kk="Деректерде жоқ топтау айнымалылары: " + ", ".join(skipped) + ".",
                    ru="Переменные группировки, которых нет в данных: " + ", ".join(skipped) + ".",
                    en="Domain variables not in the data: " + ", ".join(skipped) + ".",
                )
            )
        )
    out.extend(_figures(prof, city, by, illustrative_network, sociogram_png))
    for outcome in opts.get("model_outcomes", []):
        out.append(tie_type_model(sd, str(outcome), ["sc_share_bridging", "sc_share_linking"]))
    return out


def _figures(prof: Any, city: str | None, by: list[str], illustrate: Any, draw: Any) -> list[Any]:
    types = ("bonding", "bridging", "linking", "bonding_weak")
    overall = prof.estimates[0].to_frame().set_index("variable")["estimate"]
    shares = {t: float(overall.get(f"sc_share_{t}", float("nan"))) for t in types}
    figs: list[Any] = []
    if city and city in by:
        frame = prof.estimates[1 + by.index(city)].to_frame()
        levels = list(dict.fromkeys(frame[city].tolist()))
        series = []
        for t in types:
            part = frame[frame["variable"] == f"sc_share_{t}"].set_index(city)["estimate"]
            series.append(
                (TIE_LABELS[t], tuple(float(part.get(lv, float("nan"))) * 100 for lv in levels))
            )
        figs.append(
            Figure(
                Labels(
                    kk="Байланыс түрлерінің үлесі, қалалар бойынша (%)",
                    ru="Доли типов связей по городам (%)",
                    en="Shares of tie types by city (%)",
                ),
                chart=BarChart(tuple(str(lv) for lv in levels), tuple(series), percent=True),
                key="social_capital.tie_types_by_city",
            )
        )
    if all(v == v for v in shares.values()):
        net = illustrate(shares, size=5)
        figs.append(
            Figure(
                Labels(
                    kk="Мысал: бағаланған үлестер бойынша құрылған желі (нақты респондент емес)",
                    ru="Пример: сеть, построенная по оценённым долям (не реальный респондент)",
                    en="Illustration: a network built from the estimated shares (not a respondent)",
                ),
                png=draw(net, "ego", labels={t: TIE_LABELS[t].get("en") for t in types}),
                key="social_capital.sociogram",
            )
        )
    return figs


register_stage("social_capital", after=("weight", "phases", "strategies"))(social_capital_stage)
