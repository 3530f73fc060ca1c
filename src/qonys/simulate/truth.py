"""Ground truth and design columns: what the survey data do not show, kept apart from them.

* :func:`design_frame`: the design variables of each interview (stratum, PSU, selection
  probabilities, population sizes, weights), keyed by Kobo's ``_uuid``.
* :func:`migrant_truth`: each migrant's latent classes and scores.
* :func:`truth_summary`: planted parameters, the population values they produced (migrants'
  share by district, strategy and phase shares, dissimilarity and isolation indices), the
  finite population by district, and census-style margins for raking.

The dissimilarity index of migrants (m) against other adults (l) over units i is
D = 1/2 sum_i |m_i / M - l_i / L| and the isolation index is sum_i (m_i / M)(m_i / t_i)
(Massey & Denton 1988; METHODS 9).

Examples
--------
>>> dissimilarity(np.array([500, 300, 100, 100]), np.array([200, 300, 400, 600]))
0.4666666666666667
>>> round(isolation(np.array([500, 300, 100, 100]), np.array([200, 300, 400, 600])), 4)
0.5414
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from .._version import __version__
from .params import (
    PHASES,
    STRATEGIES,
    TIE_TYPES,
    DesignParameters,
    ModelParameters,
    expected_shares,
)
from .population import AGE_GROUPS, Population, age_group

__all__ = [
    "design_frame",
    "dissimilarity",
    "isolation",
    "migrant_truth",
    "truth_summary",
]


def dissimilarity(m: ArrayLike, other: ArrayLike) -> float:
    """Dissimilarity index D of group counts ``m`` against ``other`` over areal units."""
    a, b = np.asarray(m, float), np.asarray(other, float)
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


def isolation(m: ArrayLike, other: ArrayLike) -> float:
    """Isolation index xPx of group ``m`` (share of the group in the average member's unit)."""
    a, b = np.asarray(m, float), np.asarray(other, float)
    t = a + b
    ok = t > 0
    return float(((a[ok] / a.sum()) * (a[ok] / t[ok])).sum())


def design_frame(uuid: pd.Series, resp: pd.DataFrame) -> pd.DataFrame:
    """Design variables of each interview (``smp_*``, documented in ``docs/simulation.md``)."""
    return pd.DataFrame(
        {
            "_uuid": uuid.to_numpy(),
            "smp_stratum": resp["stratum"].to_numpy(dtype=np.int64),
            "smp_psu": resp["psu"].to_numpy(dtype=np.int64),
            "smp_n_psu": resp["n_psu_stratum"].to_numpy(dtype=np.int64),
            "smp_pi_psu": resp["pi_psu"].to_numpy(dtype=float),
            "smp_n_elig": resp["eligible_psu"].to_numpy(dtype=np.int64),
            "smp_n_contacted": resp["contacted_psu"].to_numpy(dtype=np.int64),
            "smp_pi": resp["pi"].to_numpy(dtype=float),
            "smp_w_base": resp["w_base"].to_numpy(dtype=float),
            "smp_nr_adj": resp["nr_adj"].to_numpy(dtype=float),
            "smp_weight": resp["weight"].to_numpy(dtype=float),
            "smp_age_group": age_group(resp["age"].to_numpy()).astype(np.int64),
        }
    )


def migrant_truth(
    uuid: pd.Series, resp: pd.DataFrame, core: pd.DataFrame, lat: pd.DataFrame
) -> pd.DataFrame:
    """One row per interviewed migrant: latent classes, true scores, weight."""
    out = pd.DataFrame(
        {
            "_uuid": uuid.to_numpy(),
            "city": core["city"].to_numpy(),
            "district": core["district"].to_numpy(),
            "zone": core["zone"].to_numpy(),
            "strategy": np.array(STRATEGIES, dtype=object)[core["strategy"].to_numpy().astype(int)],
            "phase": np.array(PHASES, dtype=object)[core["phase"].to_numpy().astype(int)],
            "origin_type": core["origin_type"].to_numpy(),
            "years": core["years"].to_numpy(),
            "sex": core["sex"].to_numpy(),
            "age": core["age"].to_numpy(),
        }
    )
    for col in (
        "education",
        "ses",
        "culturation",
        "placement",
        "interaction",
        "identification",
        "complex",
        "structural_only",
        "idn_rural",
        "idn_urban",
        "idn_smalltown",
        "idn_bigcity",
        "identity_rural_urban",
        "identity_town_city",
        "motive_economic",
        "motive_career",
        "motive_family",
        "motive_amenities",
        "motive_environment",
    ):
        out[col] = lat[col].to_numpy()
    out["recent_rural"] = (out["years"] < 5) & (out["origin_type"] == 1)
    out["weight"] = resp["weight"].to_numpy()
    out["pi"] = resp["pi"].to_numpy()
    return out


def _items(series: pd.Series) -> dict[str, float]:
    """A series as ``{str(index): float(value)}``."""
    return {
        str(k): float(v)
        for k, v in zip(series.index.tolist(), series.to_numpy(dtype=float), strict=True)
    }


def _counts(values: pd.Series, normalize: bool = False) -> dict[str, float]:
    counts = values.value_counts().sort_index()
    return _items(counts / counts.sum() if normalize else counts)


def _named(codes: pd.Series, names: tuple[str, ...]) -> dict[str, float]:
    """Shares of integer-coded classes, by name."""
    shares = codes.value_counts(normalize=True).sort_index()
    return {
        names[int(k)]: float(v)
        for k, v in zip(shares.index.to_numpy(), shares.to_numpy(dtype=float), strict=True)
    }


def _shares(values: pd.Series, weights: np.ndarray | None = None) -> dict[str, float]:
    w = np.ones(len(values)) if weights is None else np.asarray(weights, float)
    tot = pd.Series(w, index=values.index).groupby(values).sum()
    return {str(k): float(v / tot.sum()) for k, v in tot.items()}


def _native_age_groups() -> np.ndarray:
    """Age-group distribution of long-term residents who are not migrants (as sampled)."""
    cdf = stats.gamma.cdf(np.array([12.0, 27.0, 42.0]), 2.2, scale=11.0)
    return np.diff(np.concatenate([[0.0], cdf, [1.0]]))


def _margins(pop: Population) -> pd.DataFrame:
    rows = []
    m = pop.migrants
    for form in ("migrants", "locals"):
        for city in sorted(pop.blocks["city"].unique()):
            if form == "migrants":
                sub = m[m["city"] == city]
                counts = {
                    "dem_sex": sub["sex"].value_counts(),
                    "smp_age_group": pd.Series(age_group(sub["age"].to_numpy())).value_counts(),
                    "scr_origin_type": sub["origin_type"].value_counts(),
                }
                levels = {
                    "dem_sex": (1, 2),
                    "smp_age_group": (1, 2, 3, 4),
                    "scr_origin_type": (1, 2, 3, 4),
                }
            else:
                stay = m[(m["city"] == city) & (m["years"] >= 10)]
                blocks = pop.blocks[pop.blocks["city"] == city]
                natives = float((blocks["adults"] - blocks["migrants"]).sum())
                ages = pd.Series(age_group(stay["age"].to_numpy())).value_counts()
                counts = {
                    "dem_sex": pd.Series(
                        {
                            1: natives * 0.47 + (stay["sex"] == 1).sum(),
                            2: natives * 0.53 + (stay["sex"] == 2).sum(),
                        }
                    ),
                    "smp_age_group": pd.Series(
                        {
                            g + 1: natives * p + ages.get(g + 1, 0)
                            for g, p in enumerate(_native_age_groups())
                        }
                    ),
                }
                levels = {"dem_sex": (1, 2), "smp_age_group": (1, 2, 3, 4)}
            for var, lv in levels.items():
                for level in lv:
                    rows.append(
                        {
                            "form": form,
                            "city": int(city),
                            "variable": var,
                            "level": level,
                            "target": float(counts[var].get(level, 0)),
                        }
                    )
    return pd.DataFrame(rows)


def truth_summary(
    pop: Population,
    params: ModelParameters,
    design: DesignParameters,
    mig: pd.DataFrame,
    alters: pd.DataFrame,
    locals_truth: pd.DataFrame,
    seed: int,
    n: int,
    n_locals: int,
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """``truth.json``'s content, the population by district, and the raking margins."""
    m = pop.migrants
    b = pop.blocks
    recent_rural = ((m["years"] < 5) & (m["origin_type"] == 1)).groupby(m["district"]).sum()
    districts = b.groupby("district").agg(
        city=("city", "first"),
        zone=("zone", "first"),
        adults=("adults", "sum"),
        migrants=("migrants", "sum"),
        long_stay=("long_stay", "sum"),
        locals_eligible=("locals_eligible", "sum"),
        blocks=("block", "count"),
    )
    districts["migrant_share"] = districts["migrants"] / districts["adults"]
    districts["recent_rural_migrants"] = recent_rural.reindex(districts.index, fill_value=0)
    districts["recent_rural_share"] = districts["recent_rural_migrants"] / districts["migrants"]
    districts = districts.reset_index()
    zone_w = _counts(m["zone"], normalize=True)
    w = mig["weight"].to_numpy()
    high = mig["placement"] >= params.tau
    ego_w = pd.Series(w, index=mig["_uuid"])
    tie_w = ego_w.reindex(alters["_uuid"]).to_numpy()
    segregation = {}
    for city, sub in b.groupby("city"):
        d = districts[districts["city"] == city]
        segregation[str(city)] = {
            "dissimilarity_districts": dissimilarity(d["migrants"], d["adults"] - d["migrants"]),
            "dissimilarity_blocks": dissimilarity(sub["migrants"], sub["adults"] - sub["migrants"]),
            "isolation_districts": isolation(d["migrants"], d["adults"] - d["migrants"]),
        }
    summary: dict[str, Any] = {
        "qonys_version": __version__,
        "seed": seed,
        "n_migrants": n,
        "n_locals": n_locals,
        "population_scale": pop.scale,
        "parameters": {"model": params.to_dict(), "design": design.to_dict()},
        "expected": expected_shares(params, zone_w),
        "population": {
            "adults": _items(b.groupby("city")["adults"].sum()),
            "migrants": _counts(m["city"]),
            "migrant_share_by_district": _items(districts.set_index("district")["migrant_share"]),
            "migrant_share_by_city": _items(
                b.groupby("city")["migrants"].sum() / b.groupby("city")["adults"].sum()
            ),
            "recent_rural_share_by_zone": {
                str(z): float(((g["years"] < 5) & (g["origin_type"] == 1)).mean())
                for z, g in m.groupby("zone")
            },
            "strategy": _named(m["strategy"], STRATEGIES),
            "phase": _named(m["phase"], PHASES),
            "phase_by_zone": {str(z): _named(g["phase"], PHASES) for z, g in m.groupby("zone")},
            "segregation": segregation,
        },
        "sample_truth_weighted": {
            "tie_type": _shares(alters["tie_type"], tie_w),
            "tie_type_by_phase": {
                ph: _shares(
                    alters.loc[alters["ego_phase"] == i, "tie_type"],
                    tie_w[alters["ego_phase"].to_numpy() == i],
                )
                for i, ph in enumerate(PHASES)
            },
            "complex": float(np.average(mig["complex"], weights=w)),
            "complex_given_structural_high": float(
                np.average(mig.loc[high, "complex"], weights=w[high])
            ),
            "structural_high": float(np.average(high, weights=w)),
            "identity_rural_urban": _shares(mig["identity_rural_urban"], w),
            "threat_contact_correlation": float(
                np.corrcoef(locals_truth["threat"], locals_truth["contact"])[0, 1]
            )
            if len(locals_truth) > 2
            else None,
        },
        "categories": {
            "tie_types": list(TIE_TYPES),
            "phases": list(PHASES),
            "strategies": list(STRATEGIES),
            "age_groups": list(AGE_GROUPS),
        },
    }
    return summary, districts, _margins(pop)
