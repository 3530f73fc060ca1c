"""Vectorised measures against networkx 3.6.1 computed one ego graph at a time.

Random ego networks (0-8 alters, every alter pair tied with probability 0.4, seed fixed) are
built as one :class:`EgoNetworks`; for each ego, networkx's ``effective_size``, ``constraint``
and ``density`` of the alter subgraph on ``to_networkx(ego)`` are the oracle. Tolerance 1e-12
(both sides compute the same closed forms in double precision).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from qonys.network import EgoNetworks, blau, structural_measures

TOL = 1e-12


def _random_networks(seed: int, n_egos: int = 120) -> EgoNetworks:
    rng = np.random.default_rng(seed)
    alters, ties = [], []
    for e in range(n_egos):
        k = int(rng.integers(0, 9))
        for a in range(1, k + 1):
            alters.append((e, a, int(rng.integers(1, 4))))
        for a in range(1, k + 1):
            for b in range(a + 1, k + 1):
                if rng.random() < 0.4:
                    ties.append((e, b, a) if rng.random() < 0.5 else (e, a, b))
    return EgoNetworks(
        pd.DataFrame(index=pd.Index(range(n_egos), name="ego")),
        pd.DataFrame(alters, columns=["ego", "alter", "group"]),
        pd.DataFrame(ties, columns=["ego", "source", "target"]),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_structure_equals_networkx(seed: int) -> None:
    net = _random_networks(seed)
    res = structural_measures(net).values
    for ego, g in net.iter_networkx():
        alters = [v for v in g if v != "ego"]
        row = res.loc[ego]
        assert row["size"] == len(alters)
        if not alters:
            assert math.isnan(row["effective_size"])
            assert math.isnan(row["constraint"])
            continue
        assert row["effective_size"] == pytest.approx(nx.effective_size(g)["ego"], abs=TOL)
        assert row["constraint"] == pytest.approx(nx.constraint(g)["ego"], abs=TOL)
        if len(alters) >= 2:
            assert row["density"] == pytest.approx(nx.density(g.subgraph(alters)), abs=TOL)
        else:
            assert math.isnan(row["density"])


def test_blau_equals_direct_formula() -> None:
    # Blau H = 1 - sum p_k^2 computed per ego by hand (METHODS 4.3 formula)
    net = _random_networks(7)
    got = blau(net, "group")
    for ego, part in net.alters.groupby("ego"):
        p = part["group"].value_counts(normalize=True).to_numpy()
        assert got[ego] == pytest.approx(1 - (p**2).sum(), abs=TOL)
    isolates = net.ego_ids[net.size() == 0]
    assert got[isolates].isna().all()
