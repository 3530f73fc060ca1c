"""Turning latent scores into answers: ordinal items, choices and multiple responses.

A respondent's latent score ``d`` on [0, 1] becomes an answer on a k-point item as
``round(1 + d (k - 1) + e)``, clipped to 1..k, with e ~ N(0, ``noise``); a reverse-keyed item
is then flipped (k + 1 - answer). The mean of a scale's rescaled items therefore estimates
``d`` (shrunk a little towards the middle by the clipping), which is what the measurement
module computes.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> likert(np.array([0.0, 1.0]), 5, rng, noise=0.0).tolist()
[1.0, 5.0]
>>> pick(np.array([[0.0, 1.0]]), [7, 9], rng).tolist()
[9.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._core import Codebook

__all__ = [
    "choice_codes",
    "likert",
    "multi",
    "pick",
    "scale_items",
    "sigmoid",
    "texts",
]


def texts(cond: ArrayLike, values: ArrayLike) -> np.ndarray:
    """Text answers: ``values`` where ``cond`` holds, empty (``None``) elsewhere.

    Examples
    --------
    >>> texts(np.array([True, False]), "a").tolist()
    ['a', None]
    """
    mask = np.asarray(cond, dtype=bool)
    vals = np.broadcast_to(np.asarray(values, dtype=object), mask.shape)
    out = np.full(mask.shape, None, dtype=object)
    out[mask] = vals[mask]
    return out


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x))."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))))


def likert(
    d: np.ndarray,
    k: int,
    rng: np.random.Generator,
    *,
    noise: float = 0.75,
    low: int = 1,
    reverse: bool = False,
) -> np.ndarray:
    """A k-point answer (codes ``low``..``low + k - 1``) from latent scores on [0, 1]."""
    d = np.clip(np.asarray(d, dtype=float), 0.0, 1.0)
    y = np.rint(d * (k - 1) + noise * rng.standard_normal(d.size))
    y = np.clip(y, 0, k - 1)
    if reverse:
        y = (k - 1) - y
    return y + low


def pick(probs: ArrayLike, codes: ArrayLike, rng: np.random.Generator) -> np.ndarray:
    """One code per row of ``probs`` (category probabilities; a 1-D vector gives one draw)."""
    p: np.ndarray = np.asarray(probs, dtype=float)
    if p.ndim == 1:
        p = np.broadcast_to(p, (1, p.size))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random((cum.shape[0], 1))
    idx = np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)
    return np.asarray(codes, dtype=float)[idx]


def multi(
    probs: np.ndarray,
    codes: Sequence[int],
    rng: np.random.Generator,
    *,
    none: int | None = None,
    at_least_one: bool = False,
) -> np.ndarray:
    """Multiple responses: each code chosen independently with its probability.

    Rows with nothing chosen get ``none`` (the "none of these" code) or, with
    ``at_least_one``, the most probable code. Returns text answers such as ``"1 4"``.
    """
    p: np.ndarray = np.atleast_2d(np.asarray(probs, dtype=float))
    chosen = rng.random(p.shape) < p
    empty = ~chosen.any(axis=1)
    if at_least_one:
        chosen[np.flatnonzero(empty), p[empty].argmax(axis=1)] = True
    out = np.empty(p.shape[0], dtype=object)
    codes_txt = [str(c) for c in codes]
    for i in range(p.shape[0]):
        picked = [codes_txt[j] for j in np.flatnonzero(chosen[i])]
        out[i] = " ".join(picked) if picked else (str(none) if none is not None else None)
    return out


def choice_codes(cb: Codebook, variable: str) -> list[int]:
    """Substantive integer codes of a variable's choice list (missing codes left out)."""
    var = cb.variable(variable)
    if not var.choices:
        return []
    return [
        int(c.code)
        for c in cb.choice_list(var.choices).choices
        if c.missing is None and isinstance(c.code, int)
    ]


def scale_items(
    cb: Codebook,
    latent: Mapping[str, np.ndarray],
    rng: np.random.Generator,
    *,
    noise: float = 0.75,
) -> dict[str, np.ndarray]:
    """Answers to every item of the scales named in ``latent`` (scale -> scores on [0, 1]).

    Only select_one items whose substantive codes are consecutive integers are generated;
    reverse-keyed items (the scale's ``reverse``) are flipped.
    """
    out: dict[str, np.ndarray] = {}
    for scale in cb.scales:
        if scale.name not in latent:
            continue
        d = latent[scale.name]
        for item in scale.items:
            if item not in cb or cb.variable(item).type != "select_one":
                continue
            codes = choice_codes(cb, item)
            if not codes or codes != list(range(codes[0], codes[0] + len(codes))):
                continue
            out[item] = likert(
                d, len(codes), rng, noise=noise, low=codes[0], reverse=item in scale.reverse
            )
    return out
