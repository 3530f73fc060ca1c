"""Turning analysis variables and domains into arrays (internal).

Numeric variables stay numeric; text, categorical and boolean variables (and ``select_one``
questions of the codebook) become one 0/1 column per level, as R's ``svymean`` does with a
factor. Missing values follow the estimator's ``missing`` policy; domains (``by=``) are coded
over the rows of the current subpopulation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core import DataError, DesignError, MissingPolicy, Where, check_policy
from ..design.data import SurveyData, as_columns

__all__ = ["Domains", "Terms", "domains_of", "is_categorical", "terms_of"]


@dataclasses.dataclass(frozen=True, eq=False)
class Terms:
    """Analysis columns: one per numeric variable or per level of a categorical one."""

    variable: list[str]
    level: list[str | None]
    values: np.ndarray  # (n, p) float, NaN where missing
    available: np.ndarray  # (n, p) bool: used by the estimate
    n_dropped: int
    notes: tuple[str, ...]

    @property
    def p(self) -> int:
        return len(self.variable)


@dataclasses.dataclass(frozen=True, eq=False)
class Domains:
    """Domain code of every row (-1 outside every domain) and the domains' labels."""

    code: np.ndarray
    labels: list[str | None]
    by: list[str]
    values: list[tuple[object, ...]]
    notes: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.labels)


def is_categorical(sd: SurveyData, name: str) -> bool:
    """Whether ``name`` is analysed by level (text, category, boolean, select_one)."""
    col = sd.column(name)
    if (
        sd.codebook is not None
        and name in sd.codebook
        and sd.codebook[name].type in ("select_one", "text")
    ):
        return True
    return not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col))


def _levels(col: pd.Series) -> list[object]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [c for c in col.cat.categories if (col == c).any()]
    vals = pd.unique(col.dropna())
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def terms_of(
    sd: SurveyData,
    variables: str | Sequence[str],
    *,
    missing: MissingPolicy = "fail",
    categorical: bool | None = None,
    rows: np.ndarray | None = None,
) -> Terms:
    """Analysis columns of ``variables`` with the ``missing`` policy applied.

    ``categorical=None`` decides per variable; ``True`` forces levels; ``False`` forces numbers.
    ``rows`` are the rows that count for the missing-value check (the domain rows).
    """
    check_policy(missing, MissingPolicy, "missing")
    names = as_columns(variables)
    if not names:
        raise DesignError(
            "no variables given", where=Where(key="variables"), rule="design.no-variables"
        )
    var_of: list[str] = []
    level_of: list[str | None] = []
    cols: list[np.ndarray] = []
    miss_cols: list[np.ndarray | None] = []  # None: no missing value in that column
    for name in names:
        col = sd.column(name)
        cat = is_categorical(sd, name) if categorical is None else categorical
        if cat:
            miss = col.isna().to_numpy()
            levels = _levels(col)
            if not levels:
                raise DesignError(
                    f"variable {name!r} has no non-missing values",
                    where=Where(variable=name),
                    rule="design.empty-domain",
                )
            has_miss = bool(miss.any())
            for lev in levels:
                ind = (col == lev).fillna(False).to_numpy(dtype=float)
                if has_miss:
                    ind[miss] = np.nan
                var_of.append(name)
                level_of.append(str(lev))
                cols.append(ind)
                miss_cols.append(miss if has_miss else None)
        else:
            if not pd.api.types.is_numeric_dtype(col):
                raise DataError(
                    f"variable {name!r} is not numeric",
                    where=Where(variable=name),
                    rule="data.not-numeric",
                    hint="Use proportion() for categorical variables.",
                )
            if isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiub":
                vals = col.to_numpy()  # plain numpy column: no copy (NaN is its missing value)
            else:  # nullable or Arrow-backed: pd.NA becomes NaN
                vals = col.to_numpy(dtype=float, na_value=np.nan)
            finite = np.isfinite(vals)
            var_of.append(name)
            level_of.append(None)
            cols.append(vals)
            miss_cols.append(None if finite.all() else ~finite)
    # column-major: estimators read one variable at a time
    n_cols = len(cols)
    values = np.empty((sd.n, n_cols), order="F")
    for j, c in enumerate(cols):
        values[:, j] = c
    relevant = np.ones(sd.n, dtype=bool) if rows is None else rows
    notes: list[str] = []
    n_dropped = 0
    with_miss = [j for j, m in enumerate(miss_cols) if m is not None and (m & relevant).any()]
    if with_miss:
        missing_m = np.zeros((sd.n, n_cols), dtype=bool, order="F")
        for j, m in enumerate(miss_cols):
            if m is not None:
                missing_m[:, j] = m
        if missing == "fail":
            j = with_miss[0]
            any_miss = missing_m[:, j] & relevant
            count = int(any_miss.sum())
            raise DataError(
                f"variable {var_of[j]!r} has {count} missing values in the data used",
                where=Where(variable=var_of[j], row=int(np.flatnonzero(any_miss)[0]) + 1),
                rule="data.missing-values",
                hint="Choose missing='drop' (complete cases, kept in the design as a domain) "
                "or missing='available' (each variable on its own non-missing cases).",
            )
        if missing == "drop":
            complete: np.ndarray = ~np.asarray(missing_m.any(axis=1), dtype=bool)
            available = np.repeat(complete[:, None], len(var_of), axis=1)
            n_dropped = int((~complete & relevant).sum())
            notes.append(f"{n_dropped} cases excluded: missing value (complete cases)")
        else:
            available = ~missing_m
            per = (missing_m & relevant[:, None]).sum(axis=0)
            n_dropped = int(per.max())
            for v in dict.fromkeys(var_of):
                idx = var_of.index(v)
                if per[idx]:
                    notes.append(f"{int(per[idx])} cases without {v} excluded for {v}")
        if not available.all():
            values[~available] = 0.0
    else:  # no missing value in the rows used
        available = np.ones((sd.n, n_cols), dtype=bool, order="F")
    return Terms(var_of, level_of, values, available, n_dropped, tuple(notes))


