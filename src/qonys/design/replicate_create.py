"""Creating replicate weights from a design (R's ``as.svrepdesign``); see :mod:`.replicates`."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from .._core import DesignError, Where
from .data import SurveyData
from .replicates import ReplicateWeights, hadamard
from .spec import ReplicateSpec
from .structure import SELF_REPRESENTING

__all__ = ["CreateType", "as_replicate"]

CreateType = Literal["auto", "JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap"]


def _first_stage(data: SurveyData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    prep = data.prepared
    st = prep.structure
    if st is None:
        raise DesignError(
            "these data already use replicate weights",
            rule="design.already-replicate",
            hint="Create replicates from a design with strata and clusters.",
        )
    stg = st.stages[0]
    psu_row = stg.cluster[prep.unit]
    return psu_row, stg.cluster_stratum, stg.n_units, stg.popsize


def as_replicate(
    data: SurveyData,
    type: CreateType = "auto",
    *,
    replicates: int = 50,
    rho: float = 0.3,
    seed: int | None = None,
    mse: bool = False,
) -> SurveyData:
    """Replicate weights made from the design's first stage.

    Parameters
    ----------
    data : SurveyData
        A Taylor design (strata, clusters, fpc).
    type : {"auto", "JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap"}
        ``auto`` is JK1 without strata and JKn with them (R's default). See
        :mod:`qonys.design.replicates` for the definitions.
    replicates : int
        Number of bootstrap replicates.
    rho : float
        Fay's coefficient (type ``"Fay"``).
    seed : int, optional
        Seed of the bootstrap (``numpy.random.default_rng``); fixed for reproducible results.
    mse : bool
        Centre the variance on the full-sample estimate.

    Returns
    -------
    SurveyData
        The same data whose variances now come from the replicates. Later-stage fpcs are not
        used (as in R); BRR and Fay ignore the fpc.

    Raises
    ------
    DesignError
        JK1 on a stratified design, BRR on strata without exactly two PSUs, a stratum with one
        PSU under ``lonely_psu="fail"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"st": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "y": [1.0, 3, 2, 6]})
    >>> rd = as_replicate(SurveyData(df, SurveyDesign(strata="st", ids="psu")), "BRR")
    >>> rd.prepared.replicates.factors.shape  # 4 PSUs x 4 half-samples (Hadamard of order 4)
    (4, 4)
    """
    psu_row, psu_strat, n_units, popsize = _first_stage(data)
    n_psu = psu_strat.size
    n_strat = n_units.size
    stratified = n_strat > 1 or bool(data.design.strata)
    kind = type
    if kind == "auto":
        kind = "JKn" if stratified else "JK1"
    frac_fpc = np.ones(n_strat) if popsize is None else (popsize - n_units) / popsize
    policy = data.design.lonely_psu
    if kind == "JK1":
        if n_strat > 1:
            raise DesignError(
                "JK1 is for unstratified designs",
                where=Where(key="type"),
                rule="design.replicate-type",
                hint="Use JKn for stratified designs.",
            )
        f = np.full((n_psu, n_psu), n_psu / (n_psu - 1))
        np.fill_diagonal(f, 0.0)
        scale = float(frac_fpc[0] * (n_psu - 1) / n_psu)
        reps = ReplicateWeights(f, psu_row, "JK1", scale, np.ones(n_psu), mse)
    elif kind == "JKn":
        cols, rscales = [], []
        n_ok = 0
        for h in range(n_strat):
            members = np.flatnonzero(psu_strat == h)
            nh = members.size
            if frac_fpc[h] < SELF_REPRESENTING:
                continue  # exhaustively sampled stratum: no replicate
            if nh == 1:
                if policy == "fail":
                    raise DesignError(
                        f"stratum {h} has only one PSU",
                        rule="design.lonely-psu",
                        hint="Choose lonely_psu knowingly, or collapse strata.",
                    )
                if policy == "adjust":
                    col = np.where(psu_strat == h, 0.0, n_strat / (n_strat - 1))
                    cols.append(col)
                    rscales.append((n_strat - 1) / n_strat)
                continue
            n_ok += 1
            for m in members:
                col = np.ones(n_psu)
                col[members] = nh / (nh - 1)
                col[m] = 0.0
                cols.append(col)
                rscales.append(frac_fpc[h] * (nh - 1) / nh)
        if not cols:
            raise DesignError(
                "every stratum was sampled exhaustively", rule="design.replicate-type"
            )
        scale = 1.0
        if policy == "average":
            scale = n_psu / len(cols)
        reps = ReplicateWeights(
            np.column_stack(cols), psu_row, "JKn", scale, np.array(rscales), mse
        )
    elif kind in ("BRR", "Fay"):
        sizes = np.bincount(psu_strat, minlength=n_strat)
        if (sizes != 2).any():
            raise DesignError(
                "BRR needs exactly two PSUs in every stratum",
                where=Where(variable=data.design.strata[0] if data.design.strata else None),
                rule="design.brr-pairs",
                hint="Pair PSUs into pseudo-strata first, or use JKn or the bootstrap.",
            )
        rho_v = 0.0 if kind == "BRR" else float(rho)
        had = hadamard(n_strat + 1)
        signs = had[1 : n_strat + 1]  # strata x replicates
        f = np.zeros((n_psu, had.shape[1]))
        first = np.full(n_strat, -1)
        for c in range(n_psu):
            h = psu_strat[c]
            is_first = first[h] < 0
            if is_first:
                first[h] = c
            plus = signs[h] > 0 if is_first else signs[h] < 0
            f[c] = np.where(plus, 2 - rho_v, rho_v)
        r = had.shape[1]
        reps = ReplicateWeights(f, psu_row, kind, 1.0 / (r * (1 - rho_v) ** 2), np.ones(r), mse)
    elif kind in ("bootstrap", "subbootstrap"):
        if replicates < 2:
            raise DesignError(
                "need at least 2 replicates",
                where=Where(key="replicates"),
                rule="design.replicate-count",
            )
        rng = np.random.default_rng(seed)
        f = np.zeros((n_psu, replicates))
        for h in range(n_strat):
            members = np.flatnonzero(psu_strat == h)
            nh = members.size
            if kind == "subbootstrap":
                if nh < 2:
                    raise DesignError(
                        "the Rao-Wu bootstrap needs two PSUs per stratum", rule="design.lonely-psu"
                    )
                counts = rng.multinomial(nh - 1, np.full(nh, 1 / nh), size=replicates).T
                f[members] = counts * nh / (nh - 1)
            elif popsize is None:
                f[members] = rng.multinomial(nh, np.full(nh, 1 / nh), size=replicates).T
            else:
                big = round(float(popsize[h]))
                for r in range(replicates):
                    draw = rng.choice(big, size=nh, replace=False) % nh
                    f[members, r] = np.bincount(draw, minlength=nh)
        if kind == "subbootstrap":
            scale = 1.0 / (replicates - 1)
        else:
            nbar = float(1.0 / np.mean(1.0 / np.bincount(psu_strat, minlength=n_strat)))
            scale = nbar / ((nbar - 1) * (replicates - 1))
        reps = ReplicateWeights(f, psu_row, kind, scale, np.ones(replicates), mse)
    else:
        raise DesignError(
            f"unknown replicate type {type!r}",
            where=Where(key="type"),
            rule="design.replicate-type",
        )
    spec = ReplicateSpec(
        columns=(),
        type=reps.type if reps.type != "Fay" else "Fay",  # type: ignore[arg-type]
        rho=rho if kind == "Fay" else None,
        mse=mse,
    )
    design = data.design.update(replicates=spec)
    return dataclasses.replace(
        data, design=design, replicate_weights=reps, calibrations=(), _resolved=None
    )
