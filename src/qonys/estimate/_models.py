"""What the survey models share (internal): model frames, the sandwich, replicate refits,
degrees of freedom and the frozen result.

A survey model solves weighted estimating equations :math:`\\sum_i w_i d_i U_i(\\beta) = 0`.
Its Taylor variance is the sandwich

.. math::

    \\hat V(\\hat\\beta) = A^{-1}\\, \\widehat{\\mathrm{Cov}}
        \\Bigl(\\sum_i w_i d_i U_i\\Bigr)\\, A^{-1},
    \\qquad A = -\\sum_i w_i d_i \\frac{\\partial U_i}{\\partial \\beta^\\top},

with the middle term from :func:`~qonys.estimate.vcov_total` (the design's multistage formula,
calibration residuals included). On replicate designs the model is refitted with every
replicate's weights, started at the full-sample estimate, and the replicate estimates are
combined as for any statistic (R's ``svyglm`` and ``svyolr`` on ``svrepdesign``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._core import DesignError, Meta, MissingPolicy, ResultMixin, Where, tidy_frame
from ..design.data import SurveyData
from ._common import method_name
from ._formula import ModelMatrix, model_matrix, parse_formula, response_values
from ._linear import domain_df
from ._prep import Domains, domains_of
from .results import critical_value
from .variance import replicate_cov, vcov_total

__all__ = ["ModelFit", "ModelResult", "ModelSetup", "fit_by", "model_setup", "sandwich"]


@dataclasses.dataclass(frozen=True, eq=False)
class ModelSetup:
    """The model frame of one fit: design matrix, response and the rows used."""

    mm: ModelMatrix
    y: pd.Series  # response values (all rows; meaningful where ``used``)
    y_categorical: bool
    response: str
    used: np.ndarray  # bool (n,): in the domain, positive weight, complete
    n_dropped: int
    notes: tuple[str, ...]


def formula_text(formula: str | tuple[str, Sequence[str]]) -> str:
    """A model's formula as text (``("y", ["a", "b"])`` -> ``"y ~ a + b"``)."""
    if isinstance(formula, str):
        return formula
    response, terms = formula
    return f"{response} ~ {' + '.join(terms) if terms else '1'}"


def model_setup(
    sd: SurveyData, formula: str | tuple[str, Sequence[str]], missing: MissingPolicy
) -> ModelSetup:
    """Parse the formula, build the matrix on the domain's rows and apply ``missing``."""
    text = formula_text(formula)
    parsed = parse_formula(text)
    if parsed.response is None:
        raise DesignError(
            f"the formula {text!r} has no response",
            where=Where(key="formula"),
            rule="design.formula",
            hint='Write "y ~ x".',
        )
    if missing not in ("fail", "drop"):
        raise DesignError(
            f"missing must be 'fail' or 'drop' for a model; got {missing!r}",
            where=Where(key="missing"),
            rule="design.missing-option",
        )
    dom = sd.prepared.in_domain
    y, y_cat = response_values(sd.data, parsed.response)
    y_ok = y.notna().to_numpy().copy()
    if not y_cat:
        y_ok &= np.isfinite(pd.to_numeric(y, errors="coerce").to_numpy(dtype=float))
    mm = model_matrix(sd.data, parsed, dom & y_ok)
    complete = mm.complete & y_ok
    gap = dom & ~complete
    notes: list[str] = []
    if gap.any():
        if missing == "fail":
            row = int(np.flatnonzero(gap)[0])
            raise DesignError(
                f"{int(gap.sum())} rows of the data used miss a value of the model's variables",
                where=Where(row=row + 1, key="formula"),
                rule="data.missing-values",
                hint="Choose missing='drop': incomplete rows stay in the design as a domain "
                "(R's na.action=na.omit).",
            )
        notes.append(f"{int(gap.sum())} cases excluded: missing value (complete cases)")
    used = dom & complete
    if not used.any():
        raise DesignError(
            "no complete case in the data used", rule="design.empty-domain", where=Where()
        )
    return ModelSetup(mm, y, y_cat, parsed.response.label, used, int(gap.sum()), tuple(notes))


