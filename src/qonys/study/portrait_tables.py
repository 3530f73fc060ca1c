"""Report tables for the portrait, motives, identity and perceptions sections.

The analyses (:mod:`qonys.measure`) return design-based results; these helpers lay them out with
the report's builders (:func:`~qonys.report.estimates.estimates_table`,
:func:`~qonys.report.tables.crosstab_table`), which apply disclosure control, and label rows
and columns from the codebook in every language. Derived variables (age groups, identity
classes, motive types) get codebook entries of their own (:func:`display_codebook`), so their
categories are labelled like any question's.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import Choice, ChoiceList, Codebook, QonysError, Variable
from ..privacy.suppression import DisclosureRules, suppress_lines, suppress_table
from ..report.estimates import estimates_table, weighting_note
from ..report.labels import level_label, variable_title
from ..report.model import FLAG_SUPPRESSED, Cell, Column, Row, StatLine, Table
from ..report.text import Labels, Msg, Text

__all__ = [
    "SHORT_TITLES",
    "L",
    "display_codebook",
    "estimates_by",
    "mr_by_table",
    "mr_overall_table",
    "num",
    "pval",
    "row_text",
    "scale_title",
    "shares_crosstab",
    "stat_line",
    "test_lines",
    "weighting_of",
    "with_short_titles",
]


def L(en: str, ru: str, kk: str) -> Labels:  # noqa: N802 - a short constructor used in tables
    """Text in the three report languages."""
    return Labels(en=en, ru=ru, kk=kk)


def weighting_of(sd: Any) -> Text:
    """The weighting note of a table computed on ``sd`` (as the default result tables say)."""
    note = weighting_note(sd)  # survey data always describe their design: never None
    return note if note is not None else Msg("Unweighted.")


SHORT_TITLES: dict[str, Labels] = {
    "dem_sex": L("Sex", "Пол", "Жынысы"),
    "dem_marital": L("Marital status", "Семейное положение", "Отбасылық жағдайы"),
    "dem_ethnicity": L("Ethnicity", "Национальность", "Ұлты"),
    "ses_edu": L("Education", "Образование", "Білімі"),
    "ses_employment": L("Main activity", "Основное занятие", "Негізгі айналысатын ісі"),
    "ses_isco": L("Occupation", "Род занятий", "Кәсібі"),
    "ses_income": L(
        "Personal income last month", "Личный доход за последний месяц", "Соңғы айдағы жеке табысы"
    ),
    "scr_origin_type": L(
        "Settlement of origin", "Тип населённого пункта выхода", "Шыққан елді мекен түрі"
    ),
    "scr_origin_region": L("Region of origin", "Регион выхода", "Шыққан өңірі"),
    "mig_registration": L("Registration", "Регистрация", "Тіркеу"),
    "hou_tenure": L("Housing tenure", "Жильё: на каком основании", "Тұрғын үй: қандай негізде"),
    "scr_city": L("City", "Город", "Қала"),
    "hou_district": L("District", "Район", "Аудан"),
}
"""Short titles of the standard instrument's portrait variables for table headings (the
codebook's labels are the questions' wording)."""


def with_short_titles(codebook: Codebook | None) -> Codebook | None:
    """``codebook`` with the short titles of :data:`SHORT_TITLES` as the variables' labels."""
    if codebook is None:
        return None
    cb = codebook
    for name, title in SHORT_TITLES.items():
        if name in cb:
            cb = cb.with_variable(cb.variable(name).replace(label=dict(title.by_lang)))
    return cb


def display_codebook(
    codebook: Codebook | None,
    derived: Mapping[str, tuple[Labels, Mapping[object, Labels]]],
) -> Codebook:
    """``codebook`` with derived categorical variables added: name -> (title, code -> label).

    Examples
    --------
    >>> cb = display_codebook(None, {"grp": (L("Group", "Группа", "Топ"), {1: L("a", "а", "а")})})
    >>> from qonys.report.text import resolve
    >>> resolve(level_label(cb, "grp", 1), "ru")
    'а'
    """
    cb = codebook if codebook is not None else Codebook()
    for name, (title, labels) in derived.items():
        choices = tuple(Choice(code, dict(lab.by_lang)) for code, lab in labels.items())  # type: ignore[arg-type]
        cb = cb.with_choice_list(ChoiceList(f"_{name}", choices))
        cb = cb.with_variable(
            Variable(name, "select_one", label=dict(title.by_lang), choices=f"_{name}")
        )
    return cb


