"""Latent variables of the sampled migrants, behind their answers (the structural model).

Starting from the core drawn for the whole population (zone, origin type, strategy, phase,
years since arrival, sex, age), each respondent gets:

* background: region of origin (a big city exactly when the origin type is 4), ethnicity,
  native language, education (higher for the integration strategy and urban origins),
  marital status, and a socio-economic score ``ses`` (education, urban origin, time in the
  city, strategy);
* Esser's four dimension scores on [0, 1] (``culturation``, ``placement``, ``interaction``,
  ``identification``): placement follows socio-economic position, the other three follow the
  strategy and the phase, so that high structural integration does not imply complex
  integration (METHODS 2.6);
* identity on two axes (rural and urban, small-town and big-city, on the 1-5 item scale)
  and the Berry-type classes they imply (split at the midpoint 3);
* language abilities (Kazakh, Russian), experience of discrimination, goal-directed
  orientation, social capital, motive factors tied to socio-economic position.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from qonys.simulate.calibration import load_calibration
>>> core = pd.DataFrame({"city": [71, 79], "zone": ["centre", "periphery"], "sex": [1, 2],
...     "age": [30, 25], "years": [10, 2], "origin_type": [3, 1], "strategy": [1, 0],
...     "phase": [2, 0]})
>>> lat = migrant_latent(core, load_calibration(), ModelParameters(),
...                      np.random.default_rng(0))
>>> set(lat["identity_rural_urban"]) <= {"bicultural", "urbanised", "rural", "diffuse"}
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .calibration import Calibration
from .items import pick, sigmoid
from .params import ModelParameters

__all__ = ["BERRY", "berry", "migrant_latent"]

BERRY: tuple[str, ...] = ("bicultural", "urbanised", "rural", "diffuse")
"""Classes of an identity grid: both high, destination only, origin only, neither."""

_BIG = np.array([71, 75, 79])


def berry(origin: ArrayLike, destination: ArrayLike, cut: float = 3.0) -> np.ndarray:
    """Berry-type class of each respondent from two orientation scores (high = >= ``cut``).

    Examples
    --------
    >>> berry(np.array([4.0, 2.0, 4.0, 2.0]), np.array([4.0, 4.0, 2.0, 2.0])).tolist()
    ['bicultural', 'urbanised', 'rural', 'diffuse']
    """
    o = np.asarray(origin) >= cut
    d = np.asarray(destination) >= cut
    return np.select([o & d, ~o & d, o & ~d], list(BERRY[:3]), default=BERRY[3])


def _regions(core: pd.DataFrame, cal: Calibration, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(len(core))
    for city in cal.city_codes:
        o = cal.origin_shares(city)
        codes = o["region_code"].to_numpy()
        shares = o["share"].to_numpy()
        for big in (True, False):
            sel = (core["city"].to_numpy() == city) & ((core["origin_type"].to_numpy() == 4) == big)
            keep = np.isin(codes, _BIG) == big
            keep &= codes != city
            if not sel.any():
                continue
            out[sel] = pick(np.tile(shares * keep, (int(sel.sum()), 1)), codes, rng)
    return out


def _ethnicity(core: pd.DataFrame, cal: Calibration, rng: np.random.Generator) -> np.ndarray:
    """Ethnic group: the city's composition tilted towards Kazakhs (rural-to-urban movers)."""
    out = np.zeros(len(core))
    for city in cal.city_codes:
        e = cal.ethnic_shares(city)
        codes = e["ethnicity_code"].to_numpy()
        p = e["share"].to_numpy() * np.where(codes == 1, 4.0, 1.0)
        sel = core["city"].to_numpy() == city
        if sel.any():
            out[sel] = pick(np.tile(p, (int(sel.sum()), 1)), codes, rng)
    return out


