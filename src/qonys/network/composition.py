"""Compositional ego-network measures: heterogeneity (Blau, IQV, SD), E-I index, shares.

All functions work on every ego at once (grouped counts over the alter table) and return a
:class:`pandas.Series` or :class:`pandas.DataFrame` indexed by ego id. Alters with a missing
value of the attribute follow the ``missing`` policy: ``"fail"`` (default) raises, ``"available"``
(or ``"drop"``) leaves them out of that measure only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import DataError, QonysError, Where
from .._core.policies import MissingPolicy
from ._util import check_missing, grouped_count, is_missing, member, numeric
from .data import EgoNetworks

__all__ = [
    "STANDARD_COMPOSITION",
    "blau",
    "composition",
    "composition_shares",
    "ei_index",
    "iqv",
    "mean_abs_difference",
    "sd_heterogeneity",
]

STANDARD_COMPOSITION: Mapping[str, tuple[str, tuple[Any, ...]]] = {
    "kin": ("net_a_relation", (1,)),
    "covillagers": ("net_a_origin", (1,)),
    "same_region": ("net_a_origin", (1, 2, 3)),
    "long_term_residents": ("net_a_status", (1,)),
    "born_in_city": ("net_a_origin", (5,)),
    "coworkers": ("net_a_relation", (4,)),
    "neighbours": ("net_a_relation", (5,)),
    "friends": ("net_a_relation", (3,)),
    "officials": ("net_a_relation", (6, 7, 8)),
    "other_ethnicity": ("net_a_same_ethn", (0,)),
    "women": ("net_a_sex", (2,)),
}
"""Composition shares of the standard instrument: name -> (alter variable, codes counted).

