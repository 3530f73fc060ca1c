"""The survey design as a frozen description: column names and policies, never data.

A :class:`SurveyDesign` says which columns hold the weights, strata, clusters of each sampling
stage, finite population corrections and replicate weights, and which policy handles strata with a
single primary sampling unit. It holds no data: :class:`~qonys.design.data.SurveyData` binds a
design to a data frame. Changing a design returns a new one (:meth:`SurveyDesign.update`).

The vocabulary follows R's ``survey::svydesign`` and Stata's ``svyset``:

========================  ====================================  ==============================
qonys                     R ``survey``                          Stata
========================  ====================================  ==============================
``weights="pw"``          ``weights=~pw``                       ``[pw=pw]``
``strata="st"``           ``strata=~st``                        ``strata(st)``
``ids=("dnum", "snum")``  ``id=~dnum+snum``                     ``dnum || snum``
``fpc=("f1", "f2")``      ``fpc=~f1+f2``                        ``fpc(f1) || ..., fpc(f2)``
``nest=True``             ``nest=TRUE``                         (always nested)
``lonely_psu="adjust"``   ``options(survey.lonely.psu=)``       ``singleunit()``
========================  ====================================  ==============================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal, get_args

from .._core import DesignError, LonelyPSUPolicy, NaWeightsPolicy, Where, check_policy

__all__ = ["REPLICATE_TYPES", "ReplicateSpec", "ReplicateType", "SurveyDesign"]

ReplicateType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "other"]
"""Replicate-weight methods (R's ``svrepdesign(type=)``; ``subbootstrap`` is Rao and Wu's
rescaled bootstrap with :math:`n_h - 1` draws per stratum)."""

REPLICATE_TYPES: tuple[str, ...] = get_args(ReplicateType)


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    out = tuple(value)
    for v in out:
        if not isinstance(v, str) or not v:
            raise DesignError(
                f"{what} must be column names; got {v!r}",
                where=Where(key=what),
                rule="design.column-name",
            )
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class ReplicateSpec:
    """Replicate weights supplied as columns of the data.

    Parameters
    ----------
    columns : tuple of str
        Replicate weight columns, one per replicate.
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "other"}
        How the replicates were made; sets the default ``scale``.
    scale : float, optional
        Overall multiplier :math:`c` of the variance. Defaults: BRR :math:`1/R`; Fay
        :math:`1/(R(1-\\rho)^2)`; bootstrap and subbootstrap :math:`1/(R-1)`; JK1 :math:`(R-1)/R`;
        JKn and other 1.
    rscales : tuple of float, optional
        Per-replicate multipliers :math:`c_r` (JKn: :math:`(n_h-1)/n_h` of the replicate's
        stratum). Default all 1.
    rho : float, optional
        Fay's :math:`\\rho` (type ``"Fay"``).
    mse : bool
        Centre the replicates on the full-sample estimate (``True``) instead of their mean
        (``False``, R's default ``survey.replicates.mse=FALSE``).
    combined : bool
        ``True`` (default) when the columns are analysis weights (sampling weight times
        replicate factor, R's ``combined.weights=TRUE``); ``False`` when they are the factors.
    df : int, optional
        Degrees of freedom; by default the rank of the replicate weights minus one, as R.

    Notes
    -----
    .. math::

        \\hat V(\\hat\\theta) = c \\sum_{r=1}^{R} c_r (\\hat\\theta_r - \\bar\\theta)^2

    with :math:`\\bar\\theta` the mean of the replicates (or :math:`\\hat\\theta` when ``mse``).
    """

    columns: tuple[str, ...] = ()
    type: ReplicateType = "other"
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    rho: float | None = None
    mse: bool = False
    combined: bool = True
    df: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", _names(self.columns, "replicates"))
        if self.type not in REPLICATE_TYPES:
            raise DesignError(
                f"unknown replicate type {self.type!r}",
                where=Where(key="replicate_type"),
                rule="design.replicate-type",
                hint=f"Use one of {', '.join(REPLICATE_TYPES)}.",
            )
        if self.type == "Fay" and self.rho is None:
            raise DesignError(
                "Fay replicate weights need the rho they were made with",
                where=Where(key="rho"),
                rule="design.replicate-rho",
                hint="Pass rho=0.3 (or the value used by the data producer).",
            )
        if self.rscales is not None:
            object.__setattr__(self, "rscales", tuple(float(x) for x in self.rscales))

    def default_scale(self, n_rep: int) -> float:
        """The variance multiplier :math:`c` for ``n_rep`` replicates (see the class notes)."""
        if self.scale is not None:
            return float(self.scale)
        if self.type == "BRR":
            return 1.0 / n_rep
        if self.type == "Fay":
            rho = float(self.rho or 0.0)
            return 1.0 / (n_rep * (1.0 - rho) ** 2)
        if self.type in ("bootstrap", "subbootstrap"):
            return 1.0 / (n_rep - 1)
        if self.type == "JK1":
            return (n_rep - 1) / n_rep
        return 1.0


@dataclasses.dataclass(frozen=True, slots=True)
class SurveyDesign:
    """A survey design: which columns hold the design information, and the policies.

    Parameters
    ----------
    weights : str, optional
        Sampling weights (inverse inclusion probabilities). When absent they are computed from
        the ``fpc`` columns as R does (:math:`\\prod_k N_k/n_k`), else every weight is 1.
    strata : str or sequence of str, optional
        Stratum column of the first stage, or one per stage.
    ids : sequence of str, optional
        Cluster identifiers, one per sampling stage (PSU first). Empty means every row is its own
        unit (element sampling), R's ``id=~1``.
    fpc : sequence of str, optional
        Finite population correction per stage: the population number of units in the stratum
        (values >= 1) or the sampling fraction (values <= 1). Stages after the last fpc column
        are taken as completely sampled; without any fpc the first stage is taken as sampled
        with replacement (the usual "ultimate cluster" variance).
    nest : bool
        Cluster identifiers are only unique within strata (R's ``nest=TRUE``).
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        What to do with a stratum holding a single unit at a stage that contributes variance.
    replicates : ReplicateSpec, optional
        Replicate weight columns; when given, variances come from the replicates.
    na_weights : {"fail", "drop"}
        Missing weights: fail (default) or leave the rows out of every estimate (reported).

    Examples
    --------
    >>> d = SurveyDesign(weights="pw", strata="stype", fpc="fpc")
    >>> d.update(lonely_psu="adjust").lonely_psu
    'adjust'
    >>> SurveyDesign(ids=("dnum", "snum"), fpc=("fpc1", "fpc2")).n_stages
    2
    """

    weights: str | None = None
    strata: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    fpc: tuple[str, ...] = ()
    nest: bool = False
    lonely_psu: LonelyPSUPolicy = "fail"
    replicates: ReplicateSpec | None = None
    na_weights: NaWeightsPolicy = "fail"

    def __post_init__(self) -> None:
        if self.weights is not None and not isinstance(self.weights, str):
            raise DesignError(
                f"weights must be one column name; got {self.weights!r}",
                where=Where(key="weights"),
                rule="design.column-name",
            )
        object.__setattr__(self, "strata", _names(self.strata, "strata"))
        object.__setattr__(self, "ids", _names(self.ids, "ids"))
        object.__setattr__(self, "fpc", _names(self.fpc, "fpc"))
        check_policy(self.lonely_psu, LonelyPSUPolicy, "lonely_psu")
        check_policy(self.na_weights, NaWeightsPolicy, "na_weights")
        n = max(len(self.ids), 1)
        if len(self.fpc) > n:
            raise DesignError(
                f"{len(self.fpc)} fpc columns for {n} sampling stage(s)",
                where=Where(key="fpc"),
                rule="design.fpc-stages",
                hint="Give at most one fpc column per stage of ids.",
            )
        if len(self.strata) > n:
            raise DesignError(
                f"{len(self.strata)} strata columns for {n} sampling stage(s)",
                where=Where(key="strata"),
                rule="design.strata-stages",
                hint="Give at most one strata column per stage of ids.",
            )

    @property
    def n_stages(self) -> int:
        """Number of sampling stages (at least 1)."""
        return max(len(self.ids), 1)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every data column the design refers to, without repetition."""
        cols: list[str] = []
        for c in (
            ([self.weights] if self.weights else [])
            + list(self.strata)
            + list(self.ids)
            + list(self.fpc)
            + list(self.replicates.columns if self.replicates else ())
        ):
            if c not in cols:
                cols.append(c)
        return tuple(cols)

    def update(self, **changes: Any) -> SurveyDesign:
        """Return a copy with some fields changed (the design itself never changes)."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """One line for result metadata, e.g. ``"strata=stype; ids=dnum; fpc=fpc; weights=pw"``."""
        parts = []
        if self.strata:
            parts.append("strata=" + "+".join(self.strata))
        parts.append("ids=" + ("+".join(self.ids) if self.ids else "1"))
        if self.fpc:
            parts.append("fpc=" + "+".join(self.fpc))
        parts.append(f"weights={self.weights or '(from fpc or equal)'}")
        if self.nest:
            parts.append("nest")
        if self.replicates is not None:
            parts.append(f"replicates={self.replicates.type}x{len(self.replicates.columns)}")
        if self.lonely_psu != "fail":
            parts.append(f"lonely_psu={self.lonely_psu}")
        return "; ".join(parts)
