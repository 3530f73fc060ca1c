"""Report tables of the settlement, segregation and city-image sections.

The spatial functions return tidy results with every city's districts in one frame; these
helpers turn them into the tables a reader expects: one table per city, rows labelled with the
districts' names and the categories' labels from the codebook in the report's language, column
percentages with complementary suppression of small cells, and no bookkeeping columns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .._core import Codebook, Variable
from ..privacy.suppression import DisclosureRules
from ..report.estimates import estimates_table
from ..report.labels import level_label
from ..report.model import Cell, Column, Row, Table
from ..report.tables import crosstab_table
from ..report.text import Labels, Msg, Text

__all__ = [
    "INDEX_LABELS",
    "city_codes",
    "dissimilarity_table",
    "district_distribution_table",
    "indices_table",
    "per_city_estimates_table",
    "with_labels",
]

INDEX_LABELS: dict[str, Labels] = {
    "dissimilarity": Labels(
        kk="Айырмашылық индексі (D)", ru="Индекс несходства (D)", en="Dissimilarity (D)"
    ),
    "isolation": Labels(
        kk="Оқшаулану индексі (xPx)", ru="Индекс изоляции (xPx)", en="Isolation (xPx)"
    ),
    "interaction": Labels(
        kk="Өзара әрекеттесу индексі (xPy)",
        ru="Индекс взаимодействия (xPy)",
        en="Interaction (xPy)",
    ),
    "entropy": Labels(kk="Тейлдің H индексі", ru="Индекс Тейла H", en="Theil's H"),
    "gini": Labels(kk="Джини индексі", ru="Индекс Джини", en="Gini index"),
    "location_quotient": Labels(
        kk="Орналасу коэффициенті", ru="Коэффициент локализации", en="Location quotient"
    ),
}
"""Names of the segregation indices in the report."""


def with_labels(codebook: Codebook | None, labels: Mapping[str, Labels]) -> Codebook:
    """``codebook`` with variables named after ``labels``' keys (for row labels)."""
    cb = codebook if codebook is not None else Codebook()
    extra = tuple(
        Variable(name, "decimal", label=dict(lab.by_lang))
        for name, lab in labels.items()
        if name not in cb
    )
    return dataclasses.replace(cb, variables=(*cb.variables, *extra)) if extra else cb


def city_codes(frame: pd.DataFrame, city: str) -> list[Any]:
    """The cities of a result frame, in code order."""
    return sorted(pd.unique(frame[city].dropna()), key=str)


def _city_name(codebook: Codebook | None, city: str, code: Any) -> Text:
    return level_label(codebook, city, code)


def district_distribution_table(
    frame: pd.DataFrame,
    *,
    city: str,
    code: Any,
    group: str,
    codebook: Codebook | None,
    rules: DisclosureRules,
    weighting: Text | None,
) -> Table:
    """Column percentages of districts within each group category, in one city.

    ``frame`` is :func:`qonys.spatial.settlement_shares`' tidy frame: ``level`` the district,
    ``estimate`` its design-based share within the group, ``n_district`` the respondents behind
    it. Cells of fewer respondents than the disclosure threshold are hidden together with their
    complements (:func:`qonys.report.tables.crosstab_table`).
    """
    part = frame[frame[city] == code]
    held = part.groupby("level")["n_district"].transform("sum") > 0  # the city's districts
    part = part[held]
    table = pd.DataFrame(
        {
            "level": part["level"].to_numpy(),
            "domain": part[group].to_numpy(),
            "n": part["n_district"].to_numpy(),
            "estimate": part["estimate"].to_numpy(),
            "weighted_n": (part["estimate"] * part["sum_weights"]).to_numpy(),
        }
    )
    name = _city_name(codebook, city, code)
    return crosstab_table(
        table,
        row=str(part["variable"].iloc[0]) if len(part) else None,
        col=group,
        codebook=codebook,
        rules=rules,
        weighting=weighting,
        title=Msg("Distribution over districts: {city}", city=name),
        key=f"settlement.districts_{code}",
    )


def per_city_estimates_table(
    frame: pd.DataFrame,
    *,
    city: str,
    code: Any,
    variable: str | None,
    codebook: Codebook | None,
    rules: DisclosureRules,
    weighting: Text | None,
    title: Text,
    key: str,
    decimals: int = 2,
) -> Table:
    """Estimates of one city, rows labelled by their level (a district) through ``variable``."""
    part = frame[frame[city] == code] if city in frame.columns else frame
    part = part.assign(domain=None)
    if variable is not None:
        part = part.assign(variable=variable)
    return estimates_table(
        part,
        codebook=codebook,
        rules=rules,
        weighting=weighting,
        title=title,
        key=key,
        decimals=decimals,
    )


def dissimilarity_table(
    frame: pd.DataFrame,
    *,
    city: str,
    codebook: Codebook | None,
    rules: DisclosureRules,
    weighting: Text | None,
) -> Table:
    """Design-based dissimilarity of the focal group by city, with SE and CI."""
    f = frame.assign(
        variable="dissimilarity",
        level=None,
        domain=frame["domain"].map(lambda d: d.split("=", 1)[1] if isinstance(d, str) else d),
    )
    cb = with_labels(codebook, {"dissimilarity": INDEX_LABELS["dissimilarity"]})
    # the domain codes are text after the split; the city's labels are keyed by its codes
    f["domain"] = [_as_code(cb, city, d) for d in f["domain"]]
    return estimates_table(
        f,
        codebook=cb,
        rules=rules,
        weighting=weighting,
        title=Msg("Dissimilarity of the focal group over districts, from the survey"),
        domain_variable=city,
        key="segregation.dissimilarity",
    )


def _as_code(codebook: Codebook, variable: str, text: Any) -> Any:
    """The choice code of ``variable`` whose text is ``text`` (``"71"`` -> 71), else ``text``."""
    choices = codebook.choices_of(variable) if variable in codebook else None
    if choices is not None:
        for c in choices.choices:
            if str(c.code).removesuffix(".0") == str(text).removesuffix(".0"):
                return c.code
    return text


def indices_table(
    results: Sequence[tuple[Any, pd.DataFrame]],
    *,
    city: str,
    codebook: Codebook | None,
    weighting: Text | None = None,
) -> Table:
    """Segregation indices (rows) by city (columns), from weighted counts over districts."""
    indices = list(dict.fromkeys(v for _, f in results for v in f["variable"]))
    cols = tuple(
        Column(f"c{j}", _city_name(codebook, city, code), kind="estimate", decimals=3)
        for j, (code, _) in enumerate(results)
    )
    rows = []
    for name in indices:
        cells = []
        for _, f in results:
            hit = f.loc[f["variable"] == name, "estimate"]
            cells.append(Cell(float(hit.iloc[0]) if len(hit) else None))
        rows.append(Row(INDEX_LABELS.get(name, Labels(en=name)), tuple(cells)))
    units = ", ".join(str(int(f["n"].iloc[0])) for _, f in results if len(f))
    return Table(
        title=Msg("Segregation indices of the focal group over districts"),
        columns=cols,
        rows=tuple(rows),
        notes=(
            Msg(
                "Computed from the weighted numbers of focal-group members and of other "
                "respondents in each district (districts per city: {units}).",
                units=units,
            ),
        ),
        weighting=weighting,
        kind="generic",
        key="segregation.indices",
    )
