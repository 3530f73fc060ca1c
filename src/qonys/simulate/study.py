"""``simulate_study``: the whole synthetic study, from the population to the exports' rows.

Examples
--------
>>> st = simulate_study(n=120, n_locals=80, seed=3, scale=0.02)
>>> len(st.migrants.data), len(st.locals.data), "net_alter" in st.migrants.rosters
(120, 80, True)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, QonysError, SourceInfo, Variable, Where
from ..io import instrument_path, read_codebook
from .answers_common import (
    city_image,
    demographics,
    employment,
    esser_items,
    household,
    housing,
    screening,
)
from .answers_migrants import family, integration_items, migration, tenure
from .answers_motives import motives
from .calibration import Calibration, load_calibration
from .form import fill_form
from .kobo_meta import KZ_OFFSET, main_meta, roster_links
from .latent import migrant_latent
from .locals import locals_answers, locals_latent
from .network import ego_networks, generators
from .params import DesignParameters, ModelParameters
from .population import Population, build_population
from .sample import Sample, draw_sample
from .truth import design_frame, migrant_truth, truth_summary

__all__ = ["SimulatedStudy", "kobo_codebook", "simulate_census", "simulate_study"]

_META_TYPES = {
    "_id": "integer",
    "_uuid": "text",
    "_submission_time": "datetime",
    "_validation_status": "text",
    "_notes": "text",
    "_status": "text",
    "_submitted_by": "text",
    "__version__": "text",
    "_tags": "text",
    "_index": "integer",
}


@dataclasses.dataclass(frozen=True)
class SimulatedStudy:
    """A simulated study: the survey data, its design, and the ground truth kept apart.

    Attributes
    ----------
    migrants, locals : Dataset
        The two forms' data as a KoboToolbox export holds them (main table with Kobo's meta
        columns; the migrants' name-generator roster ``net_alter``).
    design : dict of DataFrame
        Per form, the design columns of each interview keyed by ``_uuid`` (see
        ``docs/simulation.md``).
    fieldwork : dict of DataFrame
        Per form, every person contacted, with the outcome (for nonresponse weighting).
    margins : DataFrame
        Census-style population totals for raking: ``city, variable, level, target``.
    truth : dict
        ``migrants`` (latent classes and scores per interview), ``alters`` (tie type per
        named person), ``locals`` (contact and threat), ``districts`` (the finite population
        by district) and ``summary`` (parameters and population values, for ``truth.json``).
    seed : int
    """

    migrants: Dataset
    locals: Dataset
    design: dict[str, pd.DataFrame]
    fieldwork: dict[str, pd.DataFrame]
    margins: pd.DataFrame
    truth: dict[str, Any]
    seed: int


@functools.lru_cache(maxsize=2)
def _form(name: str) -> Codebook:
    """The shipped form's codebook (read once; pyxform's check is the instrument tests' job)."""
    return read_codebook(instrument_path(name), check=False)


def kobo_codebook(form: Codebook) -> Codebook:
    """The form's codebook with Kobo's meta columns added (as the Kobo reader adds them)."""
    extra = tuple(
        Variable(k, v, source_type="kobo_meta")  # type: ignore[arg-type]
        for k, v in _META_TYPES.items()
    )
    return dataclasses.replace(form, variables=(*form.variables, *extra), id_variable="_uuid")


def _check(n: int, name: str) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise QonysError(
            f"{name} must be a positive whole number, got {n!r}",
            where=Where(key=name),
            rule="parameter.positive-int",
            hint="Give the number of completed interviews, e.g. 3000.",
        )


def _times(
    sample: Sample, design: DesignParameters, minutes: tuple[int, int], rng: np.random.Generator
) -> tuple[np.ndarray, list[dt.datetime], list[dt.datetime]]:
    """Fieldwork order and interview times: one interviewer visits a block on one day."""
    resp = sample.respondents
    first = dt.date.fromisoformat(design.fieldwork_start)
    psus = resp["psu"].unique()
    day = dict(zip(psus, rng.integers(0, design.fieldwork_days, psus.size), strict=True))
    clock = rng.integers(9 * 3600, 20 * 3600, len(resp))
    dur = rng.integers(minutes[0] * 60, minutes[1] * 60, len(resp))
    ms = rng.integers(0, 1000, len(resp))
    starts = [
        dt.datetime.combine(first + dt.timedelta(days=int(day[p])), dt.time(0), KZ_OFFSET)
        + dt.timedelta(seconds=int(c), milliseconds=int(m))
        for p, c, m in zip(resp["psu"], clock, ms, strict=True)
    ]
    order = np.argsort(np.array([s.timestamp() for s in starts]), kind="stable")
    s_sorted = [starts[i] for i in order]
    e_sorted = [s_sorted[k] + dt.timedelta(seconds=int(dur[i])) for k, i in enumerate(order)]
    return order, s_sorted, e_sorted