def check_rank(
    x: np.ndarray, w: np.ndarray, names: list[str], *, gram: np.ndarray | None = None
) -> None:
    """A :class:`DesignError` naming the first aliased column of a rank-deficient matrix.

    Columns are scaled to unit weighted norm; the pivoted QR of the p x p factor
    :math:`S V^\\top` of the Gram matrix :math:`V S^2 V^\\top` pivots the columns as a pivoted QR
    of the n x p matrix would (R's ``qr`` with ``tol=1e-7``), without touching the long data
    again. ``gram``, when the caller has it, is :math:`X^\\top \\mathrm{diag}(w) X`.
    """
    from scipy.linalg import qr

    if gram is None:
        gram = (x * w[:, None]).T @ x
    scale = np.sqrt(np.diag(gram))
    zero = scale == 0
    if zero.any():
        j = int(np.flatnonzero(zero)[0])
        raise DesignError(
            f"model column {names[j]!r} is zero in every row used (an empty factor level?)",
            where=Where(variable=names[j]),
            rule="design.collinear",
            hint="Drop the term, merge levels, or fit the domain without it.",
        )
    corr = gram / np.outer(scale, scale)
    ev, vec = np.linalg.eigh(corr)
    factor = np.sqrt(np.clip(ev, 0, None))[:, None] * vec.T
    _, r, piv = qr(factor, pivoting=True)
    d = np.abs(np.diag(r))
    rank = int((d > 1e-7 * d[0]).sum())
    if rank < x.shape[1]:
        j = int(piv[rank])
        raise DesignError(
            f"model column {names[j]!r} is a linear combination of the others",
            where=Where(variable=names[j]),
            rule="design.collinear",
            hint="Remove the redundant term (R would report its coefficient as NA).",
        )


def sandwich(sd: SurveyData, scores: np.ndarray, a_inv: np.ndarray, used: np.ndarray) -> np.ndarray:
    """:math:`A^{-1} \\widehat{Cov}(\\sum w d U) A^{-1}` for unweighted score rows ``scores``."""
    vals = scores if used.all() else np.where(used[:, None], scores, 0.0)
    middle = vcov_total(sd, vals, domain=used)
    v = a_inv @ middle @ a_inv.T
    return np.asarray((v + v.T) / 2)


def replicate_vcov(
    sd: SurveyData,
    used: np.ndarray,
    beta: np.ndarray,
    refit: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Refit with every replicate's weights from ``beta``; returns (vcov, replicate estimates)."""
    reps = sd.prepared.replicates
    if reps is None:  # pragma: no cover - callers check
        raise DesignError("not a replicate design", rule="design.internal")
    w = np.where(used, sd.prepared.weights, 0.0)
    rows = np.flatnonzero(used)
    f_rows = reps.factors[reps.index[rows]]
    betas = np.empty((reps.n_replicates, beta.size))
    for r in range(reps.n_replicates):
        wr = w[rows] * f_rows[:, r]
        betas[r] = refit(wr / wr.sum(), beta)  # R's glm.fit(weights = wi / sum(wi))
    return replicate_cov(reps, betas, beta, full=True), betas


def model_df(sd: SurveyData, used: np.ndarray, n_coef: int, *, residual: bool = True) -> float:
    """R's ``df.residual`` of a survey model: design df (of the rows used) + 1 - coefficients.

    Taylor designs count the PSUs and strata of the rows used (``degf(design[-nas, ])``);
    replicate designs use the rank of the replicate weights, of the whole design unless a
    subpopulation was taken (R computes it before dropping incomplete rows).
    """
    prep = sd.prepared
    if (prep.replicates is not None and sd.where is None) or (
        prep.replicates is None and sd.where is None and used.sum() == (prep.weights > 0).sum()
    ):
        base = float(sd.degf)
    else:
        dom = Domains(np.where(used, 0, -1), ["model"], ["_model"], [()], ())
        base = float(domain_df(sd, dom)[0])
    return base + (1.0 if residual else 0.0) - n_coef


@dataclasses.dataclass(frozen=True, eq=False)
class ModelFit:
    """One fitted model (one domain): coefficients, covariance and what tests need."""

    domain: str | None
    names: tuple[str, ...]
    coef: np.ndarray
    vcov: np.ndarray
    df: float
    n: int
    sum_weights: float
    term_labels: tuple[str, ...]
    assign: tuple[int, ...]
    intercept: bool
    converged: bool
    iterations: int
    extra: dict[str, Any]
    replicates: np.ndarray | None = None

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.vcov), 0, None))


