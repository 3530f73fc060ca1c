"""Model-implied moments and their derivatives (LISREL "all-y" representation).

.. math::
    \\Sigma = \\Lambda (I - B)^{-1} \\Psi (I - B)^{-T} \\Lambda^T + \\Theta, \\qquad
    \\mu = \\nu + \\Lambda (I - B)^{-1} \\alpha

For ordered indicators (delta parameterisation) the diagonal of :math:`\\Sigma^*` is fixed to
one, so residual variances are not parameters, and thresholds :math:`\\tau` are.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .spec import Spec

__all__ = ["Implied", "Model"]


@dataclasses.dataclass(slots=True)
class Implied:
    """One group's implied moments and, when asked, their Jacobians (one slice per parameter)."""

    sigma: np.ndarray
    mu: np.ndarray
    tau: np.ndarray
    d_sigma: np.ndarray | None = None
    d_mu: np.ndarray | None = None
    d_tau: np.ndarray | None = None


class Model:
    """Evaluate a :class:`~qonys.measure.sem.spec.Spec` at a free-parameter vector."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.p = len(spec.ov)
        self.m = len(spec.lv)
        self.q = spec.n_free
        self.tau_index: list[tuple[int, int]] = [
            (spec.ov.index(v), t) for v in spec.ordered for t in range(spec.n_thresholds[v])
        ]
        self.ord_mask = np.array([v in spec.ordered for v in spec.ov])
        self._groups = [[p for p in spec.params if p.group == g] for g in range(spec.n_groups)]

    def matrices(self, x: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """Lambda, Theta, Psi, B, nu, alpha and thresholds of group ``g``."""
        p, m = self.p, self.m
        mats = {
            "lambda": np.zeros((p, m)),
            "theta": np.zeros((p, p)),
            "psi": np.zeros((m, m)),
            "beta": np.zeros((m, m)),
            "nu": np.zeros((p, 1)),
            "alpha": np.zeros((m, 1)),
            "tau": np.zeros((p, max([*self.spec.n_thresholds.values(), 1]))),
        }
        for par in self._groups[g]:
            v = x[par.free] if par.free >= 0 else par.value
            mat = mats[par.matrix]
            mat[par.row, par.col] = v
            if par.matrix in ("theta", "psi"):
                mat[par.col, par.row] = v
        return mats

    def implied(self, x: np.ndarray, g: int, *, jacobian: bool = False) -> Implied:
        """Implied moments of group ``g`` (and derivatives with ``jacobian=True``)."""
        mats = self.matrices(x, g)
        L, T, P, B = mats["lambda"], mats["theta"], mats["psi"], mats["beta"]
        A = np.linalg.inv(np.eye(self.m) - B)
        G = L @ A
        a = mats["alpha"][:, 0]
        sigma = G @ P @ G.T + T
        if self.ord_mask.any():
            idx = np.flatnonzero(self.ord_mask)
            sigma[idx, idx] = 1.0
        mu = mats["nu"][:, 0] + G @ a
        tau = np.array([mats["tau"][r, t] for r, t in self.tau_index])
        out = Implied(sigma, mu, tau)
        if not jacobian:
            return out
        q, p = self.q, self.p
        dS = np.zeros((q, p, p))
        dm = np.zeros((q, p))
        dt = np.zeros((q, len(self.tau_index)))
        APG = A @ P @ G.T
        Aa = A @ a
        tpos = {rt: i for i, rt in enumerate(self.tau_index)}
        for par in self._groups[g]:
            k = par.free
            if k < 0:
                continue
            r, c = par.row, par.col
            if par.matrix == "lambda":
                M1 = np.zeros((p, p))
                M1[r, :] = APG[c, :]
                dS[k] += M1 + M1.T
                dm[k, r] += Aa[c]
            elif par.matrix == "theta":
                dS[k, r, c] += 1.0
                if r != c:
                    dS[k, c, r] += 1.0
            elif par.matrix == "psi":
                M2 = np.outer(G[:, r], G[:, c])
                dS[k] += M2 + M2.T if r != c else M2
            elif par.matrix == "beta":
                H = np.outer(G[:, r], A[c, :])
                M3 = H @ P @ G.T
                dS[k] += M3 + M3.T
                dm[k] += H @ a
            elif par.matrix == "nu":
                dm[k, r] += 1.0
            elif par.matrix == "alpha":
                dm[k] += G[:, r]
            elif par.matrix == "tau":
                dt[k, tpos[(r, c)]] += 1.0
        if self.ord_mask.any():
            idx = np.flatnonzero(self.ord_mask)
            dS[:, idx, idx] = 0.0
        out.d_sigma, out.d_mu, out.d_tau = dS, dm, dt
        return out
