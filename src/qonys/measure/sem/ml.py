"""Normal-theory maximum likelihood: fit function, Fisher scoring, information matrices and the
casewise scores used by the robust (Huber-White, Yuan-Bentler) corrections.

Per group :math:`g` with :math:`n_g` cases, sample covariance :math:`S_g` (divisor :math:`n_g`)
and mean :math:`\\bar x_g`,

.. math::
    F = \\sum_g \\frac{n_g}{N} \\Big[\\log|\\Sigma_g| + \\operatorname{tr}(S_g\\Sigma_g^{-1})
        - \\log|S_g| - p + (\\bar x_g - \\mu_g)^T \\Sigma_g^{-1} (\\bar x_g - \\mu_g)\\Big],

lavaan's ``fmin`` is :math:`F/2` and :math:`\\chi^2 = N F`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..._core.errors import ConvergenceError
from .model import Implied, Model

__all__ = ["GroupData", "MLFit", "fit_ml"]


@dataclasses.dataclass(slots=True)
class GroupData:
    """One group's data and sample moments (covariance with divisor n)."""

    x: np.ndarray
    n: int
    mean: np.ndarray
    cov: np.ndarray
    w: np.ndarray

    @classmethod
    def from_array(cls, x: np.ndarray, weights: np.ndarray | None = None) -> GroupData:
        """Moments of a complete-data matrix; sampling weights are rescaled to sum to n."""
        n = x.shape[0]
        w = np.ones(n) if weights is None else np.asarray(weights, float) * n / np.sum(weights)
        mean = w @ x / n
        d = x - mean
        return cls(x=x, n=n, mean=mean, cov=(d * w[:, None]).T @ d / n, w=w)


@dataclasses.dataclass(slots=True)
class MLFit:
    """Estimates and what the fit measures need."""

    x: np.ndarray
    fmin: float
    iterations: int
    info_expected: np.ndarray  # sum_g n_g I_g (N-scaled Fisher information)


def _jac(imp: Implied) -> tuple[np.ndarray, np.ndarray]:
    if imp.d_sigma is None or imp.d_mu is None:  # pragma: no cover - internal invariant
        raise RuntimeError("derivatives were not computed")
    return imp.d_sigma, imp.d_mu


def _group_terms(
    model: Model, x: np.ndarray, g: int, data: GroupData, mean: bool, deriv: bool
) -> tuple[float, np.ndarray | None, np.ndarray | None] | None:
    imp = model.implied(x, g, jacobian=deriv)
    sig = imp.sigma
    sign, logdet = np.linalg.slogdet(sig)
    if sign <= 0:
        return None
    inv = np.linalg.inv(sig)
    d = data.mean - imp.mu if mean else np.zeros(model.p)
    p = model.p
    _, logdet_s = np.linalg.slogdet(data.cov)
    f = logdet + np.trace(data.cov @ inv) - logdet_s - p + d @ inv @ d
    if not deriv:
        return f, None, None
    dS, dm = _jac(imp)
    M = inv - inv @ (data.cov + np.outer(d, d)) @ inv
    grad = np.einsum("ij,kji->k", M, dS)
    if mean:
        grad -= 2.0 * dm @ (inv @ d)
    Ad = np.einsum("ij,kjl->kil", inv, dS)
    info = 0.5 * np.einsum("kij,lji->kl", Ad, Ad)
    if mean:
        info += dm @ inv @ dm.T
    return f, grad, info


def objective(model: Model, x: np.ndarray, groups: list[GroupData], mean: bool) -> float:
    """:math:`F` (``inf`` when an implied covariance is not positive definite)."""
    N = sum(d.n for d in groups)
    total = 0.0
    for g, data in enumerate(groups):
        r = _group_terms(model, x, g, data, mean, False)
        if r is None:
            return float("inf")
        total += data.n / N * r[0]
    return total


