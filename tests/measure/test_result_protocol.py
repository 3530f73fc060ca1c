"""Every measurement result honours the Result protocol: tidy frame, plain data, summary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from qonys._core import TIDY_COLUMNS, Result, to_jsonable
from qonys.measure import (
    IndexSpec,
    ItemCoding,
    bogardus,
    cfa,
    cronbach_alpha,
    dimension_index,
    efa,
    measurement_invariance,
    omega,
    polychoric,
)
from qonys.typology import LatentClassModel, class_model_result, select_classes


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    L = np.array([[0.8, 0], [0.7, 0], [0.6, 0], [0, 0.8], [0, 0.7], [0, 0.6]])
    x = f @ L.T + rng.normal(scale=0.6, size=(n, 6))
    df = pd.DataFrame(x, columns=list("abcdef"))
    df["grp"] = np.where(rng.uniform(size=n) < 0.5, "u", "v")
    return df


def _results():
    df = _data()
    ordinal = df[list("abc")].apply(lambda s: pd.cut(s, 4, labels=False) + 1)
    spec = IndexSpec(
        "idx", tuple(ItemCoding(c, "d1" if c < "d" else "d2", kind="unit") for c in "abcdef")
    )
    unit = (df[list("abcdef")] - df[list("abcdef")].min()) / (
        df[list("abcdef")].max() - df[list("abcdef")].min()
    )
    steps = pd.DataFrame(
        (np.random.default_rng(1).uniform(size=(50, 3)) < 0.6).astype(int),
        columns=["s1", "s2", "s3"],
    )
    model = "f1 =~ a + b + c\nf2 =~ d + e + f"
    lca = LatentClassModel(2, n_init=3, random_state=0).fit(df[list("abc")] > 0)
    return [
        cronbach_alpha(df, list("abc")),
        omega(df, list("abc")),
        polychoric(ordinal),
        efa(df, list("abcdef"), n_factors=2),
        cfa(df, model),
        measurement_invariance(df, model, "grp"),
        dimension_index(unit, spec),
        bogardus(steps, ["s1", "s2", "s3"]),
        class_model_result(lca),
        select_classes(df[list("abc")] > 0, range(1, 3), n_init=3, random_state=0),
    ]


@pytest.mark.parametrize("res", _results(), ids=lambda r: type(r).__name__)
def test_result_protocol(res):
    assert isinstance(res, Result)
    frame = res.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    json.dumps(to_jsonable(res.to_dict()))
    assert isinstance(res.summary(), str)
