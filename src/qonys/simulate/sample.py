"""The sampling design: strata, PPS selection of blocks, fixed takes, nonresponse and weights.

For each form separately:

1. **Strata** are the districts (city x district). Interviews are split equally between the
   cities (or in proportion to their target population), then over a city's districts in
   proportion to (target population) ** ``district_exponent``; each stratum gets at least
   ``min_blocks`` blocks.
2. **Blocks** (PSUs) are drawn by systematic PPS sampling with the block's number of adults as
   the measure of size (known from the frame): pi_b = a_h N_b / N_h.
3. In a sampled block the interviewer goes down a random order of the eligible persons (the
   block's internal migrants, or its long-term residents) until ``take`` interviews are
   completed. Each person contacted responds with a probability that depends on sex, age
   group and the district's zone (fieldwork reality: young men and central districts are
   harder to interview).
4. **Weights**: base weight w0 = 1 / (pi_b * c_b / E_b), with c_b persons contacted among the
   E_b eligible; nonresponse adjustment within classes stratum x sex x age group (collapsed
   over age, then over sex, when a class has no respondent): f = sum(w0, contacted) /
   sum(w0, respondents); final weight w = w0 * f.

Examples
--------
>>> import numpy as np
>>> from qonys.simulate.calibration import load_calibration
>>> from qonys.simulate.params import DesignParameters, ModelParameters
>>> from qonys.simulate.population import build_population
>>> rng = np.random.default_rng(3)
>>> pop = build_population(load_calibration(), ModelParameters(), DesignParameters(), rng,
...                        scale=0.02)
>>> s = draw_sample(pop, DesignParameters(), 120, "migrants", rng)
>>> len(s.respondents), bool((s.respondents["weight"] > 0).all())
(120, True)
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pandas as pd

from .._core import DesignError, Where
from .params import DesignParameters
from .population import Population, age_group

__all__ = ["Sample", "draw_sample"]

Kind = Literal["migrants", "locals"]


@dataclasses.dataclass(frozen=True)
class Sample:
    """A drawn sample.

    Attributes
    ----------
    respondents : DataFrame
        One row per completed interview: ``person`` (row of ``Population.migrants``, or -1 for
        a long-term resident who is not a migrant), ``block``, ``city``, ``district``,
        ``zone``, ``sex``, ``age``, ``stratum``, ``psu``, ``n_psu_stratum`` (blocks in the
        stratum), ``pi_psu``, ``eligible_psu`` (eligible persons in the block),
        ``contacted_psu``, ``pi`` (overall inclusion probability), ``w_base``, ``nr_adj``,
        ``weight``, ``order`` (fieldwork order).
    fieldwork : DataFrame
        Every person contacted: ``block``, ``stratum``, ``sex``, ``age_group``,
        ``outcome`` (``complete`` or ``nonresponse``), ``w_base``.
    """

    respondents: pd.DataFrame
    fieldwork: pd.DataFrame


def _allocate(targets: pd.Series, n_blocks: int, minimum: int, exponent: float) -> pd.Series:
    """Blocks per stratum: at least ``minimum``, the rest by largest remainder."""
    weights = targets.to_numpy(dtype=float) ** exponent
    base = np.full(weights.size, minimum, dtype=np.int64)
    rest = n_blocks - int(base.sum())
    if rest > 0:
        raw = weights / weights.sum() * rest
        extra = np.floor(raw).astype(np.int64)
        left = rest - int(extra.sum())
        order = np.argsort(-(raw - extra), kind="stable")[:left]
        extra[order] += 1
        base += extra
    return pd.Series(base, index=targets.index)


def _pps_systematic(sizes: np.ndarray, a: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``a`` units drawn by systematic PPS (sizes already below total / a)."""
    cum = np.cumsum(sizes)
    step = cum[-1] / a
    points = rng.random() * step + step * np.arange(a)
    return np.searchsorted(cum, points, side="right")


def _eligible(pop: Population, kind: Kind) -> pd.Series:
    col = "migrants" if kind == "migrants" else "locals_eligible"
    return pop.blocks.set_index("block")[col]


