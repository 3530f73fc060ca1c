"""Aspatial segregation indices as small pure functions of counts per areal unit.

Notation: unit :math:`i` holds :math:`t_i` people, :math:`x_i` of the focal group and
:math:`y_i = t_i - x_i` others; :math:`T, X, Y` are the sums, :math:`P = X/T` and
:math:`p_i = x_i / t_i`. Multigroup indices take a units x groups table :math:`n_{im}` with
:math:`\\pi_m = N_m / T` and :math:`\\pi_{im} = n_{im} / t_i`.

Every function accepts counts of any real type (survey-weighted estimates included) and
broadcasts over leading axes, so a permutation test evaluates thousands of allocations in one
call. Units with no population contribute nothing. An index is undefined (``NaN``) when the
focal group is absent or is everybody (:math:`P \\in \\{0, 1\\}`), or when only one group is
present.

The values agree with PySAL ``segregation`` 2.5.4 (``Dissim``, ``Isolation``, ``Interaction``,
``Entropy``, ``Gini``, ``Atkinson``, ``MultiDissim``, ``MultiInfoTheory``); the tests compare
them on the same data.

Examples
--------
>>> x, t = [10, 10, 80], [100, 100, 100]
>>> round(float(dissimilarity(x, t)), 12)  # ½(|.1 - .45| + |.1 - .45| + |.8 - .1|)
0.7
>>> float(dissimilarity([0, 0], [5, 5]))  # no focal group: undefined
nan
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .._core import DataError, Registry, Where

__all__ = [
    "INDICES",
    "IndexSpec",
    "atkinson",
    "dissimilarity",
    "entropy_index",
    "gini_index",
    "interaction",
    "isolation",
    "multi_dissimilarity",
    "multi_information",
    "mutual_information",
]

Array = npt.NDArray[np.float64]


def _negative() -> DataError:
    return DataError(
        "counts must not be negative",
        where=Where(key="counts"),
        rule="spatial.negative-count",
        hint="Check the count columns.",
    )


def _two(group: npt.ArrayLike, total: npt.ArrayLike) -> tuple[Array, Array]:
    x = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    if x.shape != t.shape:
        x, t = np.broadcast_arrays(x, t)
    if np.any(x < 0) or np.any(t < 0):
        raise _negative()
    if np.any(x > t * (1 + 1e-12) + 1e-9):
        raise DataError(
            "a unit has more people of the group than in total",
            where=Where(key="counts"),
            rule="spatial.group-exceeds-total",
            hint="The total must include the focal group.",
        )
    return x, t


def _shares(x: Array, t: Array) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)


def _undefined(P: Array) -> npt.NDArray[np.bool_]:
    return (P <= 0) | (P >= 1) | ~np.isfinite(P)


def dissimilarity(group: npt.ArrayLike, total: npt.ArrayLike) -> Array:
    """Index of dissimilarity (Duncan & Duncan 1955).

    .. math:: D = \\tfrac12 \\sum_i \\left| \\frac{x_i}{X} - \\frac{y_i}{Y} \\right|

    The share of the focal group that would have to move to another unit for every unit to
    have the city's composition. PySAL: ``segregation.singlegroup.Dissim``; R:
    ``OasisR::DIDuncan``.

    References
    ----------
    Duncan O.D., Duncan B. (1955). A methodological analysis of segregation indexes. American
    Sociological Review 20(2):210-217.
    """
    x, t = _two(group, total)
    X, T = x.sum(-1), t.sum(-1)
    y, Y = t - x, T - X
    with np.errstate(invalid="ignore", divide="ignore"):
        d = 0.5 * np.abs(x / X[..., None] - y / Y[..., None]).sum(-1)
    return np.where(_undefined(X / T), np.nan, d)


def isolation(group: npt.ArrayLike, total: npt.ArrayLike) -> Array:
    """Isolation index :math:`{}_xP^*_x = \\sum_i (x_i/X)(x_i/t_i)` (Lieberson 1981).

    The share of the focal group in the unit of the average member of the group. PySAL:
    ``segregation.singlegroup.Isolation``.
    """
    x, t = _two(group, total)
    X, T = x.sum(-1), t.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (x / X[..., None] * _shares(x, t)).sum(-1)
    return np.where(_undefined(X / T), np.nan, v)


def interaction(group: npt.ArrayLike, total: npt.ArrayLike) -> Array:
    """Interaction (exposure) index :math:`{}_xP^*_y = \\sum_i (x_i/X)(y_i/t_i)`.

    The share of others in the unit of the average member of the focal group; equals
    :math:`1 - {}_xP^*_x`. PySAL: ``segregation.singlegroup.Interaction`` (there is no class
    named *Exposure*).
    """
    x, t = _two(group, total)
    X, T = x.sum(-1), t.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (x / X[..., None] * _shares(t - x, t)).sum(-1)
    return np.where(_undefined(X / T), np.nan, v)


def _ent(p: Array) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        b = np.where(p < 1, -(1 - p) * np.log(np.where(p < 1, 1 - p, 1.0)), 0.0)
    return a + b


def entropy_index(group: npt.ArrayLike, total: npt.ArrayLike) -> Array:
    """Theil's information theory index H for two groups (natural logarithms).

    .. math:: H = \\sum_i \\frac{t_i (E - E_i)}{E\\,T},\\quad
              E = P\\ln\\tfrac1P + (1-P)\\ln\\tfrac1{1-P}

    with :math:`E_i` the same entropy in unit :math:`i`. PySAL:
    ``segregation.singlegroup.Entropy``.

    References
    ----------
    Theil H., Finizza A.J. (1971). A note on the measurement of racial integration of schools by
    means of informational concepts. Journal of Mathematical Sociology 1:187-194.
    """
    x, t = _two(group, total)
    X, T = x.sum(-1), t.sum(-1)
    P = X / np.where(T > 0, T, 1.0)
    E = _ent(P)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = (t * (E[..., None] - _ent(_shares(x, t)))).sum(-1) / (E * T)
    return np.where(_undefined(P), np.nan, h)


def gini_index(group: npt.ArrayLike, total: npt.ArrayLike) -> Array:
    """Gini segregation index.

    .. math:: G = \\frac{\\sum_i\\sum_j t_i t_j |p_i - p_j|}{2 T^2 P (1-P)}

    PySAL: ``segregation.singlegroup.Gini``.
    """
    x, t = _two(group, total)
    X, T = x.sum(-1), t.sum(-1)
    P = X / np.where(T > 0, T, 1.0)
    p = _shares(x, t)
    num = (t[..., :, None] * t[..., None, :] * np.abs(p[..., :, None] - p[..., None, :])).sum(
        (-2, -1)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        g = num / (2 * T * T * P * (1 - P))
    return np.where(_undefined(P), np.nan, g)


def atkinson(group: npt.ArrayLike, total: npt.ArrayLike, b: float = 0.5) -> Array:
    """Atkinson index with shape parameter :math:`b \\in (0, 1)` (default 0.5).

    .. math:: A = 1 - \\frac{P}{1-P}\\left|\\sum_i \\frac{(1-p_i)^{1-b} p_i^b t_i}{P\\,T}
              \\right|^{1/(1-b)}

    PySAL: ``segregation.singlegroup.Atkinson(b=0.5)``.
    """
    if not 0 < b < 1:
        raise DataError(
            f"b must lie strictly between 0 and 1; got {b}",
            where=Where(key="b"),
            rule="spatial.parameter",
            hint="The usual choice is b=0.5.",
        )
    x, t = _two(group, total)
    X, T = x.sum(-1), t.sum(-1)
    P = X / np.where(T > 0, T, 1.0)
    p = _shares(x, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = ((1 - p) ** (1 - b) * p**b * t).sum(-1) / (P * T)
        a = 1 - P / (1 - P) * np.abs(s) ** (1 / (1 - b))
    return np.where(_undefined(P), np.nan, a)


def _multi(counts: npt.ArrayLike) -> tuple[Array, Array, Array, Array]:
    n = np.asarray(counts, dtype=float)
    if n.ndim < 2:
        raise DataError(
            "multigroup indices need a units x groups table",
            where=Where(key="counts"),
            rule="spatial.shape",
            hint="Pass one column per group.",
        )
    if np.any(n < 0):
        raise _negative()
    ti = n.sum(-1)
    T = ti.sum(-1)
    Pk = n.sum(-2) / np.where(T > 0, T, 1.0)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        pik = np.where(ti[..., None] > 0, n / np.where(ti > 0, ti, 1.0)[..., None], 0.0)
    return n, ti, Pk, pik


def _few_groups(Pk: Array) -> npt.NDArray[np.bool_]:
    return (Pk > 0).sum(-1) < 2


def multi_dissimilarity(counts: npt.ArrayLike) -> Array:
    """Multigroup dissimilarity (Morgan 1975; Sakoda 1981).

    .. math:: D = \\frac{\\sum_m \\sum_i t_i |\\pi_{im} - \\pi_m|}{2 T I},\\quad
              I = \\sum_m \\pi_m (1 - \\pi_m)

    PySAL: ``segregation.multigroup.MultiDissim``.
    """
    _n, ti, Pk, pik = _multi(counts)
    T = ti.sum(-1)
    I_ = (Pk * (1 - Pk)).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (ti[..., None] * np.abs(pik - Pk[..., None, :])).sum((-2, -1)) / (2 * T * I_)
    return np.where(_few_groups(Pk), np.nan, d)


def mutual_information(counts: npt.ArrayLike) -> Array:
    """Mutual information index M (Theil 1971), in nats.

    .. math:: M = \\sum_i \\frac{t_i}{T} \\sum_m \\pi_{im} \\ln\\frac{\\pi_{im}}{\\pi_m}
              = E - \\sum_i \\frac{t_i}{T} E_i

    M is additively decomposable: over a partition of units into areas :math:`a`,
    :math:`M = M_B + \\sum_a (T_a/T) M_a` (see :func:`~qonys.spatial.decompose.decompose_m`).
    R: ``segregation::mutual_total`` (Elbers 2023, base ``e``).
    """
    _n, ti, Pk, pik = _multi(counts)
    T = ti.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(pik > 0, pik / Pk[..., None, :], 1.0)
        m = (ti[..., None] / T[..., None, None] * pik * np.log(ratio)).sum((-2, -1))
    return np.where(_few_groups(Pk), np.nan, m)


def multi_information(counts: npt.ArrayLike) -> Array:
    """Multigroup information theory index H = M / E (Theil; Reardon & Firebaugh 2002).

    .. math:: H = \\frac{M}{E},\\quad E = \\sum_m \\pi_m \\ln\\frac1{\\pi_m}

    PySAL: ``segregation.multigroup.MultiInfoTheory``.
    """
    _, _, Pk, _ = _multi(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        E = np.where(Pk > 0, -Pk * np.log(np.where(Pk > 0, Pk, 1.0)), 0.0).sum(-1)
        return np.asarray(mutual_information(counts) / E, dtype=float)


@dataclasses.dataclass(frozen=True, slots=True)
class IndexSpec:
    """A segregation index in the registry.

    ``kind`` is ``"single"`` (focal group vs the rest; ``func(group, total)``) or ``"multi"``
    (``func(units x groups)``); ``bounded`` says whether 1 is the maximum (for the small-unit
    correction); ``pysal`` names the equivalent PySAL class.
    """

    name: str
    kind: str
    func: Callable[..., Array]
    label: str
    pysal: str
    bounded: bool = True


INDICES: Registry[IndexSpec] = Registry("segregation index")
"""Segregation indices by name; plugins add theirs with ``INDICES.add(name, IndexSpec(...))``."""

for _spec in (
    IndexSpec("dissimilarity", "single", dissimilarity, "Dissimilarity (D)", "Dissim"),
    IndexSpec("isolation", "single", isolation, "Isolation (xPx)", "Isolation", bounded=False),
    IndexSpec("interaction", "single", interaction, "Interaction (xPy)", "Interaction", False),
    IndexSpec("entropy", "single", entropy_index, "Theil's H", "Entropy"),
    IndexSpec("gini", "single", gini_index, "Gini", "Gini"),
    IndexSpec("atkinson", "single", atkinson, "Atkinson (b = 0.5)", "Atkinson"),
    IndexSpec("multi_dissimilarity", "multi", multi_dissimilarity, "Multigroup D", "MultiDissim"),
    IndexSpec("multi_information", "multi", multi_information, "Multigroup H", "MultiInfoTheory"),
    IndexSpec("mutual_information", "multi", mutual_information, "Mutual information M", "", False),
):
    INDICES.add(_spec.name, _spec, doc=_spec.label)
