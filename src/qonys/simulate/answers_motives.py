"""Migration motives tied to socio-economic position (module ``mot`` of the migrants' form).

Five motive factors drive the reasons: economic (falls with the socio-economic score ``ses``),
education and career (rises with it, with higher education, and for those who came before 21),
family, amenities and environment. Each reason is named with probability
logistic(base + 1.3 factor); the main reason is the strongest one named; the 18 importance
ratings follow the same strengths.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .answers_common import Answers, column
from .items import likert, sigmoid, texts

__all__ = ["motives"]

_MOTIVE_FACTOR = {
    1: "economic",
    2: "environment",
    3: "amenities",
    4: "amenities",
    5: "environment",
    6: "family",
    7: "economic",
    11: "economic",
    12: "career",
    13: "amenities",
    14: "amenities",
    15: "family",
    16: "family",
    17: "amenities",
    18: "career",
    19: "economic",
    20: "career",
    21: "family",
}
_IMPORTANCE = {
    "mot_imp_push_jobs": 1,
    "mot_imp_push_land": 2,
    "mot_imp_push_infra": 3,
    "mot_imp_push_services": 4,
    "mot_imp_push_env": 5,
    "mot_imp_push_family": 6,
    "mot_imp_push_youth": 7,
    "mot_imp_pull_jobs": 11,
    "mot_imp_pull_study": 12,
    "mot_imp_pull_children": 13,
    "mot_imp_pull_medical": 14,
    "mot_imp_pull_relatives": 15,
    "mot_imp_pull_marriage": 16,
    "mot_imp_pull_lifestyle": 17,
    "mot_imp_pull_career": 18,
    "mot_imp_pull_programmes": 19,
    "mot_imp_pull_prestige": 20,
    "mot_imp_pull_network": 21,
}
_MOTIVE_BASE = {
    1: 0.0,
    2: -1.2,
    3: -0.8,
    4: -0.9,
    5: -1.4,
    6: -1.8,
    7: -0.6,
    11: 0.3,
    12: -0.7,
    13: -1.0,
    14: -1.6,
    15: -0.9,
    16: -1.6,
    17: -0.7,
    18: -0.8,
    19: -2.0,
    20: -1.5,
    21: -1.0,
}


def motives(P: pd.DataFrame, rng: np.random.Generator) -> Answers:
    """``mot_*`` answers (see the module docstring)."""
    n = len(P)
    student = (column(P, "arrival_age") < 21).astype(float)
    factor = {
        "economic": column(P, "motive_economic"),
        "career": column(P, "motive_career") + 1.2 * student,
        "family": column(P, "motive_family"),
        "amenities": column(P, "motive_amenities"),
        "environment": column(P, "motive_environment"),
    }
    codes = list(_MOTIVE_FACTOR)
    strength = np.column_stack([_MOTIVE_BASE[c] + 1.3 * factor[_MOTIVE_FACTOR[c]] for c in codes])
    strength[:, codes.index(12)] += 1.5 * student
    chosen = rng.random(strength.shape) < sigmoid(strength)
    top = (strength + 0.5 * rng.standard_normal(strength.shape)).argmax(axis=1)
    chosen[np.arange(n), top] = True
    reasons = np.empty(n, dtype=object)
    main = np.zeros(n)
    other = rng.random(n) < 0.01
    for i in range(n):
        picked = [codes[j] for j in np.flatnonzero(chosen[i])]
        main[i] = codes[top[i]]
        reasons[i] = " ".join(map(str, picked + ([97] if other[i] else [])))
    out: Answers = {
        "mot_reasons": reasons,
        "mot_main": main,
        "mot_reasons_oth": texts(other, "денсаулық"),
    }
    for name, code in _IMPORTANCE.items():
        out[name] = likert(sigmoid(0.9 * (strength[:, codes.index(code)] + 0.6)), 5, rng, noise=0.7)
    return out