def num(x: float, decimals: int = 2) -> Labels:
    """A number for a message, written with each language's separators (``0.85``, ``0,85``)."""
    from ..report.numbers import fmt_number

    return Labels(**{lang: fmt_number(float(x), lang, decimals) for lang in ("en", "ru", "kk")})


def pval(p: float) -> Labels:
    """``p = .023`` / ``p = 0,023`` / ``p < .001`` in each language."""
    from ..report.numbers import fmt_p

    return Labels(**{lang: fmt_p(float(p), lang) for lang in ("en", "ru", "kk")})


def scale_title(codebook: Codebook | None, name: str) -> Text:
    """The label of a codebook scale in every language.

    Data files that keep no scale labels (SPSS files) get the standard instrument's label when
    the scale has the same name and items there; otherwise the name is used.
    """
    if codebook is None or name not in {s.name for s in codebook.scales}:
        return name
    scale = codebook.scale(name)
    label = dict(scale.label)
    if not label:
        std = _standard_scales().get(name)
        if std is not None and tuple(std.get("items", ())) == tuple(scale.items):
            label = dict(std.get("label") or {})
    if not label:
        return name
    first = next(iter(label.values()))
    return Labels(**{lang: label.get(lang, first) for lang in ("en", "ru", "kk")})


@functools.lru_cache(maxsize=1)
def _standard_scales() -> dict[str, Any]:
    import yaml

    from ..io.instrument import scales_path

    try:
        raw = yaml.safe_load(scales_path().read_text(encoding="utf-8")) or {}
    except (OSError, QonysError):
        return {}
    return dict(raw.get("scales") or {})


def row_text(parts: Sequence[Text]) -> Text:
    """One stub label from up to three parts (``a: b (c)``)."""
    parts = [p for p in parts if p != ""]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return Msg("{a}: {b}", a=parts[0], b=parts[1])
    return Msg("{a}: {b} ({c})", a=parts[0], b=parts[1], c=parts[2])


def stat_line(statistic: str, value: float, ndf: float, ddf: float, p: float) -> StatLine:
    """An F test line ``F(ndf, ddf) = value, p = ...``."""
    return StatLine(statistic, float(value), (float(ndf), float(ddf)), float(p))


CALIBRATED_F = 1e6
"""An F statistic above this means the compared shares have (almost) no sampling variance:
the weights were calibrated to them (raking to margins by city), so no test is reported."""


def test_lines(test: Any) -> tuple[StatLine, ...]:
    """The Rao-Scott F line of ``test`` (a :class:`~qonys.estimate.ChisqResult`), or none when
    the statistic is not finite or degenerate (see :data:`CALIBRATED_F`)."""
    value = float(test.statistic)
    if not np.isfinite(value) or abs(value) > CALIBRATED_F:
        return ()
    return (stat_line("F", value, test.ndf, test.ddf, test.p_value),)


