"""Long-term city residents: who they are, and how they see internal migrants.

A sampled long-term resident is either born in the city or raised there (came before 16),
or an internal migrant of ten years' standing taken from the population. Their attitudes
follow contact theory and integrated threat theory (METHODS 5): contact with newcomers grows
with the share of migrants in the district and with the resident's own migrant background;
perceived threat falls with contact and with education (planted: threat = -0.45 contact
- 0.35 education + noise, on standardised scales); thermometers, stereotypes, social distance,
perceived consequences, policy support and stigma follow threat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._core import Codebook
from .answers_common import Answers, column
from .calibration import Calibration
from .items import likert, pick, scale_items, sigmoid

__all__ = ["locals_answers", "locals_latent"]


def locals_latent(
    resp: pd.DataFrame,
    pop_migrants: pd.DataFrame,
    district_share: pd.Series,
    cal: Calibration,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Attributes and latent attitudes of sampled long-term residents.

    Parameters
    ----------
    resp : DataFrame
        Sampled residents (``person`` >= 0 for a migrant of ten years' standing), with
        ``city``, ``district``, ``zone``, ``sex``, ``age``.
    pop_migrants : DataFrame
        ``Population.migrants`` (for the long-stay migrants' own history).
    district_share : Series
        Share of internal migrants among adults, by district code.
    """
    n = len(resp)
    z = rng.standard_normal
    P = resp[["city", "district", "zone", "sex", "age"]].reset_index(drop=True).copy()
    person = resp["person"].to_numpy()
    mig = person >= 0
    age = P["age"].to_numpy()
    years = np.where(mig, pop_migrants["years"].to_numpy()[np.where(mig, person, 0)], 0)
    raised = ~mig & (rng.random(n) < 0.18)
    arrival_age = np.where(raised, rng.integers(0, 16, n), 0)
    P["birthplace"] = np.where(mig, 2, np.where(raised, np.where(rng.random(n) < 0.85, 2, 3), 1))
    P["years"] = np.where(
        mig, years, np.where(raised, age - np.minimum(arrival_age, age - 1), np.nan)
    )
    P["migrant_background"] = (mig | raised).astype(float)
    P["origin_type"] = np.where(
        mig, pop_migrants["origin_type"].to_numpy()[np.where(mig, person, 0)], 0
    )
    eth = np.zeros(n)
    for city in cal.city_codes:
        e = cal.ethnic_shares(city)
        sel = P["city"].to_numpy() == city
        if sel.any():
            eth[sel] = pick(
                np.tile(e["share"].to_numpy(), (int(sel.sum()), 1)),
                e["ethnicity_code"].to_numpy(),
                rng,
            )
    P["ethnicity"] = eth
    P["native_language"] = np.select(
        [eth == 1, eth == 2, eth == 3, eth == 5],
        [
            np.where(rng.random(n) < 0.3, 2, 1),
            2,
            np.where(rng.random(n) < 0.5, 3, 2),
            np.where(rng.random(n) < 0.5, 4, 2),
        ],
        default=2,
    )
    edu_star = 0.3 - 0.25 * (age > 55) + 0.1 * ~mig + z(n)
    P["education"] = np.searchsorted(np.array([-1.6, -0.7, 0.1, 0.3, 1.65]), edu_star) + 1
    edu_z = (P["education"].to_numpy() - 3.8) / 1.4
    P["ses"] = 0.6 * edu_z + 0.3 + 0.7 * z(n)
    married = rng.random(n) < sigmoid((age - 27) / 4.0) * 0.75
    P["marital"] = np.where(
        married,
        np.where(rng.random(n) < 0.92, 2, 3),
        np.where(age > 35, rng.choice([1, 4, 5], n, p=[0.3, 0.45, 0.25]), 1),
    )
    share = district_share.reindex(P["district"]).to_numpy()
    share_z = (share - 0.38) / 0.11
    contact = 0.55 * share_z + 0.3 * edu_z + 0.6 * P["migrant_background"].to_numpy() + 0.8 * z(n)
    P["contact"] = (contact - contact.mean()) / (contact.std() or 1.0) if n > 1 else contact
    threat = -0.45 * P["contact"].to_numpy() - 0.35 * edu_z + 0.8 * z(n)
    P["threat"] = threat
    P["culturation"] = sigmoid(1.0 + 0.4 * edu_z + 0.5 * z(n))
    P["placement"] = sigmoid(0.6 + 0.8 * P["ses"].to_numpy() + 0.5 * z(n))
    P["identification"] = sigmoid(1.1 + 0.5 * z(n))
    P["city_image"] = sigmoid(0.5 + 0.5 * z(n))
    P["phase"] = 2.0
    P["spouse_here"] = married.astype(float)
    P["children_here"] = (rng.random(n) < np.where((age > 25) & (age < 50), 0.65, 0.15)).astype(
        float
    )
    P["parents_here"] = 1.0
    P["working"] = 1.0
    return P


