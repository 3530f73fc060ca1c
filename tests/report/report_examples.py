"""Example results and a report built from them (made-up numbers, chosen to contain small cells)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Meta,
    ResultMixin,
    Variable,
    tidy_frame,
)
from qonys.report import (
    Labels,
    Msg,
    Note,
    Provenance,
    Report,
    Section,
    StatLine,
    crosstab_table,
    figure_for_table,
    frequency_table,
    tables_from_result,
)


@dataclasses.dataclass(frozen=True)
class ExampleResult(ResultMixin):
    """A minimal Result: a stored tidy frame and its meta."""

    frame: pd.DataFrame
    meta: Meta
    table_kind: str = "estimates"
    title: object = None

    def to_frame(self) -> pd.DataFrame:
        return tidy_frame(self.frame, extra=[c for c in self.frame.columns])


def example_codebook() -> Codebook:
    return Codebook(
        variables=(
            Variable(
                "city",
                "select_one",
                label={"kk": "Қала", "ru": "Город", "en": "City"},
                choices="city",
            ),
            Variable(
                "origin",
                "select_one",
                label={"kk": "Қайдан көшіп келді", "ru": "Откуда переехал(а)", "en": "Moved from"},
                choices="origin",
            ),
            Variable("income", "decimal", label={"kk": "Табыс", "ru": "Доход", "en": "Income"}),
        ),
        choice_lists=(
            ChoiceList(
                "city",
                (
                    Choice("astana", {"kk": "Астана", "ru": "Астана", "en": "Astana"}),
                    Choice("almaty", {"kk": "Алматы", "ru": "Алматы", "en": "Almaty"}),
                    Choice("shymkent", {"kk": "Шымкент", "ru": "Шымкент", "en": "Shymkent"}),
                ),
            ),
            ChoiceList(
                "origin",
                (
                    Choice(1, {"kk": "Ауыл", "ru": "Село", "en": "Village"}),
                    Choice(2, {"kk": "Шағын қала", "ru": "Малый город", "en": "Small town"}),
                    Choice(3, {"kk": "Ірі қала", "ru": "Крупный город", "en": "Big city"}),
                    Choice(
                        98,
                        {
                            "kk": "Жауап беруге қиналамын",
                            "ru": "Затрудняюсь ответить",
                            "en": "Don't know",
                        },
                        missing="dont_know",
                    ),
                    Choice(
                        99,
                        {"kk": "Жауап беруден бас тартты", "ru": "Отказ", "en": "Refused"},
                        missing="refused",
                    ),
                ),
            ),
        ),
    )


FREQ = pd.DataFrame(
    {
        "variable": "origin",
        "level": [1, 2, 3, 98, 99],
        "n": [212, 95, 3, 14, 2],
        "weighted_n": [230.4, 88.1, 2.7, 12.9, 1.9],
    }
)

XTAB = pd.DataFrame(
    {
        "variable": "origin",
        "level": [1, 1, 1, 2, 2, 2, 3, 3, 3],
        "domain": ["astana", "almaty", "shymkent"] * 3,
        "n": [80, 70, 62, 30, 40, 25, 12, 2, 9],
        "estimate": [0.656, 0.625, 0.646, 0.246, 0.357, 0.260, 0.098, 0.018, 0.094],
        "letters": ["a", "a", "a", "a", "b", "a", "a", "a", "a"],
    }
)

EST = pd.DataFrame(
    {
        "variable": "income",
        "domain": ["astana", "almaty", "shymkent", "turkistan"],
        "estimate": [412.5, 455.0, 301.2, 280.0],
        "se": [20.1, 150.2, 15.5, 30.0],
        "ci_low": [373.1, 160.6, 270.8, 221.2],
        "ci_high": [451.9, 749.4, 331.6, 338.8],
        "deff": [1.8, 2.1, 1.5, 1.2],
        "n": [122, 112, 96, 3],
    }
)


def example_results() -> list[ExampleResult]:
    design = "weights w_final; strata city; PSU cluster (Taylor linearisation)"
    return [
        ExampleResult(
            FREQ, Meta("weighted frequencies", design=design, n_used=326), table_kind="frequency"
        ),
        ExampleResult(
            XTAB,
            Meta("Rao-Scott cross-tabulation", design=design, call={"by": "city"}),
            table_kind="crosstab",
        ),
        ExampleResult(
            EST,
            Meta("Taylor linearisation", design=design, call={"by": "city"}, n_used=333),
            title=Labels(
                kk="Орташа табыс, мың теңге",
                ru="Средний доход, тыс. тенге",
                en="Mean income, thousand tenge",
            ),
        ),
    ]


def example_report() -> Report:
    cb = example_codebook()
    res = example_results()
    freq = tables_from_result(res[0], codebook=cb, key="portrait.origin")[0]
    xtab = crosstab_table(
        XTAB,
        row="origin",
        col="city",
        codebook=cb,
        weighting=Msg("Weighted: {design}", design="w_final"),
        tests=(StatLine("χ²", 23.571, 4, 0.0004),),
        key="portrait.origin_city",
    )
    est = tables_from_result(res[2], codebook=cb, key="portrait.income")[0]
    plain = frequency_table(
        pd.DataFrame({"level": ["astana", "almaty", "shymkent"], "n": [120, 115, 101]}),
        variable="city",
        codebook=cb,
        key="sample.city",
    )
    return Report(
        title=Labels(
            kk="Ішкі мигранттардың қалалық интеграциясы",
            ru="Городская интеграция внутренних мигрантов",
            en="Urban integration of internal migrants",
        ),
        subtitle="Astana, Almaty, Shymkent",
        sections=(
            Section(Msg("Sample"), (plain, figure_for_table(plain)), key="sample"),
            Section(
                Msg("Social portrait of migrants"),
                (freq, figure_for_table(freq), xtab, figure_for_table(xtab), est),
                key="portrait",
            ),
            Section(
                Msg("Identity"),
                (
                    Note(
                        Msg(
                            "This section could not be produced: {error}",
                            error="ValueError: example",
                        ),
                        kind="error",
                    ),
                ),
                key="identity",
            ),
        ),
        provenance=Provenance(
            version="0.1.0",
            inputs=(("survey.sav", "ab" * 32),),
            seed=7,
            options=(("report.languages", '["kk", "ru", "en"]'),),
            weighting=(Msg("Method: {method}", method="rake"),),
        ),
    )
