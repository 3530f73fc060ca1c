"""The ``social_capital`` study stage on a small synthetic export in the instrument's layout.

The expected values are computed here from the same synthetic tables (shares of tie types by
city must equal ``qonys.estimate.mean`` of the per-ego shares), so the test checks the wiring:
roster -> measures -> survey data -> estimates, chart and sociogram.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qonys._core import Codebook, Dataset, Roster
from qonys.report.model import Figure, Table
from qonys.report.text import Labels
from qonys.study import STAGES, StudyContext, parse_study
from qonys.study.stages_network import social_capital_stage


def _dataset(n: int = 90, seed: int = 3) -> Dataset:
    rng = np.random.default_rng(seed)
    main = pd.DataFrame(
        {
            "_index": np.arange(1, n + 1),
            "city": np.repeat(["astana", "almaty", "shymkent"], n // 3),
            "w": rng.uniform(0.5, 2.0, n),
            "ses_edu": rng.integers(1, 7, n),
            "ses_isco": rng.integers(1, 10, n),
            "idn_score": rng.normal(3, 1, n),
        }
    )
    rows = []
    for ego, k in zip(main["_index"], rng.integers(0, 6, n), strict=True):
        for pos in range(1, k + 1):
            later = [str(j) for j in range(pos + 1, k + 1) if rng.random() < 0.5]
            rows.append(
                {
                    "_parent_index": ego,
                    "net_a_pos": pos,
                    "net_a_knows": " ".join(later) or "0",
                    "net_a_relation": int(rng.choice([1, 2, 3, 4, 6, 10])),
                    "net_a_authority": int(rng.random() < 0.1),
                    "net_a_origin": int(rng.integers(1, 6)),
                    "net_a_status": int(rng.integers(1, 4)),
                    "net_a_same_ethn": int(rng.random() < 0.8),
                    "net_a_edu": int(rng.integers(1, 7)),
                    "net_a_isco": int(rng.integers(1, 10)),
                }
            )
    cb = Codebook(rosters=(Roster("net_alter"),))
    return Dataset(main, cb, {"net_alter": pd.DataFrame(rows)})


def _context(tmp_path: Path, data: Dataset, options: dict[str, object]) -> StudyContext:
    raw = {
        "data": {"city_variable": "city"},
        "design": {"weights": "w"},
        "analyses": {"social_capital": options},
    }
    cfg = parse_study(raw, tmp_path / "study.toml")
    from qonys.privacy.suppression import DisclosureRules

    return StudyContext(cfg, data, "social_capital", options, {}, DisclosureRules(), 1)


def test_stage_is_registered() -> None:
    assert "social_capital" in STAGES


def test_stage_outputs(tmp_path: Path) -> None:
    data = _dataset()
    out = social_capital_stage(_context(tmp_path, data, {"model_outcomes": ["idn_score"]}))
    tables = [o for o in out if isinstance(o, Table)]
    figs = [o for o in out if isinstance(o, Figure)]
    keys = [t.key for t in tables]
    # overall, by city (phase, strategy, origin type absent: noted), one model
    assert keys == [
        "social_capital.overall",
        "social_capital.by_city",
        "social_capital.model_idn_score",
    ]
    assert {f.key for f in figs} == {"social_capital.tie_types_by_city", "social_capital.sociogram"}
    overall, by_city, model = tables
    # rows are labelled in every language, never raw column names
    first = overall.rows[0].label
    assert isinstance(first, Labels)
    assert first.get("ru") == "Размер сети (названные люди)"
    assert all(not str(r.label).startswith("sc_") for r in overall.rows)
    # by city: the measures shown by domain, three cities each
    assert len(by_city.rows) % 3 == 0
    assert "ci" in [c.key for c in by_city.columns]
    # the model: intercept and the two shares, with t and p
    assert len(model.rows) == 3
    assert {"t", "p"} <= {c.key for c in model.columns}
    chart = next(f for f in figs if f.chart is not None).chart
    assert chart is not None
    assert len(chart.series) == 4  # bonding, bridging, linking, bonding (weak)
    assert len(chart.categories) == 3


def test_stage_without_roster_is_absent(tmp_path: Path) -> None:
    # no name generator in the data: no section (the report shows modules that ran only)
    data = _dataset()
    assert social_capital_stage(_context(tmp_path, data.replace(rosters={}), {})) == []
