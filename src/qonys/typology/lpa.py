"""Latent profile analysis: a Gaussian mixture for continuous indicators, with sampling weights.

Covariance constraint (documented, as in Mplus' and tidyLPA's model names):

``diag`` (default)
    local independence, class-specific variances (tidyLPA model 2, sklearn ``"diag"``);
``equal``
    local independence, variances equal across classes (tidyLPA model 1, Mplus default).
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._core.errors import ConvergenceError, ConvergenceWarning

__all__ = ["LatentProfileModel"]


class LatentProfileModel(DensityMixin, BaseEstimator):
    """Latent profile model (Gaussian mixture, diagonal covariances), scikit-learn estimator.

    Parameters
    ----------
    n_classes : int
        Number of profiles.
    covariance : {"diag", "equal"}
        Class-specific or class-invariant variances (see the module docstring).
    n_init : int
        Random starts (random posterior memberships); the best log-likelihood is kept.
    max_iter, tol : EM control (stop when the log-likelihood gains less than ``tol``).
    min_variance : float
        Floor of a variance relative to the indicator's total variance (a regularisation like
        sklearn's ``reg_covar``: the likelihood is unbounded when a profile collapses on one
        point); profiles at the floor are listed in ``variance_floor_``. Starts ending with an
        empty profile are discarded.
    random_state : int, Generator or None

    Attributes
    ----------
    weights_ (K,), means_ (K, p), variances_ (K, p), loglik_, aic_, bic_, n_parameters_,
    entropy_, start_logliks_, converged_, n_iter_

    Notes
    -----
    .. math:: f(\\mathbf x) = \\sum_k \\pi_k \\prod_j \\phi(x_j; \\mu_{kj}, \\sigma^2_{kj})

    Weighted fits maximise :math:`\\sum_i w_i \\log f(\\mathbf x_i)`; BIC uses :math:`\\sum w_i`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(4, 1, (100, 2))])
    >>> m = LatentProfileModel(2, n_init=5, random_state=0).fit(X)
    >>> np.round(m.weights_, 1).tolist()
    [0.7, 0.3]
    >>> # In R: mclust::Mclust(X, G = 2, modelNames = "VVI")
    """

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "n_classes": [Interval(Integral, 1, None, closed="left")],
        "covariance": [StrOptions({"diag", "equal"})],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "min_variance": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_classes: int = 2,
        *,
        covariance: str = "diag",
        n_init: int = 20,
        max_iter: int = 2000,
        tol: float = 1e-10,
        min_variance: float = 1e-6,
        random_state: Any = None,
    ) -> None:
        self.n_classes = n_classes
        self.covariance = covariance
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.min_variance = min_variance
        self.random_state = random_state

    def _loglik(
        self, X: np.ndarray, w: np.ndarray, pi: np.ndarray, mu: np.ndarray, var: np.ndarray
    ) -> tuple[np.ndarray, float]:
        lp = (
            -0.5
            * (
                np.log(2 * np.pi * var)[None].sum(axis=2)
                + (((X[:, None, :] - mu[None]) ** 2) / var[None]).sum(axis=2)
            )
            + np.log(pi)[None]
        )
        lse = logsumexp(lp, axis=1)
        return np.exp(lp - lse[:, None]), float(w @ lse)

    def _m(
        self, X: np.ndarray, w: np.ndarray, post: np.ndarray, floor: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        wr = post * w[:, None]
        nk = wr.sum(axis=0)
        pi = nk / w.sum()
        mu = (wr.T @ X) / nk[:, None]
        ss = np.stack([(wr[:, k : k + 1] * (X - mu[k]) ** 2).sum(axis=0) for k in range(len(nk))])
        if self.covariance == "equal":
            var = np.broadcast_to(ss.sum(axis=0) / w.sum(), ss.shape).copy()
        else:
            var = ss / nk[:, None]
        return pi, mu, np.maximum(var, floor)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> LatentProfileModel:
        """Fit by EM from ``n_init`` random starts; returns ``self``."""
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n, p = X.shape
        K = self.n_classes
        if n < K:
            raise ValueError(f"n_samples={n} should be >= n_classes={K}")
        w = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        if w.sum() <= 0:
            raise ValueError("sample_weight must not be all zero")
        tot = X.var(axis=0)
        tot = np.where(tot > 0, tot, 1.0)
        floor = self.min_variance * tot
        rng = check_random_state(self.random_state)
        best: tuple[float, Any] | None = None
        starts = []
        for _ in range(self.n_init):
            post = rng.dirichlet(np.ones(K), size=n)
            pi, mu, var = self._m(X, w, post, floor)
            ll_old, conv, it = -np.inf, False, 0
            while it < self.max_iter:
                it += 1
                post, ll = self._loglik(X, w, pi, mu, var)
                if ll - ll_old < self.tol:
                    conv = True
                    break
                ll_old = ll
                pi, mu, var = self._m(X, w, post, floor)
            degenerate = pi.min() < 1e-8
            starts.append(-np.inf if degenerate else ll)
            if not degenerate and (best is None or ll > best[0]):
                best = (ll, (pi, mu, var, it, conv))
        self.start_logliks_ = np.array(starts)
        if best is None:
            raise ConvergenceError(
                f"all {self.n_init} starts of the {K}-profile model ended with an empty profile",
                rule="typology.empty-classes",
                hint="Tried EM from random memberships; fit fewer profiles or use "
                "covariance='equal'.",
            )
        ll, (pi, mu, var, it, conv) = best
        if not conv:
            warnings.warn(
                f"EM did not converge in {self.max_iter} iterations",
                ConvergenceWarning,
                stacklevel=2,
            )
        order = np.argsort(-pi, kind="stable")
        self.weights_, self.means_, self.variances_ = pi[order], mu[order], var[order]
        self.loglik_, self.n_iter_, self.converged_ = ll, it, conv
        at_floor = self.variances_ <= floor[None] * (1 + 1e-9)
        self.variance_floor_ = [
            (int(k), int(j)) for k, j in zip(*np.nonzero(at_floor), strict=True)
        ]
        nvar = p if self.covariance == "equal" else K * p
        self.n_parameters_ = (K - 1) + K * p + nvar
        n_eff = float(w.sum())
        self.aic_ = -2 * ll + 2 * self.n_parameters_
        self.bic_ = -2 * ll + self.n_parameters_ * math.log(n_eff)
        post, _ = self._loglik(X, w, self.weights_, self.means_, self.variances_)
        self.entropy_ = (
            float("nan")
            if K == 1
            else 1
            - float(w @ -(post * np.log(np.maximum(post, 1e-300))).sum(axis=1))
            / (n_eff * math.log(K))
        )
        self.modal_shares_ = np.bincount(post.argmax(axis=1), weights=w, minlength=K) / n_eff
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior profile probabilities."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        post, _ = self._loglik(X, np.ones(len(X)), self.weights_, self.means_, self.variances_)
        return post

    def predict(self, X: Any) -> np.ndarray:
        """Modal profile (0-based, profiles ordered by share)."""
        return self.predict_proba(X).argmax(axis=1)

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density of each row."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        lp = (
            -0.5
            * (
                np.log(2 * np.pi * self.variances_)[None].sum(axis=2)
                + (((X[:, None, :] - self.means_[None]) ** 2) / self.variances_[None]).sum(axis=2)
            )
            + np.log(self.weights_)[None]
        )
        return np.asarray(logsumexp(lp, axis=1))

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per row."""
        return float(np.mean(self.score_samples(X)))
