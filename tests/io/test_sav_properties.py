"""Property-based round trips: arbitrary small codebooks and frames, with Kazakh and Russian
labels (ә ғ қ ң ө ұ ү һ і), written to .sav and read back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qonys._core import Choice, ChoiceList, Codebook, Dataset, MissingCode, Variable
from qonys.io import read, write

KAZAKH = "әғқңөұүһі"
ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" + KAZAKH + KAZAKH.upper() + "ABCxyz.,-'«» 0123"
text = st.text(alphabet=ALPHABET, min_size=1, max_size=30).map(str.strip).filter(bool)
labels = st.dictionaries(st.sampled_from(["kk", "ru", "en"]), text, max_size=3)
kinds = st.sampled_from(["skipped", "refused", "dont_know", "missing"])


@st.composite
def variable(draw: Any, i: int) -> tuple[Variable, ChoiceList | None, list[Any], str]:
    kind = draw(st.sampled_from(["int_select", "str_select", "integer", "decimal", "text"]))
    name = f"q{i}" + draw(st.sampled_from(["", "/a", "_ә", "-x"]))
    label = draw(labels)
    if kind == "int_select":
        codes = draw(st.lists(st.integers(-5, 99), min_size=1, max_size=5, unique=True))
        miss = draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))
        mkinds = {c: draw(kinds) for c in miss}
        cl = ChoiceList(
            f"l{i}",
            tuple(Choice(c, draw(labels), missing=mkinds.get(c)) for c in codes),
        )
        var = Variable(
            name,
            "select_one",
            label=label,
            choices=cl.name,
            missing=tuple(MissingCode(value=c, kind=mkinds[c]) for c in miss),
        )
        return var, cl, [*codes, None], "Int64"
    if kind == "str_select":
        codes = draw(
            st.lists(
                st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=4, unique=True
            )
        )
        cl = ChoiceList(f"l{i}", tuple(Choice(c, draw(labels)) for c in codes))
        return Variable(name, "select_one", label=label, choices=cl.name), cl, [*codes, None], "str"
    if kind == "integer":
        return Variable(name, "integer", label=label), None, [0, 1, -7, 12345, None], "Int64"
    if kind == "decimal":
        return Variable(name, "decimal", label=label), None, [0.5, -1.25, 1e6, None], "float64"
    return Variable(name, "text", label=label), None, ["Қала", "Бәрі жақсы", "x", None], "str"


@st.composite
def dataset(draw: Any) -> Dataset:
    n_vars = draw(st.integers(1, 4))
    n_rows = draw(st.integers(1, 5))
    parts = [draw(variable(i)) for i in range(n_vars)]
    columns: dict[str, pd.Series] = {}
    for var, _, pool, dtype in parts:
        values = [draw(st.sampled_from(pool)) for _ in range(n_rows)]
        columns[var.name] = pd.Series(values, dtype=dtype)
    cb = Codebook(
        variables=tuple(p[0] for p in parts),
        choice_lists=tuple(p[1] for p in parts if p[1] is not None),
        languages={"kk": "Қазақша (kk)", "ru": "Русский (ru)", "en": "English (en)"},
        default_language=draw(st.sampled_from([None, "kk", "ru"])),
        title=draw(labels),
    )
    return Dataset(pd.DataFrame(columns), cb)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ds=dataset(), suffix=st.sampled_from([".sav", ".zsav"]))
def test_round_trip_keeps_everything(ds: Dataset, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"p{suffix}"
        write(ds, path)
        back = read(path)
    assert back.codebook == ds.codebook
    pd.testing.assert_frame_equal(back.data, ds.data)
