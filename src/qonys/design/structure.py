"""The resolved structure of a design: integer codes for units, clusters and strata per stage.

:func:`build_structure` turns a table with one row per *finest sampling unit* (the last-stage
cluster; the row itself for element sampling) into a :class:`DesignStructure`: for every
sampling stage the cluster code of each unit, the stratum of each cluster, the number of sampled
clusters in each stratum (:math:`n_h`, counted in the whole sample so that domains keep every
PSU) and the population number :math:`N_h` from the fpc. Nothing here depends on the analysis
variables, so the same structure serves every estimate, in memory or after a grouped reduction
in a database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core import DesignError, Where
from .spec import SurveyDesign

__all__ = ["DesignStructure", "StageInfo", "build_structure", "factorize_columns"]

SELF_REPRESENTING = 1e-7
"""A stratum whose sampling fraction leaves less than this to sample contributes no variance."""


def factorize_columns(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Dense int64 codes of the combinations of ``columns`` (in order of first appearance).

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1, 1, 2, 2], "b": ["x", "y", "x", "x"]})
    >>> factorize_columns(f, ["a", "b"]).tolist()
    [0, 1, 2, 2]
    """
    if len(columns) == 0:
        return np.zeros(len(frame), dtype=np.int64)
    codes = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        col, _ = pd.factorize(frame[c], use_na_sentinel=False)
        codes = codes * (int(col.max(initial=0)) + 1) + col.astype(np.int64)
        codes, _ = pd.factorize(codes)
        codes = codes.astype(np.int64)
    return codes


@dataclasses.dataclass(frozen=True, slots=True)
class StageInfo:
    """One sampling stage.

    Attributes
    ----------
    cluster : ndarray of int64, shape (U,)
        Cluster code (0..C-1) of each finest unit at this stage; unique in the whole sample.
    cluster_stratum : ndarray of int64, shape (C,)
        Stratum code (0..S-1) of each cluster.
    stratum_parent : ndarray of int64, shape (S,)
        Code of the previous stage's cluster each stratum lies in (0 at the first stage).
    n_units : ndarray of float, shape (S,)
        Number of sampled clusters in each stratum (whole sample).
    popsize : ndarray of float, shape (S,), or None
        Population number of clusters in each stratum, ``None`` without an fpc (with
        replacement).
    labels : list of str
        Readable name of each stratum, for messages.
    """

    cluster: np.ndarray
    cluster_stratum: np.ndarray
    stratum_parent: np.ndarray
    n_units: np.ndarray
    popsize: np.ndarray | None
    labels: list[str]

    @property
    def n_clusters(self) -> int:
        return len(self.cluster_stratum)

    @property
    def n_strata(self) -> int:
        return len(self.n_units)

    def fraction(self) -> np.ndarray:
        """Sampling fraction :math:`n_h/N_h` per stratum (0 without an fpc)."""
        if self.popsize is None:
            return np.zeros(self.n_strata)
        return self.n_units / self.popsize

    def fpc_factor(self) -> np.ndarray:
        """:math:`1 - n_h/N_h` per stratum (1 without an fpc)."""
        if self.popsize is None:
            return np.ones(self.n_strata)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (self.popsize - self.n_units) / self.popsize
        return np.where(np.isinf(self.popsize), 1.0, f)


