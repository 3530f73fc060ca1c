"""Latent class analysis for categorical indicators (poLCA's model), scikit-learn style.

.. math::
    P(\\mathbf y_i) = \\sum_{k=1}^K \\pi_k \\prod_{j=1}^J \\prod_{r=1}^{R_j}
        \\theta_{jkr}^{[y_{ij} = r]}

fitted by EM from many random starts; with sampling weights :math:`w_i` the weighted
(pseudo-)log-likelihood :math:`\\sum_i w_i \\log P(\\mathbf y_i)` is maximised.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from .._core.errors import ConvergenceError, ConvergenceWarning, DataError, Where
from ._em import polish, run_em

__all__ = ["LatentClassModel"]

BoundaryPolicy = Literal["note", "fail"]


class LatentClassModel(DensityMixin, BaseEstimator):
    """Latent class model for categorical indicators (scikit-learn estimator).

    Parameters
    ----------
    n_classes : int
        Number of latent classes K.
    n_init : int
        Random starts (uniform item probabilities, equal shares, as poLCA); the start with the
        highest log-likelihood is kept and polished.
    max_iter : int
        EM iterations per start.
    tol : float
        Stop a start when the log-likelihood gains less than ``tol`` (poLCA: 1e-10).
    missing : {"fail", "available"}
        Missing answers raise, or drop out of that respondent's likelihood (poLCA's
        ``na.rm = FALSE``).
    boundary : {"note", "fail"}
        Item probabilities on the 0/1 boundary are legitimate maximum-likelihood estimates
        (poLCA reports them); ``note`` lists them in ``boundary_``, ``fail`` raises.
    random_state : int, Generator or None
        Seed of the random starts.
    polish_tol : float
        Tolerance, relative to the log-likelihood, of the final EM run from the best start
        (default 1e-14, to reproduce published log-likelihoods; 1e-8 is ample for
        classification and many times faster with many classes).

    Attributes
    ----------
    weights_ : ndarray (K,)
        Class shares, sorted in decreasing order.
    item_probs_ : list of ndarray (K, R_j)
        Response probabilities per item; columns follow ``categories_[j]``.
    categories_ : list of ndarray
        Sorted response codes of each item.
    loglik_, aic_, bic_, n_parameters_, n_iter_, converged_ : fit statistics
    start_logliks_ : ndarray
        Log-likelihood reached by every start (``-inf`` for degenerate starts).
    boundary_ : list of tuple
        (class, item, category) of probabilities below 1e-10 or above 1 - 1e-10.
    entropy_ : float
        Relative entropy :math:`1 - \\sum_i\\sum_k -p_{ik}\\log p_{ik} / (N \\log K)`.

    Notes
    -----
    ``npar`` = :math:`K \\sum_j (R_j - 1) + K - 1`; AIC = :math:`-2LL + 2\\,npar`;
    BIC = :math:`-2LL + npar \\ln N` (N = number of respondents, or the sum of weights when
    weighted).

    References
    ----------
    Linzer, D. A. & Lewis, J. B. (2011). poLCA: An R package for polytomous variable latent class
    analysis. *Journal of Statistical Software* 42(10).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.integers(0, 2, 400)
    >>> X = (rng.uniform(size=(400, 5)) < np.where(z[:, None] == 1, .9, .1)).astype(int)
    >>> m = LatentClassModel(n_classes=2, n_init=10, random_state=0).fit(X)
    >>> np.round(m.weights_.sum(), 6), m.predict(X).shape
    (np.float64(1.0), (400,))
    >>> # In R: poLCA::poLCA(cbind(A, B, C, D, E) ~ 1, data, nclass = 2, nrep = 10)
    """

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "n_classes": [Interval(Integral, 1, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "missing": [StrOptions({"fail", "available"})],
        "boundary": [StrOptions({"note", "fail"})],
        "random_state": ["random_state"],
        "polish_tol": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        n_classes: int = 2,
        *,
        n_init: int = 20,
        max_iter: int = 5000,
        tol: float = 1e-10,
        missing: str = "fail",
        boundary: str = "note",
        random_state: Any = None,
        polish_tol: float = 1e-14,
    ) -> None:
        self.n_classes = n_classes
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.missing = missing
        self.boundary = boundary
        self.random_state = random_state
        self.polish_tol = polish_tol

    # -- data ------------------------------------------------------------------------------
    def _encode(self, X: Any, *, fitting: bool) -> tuple[np.ndarray, np.ndarray]:
        checked = validate_data(
            self, X, dtype=None, ensure_all_finite=False, reset=fitting, ensure_min_samples=1
        )
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(checked))
        if fitting:
            self.categories_ = []
            for j in range(frame.shape[1]):
                col = frame.iloc[:, j]
                cats = np.asarray(pd.unique(col.dropna()))
                try:
                    cats = np.sort(cats.astype(float)) if len(cats) else cats
                except (TypeError, ValueError):
                    cats = np.sort(cats.astype(str))
                self.categories_.append(np.asarray(cats))
        n, J = frame.shape
        R = max(len(c) for c in self.categories_)
        Y = np.zeros((n, J, max(R, 1)))
        for j in range(J):
            col = frame.iloc[:, j]
            miss = col.isna().to_numpy()
            if miss.any() and self.missing == "fail":
                raise DataError(
                    f"{int(miss.sum())} missing answers in item {j + 1}",
                    where=Where(variable=str(frame.columns[j]), row=int(np.argmax(miss)) + 1),
                    rule="typology.missing",
                    hint="Pass missing='available' to use the answered items only.",
                )
            cats = self.categories_[j]
            vals = col[~miss].to_numpy()
            try:
                pos = np.searchsorted(cats, vals.astype(cats.dtype))
                ok = (pos < len(cats)) & (cats[np.minimum(pos, len(cats) - 1)] == vals)
            except (TypeError, ValueError):
                ok = np.zeros(len(vals), bool)
                pos = np.zeros(len(vals), int)
            if not ok.all():
                raise DataError(
                    f"answer {vals[~ok][0]!r} of item {j + 1} was not seen when fitting",
                    where=Where(variable=str(frame.columns[j])),
                    rule="typology.unknown-category",
                )
            rows = np.flatnonzero(~miss)
            Y[rows, j, pos] = 1.0
        valid = np.zeros((J, Y.shape[2]), bool)
        for j, c in enumerate(self.categories_):
            valid[j, : len(c)] = True
        return Y, valid

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> LatentClassModel:
        """Fit the model by EM from ``n_init`` random starts; returns ``self``."""
        self._validate_params()
        Y, valid = self._encode(X, fitting=True)
        n = Y.shape[0]
        w = _check_sample_weight(sample_weight, np.empty((n, 0)), ensure_non_negative=True)
        if w.sum() <= 0:
            raise ValueError("sample_weight must not be all zero")
        if n < self.n_classes:
            raise ValueError(f"n_samples={n} should be >= n_classes={self.n_classes}")
        flat = Y.reshape(n, -1)
        pats, inverse = np.unique(flat, axis=0, return_inverse=True)
        pw = np.bincount(inverse.ravel(), weights=w, minlength=len(pats))
        Yp = pats.reshape(len(pats), Y.shape[1], Y.shape[2])
        if self.n_classes > 1 and self.n_classes >= len(pats):
            raise DataError(
                f"{self.n_classes} classes for {len(pats)} distinct response patterns",
                rule="typology.too-many-classes",
                hint="A latent class model needs more distinct answer patterns than classes.",
            )
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        # the products are small (patterns x categories): one BLAS thread is many times
        # faster than several threads competing for the cores
        with threadpool_limits(limits=1, user_api="blas"):
            run = run_em(
                Yp,
                pw,
                self.n_classes,
                n_init=self.n_init,
                rng=rng,
                max_iter=self.max_iter,
                tol=self.tol,
                valid=valid,
            )
            if not np.isfinite(run.loglik):
                raise ConvergenceError(
                    f"all {self.n_init} random starts of the {self.n_classes}-class model ended "
                    "with an empty class",
                    rule="typology.empty-classes",
                    hint="Tried EM from uniform random starts; fit fewer classes or more starts.",
                )
            shares, probs, ll, it, conv = polish(
                Yp,
                pw,
                run.shares,
                run.probs,
                valid,
                max_iter=200_000,
                tol=min(self.tol, self.polish_tol),
            )
        if not conv and not run.converged:
            warnings.warn(
                f"EM did not converge in {self.max_iter} iterations",
                ConvergenceWarning,
                stacklevel=2,
            )
        order = np.argsort(-shares, kind="stable")
        self.weights_ = shares[order]
        probs = probs[order]
        self.item_probs_ = [probs[:, j, : len(c)] for j, c in enumerate(self.categories_)]
        self._probs = probs
        self._valid = valid
        self.loglik_ = ll
        self.n_iter_ = run.n_iter + it
        self.converged_ = bool(conv or run.converged)
        self.start_logliks_ = run.start_logliks
        self.n_degenerate_starts_ = run.n_degenerate
        K = self.n_classes
        self.n_parameters_ = K * sum(len(c) - 1 for c in self.categories_) + K - 1
        n_eff = float(w.sum())
        self.aic_ = -2 * ll + 2 * self.n_parameters_
        self.bic_ = -2 * ll + self.n_parameters_ * math.log(n_eff)
        post = self._posterior(Y)
        self.entropy_ = (
            float("nan")
            if K == 1
            else 1
            - float(w @ -(post * np.log(np.maximum(post, 1e-300))).sum(axis=1))
            / (n_eff * math.log(K))
        )
        self.modal_shares_ = np.bincount(post.argmax(axis=1), weights=w, minlength=K) / n_eff
        self.boundary_ = [
            (k, j, self.categories_[j][r])
            for k in range(K)
            for j in range(len(self.categories_))
            for r in range(len(self.categories_[j]))
            if min(probs[k, j, r], 1 - probs[k, j, r]) < 1e-10
        ]
        if self.boundary_ and self.boundary == "fail":
            raise DataError(
                f"{len(self.boundary_)} item probabilities lie on the 0/1 boundary",
                rule="typology.boundary",
                hint="Use boundary='note' to accept boundary estimates (as poLCA does).",
            )
        self._patterns = (Yp, pw)
        return self

    def _posterior(self, Y: np.ndarray) -> np.ndarray:
        from ._em import _estep

        post, _ = _estep(Y, np.ones(Y.shape[0]), self.weights_[None], self._probs[None])
        return post[0]

    # -- prediction --------------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior class probabilities, one row per respondent."""
        check_is_fitted(self)
        Y, _ = self._encode(X, fitting=False)
        return self._posterior(Y)

    def predict(self, X: Any) -> np.ndarray:
        """Modal class assignment (0-based, classes ordered by share)."""
        return self.predict_proba(X).argmax(axis=1)

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-likelihood of each respondent."""
        check_is_fitted(self)

        Y, _ = self._encode(X, fitting=False)
        logp = np.log(np.maximum(self._probs, 1e-300))
        ll = np.einsum("njr,kjr->nk", Y, logp) + np.log(self.weights_)
        from scipy.special import logsumexp

        return np.asarray(logsumexp(ll, axis=1))

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per respondent."""
        return float(np.mean(self.score_samples(X)))

    def goodness_of_fit(self) -> dict[str, float]:
        """poLCA's G-squared and Pearson X-squared over the response patterns.

        X-squared adds the expected count of every unobserved pattern (poLCA's definition:
        Pearson's statistic over all cells); ``resid_df`` = min(N, cells) - npar. Defined for
        unweighted, complete data.
        """
        check_is_fitted(self)
        Yp, pw = self._patterns
        logp = np.log(np.maximum(self._probs, 1e-300))
        ll = np.einsum("njr,kjr->nk", Yp, logp) + np.log(self.weights_)
        N = float(pw.sum())
        expected = N * np.exp(ll).sum(axis=1)
        gsq = 2 * float(np.sum(pw * np.log(pw / expected)))
        chisq = float(np.sum((pw - expected) ** 2 / expected) + (N - expected.sum()))
        cells = math.prod(len(c) for c in self.categories_)
        return {
            "Gsq": gsq,
            "Chisq": chisq,
            "resid_df": float(min(N, cells) - self.n_parameters_),
        }

    def expected_patterns(self) -> pd.DataFrame:
        """Observed and expected counts of each observed response pattern."""
        check_is_fitted(self)
        Yp, pw = self._patterns
        logp = np.log(np.maximum(self._probs, 1e-300))
        ll = np.einsum("njr,kjr->nk", Yp, logp) + np.log(self.weights_)
        codes = [
            tuple(
                self.categories_[j][int(np.argmax(Yp[n, j]))] if Yp[n, j].any() else None
                for j in range(Yp.shape[1])
            )
            for n in range(Yp.shape[0])
        ]
        return pd.DataFrame(
            {"pattern": codes, "observed": pw, "expected": pw.sum() * np.exp(ll).sum(axis=1)}
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.missing == "available"
        return tags
