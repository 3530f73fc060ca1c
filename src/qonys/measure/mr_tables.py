"""Multiple-response tables with design-based percentages of cases and of responses.

A multiple-response set (an XLSForm ``select_multiple``, SPSS ``MRSETS``; one 0/1 column per
option) is tabulated as SPSS MULT RESPONSE does, with every figure estimated through the design:

* **% of cases**: the share of respondents who named the option, among respondents who named
  at least one substantive option of the set (the *base*); it sums to more than 100;
* **% of responses**: the option's share of all mentions of the options tabulated; it sums to
  100.

Options whose code is a missing-value code of the question (98 don't know, 99 refused) are
never counted; respondents who gave only those, or were not asked, are outside the base and
stay in the design. A subset of options (push or pull motives) can be tabulated against the
base of the whole question.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import DataError, DesignError, Meta, MRSet, ResultMixin, Where, tidy_frame
from ..design import SurveyData
from ..estimate import chisq, mean, ratio, total
from ._survey import add_columns, domain_value

__all__ = ["MRTable", "mr_option_code", "mr_table"]


def mr_option_code(column: str) -> str:
    """The option code of a dichotomy column (``"mot_reasons/12"`` -> ``"12"``).

    >>> mr_option_code("mot_reasons/12"), mr_option_code("q5_3")
    ('12', 'q5_3')
    """
    return column.rsplit("/", 1)[1] if "/" in column else column


@dataclasses.dataclass(frozen=True, slots=True)
class MRTable(ResultMixin):
    """Percentages of cases and of responses, overall and by domain.

    Attributes
    ----------
    name : str
        The set's name.
    options : tuple of str
        Columns tabulated, in order.
    table : DataFrame
        One row per option and domain: ``variable`` (set name), ``level`` (option code),
        ``domain`` (``None`` overall, else ``"by=value"``), ``estimate`` (% of cases as a
        proportion), ``se``, ``ci_low``, ``ci_high``, ``df``, ``deff``, ``n`` (unweighted
        respondents naming it); then the domain variable, ``responses`` (weighted mentions),
        ``responses_se``, ``pct_responses`` and ``pct_responses_se`` (proportions).
    bases : DataFrame
        Per domain: ``base_n`` (unweighted respondents in the base), ``base_weighted``,
        ``responses`` (weighted mentions of the options tabulated).
    tests : DataFrame or None
        Per option, the Rao-Scott F test of equal % of cases across domains: ``level``,
        ``statistic``, ``ndf``, ``ddf``, ``p_value``.
    meta : Meta
    """

    name: str
    options: tuple[str, ...]
    table: pd.DataFrame
    bases: pd.DataFrame
    tests: pd.DataFrame | None
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """The table (tidy columns first)."""
        return tidy_frame(self.table)


def _resolve(sd: SurveyData, mrset: MRSet | str | Sequence[str]) -> tuple[str, list[str], str]:
    if isinstance(mrset, MRSet):
        return mrset.name, list(mrset.variables), mrset.source or mrset.name
    if isinstance(mrset, str):
        if sd.codebook is None:
            raise DataError(
                f"multiple-response set {mrset!r} needs a codebook that defines it",
                where=Where(variable=mrset),
                rule="measure.unknown-mrset",
            )
        s = sd.codebook.mr_set(mrset)
        return s.name, list(s.variables), s.source or s.name
    cols = list(mrset)
    name = cols[0].rsplit("/", 1)[0] if cols and "/" in cols[0] else "mrset"
    return name, cols, name


def mr_table(
    sd: SurveyData,
    mrset: MRSet | str | Sequence[str],
    *,
    options: Sequence[object] | None = None,
    by: str | None = None,
    exclude_codes: Sequence[object] = (),
    level: float = 0.95,
    test: bool = True,
) -> MRTable:
    """Design-based multiple-response table (see the module docstring).

    Parameters
    ----------
    sd : SurveyData
    mrset : MRSet, str or sequence of str
        The set, its name in the codebook, or its 0/1 columns.
    options : sequence, optional
        Option codes (or columns) to tabulate; default every substantive option.
    by : str, optional
        Domain variable (city).
    exclude_codes : sequence, optional
        Further option codes that are not substantive answers (beyond the codebook's missing
        codes of the question).
    level : float
    test : bool
        With ``by``, test each option's % of cases across domains (Rao-Scott F).

    Returns
    -------
    MRTable

    Notes
    -----
    % of cases of option :math:`j` in domain :math:`d` is the domain mean of its indicator
    over the base; % of responses is the ratio
    :math:`\\sum_i w_i y_{ij} / \\sum_i w_i \\sum_{k} y_{ik}` (:func:`qonys.estimate.ratio`).
    R: ``svymean(~y1 + y2, subset(design, base))`` and ``svyratio(~y1, ~count, ...)``.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> df = pd.DataFrame({"q/1": [1, 1, 0, 0], "q/2": [1, 0, 1, 0], "q/99": [0, 0, 0, 1]})
    >>> t = mr_table(SurveyData(df, SurveyDesign()), ["q/1", "q/2", "q/99"], exclude_codes=[99])
    >>> t.table[["level", "estimate", "pct_responses"]].to_numpy().tolist()
    [['1', 0.6666666666666666, 0.5], ['2', 0.6666666666666666, 0.5]]
    """
    name, columns, source = _resolve(sd, mrset)
    cb = sd.codebook
    substantive = []
    for c in columns:
        code = mr_option_code(c)
        kind = None
        if cb is not None and source in cb:
            num: Any = int(code) if code.lstrip("-").isdigit() else code
            kind = cb.missing_kind(source, num)
        if kind is None and code not in {str(x) for x in exclude_codes}:
            substantive.append(c)
    if options is None:
        chosen = substantive
    else:
        wanted = {str(o) for o in options}
        chosen = [c for c in substantive if c in wanted or mr_option_code(c) in wanted]
    if not chosen:
        raise DataError(
            f"no substantive option of {name!r} to tabulate",
            where=Where(variable=name),
            rule="measure.mr-options",
            hint="Check options= against the set's option codes.",
        )
    block = pd.DataFrame(
        {c: pd.to_numeric(sd.column(c), errors="coerce") for c in substantive}, index=sd.data.index
    )
    base = (block.fillna(0) > 0).any(axis=1).to_numpy()
    ind = {
        f"_mr_{j}": np.where(base, (block[c].fillna(0) > 0).to_numpy(dtype=float), np.nan)
        for j, c in enumerate(chosen)
    }
    names = list(ind)
    count = np.where(base, np.nansum(np.column_stack(list(ind.values())), axis=1), np.nan)
    data = add_columns(sd, {**ind, "_mr_count": count})
    cases = [mean(data, names, where=base, missing="fail", level=level)]
    resp = [total(data, names, where=base, missing="fail", level=level)]
    pct = [ratio(data, names, "_mr_count", where=base, missing="fail", level=level)]
    base_t = [total(data, "_mr_count", where=base, missing="fail")]
    if by is not None:
        cases.append(mean(data, names, by=by, where=base, missing="fail", level=level))
        resp.append(total(data, names, by=by, where=base, missing="fail", level=level))
        pct.append(ratio(data, names, "_mr_count", by=by, where=base, missing="fail", level=level))
        base_t.append(total(data, "_mr_count", by=by, where=base, missing="fail"))
    t = pd.concat([c.table for c in cases], ignore_index=True)
    r = pd.concat([c.table for c in resp], ignore_index=True)
    p = pd.concat([c.table for c in pct], ignore_index=True)
    code_of = {f"_mr_{j}": mr_option_code(c) for j, c in enumerate(chosen)}
    dom = data.column(by) if by is not None else None
    inside = data.prepared.in_domain & base
    counts = []
    for col, g in zip(t["variable"], t[by] if by is not None else [None] * len(t), strict=True):
        hit = (np.nan_to_num(ind[col]) > 0) & inside
        if dom is not None and not pd.isna(g):
            hit &= (dom == g).to_numpy()
        counts.append(int(hit.sum()))
    t["n"] = counts
    t["level"] = t["variable"].map(code_of)
    t["variable"] = name
    t["domain"] = [None if pd.isna(d) else f"{by}={domain_value(str(d))}" for d in t["domain"]]
    t["responses"] = r["estimate"].to_numpy()
    t["responses_se"] = r["se"].to_numpy()
    t["pct_responses"] = p["estimate"].to_numpy()
    t["pct_responses_se"] = p["se"].to_numpy()
    bt = pd.concat([b.table for b in base_t], ignore_index=True)
    bases = pd.DataFrame(
        {
            "domain": [
                None if pd.isna(d) else f"{by}={domain_value(str(d))}" for d in bt["domain"]
            ],
            "base_n": bt["n"].to_numpy(),
            "base_weighted": bt["sum_weights"].to_numpy(),
            "responses": bt["estimate"].to_numpy(),
        }
    )
    if by is not None:
        bases[by] = bt[by].to_numpy() if by in bt.columns else np.nan
    tests = None
    if by is not None and test:
        rows = []
        for col in names:
            try:
                xt = chisq(data, col, by, where=base)
                rows.append(
                    {
                        "level": code_of[col],
                        "statistic": xt.statistic,
                        "ndf": xt.ndf,
                        "ddf": xt.ddf,
                        "p_value": xt.p_value,
                    }
                )
            except DesignError:  # an option nobody (or everybody) named: no test
                rows.append({"level": code_of[col], "statistic": np.nan, "p_value": np.nan})
        tests = pd.DataFrame(rows)
    meta = Meta(
        method="multiple-response table; design-based % of cases and % of responses",
        design=sd.describe(),
        call={"set": name, "options": [mr_option_code(c) for c in chosen], "by": by},
        notes=(
            f"{int((~base & sd.prepared.in_domain).sum())} respondents outside the base "
            "(not asked, or no substantive answer)",
        ),
        n_used=int(inside.sum()),
    )
    table = t.drop(columns=["sum_weights"], errors="ignore")
    return MRTable(name, tuple(chosen), table, bases, tests, meta)
