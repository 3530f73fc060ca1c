"""Ego networks of the name generator: alters who are bonding, bridging or linking ties by
construction.

Each migrant names ``net_n`` alters (0-5; the distribution depends on the strategy). Each
alter's tie type is drawn from the planted P(type | ego's phase) and the alter's attributes are
then drawn so that the rules of METHODS 4.2 give back exactly that type:

``linking``
    ``net_a_authority = 1`` (employer or manager, official, NGO or social worker, or another
    acquaintance holding formal authority over the ego), university-educated, working;
``bonding``
    a relative (``net_a_relation = 1``), or someone from the ego's home village, district or
    region (``net_a_origin`` 1-3) who is also a newcomer or does not live in the city
    (``net_a_status`` 2 or 3) and whose education is within one level of the ego's (and who
    works in the ego's occupational group when both work); never holds authority;
``bridging``
    not a relative, no authority, and different on the identity attribute: born in the city
    or from another region (``net_a_origin`` 4 or 5), usually a long-term city resident.

The relations ``6``-``8`` (employer, official, NGO worker) occur only in linking ties. The
alters' initials are nicknames from a small bank of kinship and role words (never names).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .answers_common import Answers, column
from .items import multi, pick, sigmoid
from .params import STRATEGIES, TIE_TYPES, ModelParameters

__all__ = ["NICKNAMES", "EgoNetworks", "ego_networks"]

NICKNAMES: dict[str, tuple[str, ...]] = {
    "bonding": (
        "ағам",
        "әпкем",
        "інім",
        "апам",
        "нағашым",
        "жерлесім",
        "ауылдасым",
        "құдам",
        "жеңгем",
        "бауырым",
        "брат",
        "сестра",
    ),
    "bridging": (
        "көршім",
        "досым",
        "әріптес",
        "курстас",
        "сосед",
        "коллега",
        "подруга",
        "таныс",
        "друг",
    ),
    "linking": ("бастық", "шеф", "әкім", "инспектор", "менеджер", "кураторым", "учитель", "юрист"),
}
"""Nickname bank (lower-case kinship and role words, at most 10 letters, no spaces)."""


@dataclasses.dataclass(frozen=True)
class EgoNetworks:
    """Name-generator answers.

    Attributes
    ----------
    main : dict
        ``net_n`` and ``net_nick_1`` ... ``net_nick_5`` (one entry per ego).
    alters : DataFrame
        One row per alter: ``ego`` (row of the ego), ``pos`` (1-based), ``tie_type`` (truth)
        and the answers ``net_a_*``.
    """

    main: dict[str, np.ndarray]
    alters: pd.DataFrame


def _sizes(strategy: np.ndarray, params: ModelParameters, rng: np.random.Generator) -> np.ndarray:
    table = np.array([params.network_size_by_strategy[s] for s in STRATEGIES])
    return pick(table[strategy.astype(int)], list(range(6)), rng).astype(int)


def ego_networks(P: pd.DataFrame, params: ModelParameters, rng: np.random.Generator) -> EgoNetworks:
    """Draw every respondent's alters (see the module docstring)."""
    n = len(P)
    size = _sizes(column(P, "strategy"), params, rng)
    phase = column(P, "phase").astype(int)
    ego = np.repeat(np.arange(n), size)
    pos = np.concatenate([np.arange(1, k + 1) for k in size]) if size.sum() else np.zeros(0, int)
    m = ego.size
    table = np.array([params.tie_type_by_phase[p] for p in ("circular", "settled", "integrated")])
    ttype = pick(table[phase[ego]], [0, 1, 2], rng).astype(int)
    bond, bridge, link = ttype == 0, ttype == 1, ttype == 2
    kin = bond & (rng.random(m) < 0.55)
    relation = np.select(
        [kin, bond, bridge],
        [
            1,
            rng.choice([2, 3, 9], m, p=[0.5, 0.35, 0.15]),
            rng.choice([3, 4, 5, 10], m, p=[0.3, 0.3, 0.25, 0.15]),
        ],
        default=rng.choice([6, 7, 8, 10, 4], m, p=[0.35, 0.3, 0.15, 0.1, 0.1]),
    ).astype(float)
    origin = np.select(
        [kin, bond, bridge],
        [
            rng.choice([1, 2, 3, 5], m, p=[0.7, 0.1, 0.05, 0.15]),
            rng.choice([1, 2, 3], m, p=[0.5, 0.3, 0.2]),
            rng.choice([5, 4], m, p=[0.65, 0.35]),
        ],
        default=rng.choice([5, 4, 3], m, p=[0.6, 0.3, 0.1]),
    ).astype(float)
    status = np.select(
        [kin, bond, bridge & (origin == 5)],
        [rng.choice([1, 2, 3], m, p=[0.3, 0.3, 0.4]), rng.choice([2, 3], m, p=[0.7, 0.3]), 1],
        default=np.where(bridge, rng.choice([1, 2], m, p=[0.6, 0.4]), 1),
    ).astype(float)
    ego_edu = column(P, "education", 3)[ego]
    edu = np.select(
        [bond & ~kin, link],
        [np.clip(ego_edu + rng.integers(-1, 2, m), 1, 6), rng.choice([5, 6], m, p=[0.7, 0.3])],
        default=rng.choice([2, 3, 4, 5, 6], m, p=[0.15, 0.3, 0.1, 0.35, 0.1]),
    ).astype(float)
    ego_works = column(P, "employed", 1)[ego] > 0
    ego_isco = column(P, "isco", np.nan)[ego]
    works = np.where(bond & ~kin, ego_works, np.where(link, True, rng.random(m) < 0.8))
    isco = np.where(
        bond & ~kin & ego_works & ~np.isnan(ego_isco),
        ego_isco,
        np.where(
            link, rng.choice([1, 2, 3], m, p=[0.6, 0.3, 0.1]), rng.choice([2, 3, 4, 5, 7, 8, 9], m)
        ),
    ).astype(float)
    ego_sex = column(P, "sex")[ego]
    sex = np.where(rng.random(m) < 0.6, ego_sex, 3 - ego_sex)
    ego_age = column(P, "age")[ego]
    alter_age = np.clip(ego_age + rng.normal(0, 8 + 10 * kin, m), 16, 90)
    age_group = np.searchsorted(np.array([30, 45, 60]), alter_age, side="right") + 1.0
    in_city = np.minimum(column(P, "years")[ego] + 1, ego_age)
    known = np.where(
        kin,
        ego_age * rng.uniform(0.3, 1.0, m),
        np.where(bond, ego_age * rng.uniform(0.1, 0.7, m), in_city * rng.uniform(0.05, 1.0, m)),
    )
    help_p = np.select(
        [bond[:, None], bridge[:, None]],
        [
            np.tile([0.4, 0.15, 0.35, 0.25, 0.05, 0.6, 0.35], (m, 1)),
            np.tile([0.45, 0.3, 0.1, 0.1, 0.08, 0.3, 0.05], (m, 1)),
        ],
        default=np.tile([0.3, 0.35, 0.02, 0.05, 0.6, 0.05, 0.0], (m, 1)),
    )
    alters = pd.DataFrame(
        {
            "ego": ego,
            "pos": pos,
            "tie_type": np.array(TIE_TYPES, dtype=object)[ttype],
            "net_a_relation": relation,
            "net_a_sex": sex.astype(float),
            "net_a_age": age_group,
            "net_a_origin": origin,
            "net_a_status": status,
            "net_a_same_ethn": np.where(rng.random(m) < np.where(bond, 0.95, 0.72), 1.0, 0.0),
            "net_a_edu": edu,
            "net_a_works": works.astype(float),
            "net_a_isco": np.where(works, isco, np.nan),
            "net_a_authority": link.astype(float),
            "net_a_years": np.floor(np.minimum(known, ego_age)),
            "net_a_help": multi(help_p, [1, 2, 3, 4, 5, 6, 7], rng, none=0),
            "net_a_freq": np.where(
                bond,
                rng.choice([1.0, 2.0], m),
                np.where(bridge, rng.choice([1.0, 2.0, 3.0], m), rng.choice([3.0, 4.0], m)),
            ),
            "net_a_close": np.where(
                bond,
                rng.choice([1.0, 2.0], m, p=[0.6, 0.4]),
                np.where(bridge, rng.choice([2.0, 3.0], m), 3.0),
            ),
        }
    )
    alters["net_a_knows"] = _knows(alters, size, rng)
    nick = _nicknames(alters, rng)
    alters["net_a_nick"] = nick
    main: dict[str, np.ndarray] = {"net_n": size.astype(float)}
    for k in range(1, 6):
        col = np.full(n, None, dtype=object)
        sel = alters["pos"].to_numpy() == k
        col[alters["ego"].to_numpy()[sel]] = nick[sel]
        main[f"net_nick_{k}"] = col
    return EgoNetworks(main=main, alters=alters)


