"""Survey data bound to its design: the one object every design-based estimator takes.

:class:`SurveyData` pairs a data frame with a :class:`~qonys.design.spec.SurveyDesign` (and an
optional :class:`~qonys._core.Codebook`). Subpopulations are taken with :meth:`SurveyData.subset`,
which keeps every row, PSU and stratum and only marks who belongs to the domain, so standard
errors stay right (R's ``subset.survey.design``; Stata's ``subpop()``). Estimators never filter
the frame before estimating a variance.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, DesignError, Where, suggest
from .calibration import Calibration
from .replicates import ReplicateWeights, compress_replicates
from .spec import SurveyDesign
from .structure import DesignStructure, build_structure, factorize_columns

__all__ = ["Prepared", "SurveyData"]


@dataclasses.dataclass(frozen=True, eq=False)
class Prepared:
    """Arrays resolved once per :class:`SurveyData` (internal to the estimators).

    Attributes
    ----------
    weights : ndarray (n,)
        Final weights; 0 for rows left out by ``na_weights="drop"``.
    unit : ndarray of int64 (n,)
        Finest sampling unit of each row (Taylor) or replicate unit (replicate designs).
    structure : DesignStructure or None
        Stages, strata and counts for Taylor linearisation (``None`` for replicate designs).
    replicates : ReplicateWeights or None
    in_domain : ndarray of bool (n,)
        Rows of the current subpopulation with a positive weight.
    n_dropped : int
        Rows left out because of missing weights.
    """

    weights: np.ndarray
    unit: np.ndarray
    structure: DesignStructure | None
    replicates: ReplicateWeights | None
    in_domain: np.ndarray
    n_dropped: int
    notes: tuple[str, ...]

    @property
    def n_units(self) -> int:
        if self.replicates is not None:
            return int(self.replicates.factors.shape[0])
        if self.structure is None:  # pragma: no cover - one of the two is always set
            raise DesignError("design has neither structure nor replicates", rule="design.internal")
        return len(self.structure.psu)


@dataclasses.dataclass(frozen=True, eq=False)
class SurveyData:
    """A data frame bound to its survey design.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    design : SurveyDesign
        Which columns carry the design.
    codebook : Codebook, optional
        Variable metadata (labels are used only for display).
    where : ndarray of bool, optional
        The current subpopulation (set by :meth:`subset`; ``None`` means everyone).
    replicate_weights : ReplicateWeights, optional
        Replicate weights made by :func:`~qonys.design.as_replicate` or by re-weighting; they
        take precedence over replicate columns named in the design.
    calibrations : tuple of Calibration
        Calibration steps applied to the weights (for calibration-aware variances).

    Raises
    ------
    DesignError
        A design column that is not in the data (``design.unknown-column``), missing or
        negative weights (``design.missing-weight``, ``design.negative-weight``), and the
        structural problems listed in :func:`~qonys.design.structure.build_structure`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"st": [1, 1, 2, 2], "w": [10.0, 10, 20, 20], "y": [1.0, 2, 3, 4]})
    >>> sd = SurveyData(df, SurveyDesign(weights="w", strata="st"))
    >>> sd.n, sd.sum_weights
    (4, 60.0)
    >>> sd.subset(df["y"] > 1).n_in_domain
    3
    """

    data: pd.DataFrame
    design: SurveyDesign
    codebook: Codebook | None = None
    where: np.ndarray | None = None
    replicate_weights: ReplicateWeights | None = None
    calibrations: tuple[Calibration, ...] = ()
    _resolved: Prepared | None = dataclasses.field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"SurveyData(n={self.n}, design={self.describe()!r})"

    def __post_init__(self) -> None:
        if not isinstance(self.data, pd.DataFrame):
            raise DesignError(
                "SurveyData needs a pandas DataFrame; for large data use "
                "qonys.estimate with a DuckDB, Polars, Dask or Spark frame directly",
                rule="design.data-type",
            )
        if not isinstance(self.design, SurveyDesign):
            raise DesignError("design must be a SurveyDesign", rule="design.type")
        for c in self.design.columns:
            if c not in self.data.columns:
                raise DesignError(
                    f"design column {c!r} is not in the data",
                    where=Where(variable=c),
                    rule="design.unknown-column",
                    hint=suggest(c, map(str, self.data.columns)),
                )
        if self.where is not None:
            mask = np.asarray(self.where, dtype=bool)
            if mask.shape != (len(self.data),):
                raise DesignError(
                    "the subpopulation mask must have one value per row",
                    rule="design.subset-length",
                )
            object.__setattr__(self, "where", mask)
        self.prepared  # noqa: B018 - validate now: fail fast on a bad design

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dataset(cls, dataset: Dataset, design: SurveyDesign) -> SurveyData:
        """Bind a :class:`~qonys._core.Dataset` (as read by :mod:`qonys.io`) to a design.

        User-missing codes declared in the codebook become missing values, so estimators treat
        them according to their ``missing`` policy instead of as numbers.
        """
        frame = dataset.data.copy()
        cb = dataset.codebook
        for var in cb:
            if var.name in frame.columns and (var.missing or cb.choices_of(var.name)):
                col = frame[var.name]
                # each distinct value is looked up once (a column holds few distinct codes)
                codes = [
                    x for x in pd.unique(col.dropna()) if cb.missing_kind(var.name, x) is not None
                ]
                if not codes:
                    continue
                miss = col.isin(codes).to_numpy()
                if miss.any():
                    frame.loc[miss, var.name] = np.nan
        return cls(frame, design, codebook=cb)

    def update(self, **changes: Any) -> SurveyData:
        """Copy with fields changed (``data``, ``design``, ``where``...)."""
        return dataclasses.replace(self, _resolved=None, **changes)

    def with_design(self, **changes: Any) -> SurveyData:
        """Copy whose design has some fields changed (``sd.with_design(lonely_psu="adjust")``)."""
        return dataclasses.replace(self, design=self.design.update(**changes), _resolved=None)

    # ------------------------------------------------------------------ domains
    def subset(self, where: Any) -> SurveyData:
        """Restrict estimates to a subpopulation, keeping the whole design for the variance.

        Parameters
        ----------
        where : array of bool, pandas Series, or str
            A mask with one value per row, or a :meth:`pandas.DataFrame.eval` expression
            (``"stype == 'E'"``). Missing values count as outside.
        """
        if isinstance(where, str):
            try:
                mask = self.data.eval(where)
            except Exception as ex:  # pandas raises many types for bad expressions
                raise DesignError(
                    f"cannot evaluate the subset expression {where!r}: {ex}",
                    where=Where(key="where"),
                    rule="design.subset-expression",
                ) from None
        else:
            mask = where
        arr = pd.Series(np.asarray(mask)).fillna(False).to_numpy(dtype=bool)
        if arr.shape != (len(self.data),):
            raise DesignError(
                f"the subset mask has {arr.size} values for {len(self.data)} rows",
                where=Where(key="where"),
                rule="design.subset-length",
            )
        if self.where is not None:
            arr = arr & self.where
        # the design is unchanged: reuse its resolved structure, only the domain changes
        return dataclasses.replace(self, where=arr, _resolved=self.prepared)

    # ------------------------------------------------------------------ accessors
    @property
    def n(self) -> int:
        """Number of rows (the whole sample)."""
        return len(self.data)

    @property
    def n_in_domain(self) -> int:
        """Rows in the current subpopulation with a positive weight."""
        return int(self.prepared.in_domain.sum())

    @property
    def weights(self) -> np.ndarray:
        """Final sampling weights of every row (0 for rows dropped for a missing weight)."""
        return self.prepared.weights

    @property
    def sum_weights(self) -> float:
        """Sum of the weights over the whole sample."""
        return float(self.prepared.weights.sum())

    @property
    def is_replicate(self) -> bool:
        """Whether variances come from replicate weights."""
        return self.prepared.replicates is not None

    @property
    def degf(self) -> int:
        """Design degrees of freedom (PSUs minus strata; replicate rank minus one)."""
        p = self.prepared
        if p.replicates is not None:
            return p.replicates.degf()
        if p.structure is None:  # pragma: no cover - one of the two is always set
            raise DesignError("design has neither structure nor replicates", rule="design.internal")
        return p.structure.degf

    def describe(self) -> str:
        """One-line description for result metadata."""
        text = self.design.describe()
        if self.replicate_weights is not None:
            text += f"; {self.replicate_weights.type} x{self.replicate_weights.n_replicates}"
        if self.calibrations:
            text += "; calibrated (" + ", ".join(c.method for c in self.calibrations) + ")"
        if self.where is not None:
            text += f"; subpopulation of {int(self.where.sum())} rows"
        return text

    def column(self, name: str) -> pd.Series:
        """A data column, or a :class:`DesignError` naming it and close matches."""
        if name not in self.data.columns:
            raise DesignError(
                f"variable {name!r} is not in the data",
                where=Where(variable=name),
                rule="design.unknown-column",
                hint=suggest(name, map(str, self.data.columns)),
            )
        return self.data[name]

    # ------------------------------------------------------------------ resolution
    @functools.cached_property
    def prepared(self) -> Prepared:
        """Resolved arrays (weights, unit codes, structure, replicates); computed once."""
        base = self._resolved
        if base is not None:
            in_dom = base.weights > 0
            if self.where is not None:
                in_dom = in_dom & self.where
            return dataclasses.replace(base, in_domain=in_dom)
        d = self.design
        notes: list[str] = []
        weights, n_dropped = self._resolve_weights(notes)
        reps = self.replicate_weights
        if reps is None and d.replicates is not None and d.replicates.columns:
            reps = self._resolve_replicate_columns(weights)
        structure: DesignStructure | None = None
        if reps is None:
            if d.ids:
                unit = factorize_columns(self.data, [*d.strata, *d.ids, *d.fpc])
                first = np.zeros(int(unit.max(initial=-1)) + 1, dtype=np.int64)
                first[unit[::-1]] = np.arange(len(unit))[::-1]
                units = self.data.iloc[first]
            else:
                unit = np.arange(len(self.data), dtype=np.int64)
                units = self.data
            structure = build_structure(units.reset_index(drop=True), d)
            if d.weights is None:
                if structure.unit_weight_from_fpc is not None:
                    weights = structure.unit_weight_from_fpc[unit]
                    notes.append("weights computed from the fpc columns (product of N/n)")
                else:
                    notes.append("no weights given: every row has weight 1")
        else:
            unit = reps.index
        in_domain = weights > 0
        if self.where is not None:
            in_domain = in_domain & self.where
        if n_dropped:
            notes.append(f"{n_dropped} rows left out: missing weight")
        return Prepared(
            weights=weights,
            unit=unit,
            structure=structure,
            replicates=reps,
            in_domain=in_domain,
            n_dropped=n_dropped,
            notes=tuple(notes),
        )

    def _resolve_weights(self, notes: list[str]) -> tuple[np.ndarray, int]:
        d = self.design
        n = len(self.data)
        if d.weights is None:
            return np.ones(n), 0
        raw = pd.to_numeric(self.data[d.weights], errors="coerce").to_numpy(dtype=float)
        bad_type = self.data[d.weights].notna().to_numpy() & np.isnan(raw)
        if bad_type.any():
            raise DesignError(
                f"weights column {d.weights!r} has non-numeric values",
                where=Where(variable=d.weights, row=int(np.flatnonzero(bad_type)[0]) + 1),
                rule="design.weight-type",
            )
        if np.isinf(raw).any():
            raise DesignError(
                f"weights column {d.weights!r} has infinite values",
                where=Where(variable=d.weights, row=int(np.flatnonzero(np.isinf(raw))[0]) + 1),
                rule="design.weight-infinite",
            )
        neg = raw < 0
        if neg.any():
            raise DesignError(
                f"weights column {d.weights!r} has {int(neg.sum())} negative values",
                where=Where(variable=d.weights, row=int(np.flatnonzero(neg)[0]) + 1),
                rule="design.negative-weight",
                hint="Sampling weights are inverse probabilities and cannot be negative.",
            )
        miss = np.isnan(raw)
        if miss.any():
            if d.na_weights == "fail":
                raise DesignError(
                    f"weights column {d.weights!r} has {int(miss.sum())} missing values",
                    where=Where(variable=d.weights, row=int(np.flatnonzero(miss)[0]) + 1),
                    rule="design.missing-weight",
                    hint="Impute or remove them, or set na_weights='drop' to leave those "
                    "rows out of every estimate (their PSUs stay in the design).",
                )
            raw = np.where(miss, 0.0, raw)
        return raw, int(miss.sum())

    def _resolve_replicate_columns(self, weights: np.ndarray) -> ReplicateWeights:
        spec = self.design.replicates
        if spec is None:  # pragma: no cover - the caller checked
            raise DesignError("no replicate columns", rule="design.internal")
        cols = list(spec.columns)
        mat = self.data[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        factors, index = compress_replicates(mat, weights, combined=spec.combined, column=cols[0])
        r = len(cols)
        rscales = np.ones(r) if spec.rscales is None else np.asarray(spec.rscales, dtype=float)
        if rscales.shape != (r,):
            raise DesignError(
                f"{rscales.size} rscales for {r} replicate columns",
                where=Where(key="rscales"),
                rule="design.replicate-rscales",
            )
        return ReplicateWeights(
            factors=factors,
            index=index,
            type=spec.type,
            scale=spec.default_scale(r),
            rscales=rscales,
            mse=spec.mse,
            df=spec.df,
        )


def as_columns(names: str | Sequence[str] | None) -> list[str]:
    """Normalise a column argument (one name or several) to a list."""
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    return list(names)
