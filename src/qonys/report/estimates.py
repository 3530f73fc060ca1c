"""Estimates tables and the default conversion of any ``Result`` into tables and figures.

An analysis module plugs into the report without touching it: its result's tidy ``to_frame()``
(``variable, level, domain, estimate, se, ci_low, ci_high, df, deff, n`` + extra columns) becomes
an estimates table. A result may say how it prefers to be shown with a ``table_kind`` attribute
(``"frequency"``, ``"crosstab"`` or ``"estimates"``) and give a ``title`` (any
:data:`~qonys.report.text.Text`); a cross-tabulation names its column variable in
``meta.call["by"]``.

Examples
--------
>>> import pandas as pd
>>> from qonys._core import tidy_frame
>>> f = tidy_frame([{"variable": "income", "domain": "Astana", "estimate": 412.5, "se": 20.1,
...                  "ci_low": 373.1, "ci_high": 451.9, "deff": 1.8, "n": 310},
...                 {"variable": "income", "domain": "Almaty", "estimate": 380.0, "se": 150.0,
...                  "ci_low": 86.0, "ci_high": 674.0, "deff": 2.1, "n": 4}])
>>> t = estimates_table(f, title="Income")
>>> t.rows[0].cells[0].value, sorted(t.rows[1].cells[0].flags)
(412.5, ['suppressed'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import TIDY_COLUMNS, Codebook, Result
from ..privacy.suppression import DisclosureRules, rse_flags
from .labels import code_text, level_label, variable_title
from .model import FLAG_SUPPRESSED, FLAG_UNRELIABLE, BarChart, Cell, Column, Figure, Row, Table
from .tables import crosstab_table, frequency_table
from .text import Labels, Msg, Text, design_text

__all__ = ["estimates_table", "figure_for_table", "tables_from_result", "weighting_note"]

_STAT_COLS = ("estimate", "se", "ci", "deff", "n")


def _present(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NA


def weighting_note(source: Any) -> Msg | None:
    """The table note "Weighted: <design>", the design written in each report language.

    ``source`` is a result (its ``meta.design``), survey data (their ``describe()``) or the
    design's one-line description itself; ``None`` when there is no design (unweighted).
    """
    if isinstance(source, str):
        design: str | None = source
    elif hasattr(source, "describe"):
        design = source.describe()
    else:
        design = getattr(getattr(source, "meta", None), "design", None)
    if not design:
        return None
    return Msg(
        "Weighted: {design}",
        design=Labels({lang: design_text(design, lang) for lang in ("kk", "ru", "en")}),
    )


def estimates_table(
    frame: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    rules: DisclosureRules | None = None,
    weighting: Text | None = None,
    title: Text = "",
    ci_level: float = 0.95,
    extra: Sequence[str] = (),
    decimals: int = 2,
    domain_variable: str | None = None,
    base_n: int | None = None,
    key: str = "",
) -> Table:
    """Estimates with SE, confidence interval, design effect and unweighted n.

    Rows whose unweighted ``n`` is below the disclosure threshold are hidden entirely (estimates
    of means do not add up, so no complements are needed); estimates whose relative standard
    error exceeds the limit are flagged as unreliable. Columns with no values are left out.

    Parameters
    ----------
    frame : DataFrame
        A tidy result frame.
    codebook, rules, weighting, title, key
        As for :func:`~qonys.report.tables.frequency_table`.
    ci_level : float
        Confidence level, for the heading.
    extra : sequence of str
        Further numeric columns of the frame to print after ``n``.
    decimals : int
        Decimal places of estimates, SEs and intervals.
    domain_variable : str, optional
        The variable whose categories the ``domain`` column holds (for its value labels).
    base_n : int, optional
        Unweighted respondents the table rests on (default: the largest ``n``).
    """
    rules = rules if rules is not None else DisclosureRules()
    f = frame.reset_index(drop=True)
    have = {c for c in TIDY_COLUMNS if c in f.columns and f[c].notna().any()}
    cols: list[Column] = []
    if "estimate" in have:
        cols.append(Column("estimate", Msg("Estimate"), kind="estimate", decimals=decimals))
    if "se" in have:
        cols.append(Column("se", Msg("SE"), kind="se", decimals=decimals))
    if {"ci_low", "ci_high"} <= have:
        cols.append(
            Column(
                "ci", Msg("{level}% CI", level=round(100 * ci_level)), kind="ci", decimals=decimals
            )
        )
    if "deff" in have:
        cols.append(Column("deff", Msg("Design effect"), kind="deff"))
    if "n" in have:
        cols.append(Column("n", Msg("n (unweighted)"), kind="n"))
    extra_cols = [c for c in extra if c in f.columns]
    cols += [Column(c, c, kind="stat") for c in extra_cols]
    est = f["estimate"].astype(float) if "estimate" in f.columns else pd.Series(np.nan, f.index)
    se = f["se"].astype(float) if "se" in f.columns else pd.Series(np.nan, f.index)
    flagged = rse_flags(est.to_numpy(), se.to_numpy(), rules.rse_limit)
    variables = f["variable"].tolist() if "variable" in f.columns else [None] * len(f)
    multi_var = len({v for v in variables if _present(v)}) > 1
    rows = []
    for i, raw in enumerate(f.to_dict(orient="records")):
        rec: dict[str, Any] = {str(k): v for k, v in raw.items()}
        n = rec.get("n")
        small = n is not None and _present(n) and 0 < float(n) < rules.min_n
        cells = []
        for c in cols:
            if small:
                cells.append(Cell(None, FLAG_SUPPRESSED))
            elif c.key == "ci":
                lo, hi = rec.get("ci_low"), rec.get("ci_high")
                cells.append(
                    Cell(
                        (float(lo), float(hi))
                        if lo is not None and hi is not None and _present(lo) and _present(hi)
                        else None
                    )
                )
            else:
                v = rec.get(c.key)
                flags = FLAG_UNRELIABLE if c.key == "estimate" and flagged[i] else frozenset()
                cells.append(Cell(float(v) if v is not None and _present(v) else None, flags))
        rows.append(Row(_row_label(codebook, rec, multi_var, domain_variable), tuple(cells)))
    ns = pd.to_numeric(f["n"], errors="coerce") if "n" in f.columns else pd.Series(dtype=float)
    if base_n is None and len(ns.dropna()):
        base_n = int(ns.max())
    return Table(
        title=title,
        columns=tuple(cols),
        rows=tuple(rows),
        base_n=base_n,
        weighting=weighting,
        kind="estimates",
        key=key,
    )


def _row_label(
    codebook: Codebook | None, rec: dict[str, Any], multi_var: bool, domain_var: str | None
) -> Text:
    var = rec.get("variable") if _present(rec.get("variable")) else None
    parts: list[Text] = []
    if var is not None and (
        multi_var or not (_present(rec.get("level")) or _present(rec.get("domain")))
    ):
        parts.append(variable_title(codebook, var))
    if _present(rec.get("level")):
        parts.append(level_label(codebook, var, rec["level"]))
    if _present(rec.get("domain")):
        parts.append(
            level_label(codebook, domain_var, rec["domain"])
            if domain_var
            else code_text(rec["domain"])
        )
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return (
        Msg("{a}: {b}", a=parts[0], b=parts[1])
        if len(parts) == 2
        else Msg("{a}: {b} ({c})", a=parts[0], b=parts[1], c=parts[2])
    )


def tables_from_result(
    result: Result,
    *,
    codebook: Codebook | None = None,
    rules: DisclosureRules | None = None,
    key: str = "",
) -> list[Table]:
    """The default tables of any result (see the module docstring).

    The weighting note comes from ``result.meta.design``; an unweighted result has none.
    """
    frame = result.to_frame()
    kind = getattr(result, "table_kind", "estimates")
    title = getattr(result, "title", None)
    meta = result.meta
    weighting = weighting_note(result)
    by = meta.call.get("by") if hasattr(meta.call, "get") else None
    variables = [v for v in frame["variable"].dropna().unique()] if "variable" in frame else [None]
    out: list[Table] = []
    if kind in ("frequency", "crosstab"):
        for var in variables or [None]:
            part = frame if var is None else frame[frame["variable"] == var]
            k = f"{key or 'result'}.{var}" if var is not None else (key or "result")
            if kind == "frequency":
                out.append(
                    frequency_table(
                        part,
                        variable=var,
                        codebook=codebook,
                        rules=rules,
                        weighting=weighting,
                        title=title,
                        key=k,
                    )
                )
            else:
                out.append(
                    crosstab_table(
                        part,
                        row=var,
                        col=str(by) if by else None,
                        codebook=codebook,
                        rules=rules,
                        weighting=weighting,
                        title=title,
                        key=k,
                    )
                )
        return out
    extra = [
        c
        for c in frame.columns
        if c not in TIDY_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])
    ]
    if title is None:
        title = (
            variable_title(codebook, variables[0])
            if len(variables) == 1
            else Msg("Estimates: {method}", method=meta.method)
        )
    out.append(
        estimates_table(
            frame,
            codebook=codebook,
            rules=rules,
            weighting=weighting,
            title=title or "",
            extra=extra,
            key=key or "result",
            domain_variable=str(by) if by else None,
            base_n=meta.n_used,
        )
    )
    return out


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, float | int) else None


def figure_for_table(table: Table) -> Figure | None:
    """A bar chart of a frequency table's valid percentages or a cross-tab's column percentages.

    Drawn from the printed cells only, so suppressed values are absent from the figure too.
    Returns ``None`` for other tables.
    """
    if table.kind == "frequency":
        valid: list[tuple[Text, float | None]] = []
        for r in table.rows[1:]:  # rows of the valid block, up to its subtotal
            if r.kind != "body":
                break
            v = r.cells[2].value
            valid.append((r.label, float(v) if isinstance(v, float | int) else None))
        if not valid:
            return None
        chart = BarChart(
            categories=tuple(lab for lab, _ in valid),
            series=((Msg("Valid percent"), tuple(v for _, v in valid)),),
            value_label=Msg("Percent"),
            percent=True,
        )
    elif table.kind == "crosstab":
        body = [r for r in table.rows if r.kind == "body"]
        series = []
        for j, c in enumerate(table.columns[:-1]):
            vals = tuple(_number(r.cells[j].value) for r in body)
            series.append((c.label, vals))
        chart = BarChart(
            categories=tuple(r.label for r in body),
            series=tuple(series),
            value_label=Msg("Column percent"),
            percent=True,
        )
    else:
        return None
    return Figure(
        title=table.title,
        chart=chart,
        alt=table.title,
        base_n=table.base_n,
        weighting=table.weighting,
        key=f"fig.{table.key}" if table.key else "",
    )