def migrant_latent(
    core: pd.DataFrame, cal: Calibration, params: ModelParameters, rng: np.random.Generator
) -> pd.DataFrame:
    """Latent variables of each sampled migrant (see the module docstring).

    Parameters
    ----------
    core : DataFrame
        Columns ``city``, ``zone``, ``sex``, ``age``, ``years``, ``origin_type``,
        ``strategy`` (0/1), ``phase`` (0 circular, 1 settled, 2 integrated).
    """
    n = len(core)
    z = rng.standard_normal
    o = core["origin_type"].to_numpy()
    s = core["strategy"].to_numpy().astype(float)
    ph = core["phase"].to_numpy()
    yrs = core["years"].to_numpy().astype(float)
    age = core["age"].to_numpy()
    circ, integ = (ph == 0).astype(float), (ph == 2).astype(float)
    urban = (o >= 3).astype(float)
    lat = pd.DataFrame(index=core.index)
    lat["region"] = _regions(core, cal, rng)
    lat["ethnicity"] = _ethnicity(core, cal, rng)
    eth = lat["ethnicity"].to_numpy()
    native = np.select(
        [eth == 1, eth == 2, eth == 3, eth == 5],
        [np.where(rng.random(n) < 0.08 + 0.12 * urban, 2, 1), 2, 3, 4],
        default=np.where(rng.random(n) < 0.7, 2, 97),
    )
    lat["native_language"] = native
    edu_star = 0.55 * s + 0.35 * (o - 2) - 0.25 * (age > 50) + z(n)
    cuts = np.array([-1.57, -0.63, 0.24, 0.46, 1.77])  # about 5/17/30/8/33/7 % of levels 1-6
    lat["education"] = np.searchsorted(cuts, edu_star) + 1
    edu_z = (lat["education"].to_numpy() - 3.6) / 1.4
    lat["ses"] = 0.55 * edu_z + 0.25 * urban + 0.03 * np.minimum(yrs, 15) + 0.3 * s + 0.75 * z(n)
    ses = lat["ses"].to_numpy()
    married_p = sigmoid((age - 27) / 4.0) * 0.8
    lat["marital"] = np.where(
        rng.random(n) < married_p,
        np.where(rng.random(n) < 0.9, 2, 3),
        np.where(age > 35, pick(np.tile([0.35, 0.45, 0.2], (n, 1)), [1, 4, 5], rng), 1),
    )
    # Esser's four dimensions on [0, 1]
    settled_up = (ph >= 1).astype(float)
    lat["placement"] = sigmoid(0.9 * ses + 0.6 * settled_up + 0.5 * integ - 0.2 + 0.45 * z(n))
    lat["culturation"] = sigmoid(
        0.8 * s + 1.2 * integ + 0.25 * edu_z + 0.03 * yrs - 0.35 - 0.3 * circ + 0.45 * z(n)
    )
    lat["interaction"] = sigmoid(0.8 * s + 1.3 * integ - 0.4 * circ - 0.15 + 0.45 * z(n))
    lat["identification"] = sigmoid(0.7 * s + 1.4 * integ - 0.6 * circ - 0.05 + 0.45 * z(n))
    dims = lat[["culturation", "placement", "interaction", "identification"]].to_numpy()
    high = dims >= params.tau
    lat["complex"] = np.asarray(high.all(axis=1))
    lat["structural_only"] = np.asarray(high[:, 1] & ~high[:, [0, 2, 3]].all(axis=1))
    # identity grids on the 1-5 item scale
    rural = (
        3.0
        + 0.9 * (o == 1)
        + 0.4 * (o == 2)
        - 0.5 * urban
        + 0.4 * circ
        - 0.4 * integ
        - 0.02 * yrs
        + 0.6 * z(n)
    )
    urb = 2.4 + 0.7 * s + 0.9 * integ + 0.3 * urban + 0.03 * np.minimum(yrs, 20) + 0.6 * z(n)
    town = 2.8 + 0.7 * (o == 2) + 0.3 * (o == 1) - 0.4 * urban - 0.2 * integ + 0.6 * z(n)
    city = 2.5 + 0.6 * s + 0.7 * integ + 0.6 * (o == 4) + 0.02 * yrs + 0.6 * z(n)
    for name, v in (("rural", rural), ("urban", urb), ("smalltown", town), ("bigcity", city)):
        lat[f"idn_{name}"] = np.clip(v, 1.0, 5.0)
    lat["identity_rural_urban"] = berry(lat["idn_rural"], lat["idn_urban"])
    lat["identity_town_city"] = berry(lat["idn_smalltown"], lat["idn_bigcity"])
    # languages, discrimination, orientation, social capital, motives
    kk_native = (native == 1).astype(float)
    lat["lang_kk"] = sigmoid(2.2 * kk_native - 0.6 + 0.4 * s + 0.5 * z(n))
    lat["lang_ru"] = sigmoid(
        0.9 * urban + 0.5 * edu_z + 0.6 * s + 0.8 * (native == 2) + 0.4 + 0.5 * z(n)
    )
    lat["discrimination"] = sigmoid(
        0.5 * (o == 1) + 0.6 * circ - 0.8 * lat["interaction"] - 0.9 + 0.6 * z(n)
    )
    lat["orientation"] = sigmoid(1.4 * s - 0.7 + 0.4 * integ + 0.5 * z(n))
    lat["social_capital"] = 0.5 * ses + 0.5 * s + 0.4 * integ - 0.3 * circ + 0.6 * z(n)
    lat["city_image"] = sigmoid(0.3 + 0.8 * lat["identification"] - 0.4 + 0.6 * z(n))
    lat["motive_economic"] = -0.8 * ses + 0.3 * (o == 1) + 0.7 * z(n)
    lat["motive_career"] = 0.8 * ses + 0.4 * (lat["education"] >= 5) + 0.3 * s - 0.3 + 0.7 * z(n)
    lat["motive_family"] = 0.4 * (core["sex"].to_numpy() == 2) + 0.8 * z(n)
    lat["motive_amenities"] = 0.3 * ses + 0.3 * (o <= 2) + 0.8 * z(n)
    lat["motive_environment"] = 0.5 * (o == 1) - 0.4 + 0.8 * z(n)
    return lat
