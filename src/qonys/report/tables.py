"""Builders: tidy result frames to the tables sociologists expect, with disclosure control.

The builders only arrange numbers: they take what an analysis computed (unweighted counts,
weighted counts or proportions, standard errors) and lay it out as an SPSS-style frequency table
or a cross-tabulation with column percentages; percentages of printed counts are the only
arithmetic. Disclosure control is applied here, before anything reaches the document model:
cells with too few respondents are hidden together with their complements
(:mod:`qonys.privacy.suppression`), and every percentage whose denominator is hidden is hidden
too.

Input frames (columns beyond these are ignored):

frequency
    ``level``, ``n`` (unweighted count); optional ``weighted_n`` (weighted count) and
    ``missing`` (a missing kind such as ``refused``; empty for valid answers).
cross-tabulation
    ``level`` (row category), ``domain`` (column category), ``n``; optional ``estimate``
    (weighted column proportion, 0-1), ``weighted_n`` and ``letters`` (significance letters).

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"level": [1, 2, 9], "n": [40, 52, 3], "missing": [None, None, "refused"]})
>>> t = frequency_table(f, title="Sex")
>>> [r.kind for r in t.rows]
['block', 'body', 'body', 'subtotal', 'block', 'body', 'subtotal', 'total']
>>> t.rows[5].cells[0].flags
frozenset({'suppressed'})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, PrivacyError, QonysError, Where
from ..privacy.suppression import DisclosureRules, suppress_lines, suppress_table
from .labels import level_label, variable_title
from .model import FLAG_SUPPRESSED, Cell, Column, Row, StatLine, Table
from .text import Msg, Text

__all__ = ["crosstab_table", "frequency_table", "listing_table", "missing_label"]

_MISSING_LABELS = {
    "skipped": Msg("Not asked (skipped)"),
    "refused": Msg("Refused"),
    "dont_know": Msg("Don't know"),
    "missing": Msg("No answer"),
    "system": Msg("System missing"),
}


def missing_label(kind: str) -> Msg:
    """The printed name of a missing-value kind.

    >>> missing_label("refused").text
    'Refused'
    """
    return _MISSING_LABELS.get(kind, _MISSING_LABELS["missing"])


def _need(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    for c in cols:
        if c not in frame.columns:
            raise QonysError(
                f"a {what} needs a column {c!r}; the frame has "
                f"{', '.join(map(str, frame.columns))}",
                where=Where(variable=c),
                rule="report.frame-columns",
                hint="Pass the result's tidy frame (Result.to_frame()).",
            )


def _is_missing_kind(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else 100.0 * num / den


def _cell(value: Any, hidden: bool) -> Cell:
    if hidden:
        return Cell(None, FLAG_SUPPRESSED)
    return Cell(float(value) if isinstance(value, int | float | np.number) else value)


def _rules(rules: DisclosureRules | None) -> DisclosureRules:
    return rules if rules is not None else DisclosureRules()


def frequency_table(
    frame: pd.DataFrame,
    *,
    variable: str | None = None,
    codebook: Codebook | None = None,
    rules: DisclosureRules | None = None,
    weighting: Text | None = None,
    title: Text | None = None,
    key: str = "",
) -> Table:
    """An SPSS-style frequency table: valid block, missing block, totals.

    Columns are Frequency (weighted when ``weighted_n`` is given), Percent (of all cases), Valid
    Percent, Cumulative Percent and, for weighted tables, the unweighted n.

    Parameters
    ----------
    frame : DataFrame
        One row per category (see the module docstring).
    variable : str, optional
        Keep only rows of this variable (when the frame has a ``variable`` column) and use its
        codebook labels.
    codebook : Codebook, optional
        Source of the question text, value labels and missing kinds.
    rules : DisclosureRules, optional
        Disclosure control (default: the standard profile).
    weighting : Text, optional
        How the frequencies are weighted (``None``: unweighted).
    title : Text, optional
        Defaults to the variable's question text.
    key : str
        Stable identifier.

    Returns
    -------
    Table
    """
    _need(frame, ["level", "n"], "frequency table")
    rules = _rules(rules)
    f = frame
    if variable is not None and "variable" in f.columns:
        f = f[f["variable"] == variable]
    weighted = "weighted_n" in f.columns and f["weighted_n"].notna().any()
    levels = list(f["level"])
    n = f["n"].astype(float).fillna(0).to_numpy()
    w = f["weighted_n"].astype(float).fillna(0).to_numpy() if weighted else n.copy()
    if "missing" in f.columns:
        kinds = [_is_missing_kind(v) for v in f["missing"]]
    elif codebook is not None and variable is not None and variable in codebook:
        kinds = [
            (str(k) if (k := codebook.missing_kind(variable, lv)) is not None else None)
            for lv in levels
        ]
    else:
        kinds = [None] * len(levels)
    vi = [i for i, k in enumerate(kinds) if k is None]
    mi = [i for i, k in enumerate(kinds) if k is not None]
    nv, nm = len(vi), len(mi)
    # entries: valid cells, valid total, missing cells, missing total, grand total
    cnt = [*n[vi], n[vi].sum()]
    val = [*w[vi], w[vi].sum()]
    lines = [list(range(nv + 1))]
    if nm:
        cnt += [*n[mi], n[mi].sum(), n.sum()]
        val += [*w[mi], w[mi].sum(), w.sum()]
        lines += [list(range(nv + 1, nv + nm + 2)), [nv, nv + nm + 1, nv + nm + 2]]
    pat = suppress_lines(
        cnt, lines, threshold=rules.min_n, values=val, zeros_disclosive=rules.zeros_disclosive
    )
    hid = pat.suppressed
    vt_i, gt_i = nv, (nv + nm + 2 if nm else nv)
    vt, gt = val[vt_i], val[gt_i]
    pct_hidden, vpct_hidden = bool(hid[gt_i]), bool(hid[vt_i])
    cols = [
        Column("frequency", Msg("Frequency"), kind="count"),
        Column("percent", Msg("Percent"), kind="percent"),
        Column("valid_percent", Msg("Valid percent"), kind="percent"),
        Column("cumulative_percent", Msg("Cumulative percent"), kind="percent"),
    ]
    if weighted:
        cols.append(Column("n", Msg("n (unweighted)"), kind="n"))

    def line(e: int, *, valid: bool, cum: float | None, cum_hidden: bool) -> tuple[Cell, ...]:
        h = bool(hid[e])
        cells = [
            _cell(val[e], h),
            _cell(_pct(val[e], gt), h or pct_hidden),
            _cell(_pct(val[e], vt), h or vpct_hidden) if valid else Cell(None),
            _cell(cum, cum_hidden or vpct_hidden) if valid and cum is not None else Cell(None),
        ]
        if weighted:
            cells.append(_cell(cnt[e], h))
        return tuple(cells)

    rows = [Row(Msg("Valid"), kind="block")]
    running, first_hidden = 0.0, False
    for pos, i in enumerate(vi):
        running += val[pos]
        first_hidden = first_hidden or bool(hid[pos])
        lab = level_label(codebook, variable, levels[i])
        cum = _pct(running, vt)
        rows.append(Row(lab, line(pos, valid=True, cum=cum, cum_hidden=first_hidden), indent=1))
    sub = list(line(vt_i, valid=True, cum=None, cum_hidden=True))
    rows.append(Row(Msg("Total"), tuple(sub), kind="subtotal", indent=1))
    if nm:
        rows.append(Row(Msg("Missing"), kind="block"))
        for pos, i in enumerate(mi):
            e = nv + 1 + pos
            lab = level_label(codebook, variable, levels[i])
            kind_text = missing_label(kinds[i] or "missing")
            is_code = _is_missing_kind(levels[i]) is not None and str(levels[i]) != str(kinds[i])
            label: Text = lab if is_code else kind_text
            rows.append(Row(label, line(e, valid=False, cum=None, cum_hidden=True), indent=1))
        rows.append(
            Row(
                Msg("Total"),
                line(nv + nm + 1, valid=False, cum=None, cum_hidden=True),
                kind="subtotal",
                indent=1,
            )
        )
        rows.append(
            Row(Msg("Total"), line(gt_i, valid=False, cum=None, cum_hidden=True), kind="total")
        )
    else:
        rows = [rows[0], *rows[1:-1], Row(Msg("Total"), tuple(sub), kind="total")]
    base = round(float(cnt[gt_i]))
    return Table(
        title=title if title is not None else variable_title(codebook, variable),
        columns=tuple(cols),
        rows=tuple(rows),
        stub=variable_title(codebook, variable) if title is not None and variable else "",
        base_n=base,
        weighting=weighting,
        kind="frequency",
        key=key or (f"freq.{variable}" if variable else "freq"),
    )


def _order(values: Sequence[Any]) -> list[Any]:
    seen: list[Any] = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if v not in seen:
            seen.append(v)
    return seen


def crosstab_table(
    frame: pd.DataFrame,
    *,
    row: str | None = None,
    col: str | None = None,
    codebook: Codebook | None = None,
    rules: DisclosureRules | None = None,
    weighting: Text | None = None,
    title: Text | None = None,
    tests: Sequence[StatLine] = (),
    key: str = "",
) -> Table:
    """A cross-tabulation with column percentages, a Total column, n per column and tests.

    Significance letters given in a ``letters`` column are printed as subscripts, with the
    SPSS footnote explaining them; a chi-square (or Rao-Scott F) line is printed for each
    :class:`~qonys.report.model.StatLine` in ``tests``.

    Parameters
    ----------
    frame : DataFrame
        One row per (row category, column category) (see the module docstring).
    row, col : str, optional
        Row and column variable names (for labels).
    codebook, rules, weighting, title, key
        As for :func:`frequency_table`.
    tests : sequence of StatLine
        Tests of association.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"level": ["a", "a", "b", "b"], "domain": ["x", "y", "x", "y"],
    ...                   "n": [30, 3, 20, 40]})
    >>> t = crosstab_table(f, title="A by B")
    >>> [c.value is None for c in t.rows[0].cells]   # the small cell and its complements
    [True, True, False]
    """
    _need(frame, ["level", "domain", "n"], "cross-tabulation")
    rules = _rules(rules)
    f = frame[frame["domain"].notna()]
    rl, cl = _order(list(f["level"])), _order(list(f["domain"]))
    R, C = len(rl), len(cl)
    N, W = np.zeros((R, C)), np.zeros((R, C))
    P = np.full((R, C), np.nan)
    L = [["" for _ in range(C)] for _ in range(R)]
    has_w = "weighted_n" in f.columns and f["weighted_n"].notna().any()
    has_p = "estimate" in f.columns and f["estimate"].notna().any()
    for rec in f.to_dict(orient="records"):
        i, j = rl.index(rec["level"]), cl.index(rec["domain"])
        N[i, j] = float(rec["n"] or 0)
        W[i, j] = float(rec["weighted_n"]) if has_w and pd.notna(rec["weighted_n"]) else N[i, j]
        if has_p and pd.notna(rec["estimate"]):
            P[i, j] = 100.0 * float(rec["estimate"])
        if "letters" in rec and isinstance(rec["letters"], str):
            L[i][j] = rec["letters"]
    colw = W.sum(axis=0)
    if not has_p:
        with np.errstate(divide="ignore", invalid="ignore"):
            P = np.where(colw > 0, 100.0 * W / colw, np.nan)
    pat = suppress_table(
        N, threshold=rules.min_n, values=W, zeros_disclosive=rules.zeros_disclosive
    )
    hid = pat.suppressed.copy()
    hid[:-1, :-1] |= hid[-1, :-1][None, :]  # a hidden base hides its whole column
    tot_w = W.sum()
    group = variable_title(codebook, col) if col else None
    cols = [
        Column(f"c{j}", level_label(codebook, col, cl[j]), kind="percent", group=group)
        for j in range(C)
    ]
    cols.append(Column("total", Msg("Total"), kind="percent"))
    rows = []
    for i in range(R):
        cells = [
            Cell(None, FLAG_SUPPRESSED) if hid[i, j] else Cell(float(P[i, j]), letters=L[i][j])
            for j in range(C)
        ]
        cells.append(_cell(_pct(W[i].sum(), tot_w), bool(hid[i, -1] or hid[-1, -1])))
        rows.append(Row(level_label(codebook, row, rl[i]), tuple(cells)))
    rows.append(
        Row(Msg("Total"), tuple(_cell(100.0, bool(hid[-1, j])) for j in range(C + 1)), kind="total")
    )
    rows.append(
        Row(
            Msg("n (unweighted)"),
            tuple(
                _cell(float(N[:, j].sum()) if j < C else float(N.sum()), bool(hid[-1, j]))
                for j in range(C + 1)
            ),
            kind="base",
        )
    )
    notes: list[Text] = [Msg("Column percentages.")]
    if any(L[i][j] for i in range(R) for j in range(C)):
        notes.append(
            Msg(
                "Values in the same row not sharing the same subscript letter differ at p < .05 "
                "(two-sided z-test of column proportions, Bonferroni-adjusted)."
            )
        )
    return Table(
        title=title if title is not None else _crosstab_title(codebook, row, col),
        columns=tuple(cols),
        rows=tuple(rows),
        stub=variable_title(codebook, row) if row else "",
        base_n=round(float(N.sum())),
        weighting=weighting,
        notes=tuple(notes),
        stat_lines=tuple(tests),
        kind="crosstab",
        key=key or (f"xtab.{row}.{col}" if row and col else "xtab"),
    )


def _crosstab_title(codebook: Codebook | None, row: str | None, col: str | None) -> Text:
    if row and col:
        return Msg(
            "{row} by {col}", row=variable_title(codebook, row), col=variable_title(codebook, col)
        )
    return Msg("Cross-tabulation")


def listing_table(
    frame: pd.DataFrame,
    *,
    rules: DisclosureRules,
    free_text: bool = False,
    codebook: Codebook | None = None,
    title: Text = "",
    key: str = "",
) -> Table:
    """Respondent-level rows (microdata) or free-text answers, only where explicitly allowed.

    Such a table is refused unless the study's disclosure rules allow it (``allow_microdata`` or
    ``allow_free_text``); the study also withholds it unless the personal-data scan ran clean.

    Raises
    ------
    PrivacyError
        The rules do not allow this kind of table.

    Examples
    --------
    >>> import pandas as pd
    >>> try:
    ...     listing_table(pd.DataFrame({"q": ["a"]}), rules=DisclosureRules())
    ... except PrivacyError as err:
    ...     print(err.rule)
    privacy.microdata-in-report
    >>> t = listing_table(pd.DataFrame({"q": ["a"]}), rules=DisclosureRules(allow_microdata=True))
    >>> t.kind, t.rows[0].cells[0].value
    ('microdata', 'a')
    """
    allowed = rules.allow_free_text if free_text else rules.allow_microdata
    what = "free-text answers" if free_text else "respondent-level rows"
    option = "allow_free_text" if free_text else "allow_microdata"
    if not allowed:
        raise PrivacyError(
            f"{what} may not appear in a report",
            where=Where(key=f"privacy.{option}"),
            rule="privacy.free-text-in-report" if free_text else "privacy.microdata-in-report",
            hint=f"Set {option} = true in [privacy], after a clean personal-data scan.",
        )
    cols = tuple(
        Column(str(c), variable_title(codebook, str(c)), kind="text") for c in frame.columns
    )
    rows = tuple(
        Row(str(k + 1), tuple(Cell(None if pd.isna(v) else str(v)) for v in rec))
        for k, rec in enumerate(frame.itertuples(index=False))
    )
    return Table(
        title=title,
        columns=cols,
        rows=rows,
        base_n=len(frame),
        kind="free_text" if free_text else "microdata",
        key=key or ("free_text" if free_text else "microdata"),
    )