def _natives(n: int, city: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Sex and age of long-term residents who are not migrants (listing information)."""
    sex = np.where(rng.random(n) < 0.53, 2, 1)
    age = 18 + np.minimum(np.floor(rng.gamma(2.2, 11.0, n)), 67).astype(np.int64)
    return sex, age


def _response_prob(
    sex: np.ndarray, age: np.ndarray, zone: str, design: DesignParameters
) -> np.ndarray:
    r = design.response_logit
    x = np.log(design.response_base / (1 - design.response_base))
    x = x + r["male"] * (sex == 1) + r["age_18_29"] * (age < 30) + r["age_60_plus"] * (age >= 60)
    x = (
        x
        + (r["centre"] if zone == "centre" else 0.0)
        + (r["periphery"] if zone == "periphery" else 0.0)
    )
    return np.asarray(1 / (1 + np.exp(-x)))


def _stratum_blocks(
    pop: Population, kind: Kind, n: int, design: DesignParameters
) -> tuple[pd.Series, pd.Series]:
    eligible = pop.blocks.groupby("district")[
        "migrants" if kind == "migrants" else "locals_eligible"
    ].sum()
    city_of = pop.blocks.groupby("district")["city"].first()
    take = design.take_migrants if kind == "migrants" else design.take_locals
    n_blocks = -(-n // take)
    cities = sorted(city_of.unique())
    if design.city_allocation == "equal":
        city_blocks = {
            c: n_blocks // len(cities) + (i < n_blocks % len(cities)) for i, c in enumerate(cities)
        }
    elif design.city_allocation == "proportional":
        tot = eligible.groupby(city_of).sum()
        alloc = _allocate(tot, n_blocks, 0, 1.0)
        city_blocks = {c: int(alloc[c]) for c in cities}
    else:
        raise DesignError(
            f"unknown city allocation {design.city_allocation!r}",
            where=Where(key="city_allocation"),
            rule="simulate.allocation",
            hint="Use 'equal' or 'proportional'.",
        )
    parts = []
    for c in cities:
        targets = eligible[city_of == c]
        need = max(city_blocks[c], design.min_blocks * len(targets))
        parts.append(_allocate(targets, need, design.min_blocks, design.district_exponent))
    return pd.concat(parts), eligible


def draw_sample(
    pop: Population, design: DesignParameters, n: int, kind: Kind, rng: np.random.Generator
) -> Sample:
    """Draw ``n`` completed interviews of one form (see the module docstring).

    Raises
    ------
    DesignError
        ``n`` too small for two blocks per stratum (rule ``simulate.sample-size``).
    """
    take = design.take_migrants if kind == "migrants" else design.take_locals
    n_strata = pop.blocks["district"].nunique()
    if n < design.min_blocks * n_strata:
        raise DesignError(
            f"{n} interviews cannot cover {n_strata} strata with {design.min_blocks} blocks each",
            where=Where(key="n"),
            rule="simulate.sample-size",
            hint=f"Ask for at least {design.min_blocks * n_strata} interviews.",
        )
    alloc, _ = _stratum_blocks(pop, kind, n, design)
    total_blocks = int(alloc.sum())
    takes_all = np.full(total_blocks, take)
    takes_all[: max(0, total_blocks * take - n)] -= 1
    takes_all = np.maximum(rng.permutation(takes_all), 1)
    while takes_all.sum() > n:
        takes_all[np.argmax(takes_all)] -= 1
    while takes_all.sum() < n:
        takes_all[np.argmin(takes_all)] += 1
    eligible = _eligible(pop, kind)
    by_block = pop.migrants.groupby("block").indices
    m_sex = pop.migrants["sex"].to_numpy()
    m_age = pop.migrants["age"].to_numpy()
    m_years = pop.migrants["years"].to_numpy()
    parts: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "person",
            "block",
            "city",
            "district",
            "sex",
            "age",
            "done",
            "pi_psu",
            "eligible_psu",
            "contacted_psu",
            "n_psu_stratum",
        )
    }
    zones: list[np.ndarray] = []
    k = 0
    carry = 0
    blocks_all = pop.blocks
    for district, a in zip(alloc.index.to_numpy(), alloc.to_numpy(), strict=True):
        sel = np.flatnonzero(blocks_all["district"].to_numpy() == district)
        sizes = blocks_all["adults"].to_numpy(dtype=float)[sel]
        ids = blocks_all["block"].to_numpy()[sel]
        a = int(a)
        picked = _pps_systematic(sizes, a, rng)
        zone = str(blocks_all["zone"].to_numpy()[sel[0]])
        city = int(blocks_all["city"].to_numpy()[sel[0]])
        for j in picked:
            block = int(ids[int(j)])
            want = int(takes_all[k]) + carry
            k += 1
            e_b = int(eligible[block])
            migrants = np.asarray(by_block.get(block, []), dtype=np.int64)
            if kind == "migrants":
                persons = rng.permutation(migrants)
                sex, age = m_sex[persons], m_age[persons]
            else:
                stay = migrants[m_years[migrants] >= 10]
                persons = np.concatenate([stay, -np.ones(e_b - stay.size, dtype=np.int64)])
                persons = rng.permutation(persons)[: max(want * 8, 40)]
                sex, age = _natives(persons.size, city, rng)
                known = persons >= 0
                sex[known] = m_sex[persons[known]]
                age[known] = m_age[persons[known]]
            responds = rng.random(persons.size) < _response_prob(sex, age, zone, design)
            done = np.cumsum(responds)
            if done.size and done[-1] >= want:
                stop = int(np.searchsorted(done, want)) + 1
            else:
                stop = persons.size
            carry = want - (int(done[stop - 1]) if stop else 0)
            pi_psu = a * float(sizes[int(j)]) / sizes.sum()
            for key, val in (
                ("person", persons[:stop]),
                ("sex", sex[:stop]),
                ("age", age[:stop]),
                ("done", responds[:stop]),
            ):
                parts[key].append(np.asarray(val))
            for key, val in (
                ("block", block),
                ("city", city),
                ("district", int(district)),
                ("pi_psu", pi_psu),
                ("eligible_psu", e_b),
                ("contacted_psu", stop),
                ("n_psu_stratum", len(sel)),
            ):
                parts[key].append(np.full(stop, val))
            zones.append(np.full(stop, zone, dtype=object))
    cols = {key: np.concatenate(val) for key, val in parts.items()}
    contacted = cols["contacted_psu"].astype(float)
    pi = cols["pi_psu"] * contacted / cols["eligible_psu"]
    fieldwork = pd.DataFrame(
        {
            "person": cols["person"],
            "block": cols["block"],
            "city": cols["city"],
            "district": cols["district"],
            "zone": np.concatenate(zones),
            "sex": cols["sex"],
            "age": cols["age"],
            "age_group": age_group(cols["age"]),
            "outcome": np.where(cols["done"], "complete", "nonresponse"),
            "stratum": cols["district"],
            "psu": cols["block"],
            "n_psu_stratum": cols["n_psu_stratum"],
            "pi_psu": cols["pi_psu"],
            "eligible_psu": cols["eligible_psu"],
            "contacted_psu": cols["contacted_psu"],
            "pi": pi,
            "w_base": 1.0 / pi,
        }
    )
    fieldwork["nr_class"] = _classes(fieldwork)
    completed = fieldwork["outcome"] == "complete"
    tot = fieldwork.groupby("nr_class")["w_base"].sum()
    got = fieldwork[completed].groupby("nr_class")["w_base"].sum()
    fieldwork["nr_adj"] = fieldwork["nr_class"].map(tot / got)
    resp = fieldwork[completed].copy()
    resp["weight"] = resp["w_base"] * resp["nr_adj"]
    resp = resp.sample(frac=1.0, random_state=int(rng.integers(2**31))).reset_index(drop=True)
    resp["order"] = np.arange(len(resp))
    return Sample(respondents=resp, fieldwork=fieldwork)


def _classes(f: pd.DataFrame) -> np.ndarray:
    """Nonresponse weighting class of each contact: stratum x sex x age group, an age group
    without respondents merged into its neighbour, a sex without respondents into the other."""
    done = (f["outcome"] == "complete").to_numpy()
    out = np.zeros(len(f), dtype=np.int64)
    for stratum, idx in f.groupby("stratum").indices.items():
        code = int(np.asarray(stratum))
        sexes = f["sex"].to_numpy()[idx]
        ages = f["age_group"].to_numpy()[idx]
        d = done[idx]
        sex_ok = {s: d[sexes == s].any() for s in (1, 2)}
        for s in (1, 2):
            own = (sexes == s) if sex_ok[s] or not any(sex_ok.values()) else np.ones_like(d)
            merged_sex = 0 if not sex_ok[s] else s
            counts = {g: int(d[own & (ages == g)].sum()) for g in (1, 2, 3, 4)}
            label, run = {}, []
            for g in (1, 2, 3, 4):
                run.append(g)
                if counts[g] > 0:
                    for x in run:
                        label[x] = g
                    run = []
            for x in run:  # trailing groups without respondents join the last class
                label[x] = max((v for v in label.values()), default=4)
            sel = sexes == s
            out[idx[sel]] = [code * 100 + merged_sex * 10 + label[int(g)] for g in ages[sel]]
    return out