def domains_of(sd: SurveyData, by: str | Sequence[str] | None) -> Domains:
    """Domains of the rows in the current subpopulation (one domain when ``by`` is empty)."""
    rows = sd.prepared.in_domain
    names = as_columns(by)
    if not rows.any():
        raise DesignError(
            "the subpopulation has no respondents (no row with a positive weight)",
            where=Where(key="where"),
            rule="design.empty-domain",
            hint="Check the subset condition.",
        )
    if not names:
        return Domains(np.where(rows, 0, -1), [None], [], [()], ())
    frame = pd.DataFrame({n: sd.column(n) for n in names})
    na = frame.isna().any(axis=1).to_numpy()
    notes: list[str] = []
    if (na & rows).any():
        notes.append(f"{int((na & rows).sum())} cases with a missing {'/'.join(names)} left out")
    use = rows & ~na
    sub = frame[use]
    if len(sub) == 0:
        raise DesignError(
            f"no respondent has a value of {', '.join(names)} in the subpopulation",
            where=Where(variable=names[0]),
            rule="design.empty-domain",
        )
    try:
        grouped = sub.groupby(names, sort=True, dropna=True)
        group_code = grouped.ngroup().to_numpy()
        uniq = [k if isinstance(k, tuple) else (k,) for k in grouped.size().index]
    except TypeError:  # mixed types in a by-variable: order by text
        text = sub.astype(str)
        grouped = text.groupby(names, sort=True, dropna=True)
        group_code = grouped.ngroup().to_numpy()
        first = sub.assign(_g=group_code).drop_duplicates("_g").sort_values("_g")
        uniq = [tuple(r) for r in first[names].itertuples(index=False, name=None)]
    code = np.full(sd.n, -1, dtype=np.int64)
    code[use] = group_code
    labels: list[str | None] = [
        ", ".join(f"{n}={v}" for n, v in zip(names, k, strict=True)) for k in uniq
    ]
    return Domains(code, labels, names, uniq, tuple(notes))
