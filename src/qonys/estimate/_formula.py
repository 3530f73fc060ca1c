"""Model formulas and design matrices, as R builds them (internal).

A formula is ``response ~ terms``. Terms are joined by ``+``; ``a:b`` is an interaction,
``a*b`` expands to ``a + b + a:b``; ``- 1`` or ``+ 0`` drops the intercept. A variable is

* a column name (names with dots such as ``sch.wide`` are fine): numeric columns enter as
  they are, text, categorical and boolean columns as factors;
* ``C(x)`` or ``factor(x)``: ``x`` as a factor whatever its type; ``C(x, ref="b")`` makes
  ``"b"`` the reference level;
* ``I(expr)`` or any other call (``log(x)``): evaluated by :meth:`pandas.DataFrame.eval`
  (names with dots in backticks there).

Factors use treatment contrasts with the first level (category order, else sorted values) as
reference, and coefficients are named as R names them: ``stypeH``, ``factor(race)2``,
``x1:stypeH``. Terms are ordered by degree (main effects first), as R's ``terms()``.
Interactions use treatment contrasts for every factor in them (R's coding when the main
effects are in the model).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core import DataError, DesignError, Where, suggest

__all__ = ["ModelMatrix", "Variable", "factor_levels", "model_matrix", "parse_formula"]


@dataclasses.dataclass(frozen=True)
class Variable:
    """One variable of a term: its label as written, source, and whether it is a factor."""

    label: str
    kind: str  # "column", "factor" or "expr"
    source: str  # column name or expression
    ref: str | None = None


@dataclasses.dataclass(frozen=True)
class ParsedFormula:
    response: Variable | None
    terms: tuple[tuple[Variable, ...], ...]
    intercept: bool

    @property
    def term_labels(self) -> list[str]:
        return [":".join(v.label for v in t) for t in self.terms]


@dataclasses.dataclass(frozen=True, eq=False)
class ModelMatrix:
    """Design matrix with R-style column names and the term each column belongs to."""

    x: np.ndarray  # (n, p), zeros in incomplete rows
    columns: list[str]
    assign: list[int]  # 0 for the intercept, else 1-based term index
    term_labels: list[str]
    intercept: bool
    complete: np.ndarray  # rows where every variable of the model has a value
    factors: dict[str, list[str]]  # factor label -> levels


def _split_top(text: str, seps: str) -> list[tuple[str, str]]:
    """Split at top-level separators; returns (separator before, piece)."""
    out: list[tuple[str, str]] = []
    depth, start, sep, quote = 0, 0, "+", ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch in seps:
            out.append((sep, text[start:i].strip()))
            sep, start = ch, i + 1
    out.append((sep, text[start:].strip()))
    return out


_CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)\((.*)\)$", re.S)


def _variable(text: str, formula: str) -> Variable:
    text = text.strip()
    if not text:
        raise DesignError(
            f"empty term in formula {formula!r}", where=Where(key="formula"), rule="design.formula"
        )
    m = _CALL.match(text)
    if m and m.group(1) in ("C", "factor"):
        args = [a for _, a in _split_top(m.group(2), ",")]
        col = args[0].strip().strip("`")
        ref = None
        for extra in args[1:]:
            key, _, val = extra.partition("=")
            if key.strip() not in ("ref", "reference") or not val:
                raise DesignError(
                    f"cannot read {text!r}: the only option is ref=",
                    where=Where(key="formula"),
                    rule="design.formula",
                    hint='Write C(x, ref="level").',
                )
            ref = val.strip().strip("'\"")
        return Variable(text, "factor", col, ref)
    if m or any(ch in text for ch in "()=<>!&|/^ "):
        inner = m.group(2) if m and m.group(1) == "I" else text
        return Variable(text, "expr", inner)
    return Variable(text, "column", text.strip("`"))


def parse_formula(formula: str) -> ParsedFormula:
    """Parse ``response ~ terms`` (the response may be left out: ``~ terms``)."""
    if "~" not in formula:
        raise DesignError(
            f"a model formula needs '~': {formula!r}",
            where=Where(key="formula"),
            rule="design.formula",
            hint='Write "y ~ x1 + C(group)".',
        )
    lhs, rhs = formula.split("~", 1)
    response = _variable(lhs, formula) if lhs.strip() else None
    intercept = True
    terms: list[tuple[Variable, ...]] = []
    for sep, piece in _split_top(rhs, "+-"):
        if not piece:
            if sep == "-" or len(terms) == 0:
                continue
            raise DesignError(
                f"empty term in formula {formula!r}",
                where=Where(key="formula"),
                rule="design.formula",
            )
        if piece in ("0", "1"):
            intercept = piece == "1" and sep == "+"
            continue
        if sep == "-":
            raise DesignError(
                f"only '- 1' can be removed in a formula; got '- {piece}'",
                where=Where(key="formula"),
                rule="design.formula",
            )
        groups = [
            [_variable(v, formula) for _, v in _split_top(g, ":")]
            for _, g in _split_top(piece, "*")
        ]
        # a*b*c: every non-empty product of the starred groups (a*b = a + b + a:b)
        n_g = len(groups)
        for mask in sorted(range(1, 2**n_g), key=lambda m: (bin(m).count("1"), m)):
            terms.append(tuple(v for i, g in enumerate(groups) if mask >> i & 1 for v in g))
    unique: dict[str, tuple[Variable, ...]] = {}
    for t in terms:
        key = ":".join(sorted(v.label for v in t))
        unique.setdefault(key, t)
    ordered = sorted(unique.values(), key=len)
    return ParsedFormula(response, tuple(ordered), intercept)


def factor_levels(col: pd.Series, ref: str | None = None) -> list[object]:
    """Levels of a factor: category order, else sorted values; ``ref`` first when given."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = [c for c in col.cat.categories if (col == c).any()]
    else:
        vals = pd.unique(col.dropna())
        try:
            levels = sorted(vals)
        except TypeError:
            levels = sorted(vals, key=str)
    if ref is not None:
        hit = [lv for lv in levels if str(lv) == ref]
        if not hit:
            raise DesignError(
                f"reference level {ref!r} is not a value of {col.name!r}",
                where=Where(variable=str(col.name)),
                rule="design.formula",
                hint=suggest(ref, [str(lv) for lv in levels]),
            )
        levels = [hit[0], *[lv for lv in levels if lv is not hit[0]]]
    return levels