def _bogardus(distance: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Accepted relationships: every step from the closest accepted one to 6, or 7 alone;
    one response in 30 has a Guttman error (a closer step accepted, a farther one not)."""
    out = np.empty(distance.size, dtype=object)
    for i, s in enumerate(distance.astype(int)):
        if s >= 7:
            out[i] = "7"
            continue
        steps = list(range(s, 7))
        if rng.random() < 1 / 30 and len(steps) > 2:
            steps.remove(steps[1 + int(rng.integers(len(steps) - 1))])
        out[i] = " ".join(map(str, steps))
    return out


def locals_answers(P: pd.DataFrame, cb: Codebook, rng: np.random.Generator) -> Answers:
    """Answers to the perception modules (``cnt``, ``ftm``, ``thr``, ``ste``, ``sdi``,
    ``cns``, ``acc``, ``plc``, ``stg``), the Esser reference items and the identity items."""
    n = len(P)
    c = column(P, "contact")
    t = column(P, "threat")
    sc = sigmoid(0.9 * c)
    st = sigmoid(0.9 * t)
    latent = {
        "cnt_quality": sigmoid(0.5 * c - 0.5 * t + 0.4),
        "thr_real": sigmoid(0.9 * t - 0.1),
        "thr_sym": sigmoid(0.9 * t - 0.2),
        "thr_anx": sigmoid(0.8 * t - 0.6),
        "ste_warmth": sigmoid(-0.7 * t + 0.4),
        "ste_competence": sigmoid(-0.5 * t + 0.3),
        "acc_adopt": sigmoid(0.6 * t + 0.6),
        "acc_keep": sigmoid(-0.6 * t),
        "plc_inclusion": sigmoid(-0.8 * t + 0.2),
        "stg_stigma": sigmoid(0.9 * t - 0.5),
        "ess_cul_practice": column(P, "culturation"),
        "ess_idn_self": column(P, "identification"),
        "ess_idn_pi": column(P, "identification"),
        "ess_idn_pd": column(P, "identification"),
        "img_eval": column(P, "city_image"),
        "img_potency": column(P, "city_image"),
        "img_activity": column(P, "city_image"),
    }
    out = scale_items(cb, latent, rng, noise=0.7)
    working = column(P, "employed", 1) > 0
    out["cnt_friends"] = likert(sc - 0.1, 4, rng, noise=0.6)
    out["cnt_neighbours"] = likert(sc, 4, rng, noise=0.6)
    out["cnt_coworkers"] = np.where(working, likert(sc, 4, rng, noise=0.6), 96.0)
    out["cnt_freq"] = likert(sc + 0.1, 5, rng, noise=0.6)
    out["cnt_neg"] = likert(0.2 + 0.4 * st, 5, rng, noise=0.6)
    for name, shift in (("ftm_village", 0.0), ("ftm_south", -0.05), ("ftm_othercity", 0.1)):
        out[name] = likert(sigmoid(-0.9 * t + 0.4) + shift, 11, rng, noise=1.2, low=0)
    out["ftm_locals"] = likert(np.full(n, 0.78), 11, rng, noise=1.2, low=0)
    distance = np.clip(np.rint(2.4 + 1.3 * t + 0.8 * rng.standard_normal(n)), 1, 7)
    for name, shift in (("sdi_village", 0.0), ("sdi_south", 0.3), ("sdi_othercity", -0.4)):
        out[name] = _bogardus(np.clip(np.rint(distance + shift), 1, 7), rng)
    for name in ("cns_economy", "cns_culture", "cns_place"):
        out[name] = likert(sigmoid(-0.9 * t + 0.3), 11, rng, noise=1.3, low=0)
    out["cns_inflow"] = likert(st, 4, rng, noise=0.6)
    out["stg_label_heard"] = likert(np.full(n, 0.55), 5, rng)
    out["stg_label_use"] = likert(0.15 + 0.4 * st, 5, rng)
    out["stg_treat"] = likert(0.65 - 0.3 * st, 5, rng)
    out["stg_media"] = likert(np.full(n, 0.5), 5, rng)
    rural_past = column(P, "migrant_background") > 0
    out["dem_rural_past"] = np.where(rural_past | (rng.random(n) < 0.15), 1.0, 0.0)
    out["dem_parents_rural"] = pick(
        np.column_stack([0.2 + 0.5 * rural_past, np.full(n, 0.2), 0.6 - 0.5 * rural_past]),
        [1, 2, 3],
        rng,
    )
    return out