@dataclasses.dataclass(frozen=True, slots=True)
class DesignStructure:
    """Codes and counts of a design over its finest units (see the module docstring).

    Attributes
    ----------
    stages : tuple of StageInfo
        Every sampling stage that contributes to the variance, first stage first.
    n_psu, n_strata : int
        Number of first-stage units and strata in the whole sample.
    unit_weight_from_fpc : ndarray or None
        :math:`\\prod_k N_k/n_k` per finest unit, used when the design names no weights.
    """

    stages: tuple[StageInfo, ...]
    n_psu: int
    n_strata: int
    unit_weight_from_fpc: np.ndarray | None

    @property
    def psu(self) -> np.ndarray:
        """First-stage cluster code of each finest unit."""
        return self.stages[0].cluster

    @property
    def psu_stratum(self) -> np.ndarray:
        """First-stage stratum code of each first-stage cluster."""
        return self.stages[0].cluster_stratum

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata."""
        return self.n_psu - self.n_strata


def _fpc_popsize(
    units: pd.DataFrame, column: str, strat: np.ndarray, n_units: np.ndarray, stage: int
) -> np.ndarray:
    values = pd.to_numeric(units[column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise DesignError(
            f"fpc column {column!r} has missing or non-numeric values",
            where=Where(variable=column),
            rule="design.missing-design-value",
            hint="Every row needs its stratum's population size (or sampling fraction).",
        )
    if (values <= 0).any():
        raise DesignError(
            f"fpc column {column!r} has values <= 0",
            where=Where(variable=column),
            rule="design.fpc-invalid",
            hint="Give population sizes (>= 1) or sampling fractions in (0, 1].",
        )
    s = len(n_units)
    first = np.full(s, np.nan)
    first[strat[::-1]] = values[::-1]
    if not np.array_equal(first[strat], values):
        raise DesignError(
            f"fpc column {column!r} varies within a stratum at stage {stage}",
            where=Where(variable=column),
            rule="design.fpc-varies",
            hint="The fpc is a property of the stratum: use one value per stratum.",
        )
    if (values > 1).any():
        if (values < 1).any():
            raise DesignError(
                f"fpc column {column!r} mixes population sizes (>1) and fractions (<1)",
                where=Where(variable=column),
                rule="design.fpc-invalid",
                hint="Use population sizes throughout, or sampling fractions throughout.",
            )
        pop = first
    else:
        pop = n_units / first
    if (pop < n_units * (1 - 1e-12)).any():
        raise DesignError(
            f"fpc column {column!r} implies sampling more than 100% of a stratum",
            where=Where(variable=column),
            rule="design.fpc-invalid",
            hint="The population size must be at least the number of sampled units.",
        )
    return np.maximum(pop, n_units)


def build_structure(units: pd.DataFrame, design: SurveyDesign) -> DesignStructure:
    """Resolve ``design`` on ``units``, a table with one row per finest sampling unit.

    ``units`` holds the design columns (strata, ids, fpc). For element sampling (no ids) each
    row is a unit.

    Raises
    ------
    DesignError
        Missing design values (``design.missing-design-value``), clusters split across strata
        without ``nest=True`` (``design.psu-not-nested``), an fpc that varies within a stratum or
        implies more than 100% sampling, or a stratum with one unit under ``lonely_psu="fail"``
        (``design.lonely-psu``).
    """
    k_stages = design.n_stages
    for c in (*design.strata, *design.ids):
        if units[c].isna().any():
            raise DesignError(
                f"design column {c!r} has missing values",
                where=Where(variable=c),
                rule="design.missing-design-value",
                hint="Every row needs its stratum and cluster identifiers.",
            )
    ns = len(design.strata)
    u = len(units)
    id_cols = list(design.ids) if design.ids else []
    stages: list[StageInfo] = []
    prev_cluster = np.zeros(u, dtype=np.int64)
    weight_from_fpc = np.ones(u) if design.fpc else None
    n_var_stages = 1 + max(0, min(len(design.fpc), k_stages) - 1)
    for k in range(1, k_stages + 1):
        strat_col = design.strata[min(k, ns) - 1] if ns else None
        # clusters of stage k: nested in the previous stage's clusters (always) and in the
        # strata when nest=True
        if id_cols:
            cl_cols = id_cols[:k]
            if design.nest and ns:
                cl_cols = list(dict.fromkeys([*design.strata[: min(k, ns)], *cl_cols]))
            cluster = factorize_columns(units, cl_cols)
        else:
            cluster = np.arange(u, dtype=np.int64)
        # strata of stage k: the stratum column (first stage) or stratum x previous cluster
        if k == 1:
            strat = (
                factorize_columns(units, [strat_col]) if strat_col else np.zeros(u, dtype=np.int64)
            )
        else:
            base = factorize_columns(units, [strat_col]) if strat_col else np.zeros(u, np.int64)
            strat = pd.factorize(prev_cluster * (int(base.max(initial=0)) + 1) + base)[0]
            strat = strat.astype(np.int64)
        n_cl = int(cluster.max(initial=-1)) + 1
        cl_strat = np.full(n_cl, -1, dtype=np.int64)
        cl_strat[cluster] = strat
        # a cluster id met in two strata
        if (
            k == 1
            and not design.nest
            and strat_col
            and id_cols
            and not np.array_equal(cl_strat[cluster], strat)
        ):
            raise DesignError(
                f"clusters {id_cols[0]!r} are not nested in strata {strat_col!r}: "
                "one cluster identifier appears in more than one stratum",
                where=Where(variable=id_cols[0]),
                rule="design.psu-not-nested",
                hint="If cluster ids restart in every stratum, use nest=True.",
            )
        n_st = int(strat.max(initial=-1)) + 1
        n_units_s = np.bincount(cl_strat, minlength=n_st).astype(float)
        st_parent = np.zeros(n_st, dtype=np.int64)
        st_parent[strat] = prev_cluster
        # labels for messages
        if strat_col:
            lab = pd.Series(units[strat_col].to_numpy()).astype(str).to_numpy()
        else:
            lab = np.array(["(all)"] * u, dtype=object)
        labels = [""] * n_st
        for s_code, text in zip(strat[::-1], lab[::-1], strict=True):
            labels[int(s_code)] = str(text)
        popsize = None
        if k <= len(design.fpc):
            popsize = _fpc_popsize(units, design.fpc[k - 1], strat, n_units_s, k)
            if weight_from_fpc is not None:
                weight_from_fpc = weight_from_fpc * (popsize / n_units_s)[strat]
        info = StageInfo(
            cluster=cluster,
            cluster_stratum=cl_strat,
            stratum_parent=st_parent,
            n_units=n_units_s,
            popsize=popsize,
            labels=labels,
        )
        if k <= n_var_stages:
            _check_lonely(info, design, k, strat_col)
            stages.append(info)
        prev_cluster = cluster
    first = stages[0]
    return DesignStructure(
        stages=tuple(stages),
        n_psu=first.n_clusters,
        n_strata=first.n_strata,
        unit_weight_from_fpc=weight_from_fpc,
    )


def _check_lonely(info: StageInfo, design: SurveyDesign, stage: int, strat_col: str | None) -> None:
    if design.lonely_psu != "fail":
        return
    lonely = (info.n_units == 1) & (info.fpc_factor() >= SELF_REPRESENTING)
    if lonely.any():
        s = int(np.flatnonzero(lonely)[0])
        where = Where(variable=strat_col or (design.ids[0] if design.ids else None))
        raise DesignError(
            f"stratum {info.labels[s]!r} has only one sampling unit at stage {stage} "
            f"({int(lonely.sum())} such strata); its variance cannot be estimated",
            where=where,
            rule="design.lonely-psu",
            hint="Collapse it with a similar stratum, or choose lonely_psu='adjust', "
            "'average', 'remove' or 'certainty' knowingly.",
        )