def _knows(alters: pd.DataFrame, size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Alter-alter ties (``net_a_knows``): dense among bonding ties, sparse elsewhere."""
    out = np.full(len(alters), None, dtype=object)
    types = alters["tie_type"].to_numpy()
    poss = alters["pos"].to_numpy()
    start = 0
    for k in size:
        for j in range(k):
            row = start + j
            if poss[row] >= k:
                continue
            later = []
            for q in range(j + 1, k):
                a, b = types[row], types[start + q]
                p = 0.7 if a == b == "bonding" else 0.35 if a == b == "bridging" else 0.12
                if rng.random() < p:
                    later.append(str(q + 1))
            out[row] = " ".join(later) if later else "0"
        start += k
    return out


def _nicknames(alters: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(alters), dtype=object)
    start = 0
    egos = alters["ego"].to_numpy()
    types = alters["tie_type"].to_numpy()
    while start < len(alters):
        stop = start
        while stop < len(alters) and egos[stop] == egos[start]:
            stop += 1
        used: set[str] = set()
        for row in range(start, stop):
            bank = NICKNAMES[str(types[row])]
            name = str(bank[int(rng.integers(len(bank)))])
            k = 2
            base = name
            while name in used:
                name = f"{base}{k}"
                k += 1
            used.add(name)
            out[row] = name
        start = stop
    return out


_PG = {
    "pg_akimat": -2.4,
    "pg_police": -1.2,
    "pg_lawyer": -1.8,
    "pg_doctor": -0.6,
    "pg_lecturer": -1.6,
    "pg_teacher": 0.2,
    "pg_banker": -1.2,
    "pg_it": -1.3,
    "pg_engineer": -1.0,
    "pg_business": -0.9,
    "pg_accountant": -0.8,
    "pg_nurse": -0.4,
    "pg_driver": 0.9,
    "pg_builder": 0.8,
    "pg_trader": 0.7,
    "pg_guard": 0.1,
    "pg_cleaner": 0.0,
    "pg_farmer": 0.3,
}
_RG = {
    "rg_foreign_lang": -0.8,
    "rg_legal": -1.2,
    "rg_medical": -0.2,
    "rg_money": -0.1,
    "rg_officials": -1.6,
    "rg_media": -2.0,
    "rg_deputy": -2.8,
    "rg_repair": 0.9,
    "rg_computer": 0.7,
    "rg_talk": 2.0,
    "rg_care": 1.2,
    "rg_shelter": 1.0,
    "rg_job": 0.2,
    "rg_registration": -0.3,
    "rg_kindergarten": -0.9,
    "rg_housing": -0.6,
}


def _generator(
    names: dict[str, float], cap: np.ndarray, strat: np.ndarray, rng: np.random.Generator
) -> Answers:
    n = cap.size
    out: Answers = {}
    for name, base in names.items():
        access = rng.random(n) < sigmoid(base + 0.9 * cap)
        how = pick(
            np.column_stack(
                [
                    np.full(n, 0.35 + 0.2 * (base > 0)),
                    0.3 + 0.1 * strat,
                    np.full(n, 0.3 + 0.1 * (base < -1)),
                ]
            ),
            [1, 2, 3],
            rng,
        )
        out[name] = np.where(access, how, 0.0)
        if name.startswith("pg_"):
            out[f"{name}_res"] = pick(
                np.column_stack([0.35 + 0.35 * strat, 0.5 - 0.3 * strat, np.full(n, 0.1)]),
                [1, 2, 3],
                rng,
            )
    return out


def generators(P: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Position and resource generators: access grows with the latent social capital; relatives
    reach the common occupations, acquaintances the prestigious ones; integration-oriented
    migrants reach more long-term residents (``pg_*_res``)."""
    cap = column(P, "social_capital")
    strat = column(P, "strategy")
    out = _generator(_PG, cap, strat, rng)
    out.update(_generator(_RG, cap, strat, rng))
    return out
