"""From parsed syntax to a parameter table and LISREL-type matrices (lavaan's conventions).

Defaults follow ``lavaan::cfa``: the first loading of each factor is fixed to 1 (or, with
``std_lv``, factor variances are fixed to 1); residual variances of indicators, variances of
factors and covariances of exogenous factors are free; with a mean structure, intercepts are free
and factor means are fixed to 0 (free in groups 2..G when intercepts are held equal). Observed
variables in regressions get a single-indicator "phantom" factor (loading 1, residual 0).
``group_equal`` holds ``loadings``, ``intercepts``, ``residuals``, ``residual.covariances``,
``lv.variances``, ``lv.covariances``, ``means``, ``regressions`` or ``thresholds`` equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..._core.errors import DataError, Where
from .syntax import Modifier, Statement, parse_model

__all__ = ["GROUP_EQUAL", "Param", "Spec", "build_spec"]

GROUP_EQUAL = (
    "loadings",
    "intercepts",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
    "means",
    "regressions",
    "thresholds",
)


@dataclasses.dataclass(slots=True)
class Param:
    """One row of the parameter table."""

    lhs: str
    op: str
    rhs: str
    group: int
    matrix: str  # lambda, theta, psi, beta, nu, alpha, tau
    row: int
    col: int
    free: int = -1  # index into the free-parameter vector, -1 when fixed
    value: float = 0.0  # fixed value or start value
    label: str | None = None
    user: bool = False
    kind: str = ""  # group_equal class of the parameter

    @property
    def term(self) -> str:
        """lavaan's ``lhs op rhs`` text (``visual=~x2``, ``x1~1``, ``x1|t1``)."""
        return f"{self.lhs}{self.op}{self.rhs}"


@dataclasses.dataclass(slots=True)
class Spec:
    """Variables, matrices' sizes and the parameter table of a model."""

    ov: list[str]
    lv: list[str]  # latent variables incl. phantoms, matrix order
    phantom: set[str]
    params: list[Param]
    n_groups: int
    meanstructure: bool
    ordered: list[str]
    n_thresholds: dict[str, int]
    n_free: int

    def free_params(self) -> list[Param]:
        """The first table row of each free parameter, by free index."""
        first: dict[int, Param] = {}
        for p in self.params:
            if p.free >= 0 and p.free not in first:
                first[p.free] = p
        return [first[i] for i in range(self.n_free)]


def _err(msg: str, stmt: Statement | None = None) -> DataError:
    return DataError(
        msg,
        where=Where(key="model", line=stmt.line if stmt else None),
        rule="sem.model",
        hint="Check the model syntax against the data's columns.",
    )


