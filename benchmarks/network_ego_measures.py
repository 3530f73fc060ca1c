"""Ego-network measures for 100,000 egos with 5 alters each (acceptance: under 30 s, 2 cores).

A synthetic roster in the standard instrument's layout (Kobo-style main table and ``net_alter``
repeat table, ``net_a_knows`` as space-separated positions, each pair asked once with
probability 0.4, so about 4 alter-alter ties per ego) goes through every step a study runs:
building and validating the ego networks from the roster, structural measures (size, density,
effective size, efficiency, constraint), composition (Blau and IQV on relation, E-I on status,
the standard composition shares), bonding / bridging / linking classification, and the position
and resource generators (18 and 16 items). Timings are wall-clock seconds of one run.

Run: .venv/bin/python benchmarks/network_ego_measures.py [n_egos]
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np
import pandas as pd

from qonys.network import (
    STANDARD_RESOURCES,
    blau,
    classify_position_contacts,
    classify_ties,
    composition_shares,
    ei_index,
    from_roster,
    iqv,
    load_position_generator,
    position_generator,
    resource_generator,
    structural_measures,
)

K = 5


def synthetic(n_egos: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    main = pd.DataFrame(
        {
            "_index": np.arange(1, n_egos + 1),
            "ses_edu": rng.integers(1, 7, n_egos),
            "ses_isco": rng.integers(1, 10, n_egos),
        }
    )
    items = list(load_position_generator().index)
    pg = rng.choice([0, 1, 2, 3], size=(n_egos, len(items)), p=[0.55, 0.15, 0.15, 0.15])
    for j, item in enumerate(items):
        main[item] = pg[:, j]
        main[f"{item}_res"] = np.where(pg[:, j] > 0, rng.integers(1, 4, n_egos), np.nan)
    for item in (i for its in STANDARD_RESOURCES.values() for i in its):
        main[item] = rng.choice([0, 1, 2, 3], n_egos)
    n = n_egos * K
    pos = np.tile(np.arange(1, K + 1), n_egos)
    # alter-alter ties: each pair (i, j > i) present with probability 0.4
    knows = []
    draws = rng.random((n_egos, K, K)) < 0.4
    for i in range(1, K + 1):
        cols = [np.where(draws[:, i - 1, j - 1], str(j), "") for j in range(i + 1, K + 1)]
        joined = np.full(n_egos, "", dtype=object)
        for c in cols:
            joined = np.char.add(np.char.add(joined.astype(str), " "), c)
        s = pd.Series(joined).str.split().str.join(" ").replace("", "0")
        knows.append(s.to_numpy() if i < K else np.full(n_egos, None))
    knows_col = np.stack(knows, axis=1).ravel()
    roster = pd.DataFrame(
        {
            "_parent_index": np.repeat(main["_index"].to_numpy(), K),
            "net_a_pos": pos,
            "net_a_knows": knows_col,
            "net_a_relation": rng.choice([1, 2, 3, 4, 5, 6, 7, 10], n),
            "net_a_authority": rng.choice([0, 1], n, p=[0.92, 0.08]),
            "net_a_origin": rng.integers(1, 6, n),
            "net_a_status": rng.integers(1, 4, n),
            "net_a_same_ethn": rng.choice([0, 1], n, p=[0.2, 0.8]),
            "net_a_edu": rng.integers(1, 7, n),
            "net_a_isco": rng.integers(1, 10, n),
            "net_a_sex": rng.integers(1, 3, n),
        }
    )
    return main, roster


def main(n_egos: int = 100_000) -> None:
    main_t, roster = synthetic(n_egos)
    steps: list[tuple[str, float]] = []

    def step(name: str, fn):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = fn()
        steps.append((name, time.perf_counter() - t0))
        return out

    net = step("roster -> validated ego networks", lambda: from_roster(main_t, roster))
    step("structural measures", lambda: structural_measures(net))
    step(
        "Blau, IQV, E-I, composition shares",
        lambda: (
            blau(net, "net_a_relation"),
            iqv(net, "net_a_relation", categories=12),
            ei_index(net, "net_a_status", external=[1]),
            composition_shares(net),
        ),
    )
    step("bonding / bridging / linking", lambda: classify_ties(net))
    step(
        "position generator (measures + contacts)",
        lambda: (position_generator(main_t), classify_position_contacts(main_t)),
    )
    step("resource generator", lambda: resource_generator(main_t))
    total = sum(t for _, t in steps)
    print(f"{n_egos} egos, {net.n_alters} alters, {net.n_ties} alter-alter ties")
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    for name, t in steps:
        print(f"| {name} | {t:.2f} |")
    print(f"| **total** | **{total:.2f}** |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