@dataclasses.dataclass(frozen=True, eq=False)
class ModelResult(ResultMixin):
    """Survey model estimates: one :class:`ModelFit` per domain, and a tidy table.

    Attributes
    ----------
    model : str
        ``"glm gaussian"``, ``"olr logistic"``, ``"multinom"``...
    formula : str
    fits : tuple of ModelFit
        One per domain (one when ``by`` is not given).
    table : pandas.DataFrame
        See :meth:`to_frame`.
    meta : Meta
    """

    model: str
    formula: str
    fits: tuple[ModelFit, ...]
    table: pd.DataFrame
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per coefficient: ``variable`` (the term), ``level`` (factor level),
        ``domain``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``, ``deff``, ``n``, then
        ``term`` (R's coefficient name), ``statistic`` (t, or z when df is infinite),
        ``p_value`` and model-specific columns."""
        return tidy_frame(self.table, extra=("term", "statistic", "p_value"))

    def fit(self, domain: str | None = None) -> ModelFit:
        """The fit of one domain (the only one when ``by`` was not given)."""
        if domain is None and len(self.fits) == 1:
            return self.fits[0]
        for f in self.fits:
            if f.domain == domain:
                return f
        raise KeyError(f"no fit for domain {domain!r}; have {[f.domain for f in self.fits]}")

    @property
    def coef(self) -> pd.Series:
        """Coefficients by name (single-domain models)."""
        f = self.fit()
        return pd.Series(f.coef, index=list(f.names))

    @property
    def se(self) -> pd.Series:
        """Standard errors by name (single-domain models)."""
        f = self.fit()
        return pd.Series(f.se, index=list(f.names))

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance of the coefficients (single-domain models)."""
        f = self.fit()
        return pd.DataFrame(f.vcov, index=list(f.names), columns=list(f.names))

    @property
    def df_residual(self) -> float:
        """Degrees of freedom of the t tests (single-domain models)."""
        return self.fit().df


def coef_rows(fit: ModelFit, level: float, df_opt: float | str) -> list[dict[str, Any]]:
    """Tidy rows of one fit (t tests and intervals on ``fit.df`` or a fixed df)."""
    dfv = fit.df if df_opt == "design" else float(df_opt)
    se = fit.se
    with np.errstate(divide="ignore", invalid="ignore"):
        t = fit.coef / se
    if np.isinf(dfv):
        p = 2 * stats.norm.sf(np.abs(t))
    else:
        p = 2 * stats.t.sf(np.abs(t), dfv) if dfv > 0 else np.full(t.shape, np.nan)
    q = float(critical_value(level, dfv))
    rows = []
    labels = ("(Intercept)", *fit.term_labels)
    for j, name in enumerate(fit.names):
        a = fit.assign[j]
        term = labels[a] if 0 <= a < len(labels) else name
        lev = name[len(term) :] if (name.startswith(term) and name != term) else None
        rows.append(
            {
                "variable": term,
                "level": lev or None,
                "domain": fit.domain,
                "estimate": fit.coef[j],
                "se": se[j],
                "ci_low": fit.coef[j] - q * se[j],
                "ci_high": fit.coef[j] + q * se[j],
                "df": dfv,
                "deff": np.nan,
                "n": fit.n,
                "term": name,
                "statistic": t[j],
                "p_value": p[j],
            }
        )
    return rows


def fit_by(
    sd: SurveyData,
    by: str | Sequence[str] | None,
    one: Callable[[SurveyData, str | None], ModelFit],
) -> tuple[ModelFit, ...]:
    """Fit one model per domain of ``by`` (each a subpopulation of the whole design)."""
    if by is None or (not isinstance(by, str) and len(by) == 0):
        return (one(sd, None),)
    domains = domains_of(sd, by)
    return tuple(one(sd.subset(domains.code == d), domains.labels[d]) for d in range(domains.n))


def model_meta(sd: SurveyData, fits: Sequence[ModelFit], call: dict[str, Any]) -> Meta:
    """Metadata of a model result: method, design, policies, the fits' notes and counts."""
    method = method_name(sd)
    if sd.prepared.replicates is not None and call.get("variance") == "refit":
        method += "; model refitted for every replicate"
    elif sd.prepared.replicates is None:
        method += " (sandwich)"
    return Meta(
        method=method,
        design=sd.describe(),
        policies={"missing": str(call.get("missing")), "lonely_psu": sd.design.lonely_psu},
        call=call,
        notes=(*sd.prepared.notes, *(n for f in fits for n in f.extra["notes"])),
        n_used=int(sum(f.n for f in fits)),
        n_dropped=int(sum(f.extra["n_dropped"] for f in fits)),
    )
