"""A small study on disk: a CSV read by a test reader, margins, a study file, example stages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from qonys._core import (
    Choice,
    ChoiceList,
    Codebook,
    Dataset,
    Meta,
    ResultMixin,
    SourceInfo,
    Variable,
    tidy_frame,
)
from qonys.io import READERS

READER = "qonys-test-csv"


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
            Variable("sex", "select_one", label={"en": "Sex"}),
            Variable("w_design", "decimal"),
        ),
        choice_lists=(
            ChoiceList(
                "city",
                (
                    Choice("astana", {"kk": "Астана", "en": "Astana"}),
                    Choice("almaty", {"kk": "Алматы", "en": "Almaty"}),
                    Choice("shymkent", {"kk": "Шымкент", "en": "Shymkent"}),
                ),
            ),
            ChoiceList(
                "origin",
                (
                    Choice(1, {"en": "Village", "ru": "Село"}),
                    Choice(2, {"en": "Small town", "ru": "Малый город"}),
                    Choice(3, {"en": "Big city", "ru": "Крупный город"}),
                ),
            ),
        ),
    )


def _read(path: Path, *, codebook=None, encoding=None, **options) -> Dataset:
    frame = pd.read_csv(path, encoding=encoding or "utf-8")
    return Dataset(
        frame,
        codebook if isinstance(codebook, Codebook) else example_codebook(),
        source=SourceInfo(path.name, READER),
    )


if READER not in READERS:
    READERS.add(READER, _read)


@dataclasses.dataclass(frozen=True)
class CountResult(ResultMixin):
    """Unweighted counts of one variable, as an analysis module would return them."""

    frame: pd.DataFrame
    meta: Meta
    table_kind: str = "frequency"

    def to_frame(self) -> pd.DataFrame:
        return tidy_frame(self.frame)


CALLS: dict[str, int] = {}


def portrait_stage(ctx):
    CALLS["portrait"] = CALLS.get("portrait", 0) + 1
    var = ctx.options.get("variables", ["origin"])[0]
    counts = ctx.data.data[var].value_counts().sort_index()
    frame = pd.DataFrame({"variable": var, "level": counts.index, "n": counts.to_numpy()})
    return [CountResult(frame, Meta("unweighted counts", n_used=int(counts.sum())))]


def identity_stage(ctx):
    raise ValueError("the identity items are not in the data")


def perceptions_stage(ctx):
    return []


STUDY = """\
[study]
title = {{ en = "Pilot study", ru = "Пилотное исследование" }}
cities = ["astana", "almaty", "shymkent"]
seed = 11

[data]
files = ["data/survey.csv"]
format = "{reader}"
city_variable = "city"

[design]
weights = "w_design"

[weighting]
method = "rake"
margins = "margins.csv"

[analyses.portrait]
variables = ["origin"]

[report]
languages = ["en", "ru"]
formats = ["html", "xlsx"]
out = "out"

[privacy]
profile = "standard"
"""


def write_study(folder: Path, text: str | None = None) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(60):
        city = ["astana", "almaty", "shymkent"][i % 3]
        origin = 3 if i in (4, 7) else (1 if i % 2 else 2)
        rows.append({"city": city, "origin": origin, "sex": 1 + i % 2, "w_design": 1.0})
    pd.DataFrame(rows).to_csv(folder / "data" / "survey.csv", index=False)
    (folder / "margins.csv").write_text(
        "variable,level,target\nsex,1,0.49\nsex,2,0.51\ncity,astana,0.3\ncity,almaty,0.5\n"
        "city,shymkent,0.2\n",
        encoding="utf-8",
    )
    path = folder / "study.toml"
    path.write_text(text if text is not None else STUDY.format(reader=READER), encoding="utf-8")
    return path
