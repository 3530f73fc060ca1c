"""GLM families with canonical links, as R's ``gaussian()``, ``binomial()``, ``poisson()``
(internal to :mod:`qonys.estimate.glm`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

import numpy as np

from .._core import DesignError, Where

__all__ = ["FAMILIES", "Family", "family_of"]

Family = Literal["gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson"]
FAMILIES: tuple[str, ...] = ("gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson")

_EPS = np.finfo(float).eps


@dataclasses.dataclass(frozen=True)
class _Family:
    name: str
    linkinv: Callable[[np.ndarray], np.ndarray]
    mu_eta: Callable[[np.ndarray], np.ndarray]
    variance: Callable[[np.ndarray], np.ndarray]
    link: Callable[[np.ndarray], np.ndarray]
    mustart: Callable[[np.ndarray, np.ndarray], np.ndarray]
    dev: Callable[[np.ndarray, np.ndarray, np.ndarray], float]


def _logit_inv(eta: np.ndarray) -> np.ndarray:
    # R's binomial()$linkinv: exp clamped at +-30 so mu stays inside (0, 1)
    t = np.exp(np.clip(eta, -30.0, 30.0))
    return np.asarray(t / (1 + t))


def _logit_mu_eta(eta: np.ndarray) -> np.ndarray:
    t = np.exp(-np.abs(eta))
    return np.asarray(np.maximum(t / (1 + t) ** 2, _EPS))


def _ylogy(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, y * np.log(y / mu), 0.0)


def _binomial_dev(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    if ((y == 0) | (y == 1)).all():  # 0/1 responses: one logarithm per row
        return float(-2 * np.sum(w * np.log(np.where(y > 0.5, mu, 1 - mu))))
    return float(2 * np.sum(w * (_ylogy(y, mu) + _ylogy(1 - y, 1 - mu))))


def family_of(name: str) -> _Family:
    if name == "gaussian":
        return _Family(
            name,
            lambda e: e,
            np.ones_like,
            np.ones_like,
            lambda m: m,
            lambda y, w: y,
            lambda y, mu, w: float(np.sum(w * (y - mu) ** 2)),
        )
    if name in ("binomial", "quasibinomial"):
        return _Family(
            name,
            _logit_inv,
            _logit_mu_eta,
            lambda m: m * (1 - m),
            lambda m: np.log(m / (1 - m)),
            lambda y, w: (w * y + 0.5) / (w + 1),
            _binomial_dev,
        )
    if name in ("poisson", "quasipoisson"):
        return _Family(
            name,
            lambda e: np.maximum(np.exp(e), _EPS),
            lambda e: np.maximum(np.exp(e), _EPS),
            lambda m: m,
            np.log,
            lambda y, w: y + 0.1,
            lambda y, mu, w: float(2 * np.sum(w * (_ylogy(y, mu) - (y - mu)))),
        )
    raise DesignError(
        f"family must be one of {', '.join(FAMILIES)}; got {name!r}",
        where=Where(key="family"),
        rule="design.family",
    )
