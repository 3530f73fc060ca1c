"""Structural ego-network measures: size, density, Burt's effective size, efficiency, constraint.

Every function takes an :class:`~qonys.network.EgoNetworks` and returns one value per ego
(a :class:`pandas.Series` indexed by ego id), computed for all egos at once with grouped sums
over the alter and tie tables: no graph is built. The ego network is ego, its alters, a tie from
ego to every alter and the alter-alter ties; it is undirected and unweighted (the case where
networkx and igraph agree, ``../shared/refs/network``).

Notation: :math:`n` alters, :math:`t` alter-alter ties, :math:`d_q` the degree of alter
:math:`q` inside the ego network (its alter-alter ties plus the tie to ego).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._core.results import Meta
from .data import EgoNetworks
from .results import EgoMeasures

__all__ = [
    "STRUCTURAL_MEASURES",
    "constraint",
    "density",
    "effective_size",
    "efficiency",
    "network_size",
    "structural_measures",
]

STRUCTURAL_MEASURES: tuple[str, ...] = (
    "size",
    "n_ties",
    "density",
    "effective_size",
    "efficiency",
    "constraint",
)


def _series(net: EgoNetworks, values: np.ndarray, name: str) -> pd.Series:
    return pd.Series(values, index=net.ego_ids, name=name)


def network_size(net: EgoNetworks) -> pd.Series:
    """Number of alters of each ego (0 for an ego who named nobody).

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> network_size(example_networks()).tolist()
    [5.0, 5.0, 4.0, 1.0, 0.0]
    """
    return _series(net, net.size().astype(float), "size")


def density(net: EgoNetworks) -> pd.Series:
    """Density among the alters (ego excluded).

    .. math:: D = \\frac{2t}{n(n-1)}

    Returns
    -------
    Series
        ``NaN`` for an ego with fewer than two alters (no pair to be tied).

    Notes
    -----
    networkx: ``nx.density(G.subgraph(alters))``; igraph: ``edge_density(induced_subgraph(g,
    neighbors(g, v)))``.

    References
    ----------
    Marsden, P. V. (1987). Core discussion networks of Americans. *ASR* 52(1), 122-131.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> density(example_networks()).tolist()        # METHODS 4.3: 0.30; star 0; K5 1
    [0.3, 0.0, 1.0, nan, nan]
    """
    n = net.size().astype(float)
    t = net.n_ties_per_ego().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(n >= 2, 2.0 * t / (n * (n - 1.0)), np.nan)
    return _series(net, d, "density")


def effective_size(net: EgoNetworks) -> pd.Series:
    """Burt's effective size: the number of alters less their redundancy.

    .. math:: E = \\sum_j \\Big[1 - \\sum_{q \\ne i, j} p_{iq} m_{jq}\\Big] = n - \\frac{2t}{n}

    the second form holding for unweighted undirected networks (Borgatti 1997).

    Returns
    -------
    Series
        ``NaN`` for an ego without alters (an isolate), as ``nx.effective_size``.

    Notes
    -----
    networkx: ``nx.effective_size(G)[ego]``; igraph has no such function (R: compute
    ``n - 2 * t / n``).

    References
    ----------
    Burt, R. S. (1992). *Structural Holes*. Harvard University Press.
    Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures.
    *Connections* 20(1), 35-38.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> effective_size(example_networks()).tolist()  # METHODS 4.3: 3.8; star 5; K5 1
    [3.8, 5.0, 1.0, 1.0, nan]
    """
    n = net.size().astype(float)
    t = net.n_ties_per_ego().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(n >= 1, n - 2.0 * t / n, np.nan)
    return _series(net, e, "effective_size")


def efficiency(net: EgoNetworks) -> pd.Series:
    """Burt's efficiency: effective size divided by the number of alters.

    .. math:: \\text{efficiency} = E / n

    Returns
    -------
    Series
        ``NaN`` for an isolate.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> [round(x, 12) for x in efficiency(example_networks())][:3]   # METHODS 4.3: 0.76
    [0.76, 1.0, 0.25]
    """
    n = net.size().astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = np.where(n >= 1, effective_size(net).to_numpy() / n, np.nan)
    return _series(net, eff, "efficiency")


def constraint(net: EgoNetworks) -> pd.Series:
    """Burt's aggregate constraint on ego.

    .. math:: c_i = \\sum_j \\Big(p_{ij} + \\sum_{q \\ne i, j} p_{iq} p_{qj}\\Big)^2,
       \\qquad p_{ij} = \\frac{a_{ij} + a_{ji}}{\\sum_k (a_{ik} + a_{ki})}

    In an unweighted ego network :math:`p_{ij} = 1/n` for every alter and
    :math:`p_{qj} = 1/d_q`, so

    .. math:: c_i = \\frac{1}{n^2} \\sum_j \\Big(1 + \\sum_{q \\in N(j)} \\frac{1}{d_q}\\Big)^2

    with :math:`N(j)` the alters tied to :math:`j`: a sum over the tie table.

    Returns
    -------
    Series
        ``NaN`` for an isolate. Values above 1 occur in small dense networks (a triad gives
        1.125; networkx issue #8087).

    Notes
    -----
    The degrees :math:`d_q` are those inside the ego network: a survey does not see the
    alters' ties to people outside the roster. The value is therefore that of networkx and
    igraph on the ego graph, ``nx.constraint(nx.ego_graph(G, ego))[ego]`` or R's
    ``igraph::constraint(make_ego_graph(g, 1, ego)[[1]])``, which equals the whole-graph value
    only when the alters have no outside ties (the ego graphs of ``../shared/refs/network``).

    References
    ----------
    Burt, R. S. (1992). *Structural Holes*, ch. 2. Harvard University Press.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> [round(x, 4) for x in constraint(example_networks())][:4]   # METHODS 4.3
    [0.4822, 0.2, 0.7656, 1.0]
    """
    n = net.size().astype(float)
    a, b = net.tie_pos
    deg = 1.0 + np.bincount(a, minlength=net.n_alters) + np.bincount(b, minlength=net.n_alters)
    s = np.bincount(a, weights=1.0 / deg[b], minlength=net.n_alters) + np.bincount(
        b, weights=1.0 / deg[a], minlength=net.n_alters
    )
    total = np.bincount(net.alter_ego_pos, weights=(1.0 + s) ** 2, minlength=net.n_egos)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n >= 1, total / (n * n), np.nan)
    return _series(net, c, "constraint")


def structural_measures(net: EgoNetworks) -> EgoMeasures:
    """Size, alter-alter ties, density, effective size, efficiency and constraint of every ego.

    Returns
    -------
    EgoMeasures
        Columns :data:`STRUCTURAL_MEASURES`; undefined values are ``NaN`` as documented by
        each function (density needs two alters; the others need one).

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> res = structural_measures(example_networks())
    >>> res.values.loc["abc_de", ["size", "n_ties", "density", "effective_size"]].tolist()
    [5.0, 3.0, 0.3, 3.8]
    """
    values = pd.DataFrame(
        {
            "size": network_size(net),
            "n_ties": _series(net, net.n_ties_per_ego().astype(float), "n_ties"),
            "density": density(net),
            "effective_size": effective_size(net),
            "efficiency": efficiency(net),
            "constraint": constraint(net),
        }
    )
    n_iso = int((net.size() == 0).sum())
    notes = (
        (f"{n_iso} ego(s) without alters: structural measures undefined (NaN)",) if n_iso else ()
    )
    meta = Meta(
        method="ego-network structure (Burt 1992; unweighted, undirected)",
        notes=(*net.notes, *notes),
        n_used=net.n_egos,
        n_dropped=0,
    )
    return EgoMeasures(values, network_size(net), meta)