def _interviewers(resp: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Interviewer codes: one per block, 8-12 interviewers per city (101..., 201..., 301...)."""
    out = np.zeros(len(resp))
    for k, (city, idx) in enumerate(sorted(resp.groupby("city").indices.items())):
        psus = resp["psu"].to_numpy()[idx]
        team = 100 * (k + 1) + np.arange(1, int(rng.integers(8, 13)) + 1)
        assign = {p: team[int(rng.integers(team.size))] for p in np.unique(psus)}
        out[idx] = [assign[p] for p in psus]
        del city
    return out


def _migrants(
    pop: Population,
    sample: Sample,
    cal: Calibration,
    params: ModelParameters,
    design: DesignParameters,
    form: Codebook,
    year: int,
    seed: int,
    rng: np.random.Generator,
) -> tuple[Dataset, pd.DataFrame, dict[str, Any]]:
    order, starts, ends = _times(sample, design, (35, 75), rng)
    resp = sample.respondents.iloc[order].reset_index(drop=True)
    core = pop.migrants.iloc[resp["person"].to_numpy()].reset_index(drop=True)
    lat = migrant_latent(core, cal, params, rng)
    P = family(pd.concat([core, lat], axis=1), rng)
    emp = employment(P, rng, "migrants")
    P["employed"] = (emp["ses_employment"] <= 4).astype(float)
    P["isco"] = emp["ses_isco"]
    net = ego_networks(P, params, rng)
    answers: dict[str, Any] = {}
    answers.update(integration_items(P, form, rng))
    answers.update(generators(P, rng))
    for part in (
        screening(P, year, rng, "migrants"),
        demographics(P, rng),
        emp,
        household(P, rng),
        migration(P, rng, year),
        motives(P, rng),
        housing(P, rng, "migrants", tenure(P, rng)),
        esser_items(P, rng),
        city_image(P, rng),
        net.main,
    ):
        answers.update(part)
    answers["smp_int_id"] = _interviewers(resp, rng)
    answers["smp_psu"] = resp["psu"].to_numpy(dtype=float)
    meta_answers, meta = main_meta(starts, ends, seed * 10 + 1, rng)
    answers.update(meta_answers)
    income = (params.missing_income_dont_know, params.missing_income_refused)
    main = fill_form(
        form,
        answers,
        len(resp),
        rng,
        today=dt.date(year, 10, 1),
        rates={"ses_income": income},
        default_rates=(params.missing_dont_know, params.missing_refused),
    )
    frame = pd.concat([main.frame, meta], axis=1)
    alters = net.alters
    ego = alters["ego"].to_numpy()
    roster = fill_form(
        form,
        {c: alters[c].to_numpy() for c in alters.columns if c.startswith("net_a_")},
        len(alters),
        rng,
        today=dt.date(year, 10, 1),
        roster="net_alter",
        parent=frame,
        parent_rows=ego,
        computed={"net_a_pos": alters["pos"].tolist(), "net_a_nick": alters["net_a_nick"].tolist()},
        rates={k: (0.0, 0.0) for k in ("net_a_works", "net_a_help", "net_a_freq")},
        default_rates=(0.008, 0.0),
    )
    title = form.title.get("default") or next(iter(form.title.values()), "migrants")
    roster_frame = pd.concat([roster.frame, roster_links(meta, ego, title)], axis=1)
    ds = Dataset(
        frame,
        kobo_codebook(form),
        {"net_alter": roster_frame},
        SourceInfo(name="migrants (simulated)", format="simulate"),
    )
    truth = migrant_truth(meta["_uuid"], resp, core, lat)
    alters_truth = pd.DataFrame(
        {
            "_uuid": meta["_uuid"].to_numpy()[ego],
            "_index": roster_frame["_index"],
            "_parent_index": roster_frame["_parent_index"],
            "pos": alters["pos"].to_numpy(),
            "tie_type": alters["tie_type"].to_numpy(),
            "ego_phase": core["phase"].to_numpy()[ego],
        }
    )
    design_cols = design_frame(meta["_uuid"], resp)
    extra = {"alters": alters_truth, "defaulted": main.defaulted + roster.defaulted, "frame": truth}
    return ds, design_cols, extra


def _locals(
    pop: Population,
    sample: Sample,
    cal: Calibration,
    params: ModelParameters,
    design: DesignParameters,
    form: Codebook,
    year: int,
    seed: int,
    rng: np.random.Generator,
) -> tuple[Dataset, pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    order, starts, ends = _times(sample, design, (20, 45), rng)
    resp = sample.respondents.iloc[order].reset_index(drop=True)
    share = (
        pop.blocks.groupby("district")["migrants"].sum()
        / pop.blocks.groupby("district")["adults"].sum()
    )
    P = locals_latent(resp, pop.migrants, share, cal, rng)
    emp = employment(P, rng, "locals")
    P["employed"] = (emp["ses_employment"] <= 4).astype(float)
    own = 0.35 + 0.35 * (P["age"].to_numpy() > 35)
    ten = np.where(
        rng.random(len(P)) < own,
        7.0,
        rng.choice([4.0, 6.0, 3.0, 5.0, 2.0], len(P), p=[0.45, 0.3, 0.15, 0.05, 0.05]),
    )
    answers: dict[str, Any] = {}
    answers.update(locals_answers(P, form, rng))
    for part in (
        screening(P, year, rng, "locals"),
        demographics(P, rng),
        emp,
        household(P, rng),
        housing(P, rng, "locals", ten),
        esser_items(P, rng),
        city_image(P, rng),
    ):
        answers.update({k: v for k, v in part.items() if k not in ("dem_rural_past",)})
    answers["smp_int_id"] = _interviewers(resp, rng)
    answers["smp_psu"] = resp["psu"].to_numpy(dtype=float)
    meta_answers, meta = main_meta(starts, ends, seed * 10 + 2, rng)
    answers.update(meta_answers)
    main = fill_form(
        form,
        answers,
        len(resp),
        rng,
        today=dt.date(year, 10, 1),
        rates={"ses_income": (params.missing_income_dont_know, params.missing_income_refused)},
        default_rates=(params.missing_dont_know, params.missing_refused),
    )
    frame = pd.concat([main.frame, meta], axis=1)
    ds = Dataset(
        frame, kobo_codebook(form), {}, SourceInfo(name="locals (simulated)", format="simulate")
    )
    truth = pd.DataFrame(
        {
            "_uuid": meta["_uuid"],
            "contact": P["contact"],
            "threat": P["threat"],
            "education": P["education"],
            "migrant_background": P["migrant_background"],
            "weight": resp["weight"],
        }
    )
    return ds, design_frame(meta["_uuid"], resp), truth, main.defaulted


def simulate_study(
    n: int = 3000,
    n_locals: int = 1500,
    seed: int = 7,
    *,
    params: ModelParameters | None = None,
    design: DesignParameters | None = None,
    scale: float = 1.0,
) -> SimulatedStudy:
    """Simulate the finite population, draw both samples and fill in both forms.

    Parameters
    ----------
    n, n_locals : int
        Completed interviews with internal migrants and with long-term residents.
    seed : int
        Seed of every random draw: the same seed gives the same study.
    params, design : optional
        Planted parameters (defaults: :class:`ModelParameters`, :class:`DesignParameters`).
    scale : float
        Fraction of the cities' population simulated (1 = all adults; smaller is faster).

    Raises
    ------
    QonysError
        ``n`` or ``n_locals`` not a positive integer (rule ``parameter.positive-int``).
    DesignError
        Too few interviews for two blocks per stratum (rule ``simulate.sample-size``).
    """
    _check(n, "n")
    _check(n_locals, "n_locals")
    params = params or ModelParameters()
    design = design or DesignParameters()
    rng = np.random.default_rng(seed)
    cal = load_calibration()
    pop = build_population(cal, params, design, rng, scale=scale)
    year = dt.date.fromisoformat(design.fieldwork_start).year
    sample_m = draw_sample(pop, design, n, "migrants", rng)
    sample_l = draw_sample(pop, design, n_locals, "locals", rng)
    form_m = _form("migrants")
    form_l = _form("locals")
    mig, design_m, extra = _migrants(pop, sample_m, cal, params, design, form_m, year, seed, rng)
    loc, design_l, truth_l, defaulted_l = _locals(
        pop, sample_l, cal, params, design, form_l, year, seed, rng
    )
    truth = {
        "migrants": extra["frame"],
        "alters": extra["alters"],
        "locals": truth_l,
        "defaulted": {"migrants": extra["defaulted"], "locals": defaulted_l},
    }
    summary, districts, margins = truth_summary(
        pop, params, design, extra["frame"], extra["alters"], truth_l, seed, n, n_locals
    )
    truth["districts"] = districts
    truth["summary"] = summary
    return SimulatedStudy(
        migrants=mig,
        locals=loc,
        design={"migrants": design_m, "locals": design_l},
        fieldwork={"migrants": sample_m.fieldwork, "locals": sample_l.fieldwork},
        margins=margins,
        truth=truth,
        seed=seed,
    )


def simulate_census(
    seed: int = 7,
    *,
    params: ModelParameters | None = None,
    design: DesignParameters | None = None,
    scale: float = 1.0,
) -> tuple[Dataset, pd.DataFrame, pd.DataFrame]:
    """Every internal migrant of the population of ``simulate_study(seed=seed, scale=scale)``
    interviewed with the migrants' form: the instrument's population values.

    The population is built from the same seed, so it is the very population the study's
    sample was drawn from. Each migrant answers as a sampled one would (same structural model,
    same measurement error, no nonresponse), with weight 1, one stratum per district and one
    PSU per block. A statistic of these answers is the finite-population value of what the
    survey estimates with the same instrument, including the instrument's measurement error:
    the reference for estimands defined on observed scores, such as P(complex | structural
    high) of METHODS 2.6 on the observed dimension scores, which the latent scores of
    ``truth["migrants"]`` overstate (attenuation, see ``docs/simulation.md``).

    Returns
    -------
    data : Dataset
        The census answers joined with their design columns (as :func:`analysis_dataset`).
    design_columns : DataFrame
        The design columns by ``_uuid``.
    truth : DataFrame
        Latent classes and scores per migrant, as ``SimulatedStudy.truth["migrants"]``.

    Examples
    --------
    >>> data, _, truth = simulate_census(seed=3, scale=0.002)
    >>> len(data.data) == len(truth), float(data.data["smp_weight"].sum()) == len(truth)
    (True, True)
    """
    from .outputs import analysis_dataset

    params = params or ModelParameters()
    design = design or DesignParameters()
    rng = np.random.default_rng(seed)
    cal = load_calibration()
    pop = build_population(cal, params, design, rng, scale=scale)  # as in simulate_study
    year = dt.date.fromisoformat(design.fieldwork_start).year
    m = pop.migrants.reset_index(drop=True)
    blocks = m.groupby("block")["block"].transform("size").to_numpy()
    per_district = m.groupby("district")["block"].transform("nunique").to_numpy()
    ones = np.ones(len(m))
    resp = pd.DataFrame(
        {
            "person": np.arange(len(m)),
            "block": m["block"].to_numpy(),
            "city": m["city"].to_numpy(),
            "district": m["district"].to_numpy(),
            "zone": m["zone"].to_numpy(),
            "sex": m["sex"].to_numpy(),
            "age": m["age"].to_numpy(),
            "stratum": m["district"].to_numpy(),
            "psu": m["block"].to_numpy(),
            "n_psu_stratum": per_district,
            "pi_psu": ones,
            "eligible_psu": blocks,
            "contacted_psu": blocks,
            "pi": ones,
            "w_base": ones,
            "nr_adj": ones,
            "weight": ones,
            "order": np.arange(len(m)),
        }
    )
    census = Sample(respondents=resp, fieldwork=resp.assign(outcome="complete"))
    draws = np.random.default_rng([seed, 1])
    ds, design_cols, extra = _migrants(
        pop, census, cal, params, design, _form("migrants"), year, seed, draws
    )
    return analysis_dataset(ds, design_cols), design_cols, extra["frame"]