def gradient_info(
    model: Model, x: np.ndarray, groups: list[GroupData], mean: bool
) -> tuple[float, np.ndarray, np.ndarray]:
    """:math:`F`, its gradient and the per-case Fisher information :math:`\\sum_g (n_g/N) I_g`."""
    N = sum(d.n for d in groups)
    f, grad, info = 0.0, np.zeros(model.q), np.zeros((model.q, model.q))
    for g, data in enumerate(groups):
        r = _group_terms(model, x, g, data, mean, True)
        if r is None:
            raise ConvergenceError(
                "the implied covariance matrix is not positive definite at the start values",
                rule="sem.not-positive-definite",
                hint="Give start values or check the model's identification.",
            )
        w = data.n / N
        f += w * r[0]
        grad += w * np.asarray(r[1])
        info += w * np.asarray(r[2])
    return f, grad, info


def fit_ml(
    model: Model,
    groups: list[GroupData],
    start: np.ndarray,
    *,
    mean: bool,
    max_iter: int = 2000,
    tol: float = 1e-13,
) -> MLFit:
    """Fisher scoring with step halving; raises :class:`ConvergenceError` when it stalls."""
    x = start.copy()
    f, grad, info = gradient_info(model, x, groups, mean)
    for it in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(2.0 * info, grad)
        except np.linalg.LinAlgError as ex:
            raise ConvergenceError(
                "the information matrix is singular: the model is not identified",
                rule="sem.not-identified",
                hint="Fix a loading or the factor variance of each factor, and check df >= 0.",
            ) from ex
        t = 1.0
        while True:
            x_new = x - t * step
            f_new = objective(model, x_new, groups, mean)
            if np.isfinite(f_new) and f_new <= f + 1e-14 * max(1.0, abs(f)):
                break
            t /= 2.0
            if t < 1e-10:
                raise ConvergenceError(
                    f"Fisher scoring stalled after {it} iterations (step halving failed)",
                    rule="sem.no-convergence",
                    hint="Tried Fisher scoring with step halving from lavaan-like start values; "
                    "check the model or give start values.",
                )
        x = x_new
        f_old = f
        f, grad, info = gradient_info(model, x, groups, mean)
        small_step = np.max(np.abs(t * step)) < 1e-10 * max(1.0, float(np.max(np.abs(x))))
        if np.max(np.abs(grad)) < 1e-12 or (small_step and abs(f_old - f) < tol):
            N = sum(d.n for d in groups)
            return MLFit(x=x, fmin=f / 2.0, iterations=it, info_expected=N * info)
    raise ConvergenceError(
        f"no convergence in {max_iter} Fisher-scoring iterations",
        rule="sem.no-convergence",
        hint="Tried Fisher scoring with step halving; check the model's identification.",
    )


def casewise_scores(model: Model, x: np.ndarray, groups: list[GroupData], mean: bool) -> np.ndarray:
    """Per-case derivatives of the log-likelihood (rows: cases of all groups, in group order)."""
    rows = []
    for g, data in enumerate(groups):
        imp = model.implied(x, g, jacobian=True)
        dS, dm = _jac(imp)
        inv = np.linalg.inv(imp.sigma)
        mu = imp.mu if mean else data.mean
        e = data.x - mu
        z = e @ inv  # n x p
        # 0.5 * tr(inv (e e' - Sigma) inv dSigma_k) = 0.5 * (z' dS_k z - tr(inv dS_k))
        quad = np.einsum("ni,kij,nj->nk", z, dS, z)
        tr = np.einsum("ij,kji->k", inv, dS)
        sc = 0.5 * (quad - tr[None, :])
        if mean:
            sc += z @ dm.T
        rows.append(sc * data.w[:, None])
    return np.vstack(rows)


def observed_info(
    model: Model, x: np.ndarray, groups: list[GroupData], mean: bool, h: float = 1e-6
) -> np.ndarray:
    """N-scaled observed information :math:`(N/2)\\,\\partial^2 F` by central differences of the
    analytic gradient."""
    N = sum(d.n for d in groups)
    q = model.q
    H = np.zeros((q, q))
    for k in range(q):
        e = np.zeros(q)
        e[k] = h * max(1.0, abs(x[k]))
        gp = gradient_info(model, x + e, groups, mean)[1]
        gm = gradient_info(model, x - e, groups, mean)[1]
        H[:, k] = (gp - gm) / (2 * e[k])
    H = (H + H.T) / 2
    return N / 2.0 * H