Co-villagers are alters from the ego's home village or town (``net_a_origin = 1``); long-term
residents were born in the city or have lived there 10 years or more (``net_a_status = 1``);
officials are employers or managers, officials and NGO or social workers (``net_a_relation``
6-8)."""


def _codes(net: EgoNetworks, attribute: str, missing: MissingPolicy) -> tuple[np.ndarray, Any]:
    values = net.alter_values(attribute)
    miss = is_missing(values)
    check_missing(miss, missing, attribute)
    codes, uniques = pd.factorize(values.where(~miss), use_na_sentinel=True)
    return codes, uniques


def _counts(net: EgoNetworks, codes: np.ndarray, k: int) -> np.ndarray:
    ok = codes >= 0
    flat = net.alter_ego_pos[ok] * k + codes[ok]
    return np.bincount(flat, minlength=net.n_egos * k).reshape(net.n_egos, k).astype(float)


def _blau(net: EgoNetworks, attribute: str, missing: MissingPolicy) -> tuple[np.ndarray, Any]:
    codes, uniques = _codes(net, attribute, missing)
    k = max(len(uniques), 1)
    c = _counts(net, codes, k)
    nv = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(nv > 0, 1.0 - ((c / nv[:, None]) ** 2).sum(axis=1), np.nan)
    return h, uniques


def blau(net: EgoNetworks, attribute: str, *, missing: MissingPolicy = "fail") -> pd.Series:
    """Blau's heterogeneity index of an alter attribute.

    .. math:: H = 1 - \\sum_k p_k^2

    with :math:`p_k` the share of the ego's alters in category :math:`k`.

    Returns
    -------
    Series
        ``NaN`` for an ego without alters (with a known value); 0 for a single alter.

    References
    ----------
    Blau, P. M. (1977). *Inequality and Heterogeneity*. Free Press.

    Notes
    -----
    R: ``egor::comp_ply(e, "relation", function(x) 1 - sum(prop.table(table(x))^2))``.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> blau(example_networks(), "relation").round(12).tolist()   # METHODS 4.3: 0.72
    [0.72, 0.0, 0.0, 0.0, nan]
    """
    h, _ = _blau(net, attribute, missing)
    return pd.Series(h, index=net.ego_ids, name=f"blau_{attribute}")


def iqv(
    net: EgoNetworks,
    attribute: str,
    categories: int | Sequence[Any] | None = None,
    *,
    missing: MissingPolicy = "fail",
) -> pd.Series:
    """Index of qualitative variation: Blau's index normalised to [0, 1].

    .. math:: IQV = \\frac{H}{1 - 1/K}

    Parameters
    ----------
    categories : int or sequence, optional
        The number :math:`K` of possible categories, or the categories themselves (a value
        outside them is an error). By default :math:`K` is the number of distinct values seen
        among all alters, which understates it when a category never occurs.

    Returns
    -------
    Series
        ``NaN`` where Blau's index is (no alter).

    Raises
    ------
    QonysError
        ``K < 2`` (rule ``network.categories``).
    DataError
        A value outside ``categories`` (rule ``network.unknown-category``).

    References
    ----------
    Agresti, A. & Agresti, B. F. (1978). Statistical analysis of qualitative variation.
    *Sociological Methodology* 9, 204-237.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> round(float(iqv(example_networks(), "relation", categories=4)["abc_de"]), 12)  # 0.96
    0.96
    """
    h, uniques = _blau(net, attribute, missing)
    if categories is None:
        k = len(uniques)
    elif isinstance(categories, int):
        k = categories
    else:
        allowed = list(categories)
        values = net.alter_values(attribute)
        outside = ~is_missing(values) & ~member(values, allowed)
        if outside.any():
            raise DataError(
                f"{attribute!r} holds {values.to_numpy()[outside][0]!r}, not among the "
                "categories given",
                where=Where(
                    sheet="alters", row=int(np.flatnonzero(outside)[0]) + 1, variable=attribute
                ),
                rule="network.unknown-category",
                hint="List every possible category, or pass their number.",
            )
        k = len(allowed)
    if k < 2:
        raise QonysError(
            f"the IQV needs at least 2 possible categories; got K = {k}",
            where=Where(key="categories"),
            rule="network.categories",
            hint="Pass categories= (the number of possible categories of the attribute).",
        )
    return pd.Series(h / (1.0 - 1.0 / k), index=net.ego_ids, name=f"iqv_{attribute}")


def ei_index(
    net: EgoNetworks,
    attribute: str,
    *,
    external: Sequence[Any] | None = None,
    ego_attribute: str | None = None,
    missing: MissingPolicy = "fail",
) -> pd.Series:
    """Krackhardt and Stern's E-I index of ties outside versus inside ego's group.

    .. math:: EI = \\frac{E - I}{E + I}

    :math:`E` counts external alters and :math:`I` internal ones: -1 when every alter is of
    ego's group, +1 when none is.

    Parameters
    ----------
    attribute : str
        Alter attribute defining the groups (origin, migrant status...).
    external : sequence, optional
        Codes of ``attribute`` that are external to ego's group (e.g. ``[1]`` on
        ``net_a_status``: long-term city residents, for a migrant ego).
    ego_attribute : str, optional
        Instead of ``external``: an ego attribute with the same codes; an alter is internal
        when its value equals ego's.

    Returns
    -------
    Series
        ``NaN`` when :math:`E + I = 0` (no alter with a known value).

    References
    ----------
    Krackhardt, D. & Stern, R. N. (1988). Informal networks and organizational crises.
    *Social Psychology Quarterly* 51(2), 123-140.

    Notes
    -----
    R: ``egor::EI(e, "status")`` computes the same index with ego's own group taken from the
    ego table (``ego_attribute`` here).

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> net = example_networks()
    >>> ei_index(net, "status", external=[1]).tolist()    # METHODS 4.3: +0.2
    [0.2, -1.0, -1.0, 1.0, nan]
    >>> ei_index(net, "status", ego_attribute="status").tolist()
    [0.2, -1.0, -1.0, 1.0, nan]
    """
    if (external is None) == (ego_attribute is None):
        raise QonysError(
            "give exactly one of external= and ego_attribute=",
            where=Where(key="external"),
            rule="network.ei-groups",
            hint="external=[codes] names the outside group; ego_attribute= compares with ego.",
        )
    values = net.alter_values(attribute)
    miss = is_missing(values)
    if ego_attribute is not None:
        ego_vals = net.ego_values(ego_attribute)
        miss = miss | is_missing(ego_vals)
        check_missing(miss, missing, f"{attribute} / {ego_attribute}")
        a, e = values.astype("string"), ego_vals.astype("string")
        try:
            a_num = numeric(values, attribute)
            e_num = numeric(ego_vals, ego_attribute, sheet="egos")
            same = a_num == e_num
        except DataError:
            same = (a == e).to_numpy(dtype=bool, na_value=False)
        ext = ~same
    else:
        check_missing(miss, missing, attribute)
        ext = member(values, list(external or ()))
    ok = ~miss
    e_n = grouped_count(net.alter_ego_pos, ok & ext, net.n_egos)
    i_n = grouped_count(net.alter_ego_pos, ok & ~ext, net.n_egos)
    with np.errstate(divide="ignore", invalid="ignore"):
        ei = np.where(e_n + i_n > 0, (e_n - i_n) / (e_n + i_n), np.nan)
    return pd.Series(ei, index=net.ego_ids, name=f"ei_{attribute}")


def composition(
    net: EgoNetworks,
    attribute: str,
    categories: Sequence[Any] | None = None,
    *,
    missing: MissingPolicy = "fail",
) -> pd.DataFrame:
    """Share of each ego's alters in every category of an attribute.

    Returns
    -------
    DataFrame
        One column ``<attribute>_<category>`` per category (those given, else those seen, in
        order of appearance); each row sums to 1, or is ``NaN`` for an ego without alters.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> composition(example_networks(), "status").loc["abc_de"].tolist()
    [0.6, 0.4]
    """
    values = net.alter_values(attribute)
    miss = is_missing(values)
    check_missing(miss, missing, attribute)
    cats = list(categories) if categories is not None else list(pd.unique(values[~miss]))
    ok = ~miss
    nv = grouped_count(net.alter_ego_pos, ok, net.n_egos)
    out = {}
    for c in cats:
        cnt = grouped_count(net.alter_ego_pos, ok & member(values, [c]), net.n_egos)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"{attribute}_{c}"] = np.where(nv > 0, cnt / nv, np.nan)
    return pd.DataFrame(out, index=net.ego_ids)


def composition_shares(
    net: EgoNetworks,
    groups: Mapping[str, tuple[str, Sequence[Any]]] = STANDARD_COMPOSITION,
    *,
    missing: MissingPolicy = "fail",
) -> pd.DataFrame:
    """Shares of named kinds of alters (kin, co-villagers, long-term residents, co-workers...).

    Parameters
    ----------
    groups : mapping
        Name -> (alter attribute, codes counted); :data:`STANDARD_COMPOSITION` by default.
        Groups whose attribute is absent from the alter table are skipped.

    Returns
    -------
    DataFrame
        Column ``share_<name>`` per group: alters with one of the codes divided by alters with
        a known value of that attribute (``NaN`` when there are none).

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> out = composition_shares(example_networks(), {"kin": ("relation", ["kin"])})
    >>> out["share_kin"].tolist()
    [0.4, 0.0, 1.0, 1.0, nan]
    """
    out = {}
    for name, (attribute, codes) in groups.items():
        if attribute not in net.alters.columns:
            continue
        values = net.alter_values(attribute)
        miss = is_missing(values)
        check_missing(miss, missing, attribute)
        ok = ~miss
        nv = grouped_count(net.alter_ego_pos, ok, net.n_egos)
        cnt = grouped_count(net.alter_ego_pos, ok & member(values, list(codes)), net.n_egos)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"share_{name}"] = np.where(nv > 0, cnt / nv, np.nan)
    return pd.DataFrame(out, index=net.ego_ids)


def sd_heterogeneity(
    net: EgoNetworks, attribute: str, *, missing: MissingPolicy = "fail"
) -> pd.Series:
    """Standard deviation of a numeric alter attribute (denominator :math:`n - 1`, as R's sd).

    Returns
    -------
    Series
        ``NaN`` with fewer than two alters of known value.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> round(float(sd_heterogeneity(example_networks(), "age")["abc_de"]), 10)
    10.5023806825
    """
    x = numeric(net.alter_values(attribute), attribute)
    check_missing(np.isnan(x), missing, attribute)
    ok = ~np.isnan(x)
    sd = pd.Series(x[ok]).groupby(net.alter_ego_pos[ok]).std(ddof=1)
    out = np.full(net.n_egos, np.nan)
    out[sd.index.to_numpy()] = sd.to_numpy()
    return pd.Series(out, index=net.ego_ids, name=f"sd_{attribute}")


def mean_abs_difference(
    net: EgoNetworks, attribute: str, *, missing: MissingPolicy = "fail"
) -> pd.Series:
    """Mean absolute difference between pairs of alters (Gini's mean difference).

    .. math:: \\Delta = \\binom{n}{2}^{-1} \\sum_{j < k} |x_j - x_k|
       = \\binom{n}{2}^{-1} \\sum_{r=1}^{n} (2r - n - 1)\\, x_{(r)}

    with :math:`x_{(r)}` the ego's alter values sorted ascending.

    Returns
    -------
    Series
        ``NaN`` with fewer than two alters of known value.

    Examples
    --------
    >>> from qonys.network import example_networks
    >>> float(mean_abs_difference(example_networks(), "age")["abc_de"])
    13.0
    """
    x = numeric(net.alter_values(attribute), attribute)
    check_missing(np.isnan(x), missing, attribute)
    ok = np.flatnonzero(~np.isnan(x))
    g, v = net.alter_ego_pos[ok], x[ok]
    order = np.lexsort((v, g))
    g, v = g[order], v[order]
    n = np.bincount(g, minlength=net.n_egos).astype(float)
    start = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64)
    rank = np.arange(len(g)) - start[g] + 1.0
    total = np.bincount(g, weights=(2.0 * rank - n[g] - 1.0) * v, minlength=net.n_egos)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n >= 2, total / (n * (n - 1.0) / 2.0), np.nan)
    return pd.Series(out, index=net.ego_ids, name=f"mad_{attribute}")
