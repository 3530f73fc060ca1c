from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from qonys._core import TIDY_COLUMNS, Meta, QonysError, Registry, Result, ResultMixin, tidy_frame


@dataclasses.dataclass(frozen=True, slots=True)
class _Toy(ResultMixin):
    values: tuple[float, ...]
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        return tidy_frame([{"variable": "x", "estimate": v, "n": 3} for v in self.values])


def test_result_protocol_and_tidy_frame() -> None:
    r = _Toy((1.5, float("nan")), Meta("toy", policies={"missing": "fail"}))
    assert isinstance(r, Result)
    frame = r.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    d = r.to_dict()
    json.dumps(d)  # serialisable, NaN turned into None
    assert d["values"] == [1.5, None]
    assert d["meta"]["policies"] == {"missing": "fail"}
    assert "toy" in r.summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.values = ()  # type: ignore[misc]


def test_tidy_frame_keeps_extra_columns_and_fills_missing() -> None:
    f = tidy_frame(pd.DataFrame({"estimate": [np.float64(2.0)], "p": [0.5]}), extra=["p"])
    assert f.columns.tolist() == [*TIDY_COLUMNS, "p"]
    assert np.isnan(f.loc[0, "se"])


def test_registry_errors() -> None:
    reg: Registry[int] = Registry("thing")
    reg.add("a", 1)
    with pytest.raises(QonysError) as ei:
        reg.get("b")
    assert ei.value.rule == "registry.unknown"
    assert "a" in (ei.value.hint or "")
    with pytest.raises(QonysError):
        reg.add("a", 2)
