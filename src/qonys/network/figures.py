"""Network figures: ego-network sociograms (PNG bytes, matplotlib Agg, no time stamps).

Composition bar charts are report specifications built by the study stage from the profile's
estimates (:class:`qonys.report.BarChart`, drawn per language); this module draws what the
report cannot describe as bars: a sociogram of one ego network, alters coloured by tie type.
A sociogram of a real respondent is personal data; the study draws an illustrative network
made from estimated shares (:func:`illustrative_network`), never a respondent's.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .classify import TIE_TYPES
from .data import EgoNetworks

__all__ = ["TIE_COLOURS", "illustrative_network", "sociogram_png"]

TIE_COLOURS: Mapping[str, str] = {
    "bonding": "#1b9e77",
    "bridging": "#7570b3",
    "linking": "#d95f02",
    "bonding_weak": "#66a61e",
    "unclassified": "#bbbbbb",
}
"""Colour of each tie type (colour-blind-safe Dark2 palette, grey for unclassified)."""


def illustrative_network(
    shares: Mapping[str, float], *, size: int = 5, density: float = 0.4, ego: str = "ego"
) -> EgoNetworks:
    """A made-up ego network whose tie types follow given shares (largest remainders).

    Alters are ordered by type; alters of the same type are tied first (bonding ties are
    dense), then other pairs, until ``density`` is reached. The ``tie_type`` column holds the
    type of each alter.

    Examples
    --------
    >>> net = illustrative_network({"bonding": 0.6, "bridging": 0.25, "linking": 0.15})
    >>> net.alters["tie_type"].tolist(), net.n_ties
    (['bonding', 'bonding', 'bonding', 'bridging', 'linking'], 4)
    """
    types = [t for t in TIE_TYPES if shares.get(t, 0) and math.isfinite(shares[t])]
    raw = np.array([max(float(shares[t]), 0.0) for t in types])
    counts = np.floor(raw / raw.sum() * size).astype(int) if raw.sum() > 0 else np.zeros(0, int)
    rest = size - int(counts.sum())
    for i in np.argsort(-(raw / max(raw.sum(), 1e-300) * size - counts))[:rest]:
        counts[i] += 1
    labels = [t for t, c in zip(types, counts, strict=True) for _ in range(c)]
    names = [chr(ord("A") + i) for i in range(len(labels))]
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    pairs.sort(key=lambda p: labels[p[0]] != labels[p[1]])
    k = round(density * len(pairs))
    ties = [(ego, names[i], names[j]) for i, j in pairs[:k]]
    return EgoNetworks(
        pd.DataFrame(index=pd.Index([ego], name="ego")),
        pd.DataFrame({"ego": ego, "alter": names, "tie_type": labels}),
        pd.DataFrame(ties, columns=["ego", "source", "target"]),
    )


def sociogram_png(
    net: EgoNetworks,
    ego: Any,
    *,
    colour_by: str | None = "tie_type",
    colours: Mapping[str, str] = TIE_COLOURS,
    labels: Mapping[str, str] | None = None,
    size: tuple[float, float] = (4.5, 4.5),
    dpi: int = 120,
) -> bytes:
    """Draw one ego network: ego in the centre, alters on a circle, alter-alter ties drawn.

    Parameters
    ----------
    net, ego
        The networks and the ego to draw.
    colour_by : str, optional
        Alter attribute whose values pick the colours (``tie_type`` by default).
    colours : mapping
        Value -> colour.
    labels : mapping, optional
        Value -> legend text (e.g. translated tie-type names).

    Returns
    -------
    bytes
        A PNG image (deterministic: the same network gives the same bytes).

    Examples
    --------
    >>> png = sociogram_png(illustrative_network({"bonding": 1.0}), "ego")
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    g = net.to_networkx(ego, ego_node="__ego__")
    alters = [v for v in g.nodes if v != "__ego__"]
    angle = np.linspace(0, 2 * np.pi, num=max(len(alters), 1), endpoint=False) + np.pi / 2
    pos = {v: (math.cos(a), math.sin(a)) for v, a in zip(alters, angle, strict=False)}
    pos["__ego__"] = (0.0, 0.0)
    values: Sequence[Any] = [g.nodes[v].get(colour_by) if colour_by else None for v in alters]
    fig, ax = plt.subplots(figsize=size, dpi=dpi)
    try:
        ego_edges = [(u, v) for u, v in g.edges if "__ego__" in (u, v)]
        alter_edges = [(u, v) for u, v in g.edges if "__ego__" not in (u, v)]
        nx.draw_networkx_edges(
            g, pos, edgelist=ego_edges, ax=ax, edge_color="#cccccc", style="dashed"
        )
        nx.draw_networkx_edges(g, pos, edgelist=alter_edges, ax=ax, edge_color="#444444", width=1.5)
        nx.draw_networkx_nodes(
            g, pos, nodelist=["__ego__"], node_color="#222222", ax=ax, node_size=500
        )
        nx.draw_networkx_nodes(
            g,
            pos,
            nodelist=alters,
            ax=ax,
            node_size=420,
            node_color=[colours.get(str(v), "#bbbbbb") for v in values],
        )
        seen = [v for v in dict.fromkeys(values) if v is not None]
        for v in seen:
            ax.scatter(
                [],
                [],
                color=colours.get(str(v), "#bbbbbb"),
                label=(labels or {}).get(str(v), str(v)),
            )
        if seen:
            ax.legend(
                loc="lower center",
                bbox_to_anchor=(0.5, -0.12),
                ncol=min(len(seen), 3),
                frameon=False,
                fontsize=8,
            )
        ax.set_axis_off()
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    finally:
        plt.close(fig)
    return buf.getvalue()
