"""Confirmatory factor analysis in lavaan syntax: ML, robust ML (MLR) and ordinal WLSMV.

The estimation follows lavaan 0.6 so that its numbers are reproduced: ML uses the sample
covariance with divisor N and :math:`\\chi^2 = 2 N F_{min}`; MLR adds Huber-White standard errors
and the Yuan-Bentler (Mplus variant) scaled test; WLSMV fits polychoric correlations and
thresholds by diagonally weighted least squares with robust standard errors and the
mean-and-variance adjusted (scaled-shifted) test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._core.checks import check_columns, check_in
from .._core.errors import DataError, Where
from .._core.policies import MissingPolicy, check_policy
from .._core.results import Meta
from .sem.engine import fit_continuous
from .sem.ml import GroupData
from .sem.model import Model
from .sem.result import CFAResult, parameter_table
from .sem.spec import build_spec

__all__ = ["Estimator", "cfa"]

Estimator = Literal["ML", "MLR", "WLSMV"]


def _split_groups(
    frame: pd.DataFrame, group: str | None
) -> tuple[list[pd.DataFrame], tuple[str, ...]]:
    if group is None:
        return [frame], ("1",)
    check_columns(frame, [group])
    if frame[group].isna().any():
        raise DataError(
            f"the group variable {group!r} has missing values",
            where=Where(variable=group),
            rule="sem.group-missing",
        )
    labels = tuple(str(v) for v in pd.unique(frame[group]))
    parts = [frame[frame[group].astype(str) == lab] for lab in labels]
    if len(labels) < 2:
        raise DataError(
            f"the group variable {group!r} has a single value",
            where=Where(variable=group),
            rule="sem.one-group",
        )
    return parts, labels


def cfa(
    frame: pd.DataFrame,
    model: str,
    *,
    estimator: Estimator = "ML",
    group: str | None = None,
    group_equal: Sequence[str] = (),
    std_lv: bool = False,
    ordered: Sequence[str] | bool | None = None,
    meanstructure: bool | None = None,
    missing: MissingPolicy = "fail",
    sample_weight: object = None,
) -> CFAResult:
    """Fit a confirmatory factor analysis model written in lavaan syntax.

    Parameters
    ----------
    frame : DataFrame
        Data with the indicators (and the group variable).
    model : str
        lavaan syntax: ``=~``, ``~~``, ``~``, ``~ 1``, modifiers ``1*x``, ``NA*x``, ``a*x``,
        ``c(a, b)*x``.
    estimator : {"ML", "MLR", "WLSMV"}
        ``ML``: normal-theory maximum likelihood (expected-information SEs); ``MLR``: ML with
        Huber-White SEs and the Yuan-Bentler scaled chi-square; ``WLSMV``: ordinal indicators,
        DWLS on polychoric correlations and thresholds, robust SEs, scaled-shifted test.
    group : str, optional
        Multi-group model by this column; groups in order of first appearance.
    group_equal : sequence of str
        Cross-group equality constraints: ``loadings``, ``intercepts``, ``residuals``, ...
    std_lv : bool
        Identify factors by fixing their variances to 1 instead of the first loading.
    ordered : sequence of str or True, optional
        Ordered indicators (``WLSMV``); ``True`` means all indicators.
    meanstructure : bool, optional
        Include intercepts (default: yes for multi-group models).
    missing : {"fail", "drop"}
        Missing values: raise, or use complete cases (listwise).
    sample_weight : str or array-like, optional
        Sampling weights (column name or values), rescaled to sum to each group's size; the
        weighted (pseudo-)likelihood is maximised and, as in lavaan's ``sampling.weights``, only
        robust inference is valid, so weights need ``estimator="MLR"``.

    Returns
    -------
    CFAResult

    Raises
    ------
    DataError
        Unknown variables, syntax errors (``sem.syntax``), negative degrees of freedom
        (``sem.not-identified``), missing values.
    ConvergenceError
        When Fisher scoring does not converge; the message states what was tried.

    Notes
    -----
    .. math:: \\Sigma = \\Lambda \\Psi \\Lambda^T + \\Theta, \\qquad
        \\chi^2 = N \\Big[\\log|\\Sigma| + \\operatorname{tr}(S\\Sigma^{-1}) - \\log|S| - p\\Big]

    Exogenous observed covariates in regressions are treated as random (lavaan's
    ``fixed.x = FALSE``); the test statistic is unaffected, ``npar`` counts their moments.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software* 48(2). Yuan, K.-H. & Bentler, P. M. (2000). Three likelihood-based
    methods for mean and covariance structure analysis with nonnormal missing data.
    *Sociological Methodology* 30, 165-200.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ [[0.8, 0.7, 0.6]] + rng.normal(scale=.6, size=(300, 3)),
    ...                   columns=["a", "b", "c"])
    >>> res = cfa(df, "f =~ a + b + c")
    >>> res.fit["df"], abs(res.fit["chisq"]) < 1e-8
    (0.0, True)
    >>> # In R: lavaan::cfa("f =~ a + b + c", data = df)
    """
    check_in(estimator, ("ML", "MLR", "WLSMV"), "estimator")
    check_policy(missing, MissingPolicy, "missing")
    frame = frame.reset_index(drop=True)
    parts, labels = _split_groups(frame, group)
    probe = build_spec(model, [str(c) for c in frame.columns])
    ov = probe.ov
    if ordered is True:
        ordered = list(ov)
    ordered = [str(v) for v in (ordered or [])]
    if estimator == "WLSMV" or ordered:
        from .sem.wls import fit_ordinal

        if estimator != "WLSMV" or set(ordered) != set(ov):
            raise DataError(
                "ordered indicators need estimator='WLSMV' with every indicator ordered",
                where=Where(key="ordered"),
                rule="sem.ordinal-mixed",
                hint="Pass ordered=True and estimator='WLSMV'.",
            )
        return fit_ordinal(
            parts,
            labels,
            model,
            group_equal=group_equal,
            std_lv=std_lv,
            missing=missing,
            group=group,
        )
    if sample_weight is not None and estimator != "MLR":
        raise DataError(
            "sampling weights need robust inference: use estimator='MLR'",
            where=Where(key="sample_weight"),
            rule="sem.weights-need-mlr",
            hint="Pseudo-likelihood standard errors are valid only with the sandwich (MLR).",
        )
    from ._data import weights_vector

    w_all = weights_vector(frame, sample_weight, len(frame))
    w_series = None if w_all is None else pd.Series(w_all, index=frame.index)
    n_dropped = 0
    arrays = []
    weights = []
    for part in parts:
        block = part[ov].apply(pd.to_numeric, errors="coerce").to_numpy(float)
        wpart = None if w_series is None else w_series.loc[part.index].to_numpy()
        bad = np.isnan(block).any(axis=1)
        if bad.any():
            if missing == "fail":
                raise DataError(
                    f"{int(bad.sum())} cases have missing indicator values",
                    rule="measure.missing",
                    hint="Use missing='drop' for listwise deletion.",
                )
            n_dropped += int(bad.sum())
            block = block[~bad]
            wpart = None if wpart is None else wpart[~bad]
        arrays.append(block)
        weights.append(wpart)
    groups = [GroupData.from_array(a, w) for a, w in zip(arrays, weights, strict=True)]
    for lab, d in zip(labels, groups, strict=True):
        if d.n <= len(ov):
            raise DataError(
                f"group {lab!r} has {d.n} cases for {len(ov)} indicators",
                rule="sem.too-few-cases",
            )
        if np.linalg.matrix_rank(d.cov) < len(ov):
            raise DataError(
                f"the sample covariance matrix of group {lab!r} is singular "
                "(a constant or collinear indicator)",
                rule="measure.constant-item",
            )
    mean = len(groups) > 1 if meanstructure is None else bool(meanstructure)
    spec = build_spec(
        model,
        ov,
        n_groups=len(groups),
        std_lv=std_lv,
        meanstructure=mean,
        group_equal=group_equal,
    )
    m = Model(spec)
    n_mom = len(groups) * (len(ov) * (len(ov) + 1) // 2 + (len(ov) if mean else 0))
    if m.q > n_mom:
        raise DataError(
            f"the model has {m.q} free parameters for {n_mom} sample moments (df < 0)",
            rule="sem.not-identified",
            hint="Fix more parameters or add indicators.",
        )
    x, vcov, fit, iters = fit_continuous(m, groups, robust=estimator == "MLR")
    table = parameter_table(m, x, vcov, labels)
    meta = Meta(
        method=f"CFA, estimator {estimator} (lavaan conventions)",
        policies={"missing": missing},
        call={
            "model": model,
            "estimator": estimator,
            "group": group,
            "group_equal": list(group_equal),
            "std_lv": std_lv,
        },
        n_used=int(sum(d.n for d in groups)),
        n_dropped=n_dropped,
    )
    return CFAResult(fit, table, estimator, labels, tuple(d.n for d in groups), iters, meta)