def estimates_by(
    frame: pd.DataFrame,
    *,
    by: str | None,
    codebook: Codebook | None,
    rules: DisclosureRules,
    weighting: Text | None,
    title: Text,
    key: str,
    percent: bool = False,
    variable_labels: Mapping[str, Text] | None = None,
    level_labels: Mapping[object, Text] | None = None,
    level_variable: str | None = None,
    extra: Mapping[str, Text] | None = None,
    decimals: int = 2,
    notes: Sequence[Text] = (),
    base_n: int | None = None,
) -> Table:
    """Estimates with SE, CI, design effect and n; rows labelled ``variable: level (domain)``.

    ``frame`` is tidy (one row per estimate) with the domain variable ``by`` as a column
    (missing for the overall rows, labelled "Total"). ``percent`` prints proportions as
    percentages. ``extra`` adds further numeric columns with their headings.
    """
    f = frame.reset_index(drop=True).copy()
    if percent:
        for c in ("estimate", "se", "ci_low", "ci_high"):
            if c in f.columns:
                f[c] = f[c] * 100.0
    vl = variable_labels or {}
    many = f["variable"].nunique() > 1
    labels: list[Text] = []
    for rec in f.to_dict(orient="records"):
        parts: list[Text] = []
        var = rec.get("variable")
        if many or not (pd.notna(rec.get("level")) or by is not None):
            parts.append(vl.get(str(var), variable_title(codebook, str(var))))
        lv = rec.get("level")
        if lv is not None and not (isinstance(lv, float) and np.isnan(lv)):
            if level_labels is not None and lv in level_labels:
                parts.append(level_labels[lv])
            else:
                parts.append(level_label(codebook, level_variable or var, lv))
        if by is not None:
            g = rec.get(by)
            parts.append(Msg("Total") if g is None or pd.isna(g) else level_label(codebook, by, g))
        labels.append(row_text(parts))
    keep = [c for c in f.columns if c in ("estimate", "se", "ci_low", "ci_high", "deff", "n")]
    t = estimates_table(
        f[keep + list(extra or {})],
        rules=rules,
        weighting=weighting,
        title=title,
        extra=list(extra or {}),
        decimals=decimals,
        key=key,
        base_n=base_n,
    )
    rows = tuple(dataclasses.replace(r, label=lab) for r, lab in zip(t.rows, labels, strict=True))
    cols = tuple(
        dataclasses.replace(c, label=(extra or {})[c.key]) if c.key in (extra or {}) else c
        for c in t.columns
    )
    return dataclasses.replace(t, rows=rows, columns=cols, notes=(*t.notes, *notes))


def shares_crosstab(
    frame: pd.DataFrame,
    *,
    row: str,
    by: str,
    codebook: Codebook,
    rules: DisclosureRules,
    weighting: Text | None,
    title: Text,
    key: str,
    tests: Sequence[StatLine] = (),
    notes: Sequence[Text] = (),
) -> Table:
    """Shares (column percentages) of ``row``'s categories in each group of ``by``.

    ``frame`` has ``level``, ``by``, ``estimate`` (proportion), ``n`` and ``weighted_n`` (or
    ``sum_weights``, the group's weighted size) for the groups; overall rows (``by`` missing)
    are left out (the builder computes the Total column).
    """
    from ..report.tables import crosstab_table

    f = frame[frame[by].notna()].copy()
    if "weighted_n" not in f.columns:
        f["weighted_n"] = f["estimate"] * f["sum_weights"]
    f["domain"] = f[by]
    t = crosstab_table(
        f[
            ["level", "domain", "n", "estimate", "weighted_n"]
            + (["letters"] if "letters" in f else [])
        ],
        row=row,
        col=by,
        codebook=codebook,
        rules=rules,
        weighting=weighting,
        title=title,
        tests=tests,
        key=key,
    )
    return dataclasses.replace(t, notes=(*t.notes, *notes))


def _pct(v: float) -> float:
    return 100.0 * float(v)


def mr_overall_table(
    res: Any,
    *,
    codebook: Codebook | None,
    source: str,
    rules: DisclosureRules,
    weighting: Text | None,
    title: Text,
    key: str,
) -> Table:
    """SPSS MULT RESPONSE layout: responses, % of responses, % of cases (with CI), n."""
    t = res.table[res.table["domain"].isna()].reset_index(drop=True)
    n = t["n"].to_numpy(dtype=float)
    resp = t["responses"].to_numpy(dtype=float)
    entries = [*n, n.sum()]
    pat = suppress_lines(
        entries,
        [list(range(len(entries)))],
        threshold=rules.min_n,
        values=[*resp, resp.sum()],
        zeros_disclosive=rules.zeros_disclosive,
    )
    hid = pat.suppressed
    rows = []
    for i, rec in enumerate(t.to_dict(orient="records")):
        h = bool(hid[i])
        code: object = int(rec["level"]) if str(rec["level"]).isdigit() else rec["level"]
        cells = (
            Cell(None, FLAG_SUPPRESSED) if h else Cell(float(rec["responses"])),
            Cell(None, FLAG_SUPPRESSED) if h else Cell(_pct(rec["pct_responses"])),
            Cell(None, FLAG_SUPPRESSED) if h else Cell(_pct(rec["estimate"])),
            Cell(None, FLAG_SUPPRESSED) if h else Cell((_pct(rec["ci_low"]), _pct(rec["ci_high"]))),
            Cell(None, FLAG_SUPPRESSED) if h else Cell(float(rec["n"])),
        )
        rows.append(Row(level_label(codebook, source, code), cells))
    ht = bool(hid[-1])
    rows.append(
        Row(
            Msg("Total"),
            (
                Cell(None, FLAG_SUPPRESSED) if ht else Cell(float(resp.sum())),
                Cell(100.0),
                Cell(None) if hid.any() else Cell(_pct(t["estimate"].sum())),
                Cell(None),
                Cell(None, FLAG_SUPPRESSED) if ht else Cell(float(n.sum())),
            ),
            kind="total",
        )
    )
    base = res.bases[res.bases["domain"].isna()]
    cols = (
        Column("responses", Msg("Responses (weighted)"), kind="count"),
        Column("pct_responses", Msg("% of responses"), kind="percent"),
        Column("pct_cases", Msg("% of cases"), kind="percent"),
        Column("ci", Msg("{level}% CI", level=95), kind="ci", decimals=1),
        Column("n", Msg("n (unweighted)"), kind="n"),
    )
    return Table(
        title=title,
        columns=cols,
        rows=tuple(rows),
        base_n=int(base["base_n"].iloc[0]) if len(base) else None,
        weighting=weighting,
        notes=(
            Msg(
                "Multiple responses: % of cases is the share of respondents naming the option "
                "(the column adds up to more than 100); % of responses is the option's share of "
                "all mentions."
            ),
        ),
        kind="estimates",
        key=key,
    )


