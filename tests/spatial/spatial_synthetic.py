"""A synthetic city population with a planted settlement pattern, and survey samples from it.

Population: 8 districts of Almaty (codes 7501-7508), 40 blocks of 500 residents each; the
share of recent rural migrants in each district is planted (``PLANTED``), blocks vary around
it. Sample: a stratified two-stage design, 6 blocks per district (PSUs) and 20 residents per
block, with weights (40/6) x (500/20).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CODES = np.arange(7501, 7509)
PLANTED = np.array([0.05, 0.10, 0.10, 0.15, 0.20, 0.30, 0.40, 0.10])  # 7507 concentrates them
BLOCKS, SIZE, TAKE_BLOCKS, TAKE = 40, 500, 6, 20


def population(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k, code in enumerate(CODES):
        for b in range(BLOCKS):
            p = float(np.clip(PLANTED[k] + rng.normal(0, 0.03), 0.01, 0.9))
            mig = int(rng.binomial(SIZE, p))
            rows.append((int(code), k * BLOCKS + b, mig, SIZE - mig))
    return pd.DataFrame(rows, columns=["district", "block", "migrants", "locals"])


def sample(pop: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    w = (BLOCKS / TAKE_BLOCKS) * (SIZE / TAKE)
    for code in CODES:
        blocks = pop[pop["district"] == code]
        for i in rng.choice(len(blocks), TAKE_BLOCKS, replace=False):
            bl = blocks.iloc[int(i)]
            people = np.r_[np.ones(int(bl["migrants"])), np.zeros(int(bl["locals"]))]
            for v in rng.choice(people, TAKE, replace=False):
                rows.append((int(code), int(bl["block"]), 1 if v else 2, w))
    out = pd.DataFrame(rows, columns=["hou_district", "psu", "scr_origin_type", "w"])
    out["scr_city"] = 75
    return out
