"""Builders: SPSS-style frequencies, cross-tabs with column %, estimates, disclosure control."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from report_examples import EST, FREQ, XTAB, example_results

from qonys import QonysError
from qonys.report import (
    StatLine,
    crosstab_table,
    estimates_table,
    figure_for_table,
    frequency_table,
    resolve,
    tables_from_result,
)


def grid(table, lang="en"):
    return [[resolve(r.label, lang)] + [c.value for c in r.cells] for r in table.rows]


def test_frequency_table_spss_layout(codebook):
    t = frequency_table(FREQ, variable="origin", codebook=codebook, weighting="Weighted by w.")
    labels = [resolve(r.label, "en") for r in t.rows]
    assert labels == [
        "Valid",
        "Village",
        "Small town",
        "Big city",
        "Total",
        "Missing",
        "Don't know",
        "Refused",
        "Total",
        "Total",
    ]
    assert [c.key for c in t.columns] == [
        "frequency",
        "percent",
        "valid_percent",
        "cumulative_percent",
        "n",
    ]
    g = {(k, lab): row for k, (lab, *row) in enumerate(grid(t))}
    village = g[(1, "Village")]
    total_w = 230.4 + 88.1 + 2.7 + 12.9 + 1.9
    assert village[0] == pytest.approx(230.4)
    assert village[1] == pytest.approx(100 * 230.4 / total_w)
    assert village[2] == pytest.approx(100 * 230.4 / (230.4 + 88.1 + 2.7))
    assert village[3] == pytest.approx(village[2])  # cumulative of the first row
    assert village[4] == 212
    # 3 respondents in "Big city" and 2 who refused: hidden with a complement in each block;
    # the cumulative percent is hidden from the first hidden row on (differences would reveal it)
    assert g[(2, "Small town")] == [None] * 5
    assert g[(3, "Big city")] == [None] * 5
    assert g[(6, "Don't know")][:2] == [None, None]
    assert g[(7, "Refused")][:2] == [None, None]
    assert g[(9, "Total")][0] == pytest.approx(total_w)
    assert t.base_n == 326
    assert "suppressed" in t.flags()


def test_frequency_table_without_missing_or_weights():
    t = frequency_table(pd.DataFrame({"level": ["a", "b"], "n": [30, 70]}), title="T")
    assert [r.kind for r in t.rows] == ["block", "body", "body", "total"]
    assert [c.key for c in t.columns][-1] == "cumulative_percent"
    assert grid(t)[2] == ["b", 70.0, 70.0, 70.0, 100.0]
    assert t.weighting is None
    assert t.base_n == 100


def test_frequency_hidden_denominator_hides_its_percentages():
    # every valid category is small: the valid total is hidden, so no valid % may show
    f = pd.DataFrame({"level": [1, 2, 9], "n": [2, 2, 40], "missing": [None, None, "refused"]})
    t = frequency_table(f, title="T")
    for r in t.rows:
        if r.cells:
            assert r.cells[2].value is None


def test_crosstab_column_percent_letters_base_and_test(codebook):
    t = crosstab_table(
        XTAB,
        row="origin",
        col="city",
        codebook=codebook,
        tests=(StatLine("χ²", 23.571, 4, 0.0004),),
    )
    assert resolve(t.title, "en") == "Moved from by City"
    assert [resolve(c.label, "en") for c in t.columns] == ["Astana", "Almaty", "Shymkent", "Total"]
    assert resolve(t.columns[0].group, "ru") == "Город"
    rows = grid(t)
    assert rows[0][1] == pytest.approx(65.6)
    assert t.rows[0].cells[1].letters == "a"
    assert rows[-2][1:] == [100.0] * 4
    assert rows[-1] == ["n (unweighted)", 122.0, 112.0, 96.0, 330.0]
    # 2 respondents in (Big city, Almaty): that cell and three complements are hidden
    hidden = np.array([[c.value is None for c in r.cells[:3]] for r in t.rows[:3]])
    assert hidden[2, 1]
    assert hidden.sum() == 4
    assert hidden[1:, 1:].all()
    notes = [resolve(n, "en") for n in t.notes]
    assert any("subscript letter" in n for n in notes)
    assert t.stat_lines[0].df == 4


def test_crosstab_small_column_is_hidden_entirely():
    f = pd.DataFrame(
        {"level": ["a", "b", "a", "b"], "domain": ["x", "x", "y", "y"], "n": [40, 50, 3, 0]}
    )
    t = crosstab_table(f, title="T")
    assert [r.cells[1].value for r in t.rows] == [None] * 4  # column y, its total and base


def test_estimates_table_suppression_and_rse_flag(codebook):
    t = estimates_table(EST, codebook=codebook, title="Income", domain_variable="city")
    assert [resolve(r.label, "en") for r in t.rows] == ["Astana", "Almaty", "Shymkent", "turkistan"]
    assert [c.key for c in t.columns] == ["estimate", "se", "ci", "deff", "n"]
    astana, almaty, _, small = t.rows
    assert astana.cells[2].value == (373.1, 451.9)
    assert almaty.cells[0].flags == {"unreliable"}  # RSE 150.2 / 455 = 0.33 > 0.30
    assert not astana.cells[0].flags  # RSE 20.1 / 412.5 = 0.05
    assert all(c.value is None and "suppressed" in c.flags for c in small.cells)  # n = 3


def test_tables_from_result_dispatches_on_table_kind(codebook):
    freq, xtab, est = example_results()
    assert tables_from_result(freq, codebook=codebook)[0].kind == "frequency"
    x = tables_from_result(xtab, codebook=codebook)[0]
    assert x.kind == "crosstab"
    assert resolve(x.columns[0].label, "kk") == "Астана"
    e = tables_from_result(est, codebook=codebook)[0]
    assert e.kind == "estimates"
    assert e.base_n == 333
    assert resolve(e.weighting, "en").startswith("Weighted: weights w_final")


def test_figures_are_drawn_from_printed_cells_only(codebook):
    t = frequency_table(FREQ, variable="origin", codebook=codebook)
    fig = figure_for_table(t)
    ((_name, values),) = fig.chart.series
    assert values[0] == pytest.approx(t.rows[1].cells[2].value)
    assert values[1:] == (None, None)
    assert fig.image("kk")[:4] == b"\x89PNG"
    assert figure_for_table(estimates_table(EST, title="x")) is None


def test_missing_columns_are_named():
    with pytest.raises(QonysError, match="needs a column 'n'"):
        frequency_table(pd.DataFrame({"level": [1]}))
