"""Means, totals, proportions and ratios, for many variables and domains at once.

All four are ratio-type estimators :math:`\\hat\\theta = \\hat Y / \\hat X` of weighted sums,
computed for every variable in every domain from one grouped reduction (see
:mod:`qonys.estimate._linear`). Standard errors come from Taylor linearisation or from the
replicate weights; domains keep the whole design (R's ``svyby``; Stata's ``over()``).

Conventions that change numbers (documented in ``docs/survey.md``):

* Intervals use Student's t on the design degrees of freedom (``df="design"``, as Stata and
  ``svyciprop``); R's ``confint`` on ``svymean`` uses the normal quantile: pass
  ``df=math.inf`` to reproduce it.
* ``deff="wor"`` compares with simple random sampling without replacement of the same size,
  R's ``deff=TRUE``; ``"wr"`` is R's ``deff="replace"``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .._core import DesignError, FrozenMap, MissingPolicy, Where
from ..design.data import SurveyData, as_columns
from ._common import (
    DeffKind,
    DfOption,
    build_table,
    check_level,
    meta_for,
    restrict,
)
from ._linear import fit_linear
from ._prep import Terms, domains_of, terms_of
from .backends import LargeSurvey
from .results import Estimates

__all__ = ["DeffKind", "mean", "proportion", "ratio", "total"]


def _run_large(
    statistic: str,
    data: LargeSurvey,
    variables: list[str],
    *,
    by: list[str],
    missing: MissingPolicy,
    level: float,
    df: DfOption,
    deff: DeffKind,
    vcov: bool,
    categorical: bool | None,
    kind: str,
    denominators: list[str] | None = None,
) -> Estimates:
    from ._large import large_linear

    if vcov:
        raise DesignError(
            "vcov=True needs the data in memory", where=Where(key="vcov"), rule="design.large-vcov"
        )
    sets = by_sets(by)
    fits = large_linear(
        data,
        variables,
        by=[] if sets else by,
        kind=kind,
        missing=missing,
        deff=deff,
        categorical=categorical,
        denominators=denominators,
        by_sets=sets,
    )
    names = (
        [f"{a}/{b}" for a, b in zip(variables, denominators, strict=True)] if denominators else None
    )
    tables = [build_table(f, t, d, level=level, df=df, variable_names=names) for f, t, d, _ in fits]
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    meta = fits[0][3]
    call = {
        "variables": variables,
        "by": by,
        "missing": missing,
        "level": level,
        "df": df,
        "deff": deff,
    }
    return Estimates(statistic, table, None, dataclasses.replace(meta, call=FrozenMap(call)))


def by_sets(by: Any) -> list[list[str]] | None:
    """Several separate sets of domains: ``by=[["city"], ["sex", "age"]]`` (else ``None``)."""
    if isinstance(by, list | tuple) and by and all(isinstance(b, list | tuple) for b in by):
        return [list(b) for b in by]
    return None


def _run(
    statistic: str,
    data: SurveyData | LargeSurvey,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None,
    missing: MissingPolicy,
    level: float,
    df: DfOption,
    deff: DeffKind,
    vcov: bool,
    categorical: bool | None,
    kind: str,
) -> Estimates:
    level = check_level(level)
    if isinstance(data, LargeSurvey):
        return _run_large(
            statistic,
            data,
            as_columns(variables),
            by=as_columns(by),
            missing=missing,
            level=level,
            df=df,
            deff=deff,
            vcov=vcov,
            categorical=categorical,
            kind=kind,
        )
    if deff not in ("wor", "wr", None):
        raise DesignError(
            f"deff must be 'wor', 'wr' or None; got {deff!r}",
            where=Where(key="deff"),
            rule="design.deff-option",
        )
    sets = by_sets(by)
    if sets is not None:
        parts = [
            _run(
                statistic,
                data,
                variables,
                by=s,
                missing=missing,
                level=level,
                df=df,
                deff=deff,
                vcov=False,
                categorical=categorical,
                kind=kind,
            )
            for s in sets
        ]
        table = pd.concat([p.table for p in parts], ignore_index=True)
        return Estimates(statistic, table, None, parts[0].meta)
    domains = domains_of(data, by)
    terms = terms_of(
        data, variables, missing=missing, categorical=categorical, rows=domains.code >= 0
    )
    fit = fit_linear(data, terms, domains, kind=kind, full=vcov, deff=deff)
    table = build_table(fit, terms, domains, level=level, df=df)
    call = {
        "variables": as_columns(variables),
        "by": as_columns(by),
        "missing": missing,
        "level": level,
        "df": df,
        "deff": deff,
    }
    return Estimates(statistic, table, fit.cov, meta_for(data, terms, domains, fit, call, missing))


def mean(
    data: SurveyData | LargeSurvey,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: DfOption = "design",
    deff: DeffKind = "wor",
    vcov: bool = False,
) -> Estimates:
    """Design-based means (proportions for categorical variables), optionally by domain.

    Parameters
    ----------
    data : SurveyData
        Survey data bound to its design.
    variables : str or list of str
        Numeric variables, or categorical ones (one proportion per level).
    by : str or list of str, optional
        Domain variables: one estimate per combination of their values, all in one pass. A
        list of lists gives several separate sets of domains (``[["city"], ["sex", "age"]]``),
        from one reduction of large data.
    where : mask, expression or column name, optional
        Restrict to a subpopulation, as :meth:`SurveyData.subset` (a boolean column name for
        large data); the whole design is kept.
    missing : {"fail", "drop", "available"}
        Missing values: fail (default), complete cases over ``variables``, or each variable
        on its own. Excluded cases stay in the design (domain estimation).
    level : float
        Confidence level of the intervals.
    df : "design" or float
        Degrees of freedom of the t quantile: the design's (default) or a number
        (``math.inf`` for normal intervals, as R's ``confint``).
    deff : {"wor", "wr"} or None
        Design effect against SRS without (R ``deff=TRUE``) or with replacement.
    vcov : bool
        Also return the full covariance matrix of the estimates.

    Returns
    -------
    Estimates
        ``to_frame()``: ``variable, level, domain, estimate, se, ci_low, ci_high, df, deff, n``
        then the by-variables and ``sum_weights``.

    Notes
    -----
    .. math::

        \\hat{\\bar y}_d = \\frac{\\sum_i w_i d_i y_i}{\\sum_i w_i d_i}, \\qquad
        u_i = \\frac{w_i d_i (y_i - \\hat{\\bar y}_d)}{\\sum_i w_i d_i}

    and the variance is the design variance of :math:`\\sum_i u_i`
    (:func:`~qonys.estimate.taylor_cov`) or the replicate variance of the replicate means.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Ch. 2-3.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"st": [1, 1, 2, 2], "w": [1.0, 1, 2, 2], "y": [1.0, 3, 2, 6]})
    >>> sd = SurveyData(df, SurveyDesign(weights="w", strata="st"))
    >>> r = mean(sd, "y")   # In R: svymean(~y, svydesign(id=~1, strata=~st, weights=~w, df))
    >>> round(float(r.estimate[0]), 4), round(float(r.se[0]), 4)
    (3.3333, 1.3744)
    """
    return _run(
        "mean",
        restrict(data, where),
        variables,
        by=by,
        missing=missing,
        level=level,
        df=df,
        deff=deff,
        vcov=vcov,
        categorical=None,
        kind="mean",
    )


def proportion(
    data: SurveyData | LargeSurvey,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: DfOption = "design",
    deff: DeffKind = "wor",
    vcov: bool = False,
) -> Estimates:
    """Proportions of every level of categorical variables (numbers are treated as codes).

    Same parameters and result as :func:`mean`; the interval is the symmetric Wald interval
    (see :func:`~qonys.estimate.ciprop` for logit and beta intervals).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"sex": ["f", "m", "f", "f"], "w": [1.0, 1, 1, 1]})
    >>> proportion(SurveyData(df, SurveyDesign(weights="w")), "sex").estimate.tolist()
    [0.75, 0.25]
    """
    return _run(
        "proportion",
        restrict(data, where),
        variables,
        by=by,
        missing=missing,
        level=level,
        df=df,
        deff=deff,
        vcov=vcov,
        categorical=True,
        kind="mean",
    )


def total(
    data: SurveyData | LargeSurvey,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: DfOption = "design",
    deff: DeffKind = "wor",
    vcov: bool = False,
) -> Estimates:
    """Design-based totals (counts of every level for categorical variables).

    Same parameters and result as :func:`mean`; :math:`\\hat Y_d = \\sum_i w_i d_i y_i` with
    linearised values :math:`w_i d_i y_i`.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"w": [10.0, 20.0], "y": [1.0, 2.0]})
    >>> float(total(SurveyData(df, SurveyDesign(weights="w")), "y").estimate[0])
    50.0
    """
    return _run(
        "total",
        restrict(data, where),
        variables,
        by=by,
        missing=missing,
        level=level,
        df=df,
        deff=deff,
        vcov=vcov,
        categorical=None,
        kind="total",
    )


def ratio(
    data: SurveyData | LargeSurvey,
    numerator: str | Sequence[str],
    denominator: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    where: Any = None,
    missing: MissingPolicy = "fail",
    level: float = 0.95,
    df: DfOption = "design",
    vcov: bool = False,
) -> Estimates:
    """Ratios of totals :math:`\\hat R = \\hat Y / \\hat X`, numerators paired with denominators.

    One denominator serves every numerator; otherwise they pair in order. Linearised values
    :math:`w_i d_i (y_i - \\hat R x_i)/\\hat X` (R's ``svyratio``). ``missing="drop"`` leaves out
    rows missing either variable.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys.design import SurveyData, SurveyDesign
    >>> df = pd.DataFrame({"w": [1.0, 1.0], "y": [1.0, 3.0], "x": [2.0, 2.0]})
    >>> r = ratio(SurveyData(df, SurveyDesign(weights="w")), "y", "x")
    >>> r.to_frame()["variable"][0], float(r.estimate[0])
    ('y/x', 1.0)
    """
    level = check_level(level)
    data = restrict(data, where)
    nums, dens = as_columns(numerator), as_columns(denominator)
    if len(dens) == 1:
        dens = dens * len(nums)
    if len(dens) != len(nums):
        raise DesignError(
            f"{len(nums)} numerators for {len(dens)} denominators",
            where=Where(key="denominator"),
            rule="design.ratio-pairs",
            hint="Give one denominator, or one per numerator.",
        )
    if isinstance(data, LargeSurvey):
        out = _run_large(
            "ratio",
            data,
            nums,
            by=as_columns(by),
            missing=missing,
            level=level,
            df=df,
            deff=None,
            vcov=vcov,
            categorical=False,
            kind="ratio",
            denominators=dens,
        )
        return out
    domains = domains_of(data, by)
    rows = domains.code >= 0
    if missing == "drop":
        both = terms_of(
            data, list(dict.fromkeys(nums + dens)), missing="drop", categorical=False, rows=rows
        )
        keep = both.available[:, 0]
        pairs_missing: MissingPolicy = "available"
    else:
        keep = None
        pairs_missing = missing
    num_t = terms_of(data, nums, missing=pairs_missing, categorical=False, rows=rows)
    den_t = terms_of(data, dens, missing=pairs_missing, categorical=False, rows=rows)
    if keep is not None:
        num_t = Terms(
            num_t.variable,
            num_t.level,
            num_t.values,
            num_t.available & keep[:, None],
            both.n_dropped,
            both.notes,
        )
    fit = fit_linear(data, num_t, domains, kind="ratio", denominator=den_t, full=vcov)
    names = [f"{a}/{b}" for a, b in zip(nums, dens, strict=True)]
    table = build_table(fit, num_t, domains, level=level, df=df, variable_names=names)
    table = table.rename(columns={"sum_weights": "denominator_total"})
    call = {
        "numerator": nums,
        "denominator": dens,
        "by": as_columns(by),
        "missing": missing,
        "level": level,
        "df": df,
    }
    meta = meta_for(data, num_t, domains, fit, call, missing)
    return Estimates("ratio", table, fit.cov, meta)


def normal_df() -> float:
    """``math.inf``: pass as ``df=`` for normal-quantile intervals (R's ``confint``)."""
    return math.inf
