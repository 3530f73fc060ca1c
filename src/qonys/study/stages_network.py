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
    integration scores to regress on the tie-type shares (bonding is the reference): columns
    of the data or scores an earlier stage derived; by default Esser's identificational and
    social (interaction) dimensions when the ``integration`` stage ran
    (:data:`DEFAULT_MODEL_OUTCOMES`), ``[]`` for none.
"""

from __future__ import annotations

from typing import Any

from .._core import DataError, Dataset, Where
from ..report.estimates import estimates_table, weighting_note
from ..report.labels import variable_title
from ..report.model import BarChart, Figure, Note
from ..report.text import Labels, Msg, Text
from .stages import StudyContext, register_stage
from .stages_integration import _strip_domain
from .survey import survey_data

__all__ = ["DEFAULT_MODEL_OUTCOMES", "PROFILE_MEASURES", "TIE_LABELS", "social_capital_stage"]

DEFAULT_MODEL_OUTCOMES: tuple[str, ...] = ("esser_identification", "esser_interaction")
"""Scores modelled on tie types when ``model_outcomes`` is not given (from ``integration``)."""

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

DOMAIN_MEASURES: tuple[str, ...] = (
    "size",
    "density",
    "share_long_term_residents",
    "share_bonding",
    "share_bridging",
    "share_linking",
    "pg_extensity",
    "pg_upper_reachability",
    "rg_total",
)
"""Measures shown by city, phase, strategy and origin (all of them are shown overall)."""

TIE_LABELS: dict[str, Labels] = {
    "bonding": Labels(kk="байланыс-буын", ru="связи-скрепы", en="bonding ties"),
    "bridging": Labels(kk="байланыс-көпір", ru="связи-мосты", en="bridging ties"),
    "linking": Labels(kk="байланыс-дәнекер", ru="связи-посредники", en="linking ties"),
    "bonding_weak": Labels(
        kk="әлсіз байланыс-буын", ru="слабые связи-скрепы", en="bonding ties (weak)"
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


def _share(kk: str, ru: str, en: str) -> Labels:
    return Labels(kk=f"{kk} үлесі", ru=f"Доля: {ru}", en=f"Share of {en}")


MEASURE_LABELS: dict[str, Labels] = {
    "size": Labels(
        kk="Желі көлемі (аталған адамдар)",
        ru="Размер сети (названные люди)",
        en="Network size (people named)",
    ),
    "density": Labels(kk="Желі тығыздығы", ru="Плотность сети", en="Network density"),
    "effective_size": Labels(
        kk="Тиімді көлем (Бёрт)", ru="Эффективный размер (Бёрт)", en="Effective size (Burt)"
    ),
    "constraint": Labels(kk="Шектеу (Бёрт)", ru="Ограничение (Бёрт)", en="Constraint (Burt)"),
    "blau_net_a_relation": Labels(
        kk="Қатынас түрлерінің әртүрлілігі (Блау индексі)",
        ru="Разнообразие отношений (индекс Блау)",
        en="Diversity of relations (Blau index)",
    ),
    "ei_net_a_status": Labels(
        kk="E-I индексі: тұрақты тұрғындар мен жаңа келгендер",
        ru="Индекс E-I: старожилы и приезжие",
        en="E-I index: long-term residents vs newcomers",
    ),
    "share_kin": _share("Туыстар", "родственники", "kin"),
    "share_covillagers": _share("Жерлестер", "земляки", "co-villagers"),
    "share_long_term_residents": _share(
        "Тұрақты қала тұрғындары", "старожилы города", "long-term city residents"
    ),
    "share_coworkers": _share("Әріптестер", "коллеги", "co-workers"),
    "share_bonding": _share("Байланыс-буындар", "связи-скрепы", "bonding ties"),
    "share_bridging": _share("Байланыс-көпірлер", "связи-мосты", "bridging ties"),
    "share_linking": _share("Байланыс-дәнекерлер", "связи-посредники", "linking ties"),
    "share_bonding_weak": _share(
        "Әлсіз байланыс-буындар", "слабые связи-скрепы", "weak bonding ties"
    ),
    "pg_extensity": Labels(
        kk="Позициялар генераторы: таныс кәсіптер саны",
        ru="Генератор позиций: число знакомых профессий",
        en="Position generator: occupations accessed",
    ),
    "pg_upper_reachability": Labels(
        kk="Позициялар генераторы: ең жоғары бедел",
        ru="Генератор позиций: наивысший престиж",
        en="Position generator: highest prestige reached",
    ),
    "pg_range": Labels(
        kk="Позициялар генераторы: бедел ауқымы",
        ru="Генератор позиций: диапазон престижа",
        en="Position generator: range of prestige",
    ),
    "pg_mean_prestige": Labels(
        kk="Позициялар генераторы: орташа бедел",
        ru="Генератор позиций: средний престиж",
        en="Position generator: mean prestige",
    ),
    "pg_share_bonding": Labels(
        kk="Позициялар генераторы: байланыс-буындар үлесі",
        ru="Генератор позиций: доля связей-скреп",
        en="Position generator: share of bonding contacts",
    ),
    "pg_share_bridging": Labels(
        kk="Позициялар генераторы: байланыс-көпірлер үлесі",
        ru="Генератор позиций: доля связей-мостов",
        en="Position generator: share of bridging contacts",
    ),
    "pg_share_linking": Labels(
        kk="Позициялар генераторы: байланыс-дәнекерлер үлесі",
        ru="Генератор позиций: доля связей-посредников",
        en="Position generator: share of linking contacts",
    ),
    "rg_total": Labels(
        kk="Ресурстар генераторы: қолжетімді ресурстар саны",
        ru="Генератор ресурсов: число доступных ресурсов",
        en="Resource generator: resources within reach",
    ),
}
"""Labels of the measures in the report (``sc_`` columns)."""


def _labelled(sd: Any, names: list[str]) -> Any:
    """``sd`` whose codebook labels the ``sc_`` measures and the models' intercept, with the short
    titles of the standard variables (City, Settlement of origin) for headings."""
    import dataclasses

    from .._core import Codebook, Variable
    from .portrait_tables import with_short_titles

    cb = with_short_titles(sd.codebook) or Codebook()
    known = set(cb.names)
    extra = [
        Variable(f"sc_{m}", "decimal", label=dict(MEASURE_LABELS[m].by_lang), measure="scale")
        for m in names
        if m in MEASURE_LABELS and f"sc_{m}" not in known
    ]
    if "(Intercept)" not in known:
        extra.append(
            Variable(
                "(Intercept)",
                "decimal",
                label={"kk": "Тұрақты", "ru": "Константа", "en": "Intercept"},
            )
        )
    return sd.update(codebook=dataclasses.replace(cb, variables=(*cb.variables, *extra)))


def _by_title(cb: Any, var: str) -> Text:
    from ..report.labels import variable_title

    return Msg("Social capital measures by {group}", group=variable_title(cb, var))


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
    sdl = _labelled(sd, names)
    cb = sdl.codebook
    overall = prof.estimates[0]
    out: list[Any] = [
        estimates_table(
            overall.to_frame(),
            codebook=cb,
            rules=ctx.rules,
            weighting=weighting_note(overall),
            title=Msg("Social capital measures"),
            key="social_capital.overall",
        )
    ]
    keep = {f"sc_{m}" for m in DOMAIN_MEASURES}
    for var, est in zip(by, prof.estimates[1:], strict=True):
        frame = _strip_domain(est.to_frame())
        frame = frame[frame["variable"].isin(keep)]
        out.append(
            estimates_table(
                frame,
                codebook=cb,
                rules=ctx.rules,
                weighting=weighting_note(est),
                title=_by_title(cb, var),
                domain_variable=var,
                key=f"social_capital.by_{var}",
            )
        )
    out.extend(Note(n) for n in overall.meta.notes)
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
    out.extend(_figures(prof, city, by, illustrative_network, sociogram_png, cb))
    outcomes = opts.get("model_outcomes")
    if outcomes is None:  # the programme's question: does bridging capital go with identification?
        outcomes = [c for c in DEFAULT_MODEL_OUTCOMES if c in sd.data.columns]
    for outcome in outcomes:
        model = tie_type_model(sdl, str(outcome), ["sc_share_bridging", "sc_share_linking"])
        out.append(
            estimates_table(
                model.to_frame().assign(level=None),
                codebook=cb,
                rules=ctx.rules,
                weighting=weighting_note(model),
                title=Msg(
                    "Linear model of {outcome} on the shares of bridging and linking ties",
                    outcome=variable_title(cb, str(outcome)),
                ),
                extra=("t", "p"),
                key=f"social_capital.model_{outcome}",
            )
        )
        out.append(
            Note(
                Msg(
                    "Coefficients: change of the score when the share of a tie type rises from "
                    "0 to 1 at the expense of bonding ties (the reference)."
                )
            )
        )
    return out


def _figures(
    prof: Any, city: str | None, by: list[str], illustrate: Any, draw: Any, cb: Any
) -> list[Any]:
    from ..report.labels import level_label

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
                chart=BarChart(
                    tuple(level_label(cb, city, lv) for lv in levels), tuple(series), percent=True
                ),
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


register_stage("social_capital", after=("weight", "integration", "phases", "strategies"))(
    social_capital_stage
)