def _level_codes(series: pd.Series, levels: list[object]) -> np.ndarray:
    """Position of every value among ``levels`` (-1 for missing or other values), as
    ``pd.Categorical(series, categories=levels).codes``; plain columns are factorized first so
    that only their distinct values are looked up."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.Categorical(series, categories=levels).codes.astype(np.int64)
    raw, uniques = pd.factorize(series, use_na_sentinel=True)
    lut = np.append(pd.Index(levels).get_indexer(uniques), -1).astype(np.int64)
    return lut[raw]  # the sentinel -1 picks the appended -1


def evaluate(data: pd.DataFrame, var: Variable) -> tuple[pd.Series, bool]:
    """The values of a variable and whether it is a factor."""
    if var.kind == "expr":
        try:
            val = data.eval(var.source)
        except Exception as ex:  # pandas raises many types for bad expressions
            raise DesignError(
                f"cannot evaluate {var.label!r}: {ex}",
                where=Where(key="formula"),
                rule="design.formula",
                hint="Put names with dots or spaces in backticks inside expressions.",
            ) from None
        series = pd.Series(np.asarray(val), index=data.index)
        if pd.api.types.is_bool_dtype(series):
            series = series.astype(float)
        return series, not pd.api.types.is_numeric_dtype(series)
    if var.source not in data.columns:
        raise DesignError(
            f"variable {var.source!r} of the formula is not in the data",
            where=Where(variable=var.source),
            rule="design.unknown-column",
            hint=suggest(var.source, map(str, data.columns)),
        )
    col = data[var.source]
    if var.kind == "factor":
        return col, True
    is_num = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    return col, not is_num


def _numeric(series: pd.Series, label: str) -> np.ndarray:
    try:
        return pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise DataError(
            f"{label!r} is not numeric", where=Where(variable=label), rule="data.not-numeric"
        ) from None


def model_matrix(
    data: pd.DataFrame,
    parsed: ParsedFormula,
    rows: np.ndarray,
) -> ModelMatrix:
    """Build the design matrix; factor levels are those present among ``rows``."""
    n = len(data)
    complete = np.ones(n, dtype=bool)
    cache: dict[str, tuple[np.ndarray, list[str] | None]] = {}
    factors: dict[str, list[str]] = {}
    for t in parsed.terms:
        for v in t:
            if v.label in cache:
                continue
            series, is_factor = evaluate(data, v)
            miss = series.isna().to_numpy()
            if is_factor:
                levels = factor_levels(series[rows & ~miss], v.ref)
                if not levels:
                    raise DesignError(
                        f"factor {v.label!r} has no values in the data used",
                        where=Where(variable=v.source),
                        rule="design.empty-domain",
                    )
                codes = _level_codes(series, levels)
                miss = miss | (codes < 0)
                cache[v.label] = (codes.astype(float), [str(lv) for lv in levels])
                factors[v.label] = [str(lv) for lv in levels]
            else:
                vals = _numeric(series, v.label)
                miss = miss | ~np.isfinite(vals)
                cache[v.label] = (vals, None)
            complete &= ~miss
    cols: list[np.ndarray] = []
    names: list[str] = []
    assign: list[int] = []
    if parsed.intercept:
        cols.append(np.ones(n))
        names.append("(Intercept)")
        assign.append(0)
    for ti, t in enumerate(parsed.terms, start=1):
        blocks: list[tuple[list[str], list[np.ndarray]]] = []
        for v in t:
            vals, lv_names = cache[v.label]
            if lv_names is None:
                blocks.append(([v.label], [np.where(complete, vals, 0.0)]))
            else:
                # treatment contrasts; a factor alone in a model without intercept keeps all
                first = 0 if (not parsed.intercept and len(t) == 1 and ti == 1) else 1
                blocks.append(
                    (
                        [f"{v.label}{lv}" for lv in lv_names[first:]],
                        [(vals == k).astype(float) for k in range(first, len(lv_names))],
                    )
                )
        term_names, term_cols = [""], [np.ones(n)]
        for b_names, b_cols in blocks:
            term_names = [f"{a}:{b}" if a else b for b in b_names for a in term_names]
            term_cols = [a * b for b in b_cols for a in term_cols]
        names += term_names
        cols += term_cols
        assign += [ti] * len(term_names)
    # column-major: each column is one contiguous copy
    x = np.empty((n, len(cols)), order="F")
    for j, c in enumerate(cols):
        x[:, j] = c
    if not complete.all():
        x[~complete] = 0.0
    return ModelMatrix(x, names, assign, parsed.term_labels, parsed.intercept, complete, factors)


def response_values(data: pd.DataFrame, var: Variable) -> tuple[pd.Series, bool]:
    """The response column (or expression) and whether it is categorical."""
    return evaluate(data, var)


def term_indices(mm: ModelMatrix, terms: str | Sequence[str]) -> list[int]:
    """Columns of the given term labels (``"stype"``, ``"x1:C(g)"``, or ``"~ a + b"``)."""
    if isinstance(terms, str):
        text = terms.split("~", 1)[1] if "~" in terms else terms
        wanted = [p for _, p in _split_top(text, "+") if p]
    else:
        wanted = list(terms)

    def canon(label: str) -> str:
        return ":".join(sorted(s.strip() for s in label.split(":")))

    labels = [canon(t) for t in mm.term_labels]
    idx: list[int] = []
    for w in wanted:
        c = canon(w)
        if c == "1" or c == "(Intercept)":
            if not mm.intercept:
                raise DesignError("the model has no intercept", rule="design.formula")
            idx.append(0)
            continue
        if c not in labels:
            raise DesignError(
                f"term {w!r} is not in the model",
                where=Where(key="terms"),
                rule="design.unknown-term",
                hint=suggest(w, mm.term_labels),
            )
        t = labels.index(c) + 1
        idx += [j for j, a in enumerate(mm.assign) if a == t]
    return sorted(set(idx))
