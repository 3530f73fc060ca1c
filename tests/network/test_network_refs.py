"""Structural measures against igraph (R 4.2.2, igraph 1.3.5) and networkx 3.6.1.

Reference values: ``../shared/refs/network/network_refs_long.csv`` (igraph/R; every node of
Zachary's karate club and of four hand-made ego graphs) and ``network_compare.csv`` (networkx
agrees with igraph to 4e-14). Tolerance 1e-10, the one the refs README suggests for network
measures (closed form).

Every node ``v`` of a reference graph is treated as an ego: its alters are its neighbours and the
alter-alter ties are the edges among them. Degree, density among alters, effective size and
efficiency depend on that ego network only, so they are compared for all 54 nodes. Burt's
constraint uses the alters' degrees, which in a sociocentric graph include ties outside the ego
network; qonys computes it within the ego network (what a survey sees), so it is compared with
igraph for the egos of the four ego graphs (whole graph = ego network) and with networkx on
``nx.ego_graph`` for every karate node.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from qonys.network import EgoNetworks, structural_measures
from sharedpaths import shared_path

pytestmark = pytest.mark.shared

GRAPHS = ["karate", "ego_ABC_DE", "star", "ego_in_K5", "triad"]
TOL = 1e-10  # refs README: closed-form statistics, 1e-10


def _edges(graph: str) -> list[tuple[str, str]]:
    path = shared_path("refs", "network", "data", f"net_{graph}_edges.csv")
    with path.open() as fh:
        return [(r["source"], r["target"]) for r in csv.DictReader(fh)]


def _refs() -> dict[tuple[str, str, str], float]:
    path = shared_path("refs", "network", "network_refs_long.csv")
    out = {}
    with path.open() as fh:
        for r in csv.DictReader(fh):
            if r["analysis"] == "ego":
                v = r["value"]
                out[(r["dataset"], r["term"], r["stat"])] = (
                    math.nan if v in ("NaN", "NA") else float(v)
                )
    return out


def _every_node_as_ego(edges: list[tuple[str, str]]) -> EgoNetworks:
    nb: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        nb[a].add(b)
        nb[b].add(a)
    nodes = sorted(nb)
    alters = [(v, a) for v in nodes for a in sorted(nb[v])]
    ties = [(v, a, b) for v in nodes for a, b in edges if a in nb[v] and b in nb[v]]
    return EgoNetworks(
        pd.DataFrame(index=pd.Index(nodes, name="ego")),
        pd.DataFrame(alters, columns=["ego", "alter"]),
        pd.DataFrame(ties, columns=["ego", "source", "target"]),
    )


@pytest.mark.parametrize("graph", GRAPHS)
def test_every_node_matches_igraph(graph: str) -> None:
    refs = _refs()
    net = _every_node_as_ego(_edges(graph))
    res = structural_measures(net).values
    pairs = {
        "size": "degree",
        "n_ties": "alter_ties",
        "density": "ego_density_alters",  # NaN for degree < 2 in the refs, as here
        "effective_size": "effective_size",
        "efficiency": "efficiency",
    }
    checked = 0
    for node in res.index:
        for ours, theirs in pairs.items():
            got, want = res.loc[node, ours], refs[(graph, node, theirs)]
            if math.isnan(want):
                assert math.isnan(got), (graph, node, ours)
            else:
                assert got == pytest.approx(want, abs=TOL), (graph, node, ours)
            checked += 1
    assert checked == 5 * len(res)


# igraph::constraint of the ego node in the ego graphs (network_refs_long.csv; README table:
# 0.482222..., 0.2, 0.765625, 1.125)
@pytest.mark.parametrize("graph", ["ego_ABC_DE", "star", "ego_in_K5", "triad"])
def test_ego_constraint_matches_igraph(graph: str) -> None:
    refs = _refs()
    net = _every_node_as_ego(_edges(graph))
    got = structural_measures(net).values.loc["ego", "constraint"]
    assert got == pytest.approx(refs[(graph, "ego", "constraint_igraph")], abs=TOL)
    assert got == pytest.approx(refs[(graph, "ego", "constraint_manual")], abs=TOL)


def test_karate_constraint_matches_networkx_on_ego_graphs() -> None:
    edges = _edges("karate")
    g = nx.Graph(edges)
    net = _every_node_as_ego(edges)
    ours = structural_measures(net).values["constraint"]
    for v in g.nodes:
        want = nx.constraint(nx.ego_graph(g, v))[v]
        assert ours[v] == pytest.approx(want, abs=TOL), v


def test_karate_node_1_and_34_values() -> None:
    # refs README, "Key values for the ego node": karate node 1 density 0.15, effective size
    # 13.75; node 34 effective size 15.2352941...
    refs = _refs()
    res = structural_measures(_every_node_as_ego(_edges("karate"))).values
    assert res.loc["1", "density"] == pytest.approx(0.15, abs=TOL)
    assert res.loc["1", "effective_size"] == pytest.approx(13.75, abs=TOL)
    assert res.loc["34", "effective_size"] == pytest.approx(
        refs[("karate", "34", "effective_size")], abs=TOL
    )
    assert np.isfinite(res["constraint"]).all()
