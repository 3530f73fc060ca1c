"""Batched EM for latent class models: many random starts advance together as one array.

Data are collapsed to distinct response patterns with summed weights; items are one-hot coded in
a padded array ``Y[n, j, r]`` (all zeros when item j is missing for pattern n, so missing items
drop out of the likelihood, as in poLCA's ``na.rm = FALSE``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import logsumexp

__all__ = ["EMRun", "run_em"]

_TINY = 1e-300


@dataclasses.dataclass(slots=True)
class EMRun:
    """Best solution over the starts and the log-likelihood each start reached."""

    shares: np.ndarray  # K
    probs: np.ndarray  # K x J x R
    loglik: float
    n_iter: int
    converged: bool
    start_logliks: np.ndarray
    n_degenerate: int


def _estep(
    Y: np.ndarray, w: np.ndarray, shares: np.ndarray, probs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior (S, N, K) and weighted log-likelihood per start (S,)."""
    logp = np.log(np.maximum(probs, _TINY))  # S K J R
    S, K = logp.shape[:2]
    n = Y.shape[0]
    # one matrix product (BLAS) instead of an einsum over four axes
    ll = (Y.reshape(n, -1) @ logp.reshape(S * K, -1).T).reshape(n, S, K).transpose(1, 0, 2)
    joint = ll + np.log(np.maximum(shares, _TINY))[:, None, :]
    lse = logsumexp(joint, axis=2)
    post = np.exp(joint - lse[:, :, None])
    return post, lse @ w


def _mstep(
    Y: np.ndarray, obs: np.ndarray, w: np.ndarray, post: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    wr = post * w[None, :, None]  # S N K
    shares = wr.sum(axis=1) / w.sum()
    S, n, K = wr.shape
    flat = wr.transpose(0, 2, 1).reshape(S * K, n)
    num = (flat @ Y.reshape(n, -1)).reshape(S, K, *Y.shape[1:])
    den = (flat @ obs).reshape(S, K, obs.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        probs = num / den[..., None]
    probs = np.where(valid[None, None], probs, 0.0)
    return shares, np.clip(probs, 0.0, 1.0)


def run_em(
    Y: np.ndarray,
    w: np.ndarray,
    n_classes: int,
    *,
    n_init: int,
    rng: np.random.Generator,
    max_iter: int,
    tol: float,
    valid: np.ndarray,
    batch: int = 64,
) -> EMRun:
    """Fit by EM from ``n_init`` random starts (uniform item probabilities, equal shares)."""
    obs = Y.sum(axis=2)
    J, R = Y.shape[1], Y.shape[2]
    best: tuple[float, np.ndarray, np.ndarray, int, bool] | None = None
    start_ll: list[float] = []
    n_bad = 0
    for b0 in range(0, n_init, batch):
        S = min(batch, n_init - b0)
        raw = rng.uniform(size=(S, n_classes, J, R)) * valid[None, None]
        probs = raw / raw.sum(axis=3, keepdims=True)
        shares = np.full((S, n_classes), 1.0 / n_classes)
        ll_old = np.full(S, -np.inf)
        idx = np.arange(S)  # starts still running
        final_ll = np.full(S, -np.inf)
        final_sh = np.zeros((S, n_classes))
        final_pr = np.zeros((S, n_classes, J, R))
        final_it = np.zeros(S, int)
        final_conv = np.zeros(S, bool)
        it = 0
        while idx.size and it < max_iter:
            it += 1
            post, ll = _estep(Y, w, shares, probs)
            done = ll - ll_old < tol
            if done.any() or it == max_iter:
                stop = done | (it == max_iter)
                final_ll[idx[stop]] = ll[stop]
                final_sh[idx[stop]] = shares[stop]
                final_pr[idx[stop]] = probs[stop]
                final_it[idx[stop]] = it
                final_conv[idx[stop]] = done[stop]
                keep = ~stop
                idx, post, ll = idx[keep], post[keep], ll[keep]
                shares, probs = shares[keep], probs[keep]
            ll_old = ll
            if idx.size:
                shares, probs = _mstep(Y, obs, w, post, valid)
        degenerate = (
            ~np.isfinite(final_ll)
            | (final_sh.min(axis=1) < 1e-10)
            | np.isnan(final_pr).any(axis=(1, 2, 3))
        )
        n_bad += int(degenerate.sum())
        lls = np.where(degenerate, -np.inf, final_ll)
        start_ll.extend(lls.tolist())
        s = int(np.argmax(lls))
        if np.isfinite(lls[s]) and (best is None or lls[s] > best[0]):
            best = (
                float(lls[s]),
                final_sh[s].copy(),
                final_pr[s].copy(),
                int(final_it[s]),
                bool(final_conv[s]),
            )
    if best is None:
        return EMRun(np.array([]), np.array([]), -np.inf, 0, False, np.array(start_ll), n_bad)
    return EMRun(best[1], best[2], best[0], best[3], best[4], np.array(start_ll), n_bad)


def polish(
    Y: np.ndarray,
    w: np.ndarray,
    shares: np.ndarray,
    probs: np.ndarray,
    valid: np.ndarray,
    *,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, float, int, bool]:
    """Continue EM from one solution with a tighter tolerance."""
    obs = Y.sum(axis=2)
    sh, pr = shares[None], probs[None]
    ll_old = -np.inf
    for it in range(1, max_iter + 1):
        post, ll = _estep(Y, w, sh, pr)
        # relative to the log-likelihood's size: with weights summing to a population total an
        # absolute 1e-14 lies below double precision and EM would never stop
        if ll[0] - ll_old < tol * max(1.0, abs(float(ll[0]))):
            return sh[0], pr[0], float(ll[0]), it, True
        ll_old = ll[0]
        sh, pr = _mstep(Y, obs, w, post, valid)
    post, ll = _estep(Y, w, sh, pr)
    return sh[0], pr[0], float(ll[0]), max_iter, False