def mr_by_table(
    res: Any,
    *,
    by: str,
    codebook: Codebook | None,
    source: str,
    rules: DisclosureRules,
    weighting: Text | None,
    title: Text,
    key: str,
) -> Table:
    """% of cases of each option by group, the overall % and each option's Rao-Scott p."""
    t = res.table
    groups = [g for g in dict.fromkeys(t[by].dropna().tolist())]
    codes = list(dict.fromkeys(t["level"].tolist()))
    N = np.zeros((len(codes), len(groups)))
    W = np.zeros_like(N)
    P = np.full_like(N, np.nan)
    for rec in t[t[by].notna()].to_dict(orient="records"):
        i, j = codes.index(rec["level"]), groups.index(rec[by])
        N[i, j], W[i, j], P[i, j] = rec["n"], rec["responses"], _pct(rec["estimate"])
    pat = suppress_table(
        N, threshold=rules.min_n, values=W, zeros_disclosive=rules.zeros_disclosive
    )
    hid = pat.suppressed
    overall = t[t["domain"].isna()].set_index("level")["estimate"]
    tests = res.tests.set_index("level") if res.tests is not None else None
    rows = []
    for i, c in enumerate(codes):
        cells = [
            Cell(None, FLAG_SUPPRESSED) if hid[i, j] else Cell(float(P[i, j]))
            for j in range(len(groups))
        ]
        cells.append(
            Cell(None, FLAG_SUPPRESSED) if hid[i, -1] else Cell(_pct(overall.get(c, np.nan)))
        )
        p = tests["p_value"].get(c, np.nan) if tests is not None else np.nan
        cells.append(Cell(None if pd.isna(p) else float(p)))
        code: object = int(c) if str(c).isdigit() else c
        rows.append(Row(level_label(codebook, source, code), tuple(cells)))
    b = res.bases
    base_cells = []
    for g in groups:
        hit = b[b[by] == g]
        base_cells.append(Cell(float(hit["base_n"].iloc[0])) if len(hit) else Cell(None))
    total_n = float(b[b["domain"].isna()]["base_n"].iloc[0])
    base_cells += [Cell(total_n), Cell(None)]
    rows.append(Row(Msg("n (unweighted)"), tuple(base_cells), kind="base"))
    group = variable_title(codebook, by)
    cols = [
        Column(f"c{j}", level_label(codebook, by, g), kind="percent", group=group)
        for j, g in enumerate(groups)
    ]
    cols += [Column("total", Msg("Total"), kind="percent"), Column("p", "p", kind="p")]
    return Table(
        title=title,
        columns=tuple(cols),
        rows=tuple(rows),
        base_n=int(total_n),
        weighting=weighting,
        notes=(
            Msg("% of cases in each column."),
            Msg("p: design-based (Rao-Scott) test that the share is the same in every column."),
        ),
        kind="estimates",
        key=key,
    )
