"""Worked fixtures of ../shared/METHODS.md section 4.3 ("Fixtures (computed with networkx 3.6.1)").

The numbers are written in METHODS and reproduced by its Appendix A code; METHODS prints four
decimals for constraint, hence abs=5e-5 there; the other values are exact (tolerance 1e-12).
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

from qonys import DataError
from qonys.network import (
    EgoNetworks,
    PrestigeTable,
    blau,
    constraint,
    density,
    effective_size,
    efficiency,
    ei_index,
    example_networks,
    iqv,
    position_generator,
)

EXACT = 1e-12
ROUNDED = 5e-5  # METHODS prints 4 decimals


def _one(alters: list[str], ties: list[tuple[str, str]]) -> EgoNetworks:
    return EgoNetworks(
        pd.DataFrame(index=pd.Index(["e"], name="ego")),
        pd.DataFrame({"ego": "e", "alter": alters}),
        pd.DataFrame([("e", a, b) for a, b in ties], columns=["ego", "source", "target"]),
    )


def test_abc_de() -> None:
    # METHODS 4.3: density 0.30; effective size 3.8 (= 5 - 6/5); efficiency 0.76;
    # constraint 0.4822
    net = _one(list("ABCDE"), [("A", "B"), ("B", "C"), ("D", "E")])
    assert density(net)["e"] == pytest.approx(0.30, abs=EXACT)
    assert effective_size(net)["e"] == pytest.approx(3.8, abs=EXACT)
    assert efficiency(net)["e"] == pytest.approx(0.76, abs=EXACT)
    assert constraint(net)["e"] == pytest.approx(0.4822, abs=ROUNDED)


def test_star_of_four() -> None:
    # METHODS 4.3: star, ego + 4 isolated alters: effective size 4.0, constraint 0.25
    net = _one(list("ABCD"), [])
    assert effective_size(net)["e"] == pytest.approx(4.0, abs=EXACT)
    assert constraint(net)["e"] == pytest.approx(0.25, abs=EXACT)


def test_ego_in_k5() -> None:
    # METHODS 4.3: ego in K5 (4 fully connected alters): effective size 1.0, constraint 0.7656
    pairs = [("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"), ("C", "D")]
    net = _one(list("ABCD"), pairs)
    assert effective_size(net)["e"] == pytest.approx(1.0, abs=EXACT)
    assert constraint(net)["e"] == pytest.approx(0.7656, abs=ROUNDED)
    # the exact value is 49/64 (networkx: nx.constraint(nx.complete_graph(5))[0])
    assert constraint(net)["e"] == pytest.approx(nx.constraint(nx.complete_graph(5))[0], abs=EXACT)


def test_blau_iqv() -> None:
    # METHODS 4.3: alters kin, kin, co-worker, neighbour, official, K = 4: Blau 0.72, IQV 0.96
    net = example_networks()
    assert blau(net, "relation")["abc_de"] == pytest.approx(0.72, abs=EXACT)
    assert iqv(net, "relation", categories=4)["abc_de"] == pytest.approx(0.96, abs=EXACT)
    one = _one(list("ABCDE"), [])
    one = one.replace(
        alters=one.alters.assign(rel=["kin", "kin", "co-worker", "neighbour", "official"])
    )
    cats = ["kin", "co-worker", "neighbour", "official"]
    assert iqv(one, "rel", categories=cats)["e"] == pytest.approx(0.96, abs=EXACT)
    # a value outside the categories given is an error, not a silent fifth category
    with pytest.raises(DataError) as err:
        iqv(net, "relation", categories=cats)
    assert err.value.rule == "network.unknown-category"


def test_ei() -> None:
    # METHODS 4.3: E-I with 3 external and 2 internal alters = +0.2
    net = example_networks()
    assert ei_index(net, "status", external=[1])["abc_de"] == pytest.approx(0.2, abs=EXACT)


def test_position_generator_toy() -> None:
    # METHODS 4.3: toy prestige (not official SIOPS) teacher 69, driver 34, akim official 72:
    # extensity 3, upper reachability 72, range 38, mean 58.33
    occ = pd.DataFrame({"isco08": ["0001", "0002", "0003"]}, index=["t", "d", "a"])
    toy = PrestigeTable("toy", {"0001": 69, "0002": 34, "0003": 72})
    res = position_generator(
        pd.DataFrame({"t": [1], "d": [2], "a": [3]}), occupations=occ, prestige=toy
    ).values.iloc[0]
    assert res["extensity"] == 3
    assert res["upper_reachability"] == 72
    assert res["range"] == 38
    assert res["mean_prestige"] == pytest.approx(175 / 3, abs=EXACT)  # 58.33 rounded
    assert round(res["mean_prestige"], 2) == 58.33


def test_undefined_values_are_documented_nan() -> None:
    # STYLE practice 2: an isolate's measures and a single alter's density are NaN
    net = example_networks()
    assert math.isnan(density(net)["one"])
    for f in (density, effective_size, efficiency, constraint):
        assert math.isnan(f(net)["alone"])
    assert effective_size(net)["one"] == 1.0
    assert constraint(net)["one"] == 1.0
    # networkx gives the same for a single alter: one edge ego-A
    g = nx.Graph([("ego", "A")])
    assert nx.effective_size(g)["ego"] == 1.0
    assert nx.constraint(g)["ego"] == 1.0
    # and NaN for an isolate
    g.add_node("x")
    assert math.isnan(nx.effective_size(g)["x"])
