"""Small ego networks with known measures (METHODS 4.3 fixtures), for examples and tests."""

from __future__ import annotations

import pandas as pd

from .data import EgoNetworks

__all__ = ["example_networks"]


def example_networks() -> EgoNetworks:
    """Five egos whose measures are published in METHODS 4.3 and ``../shared/refs/network``.

    ==========  =========================================  =====================================
    ego         alters and alter-alter ties                known values
    ==========  =========================================  =====================================
    ``abc_de``  A-E; ties A-B, B-C, D-E                    density 0.30, effective size 3.8,
                                                           efficiency 0.76, constraint 0.4822;
                                                           relations kin, kin, co-worker,
                                                           neighbour, official: Blau 0.72,
                                                           IQV 0.96 (K = 4); 3 long-term city
                                                           residents of 5: E-I +0.2
    ``star``    A-E, no ties                               effective size 5, constraint 0.2
    ``k5``      A-D, all tied (ego in K5)                  effective size 1, constraint 0.765625
    ``one``     A                                          density undefined (NaN)
    ``alone``   nobody                                     every measure undefined (NaN)
    ==========  =========================================  =====================================

    Alter attributes: ``relation`` (text), ``status`` (1 = long-term city resident,
    2 = newcomer), ``age`` (years). Ego attribute: ``status`` (2: every ego is a newcomer).

    Examples
    --------
    >>> net = example_networks()
    >>> net.n_egos, net.n_alters, net.n_ties
    (5, 15, 9)
    """
    egos = pd.DataFrame(
        {"status": [2, 2, 2, 2, 2]},
        index=pd.Index(["abc_de", "star", "k5", "one", "alone"], name="ego"),
    )
    rows = []
    rel = ["kin", "kin", "co-worker", "neighbour", "official"]
    status = [1, 1, 1, 2, 2]
    age = [30, 34, 41, 25, 52]
    for i, a in enumerate("ABCDE"):
        rows.append(("abc_de", a, rel[i], status[i], age[i]))
    for a in "ABCDE":
        rows.append(("star", a, "friend", 2, 30))
    for a in "ABCD":
        rows.append(("k5", a, "kin", 2, 40))
    rows.append(("one", "A", "kin", 1, 60))
    alters = pd.DataFrame(rows, columns=["ego", "alter", "relation", "status", "age"])
    ties = pd.DataFrame(
        [("abc_de", "A", "B"), ("abc_de", "B", "C"), ("abc_de", "D", "E")]
        + [("k5", p[0], p[1]) for p in ["AB", "AC", "AD", "BC", "BD", "CD"]],
        columns=["ego", "source", "target"],
    )
    return EgoNetworks(egos, alters, ties)