def build_spec(
    model: str,
    columns: Sequence[str],
    *,
    n_groups: int = 1,
    std_lv: bool = False,
    meanstructure: bool = False,
    group_equal: Sequence[str] = (),
    ordered: Sequence[str] = (),
    n_thresholds: dict[str, int] | None = None,
) -> Spec:
    """Build the parameter table of a CFA/SEM model (see the module docstring)."""
    stmts = parse_model(model)
    for ge in group_equal:
        if ge not in GROUP_EQUAL:
            raise DataError(
                f"unknown group_equal entry {ge!r}",
                where=Where(key="group_equal"),
                rule="sem.group-equal",
                hint=f"Use any of {', '.join(GROUP_EQUAL)}.",
            )
    latent = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    names = set(columns)
    ov: list[str] = []
    for s in stmts:
        for v in (s.lhs, s.rhs):
            if v and v not in latent and v not in ov:
                if v not in names:
                    raise _err(f"variable {v!r} is neither a factor nor a column of the data", s)
                ov.append(v)
    for s in stmts:
        if s.op == "=~" and s.rhs in latent:
            raise _err("higher-order factors are not supported", s)
    reg_vars = {v for s in stmts if s.op == "~" for v in (s.lhs, s.rhs)}
    phantom = {v for v in reg_vars if v in ov}
    if phantom & set(ordered):
        raise _err("ordered variables cannot take part in regressions")
    lv = latent + [v for v in ov if v in phantom]
    endo = {s.lhs for s in stmts if s.op == "~"}
    ordered = [v for v in ov if v in set(ordered)]
    nth = dict(n_thresholds or {})
    ovi = {v: i for i, v in enumerate(ov)}
    lvi = {v: i for i, v in enumerate(lv)}
    params: list[Param] = []
    for g in range(n_groups):
        seen: set[tuple[str, str, str]] = set()

        def add(
            lhs: str,
            op: str,
            rhs: str,
            mods: tuple[Modifier, ...],
            *,
            user: bool,
            fixed: float | None = None,
            g: int = g,
            seen: set[tuple[str, str, str]] = seen,
        ) -> None:
            key = (lhs, op, rhs)
            if op == "~~" and (rhs, op, lhs) in seen:
                key = (rhs, op, lhs)
                lhs, rhs = rhs, lhs
            if key in seen:
                return
            seen.add(key)
            matrix, r, c, kind = _locate(lhs, op, rhs, ovi, lvi, phantom)
            mod = mods[g] if len(mods) > 1 else (mods[0] if mods else Modifier())
            if len(mods) > 1 and len(mods) != n_groups:
                raise _err(f"{len(mods)} modifiers given for {n_groups} groups in {lhs}{op}{rhs}")
            p = Param(lhs, op, rhs, g, matrix, r, c, label=mod.label, user=user, kind=kind)
            if mod.fixed is not None:
                p.value, p.free = mod.fixed, -1
            elif mod.free or fixed is None:
                p.free = 0
                p.value = mod.start if mod.start is not None else 0.0
            else:
                p.value, p.free = fixed, -1
            params.append(p)

        for f in latent:
            inds = [s for s in stmts if s.op == "=~" and s.lhs == f]
            for k, s in enumerate(inds):
                first_default = not std_lv and k == 0
                add(f, "=~", s.rhs, s.modifiers, user=True, fixed=1.0 if first_default else None)
        for s in stmts:
            if s.op == "~":
                add(s.lhs, "~", s.rhs, s.modifiers, user=True)
        for s in stmts:
            if s.op == "~~":
                add(s.lhs, "~~", s.rhs, s.modifiers, user=True)
        for v in sorted(phantom, key=ov.index):
            params.append(Param(v, "=~", v, g, "lambda", ovi[v], lvi[v], value=1.0, kind="phantom"))
        for v in ov:
            if v in ordered or v in phantom:
                continue
            add(v, "~~", v, (), user=False)
        exo = [f for f in lv if f not in endo]
        for f in lv:
            fix_var = 1.0 if (std_lv and f in latent and f not in endo) else None
            add(f, "~~", f, (), user=False, fixed=fix_var)
        for i, a in enumerate(exo):
            for b in exo[i + 1 :]:
                add(a, "~~", b, (), user=False)
        if meanstructure:
            for s in stmts:
                if s.op == "~1":
                    add(s.lhs, "~1", "", s.modifiers, user=True)
            for v in ov:
                if v not in ordered and v not in phantom:
                    add(v, "~1", "", (), user=False)
            free_means = "intercepts" in group_equal and "means" not in group_equal and g > 0
            for f in lv:
                if f in phantom:
                    add(f, "~1", "", (), user=False)
                else:
                    add(f, "~1", "", (), user=False, fixed=None if free_means else 0.0)
        for v in ordered:
            for t in range(nth.get(v, 0)):
                p = Param(v, "|", f"t{t + 1}", g, "tau", ovi[v], t, free=0, kind="thresholds")
                params.append(p)
    n_free = _number(params, group_equal)
    return Spec(ov, lv, phantom, params, n_groups, meanstructure, ordered, nth, n_free)


def _locate(
    lhs: str, op: str, rhs: str, ovi: dict[str, int], lvi: dict[str, int], phantom: set[str]
) -> tuple[str, int, int, str]:
    if op == "=~":
        return "lambda", ovi[rhs], lvi[lhs], "loadings"
    if op == "~":
        return "beta", lvi[lhs], lvi[rhs], "regressions"
    if op == "~1":
        if lhs in lvi:
            return "alpha", lvi[lhs], 0, "means"
        return "nu", ovi[lhs], 0, "intercepts"
    both_ov = lhs in ovi and rhs in ovi and lhs not in phantom and rhs not in phantom
    if both_ov:
        kind = "residuals" if lhs == rhs else "residual.covariances"
        return "theta", ovi[lhs], ovi[rhs], kind
    if lhs in lvi and rhs in lvi:
        kind = "lv.variances" if lhs == rhs else "lv.covariances"
        return "psi", lvi[lhs], lvi[rhs], kind
    raise DataError(
        f"cannot place {lhs}{op}{rhs}: a covariance between a factor and an indicator",
        where=Where(key="model"),
        rule="sem.model",
    )


def _number(params: list[Param], group_equal: Sequence[str]) -> int:
    """Give free parameters their indices; equal labels and group_equal share one index."""
    by_label: dict[str, int] = {}
    by_key: dict[tuple[str, str, str], int] = {}
    n = 0
    for p in params:
        if p.free < 0:
            continue
        if p.label is not None and p.label in by_label:
            p.free = by_label[p.label]
            continue
        key = (p.lhs, p.op, p.rhs)
        if p.group > 0 and p.kind in group_equal and key in by_key and p.label is None:
            p.free = by_key[key]
            continue
        p.free = n
        if p.label is not None:
            by_label[p.label] = n
        if p.group == 0:
            by_key[key] = n
        n += 1
    return n
