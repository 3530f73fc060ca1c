"""Report tables of the settlement and segregation sections: one city each, labelled rows,
small cells hidden with their complements."""

from __future__ import annotations

import pandas as pd

from qonys._core import Choice, ChoiceList, Codebook, Variable
from qonys.privacy.suppression import DisclosureRules
from qonys.report.text import resolve
from qonys.study.spatial_tables import district_distribution_table, indices_table


def _codebook() -> Codebook:
    return Codebook(
        variables=(
            Variable("city", "select_one", label={"en": "City"}, choices="city"),
            Variable("district", "select_one", label={"en": "District"}, choices="district"),
            Variable("origin", "select_one", label={"en": "Origin"}, choices="origin"),
        ),
        choice_lists=(
            ChoiceList("city", (Choice(71, {"en": "Astana"}), Choice(75, {"en": "Almaty"}))),
            ChoiceList(
                "district",
                (
                    Choice(7101, {"en": "Almaty district"}),
                    Choice(7102, {"en": "Esil"}),
                    Choice(7501, {"en": "Medeu"}),
                ),
            ),
            ChoiceList("origin", (Choice(1, {"en": "Village"}), Choice(2, {"en": "Town"}))),
        ),
    )


def _shares() -> pd.DataFrame:
    rows = []
    # Astana: two districts; the town group has a cell of 2 respondents in Esil
    for d, o, n, share in (
        (7101, 1, 40, 0.6),
        (7102, 1, 30, 0.4),
        (7101, 2, 20, 0.9),
        (7102, 2, 2, 0.1),
    ):
        rows.append(
            {
                "variable": "district",
                "level": d,
                "city": 71,
                "origin": o,
                "n_district": n,
                "estimate": share,
                "sum_weights": 1000.0,
            }
        )
    # every city's frame also lists the other cities' districts with nobody in them
    for o in (1, 2):
        rows.append(
            {
                "variable": "district",
                "level": 7501,
                "city": 71,
                "origin": o,
                "n_district": 0,
                "estimate": 0.0,
                "sum_weights": 1000.0,
            }
        )
    return pd.DataFrame(rows)


def test_district_table_is_one_city_labelled_and_suppressed() -> None:
    cb = _codebook()
    t = district_distribution_table(
        _shares(),
        city="city",
        code=71,
        group="origin",
        codebook=cb,
        rules=DisclosureRules(),
        weighting=None,
    )
    labels = [resolve(r.label, "en") for r in t.rows]
    assert labels[:2] == ["Almaty district", "Esil"]  # Medeu (another city) is not listed
    assert "Medeu" not in labels
    assert resolve(t.title, "en") == "Distribution over districts: Astana"
    assert [resolve(c.label, "en") for c in t.columns][:2] == ["Village", "Town"]
    town = [r.cells[1] for r in t.rows[:2]]
    # the small cell (2 respondents) and its complement in the column are both hidden, so
    # neither can be recomputed from the column's 100 %
    assert all(c.value is None for c in town)
    shown = [c.value for r in t.rows[:2] for c in r.cells[:2] if c.value is not None]
    assert set(shown) <= {60.0, 40.0}


def test_indices_table_has_one_column_per_city() -> None:
    f = pd.DataFrame(
        {"variable": ["dissimilarity", "isolation"], "estimate": [0.2, 0.5], "n": [6, 6]}
    )
    t = indices_table(
        [(71, f), (75, f.assign(estimate=[0.3, 0.6]))], city="city", codebook=_codebook()
    )
    assert [resolve(c.label, "ru") for c in t.columns] == ["Astana", "Almaty"]
    assert resolve(t.rows[0].label, "ru") == "Индекс несходства (D)"
    assert [c.value for c in t.rows[1].cells] == [0.5, 0.6]
