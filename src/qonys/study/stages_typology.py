"""The ``strategies`` and ``phases`` stages (MISSION: two strategies; METHODS 7.3).

``strategies`` fits latent class models of the strategy module's indicators
(:func:`qonys.typology.strategies.strategy_indicators`) with the sampling weights, K = 1..6
from many random starts, reports the selection table (log-likelihood, AIC, BIC, sample-size
adjusted BIC, entropy, smallest class), keeps K = 2 (the programme's adaptation and integration
strategies) unless the study asks for the lowest BIC, assigns each respondent to the modal class
of their posterior probabilities (``strategy``, for later stages) and estimates the class shares
overall and by city through the design.

``phases`` classifies respondents by the rule set of METHODS 7.3 with the study's thresholds
(``phase``, for later stages), estimates the phase shares, cross-tabulates phase by city and by
strategy (design-based column percentages, Rao-Scott F test) and fits the latent class
alternative (METHODS 7.3, robustness) on the same indicators plus Esser's dimension scores in
quintiles, names each class after the rule-set phase it overlaps most, estimates the class
shares through the design and reports the agreement with the rules (adjusted Rand index).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core import ConvergenceError, StudyError, Where
from ..report.estimates import weighting_note
from ..report.model import Cell, Column, Note, Row, StatLine, Table
from ..report.text import Labels, Msg
from .stage_options import options_of
from .stages import StudyContext, derived_classes, register_stage
from .stages_integration import localised
from .survey import survey_data

__all__ = [
    "PHASE_LABELS",
    "STRATEGY_LABELS",
    "phase_indicators",
    "phases_stage",
    "strategies_stage",
]

STRATEGY_LABELS: dict[str, Labels] = {
    "adaptation": Labels(
        kk="Бейімделу стратегиясы", ru="Стратегия адаптации", en="Adaptation strategy"
    ),
    "integration": Labels(
        kk="Интеграция стратегиясы", ru="Стратегия интеграции", en="Integration strategy"
    ),
}
PHASE_LABELS: dict[str, Labels] = {
    "circular": Labels(
        kk="Циркулярлық көші-қон", ru="Циркулярная миграция", en="Circular migration"
    ),
    "settled": Labels(kk="Қалалық қоныстану", ru="Оседание в городе", en="Urban settlement"),
    "integrated": Labels(
        kk="Қалалық интеграция", ru="Городская интеграция", en="Urban integration"
    ),
    "transitional": Labels(kk="Өтпелі кезең", ru="Переходная фаза", en="Transitional"),
}

_HOUSING = {
    1: "dorm",
    2: "room_rent",
    3: "room_rent",
    4: "flat_rent",
    5: "flat_rent",
    6: "owned_mortgage",
    7: "owned",
}
_REGISTRATION = {1: "permanent", 2: "temporary", 3: "none"}
_INTENTION = {1: "stay", 2: "unsure", 3: "return", 4: "move_on", 5: "move_on"}


def _num(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    x = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return x.where(~x.isin((97.0, 98.0, 99.0)))


def phase_indicators(frame: pd.DataFrame, complex_integration: pd.Series) -> pd.DataFrame:
    """The rule set's indicators from the standard instrument's variables.

    Core family: *origin* when the spouse or all children live in the home place, *city* when
    those there are live in the city (children partly here count as here), *mixed* otherwise
    (no spouse and no children under 18 included). Seasonal work not asked (not working) is no
    seasonal work; temporary registration months not asked (other registration) are 0.
    """
    spouse = _num(frame, "mig_spouse_loc")
    kids = _num(frame, "mig_children_loc")
    origin = (spouse == 2) | (kids == 2)
    city = ((spouse == 1) | spouse.isna()) & (kids.isin((1, 3)) | kids.isna())
    city &= spouse.notna() | kids.notna()
    family = pd.Series("mixed", index=frame.index, dtype=object)
    family[city] = "city"
    family[origin] = "origin"
    raw = (
        pd.to_numeric(frame["mig_seasonal"], errors="coerce").astype(float)
        if "mig_seasonal" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    seasonal = pd.Series(raw == 1, index=frame.index, dtype=object).where(
        ~raw.isin((98.0, 99.0)), None
    )
    return pd.DataFrame(
        {
            "return_stays_per_year": _num(frame, "mig_trips"),
            "months_in_origin_per_year": _num(frame, "mig_months_origin").where(
                _num(frame, "mig_trips") != 0, 0.0
            ),
            "seasonal_work": seasonal,
            "registration": _num(frame, "mig_registration").map(_REGISTRATION),
            "registration_months": _num(frame, "mig_reg_temp_months").fillna(0.0),
            "core_family_location": family,
            "intention": _num(frame, "mig_intention").map(_INTENTION),
            "continuous_months": _num(frame, "mig_cont_months_total"),
            "housing_tenure": _num(frame, "hou_tenure").map(_HOUSING),
            "complex_integration": complex_integration,
        },
        index=frame.index,
    )


def _col_pct_table(
    sd: Any, row: str, col: str, row_labels: dict[str, Labels], title: Msg, key: str, codebook: Any
) -> Table:
    from .. import estimate
    from ..report.labels import level_label

    ct = estimate.crosstab(sd, row, col, missing="drop").to_frame()
    test = estimate.chisq(sd, row, col)
    cols = list(dict.fromkeys(ct["domain"]))
    rows_ = [r for r in row_labels if r in set(ct["level"])]
    table_cols = []
    for c in cols:
        code = c.split("=", 1)[1]
        try:
            lab: Any = level_label(codebook, col, int(float(code)))
        except ValueError:
            lab = row_labels_any(code)
        table_cols.append(Column(code, lab, kind="percent"))
    body = []
    for r in rows_:
        cells = []
        for c in cols:
            hit = ct[(ct["level"] == r) & (ct["domain"] == c)]
            cells.append(Cell(100 * float(hit["col_prop"].iloc[0]) if len(hit) else None))
        body.append(Row(row_labels[r], tuple(cells)))
    n_by = ct.groupby("domain")["n"].sum() if "n" in ct.columns else None
    base = int(n_by.sum()) if n_by is not None else None
    return Table(
        title,
        tuple(table_cols),
        tuple(body),
        base_n=base,
        weighting=weighting_note(test),
        notes=(Msg("Column percentages (design-based)."),),
        stat_lines=(
            StatLine(
                "F",
                float(test.statistic),
                (float(test.ndf), float(test.ddf)),
                float(test.p_value),
                label=Msg("Rao-Scott test of independence"),
            ),
        ),
        kind="crosstab",
        key=key,
    )


def row_labels_any(code: str) -> Any:
    """A strategy or phase name in every language, else the code."""
    return STRATEGY_LABELS.get(code) or PHASE_LABELS.get(code) or code


def _shares_table(sd: Any, var: str, labels: dict[str, Labels], title: Msg, key: str) -> Table:
    from .. import estimate

    est = estimate.proportion(sd, var, missing="drop")
    f = est.to_frame()
    rows = []
    for lev in labels:
        hit = f[f["level"].astype(str) == lev]
        if not len(hit):
            continue
        r = hit.iloc[0]
        rows.append(
            Row(
                labels[lev],
                (
                    Cell(100 * float(r["estimate"])),
                    Cell(100 * float(r["se"])),
                    Cell((100 * float(r["ci_low"]), 100 * float(r["ci_high"]))),
                ),
            )
        )
    return Table(
        title,
        (
            Column("estimate", Msg("Share, %"), kind="percent"),
            Column("se", Msg("SE"), kind="percent"),
            Column("ci", Msg("{level}% CI", level=95), kind="ci", decimals=1),
        ),
        tuple(rows),
        base_n=int(f["n"].max()) if "n" in f.columns and len(f) else None,
        weighting=weighting_note(est),
        key=key,
    )


def strategies_stage(ctx: StudyContext) -> list[Any]:
    """Run the ``strategies`` stage (see the module docstring)."""
    from ..typology import select_classes
    from ..typology.strategies import label_strategy_classes, strategy_indicators

    if ctx.data is None or "str_adapt/1" not in ctx.data.data.columns:
        return []
    opts = options_of("strategies", ctx.options)
    sd = survey_data(ctx)
    X = strategy_indicators(ctx.data.data, plans=bool(opts["plans"]))
    answered = X.notna().any(axis=1).to_numpy()
    w = np.asarray(sd.prepared.weights, float)
    w = w / w[answered].mean()  # weights rescaled to sum to the sample size (BIC's n)
    k_max = int(opts["max_classes"])
    sel = select_classes(
        X[answered],
        range(1, k_max + 1),
        n_init=int(opts["n_init"]),
        sample_weight=w[answered],
        random_state=int(ctx.seed) % (2**32),
        missing="available",
        tol=1e-3,  # absolute, on a log-likelihood of the order of -10 n
        max_iter=1000,
        polish_tol=1e-8,
    )
    k = sel.best_bic if opts["n_classes"] == "bic" else int(opts["n_classes"])
    model = sel.models.get(k)
    if model is None:
        raise ConvergenceError(
            f"the {k}-class model of strategies did not converge in {int(opts['n_init'])} "
            "random starts, or was not fitted",
            where=Where(key="analyses.strategies.n_classes"),
            rule="typology.no-model",
            hint="Raise n_init, or choose another n_classes (see the selection table).",
        )
    names = label_strategy_classes(model, list(X.columns))
    modal = pd.Series(np.nan, index=X.index, dtype=object)
    modal[answered] = np.asarray(names, dtype=object)[model.predict(X[answered])]
    out: list[Any] = [
        derived_classes(
            "strategy",
            modal.to_numpy(),
            Labels(kk="Стратегия", ru="Стратегия", en="Strategy").by_lang,
            {n: STRATEGY_LABELS.get(n, Labels(en=n)) for n in names},
        )
    ]
    weighting = weighting_note(sd)
    out.append(_selection_table(sel.table, k, weighting, int(answered.sum())))
    out.append(_profile_table(model, list(X.columns), names, weighting, int(answered.sum())))
    sdx = sd.update(data=sd.data.assign(strategy=modal.to_numpy()))
    labels = {n: STRATEGY_LABELS.get(n, Labels(en=n)) for n in names}
    out.append(
        _shares_table(
            sdx,
            "strategy",
            labels,
            Msg("Integration strategies: class shares"),
            "strategies.shares",
        )
    )
    city = ctx.config.city_variable
    if city and city in sdx.data.columns and len(set(names)) > 1:
        out.append(
            _col_pct_table(
                sdx,
                "strategy",
                city,
                labels,
                Msg("Integration strategies by city (%)"),
                "strategies.by_city",
                ctx.data.codebook,
            )
        )
    return out


PRACTICE_LABELS: dict[str, Labels] = {
    "str_adapt": Labels(
        kk="Бейімделу тәжірибесі", ru="Практика адаптации", en="Adaptation practice"
    ),
    "str_integr": Labels(
        kk="Интеграция тәжірибесі", ru="Практика интеграции", en="Integration practice"
    ),
}


def _profile_table(
    model: Any, columns: list[str], names: list[str], weighting: Msg | None, base_n: int
) -> Table:
    """P(practice chosen) by class: what makes each class what it is."""
    rows = []
    for j, col in enumerate(columns):
        if "/" not in col:
            continue
        stem, code = col.split("/", 1)
        cats = np.asarray(model.categories_[j], float)
        p_yes = model.item_probs_[j][:, cats == 1.0].sum(axis=1)
        rows.append(
            Row(
                Msg("{practice} {code}", practice=PRACTICE_LABELS[stem], code=code),
                tuple(Cell(100 * float(p)) for p in p_yes),
            )
        )
    return Table(
        Msg("Strategy classes: share choosing each practice (%)"),
        tuple(
            Column(f"class_{i}", STRATEGY_LABELS.get(n, Labels(en=n)), kind="percent")
            for i, n in enumerate(names)
        ),
        tuple(rows),
        base_n=base_n,
        weighting=weighting,
        notes=(Msg("Estimated item probabilities of the chosen latent class model."),),
        key="strategies.profiles",
    )


def _selection_table(table: pd.DataFrame, chosen: int, weighting: Msg | None, base_n: int) -> Table:
    rows = []
    for k, rec in table.iterrows():
        vals = [rec.get(c, np.nan) for c in ("loglik", "npar", "aic", "bic", "sabic", "entropy")]
        small = rec.get("smallest_class", np.nan)
        rows.append(
            Row(
                Msg("K = {k} (chosen)", k=str(k)) if k == chosen else Msg("K = {k}", k=str(k)),
                tuple(Cell(None if v != v else float(v)) for v in vals)
                + (Cell(None if small != small else 100 * float(small)),),
            )
        )
    return Table(
        Msg("Latent class models of strategies: model selection"),
        (
            Column("loglik", Msg("Log-likelihood"), kind="stat", decimals=1),
            Column("npar", Msg("Parameters"), kind="count"),
            Column("aic", Msg("AIC"), kind="stat", decimals=1),
            Column("bic", Msg("BIC"), kind="stat", decimals=1),
            Column("sabic", Msg("Sample-size adjusted BIC"), kind="stat", decimals=1),
            Column("entropy", Msg("Entropy"), kind="stat"),
            Column("smallest", Msg("Smallest class, %"), kind="percent"),
        ),
        tuple(rows),
        base_n=base_n,
        weighting=weighting,
        notes=(Msg("Weighted pseudo-likelihood; the best of many random starts per K."),),
        key="strategies.selection",
    )


def _phase_lca_indicators(ind: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Categorical indicators of the latent class alternative (METHODS 7.2).

    Trips, months in the home place and continuous stay are banded; Esser's dimension scores
    (the table's "integration scores" row) enter as sample quintiles, 0..4, so that the
    classes can tell settlement from integration, which the residence indicators alone
    cannot.
    """
    trips = ind["return_stays_per_year"]
    months = ind["months_in_origin_per_year"]
    out = pd.DataFrame(
        {
            "trips": pd.cut(trips, [-0.5, 0.5, 1.5, np.inf], labels=False),
            "months": pd.cut(months, [-0.5, 0.5, 2.5, np.inf], labels=False),
            "seasonal": ind["seasonal_work"].map({True: 1.0, False: 0.0}),
            "registration": ind["registration"],
            "family": ind["core_family_location"],
            "intention": ind["intention"],
            "housing": ind["housing_tenure"],
            "stay": pd.cut(ind["continuous_months"], [-0.5, 11.5, 59.5, np.inf], labels=False),
        },
        index=ind.index,
    )
    for name in scores.columns:
        out[name] = pd.qcut(scores[name], 5, labels=False, duplicates="drop")
    return out


def _phase_classes(classes: np.ndarray, rules: pd.Series, weights: np.ndarray) -> np.ndarray:
    """Latent classes named after the rule-set phase each overlaps most.

    The weighted cross-tabulation of class by rule-set phase (circular, settled, integrated)
    is matched one to one by :func:`scipy.optimize.linear_sum_assignment`; a class left over
    (more than three classes) keeps the name ``class_<k>``.
    """
    from scipy.optimize import linear_sum_assignment

    phases = ["circular", "settled", "integrated"]
    k = int(classes.max()) + 1
    agree = np.zeros((k, len(phases)))
    r = rules.astype(object).to_numpy()
    for j, ph in enumerate(phases):
        agree[:, j] = np.bincount(classes, weights=weights * (r == ph), minlength=k)
    rows, cols = linear_sum_assignment(-agree)
    names = np.array([f"class_{c + 1}" for c in range(k)], dtype=object)
    names[rows] = np.asarray(phases, dtype=object)[cols]
    return np.asarray(names[classes], dtype=object)


def _sensitivity_table(
    filled: pd.DataFrame, unknown: pd.Series, base: Any, weights: Any, weighting: Msg | None
) -> Table:
    """Weighted phase shares with thresholds at 50 % and 150 % (METHODS 7.3 robustness).

    The 12-month continuous-stay threshold and the 24-month temporary registration vary; the
    5-year horizon of the intention is part of the answer category (``mig_intention`` = 1)
    and cannot be moved after the interview.
    """
    import dataclasses

    from ..typology.phases import classify_phase

    w = np.asarray(weights, float)
    variants = [
        (Msg("As set"), base),
        (
            Msg("Continuous stay x 0.5"),
            dataclasses.replace(base, continuous_months=base.continuous_months * 0.5),
        ),
        (
            Msg("Continuous stay x 1.5"),
            dataclasses.replace(base, continuous_months=base.continuous_months * 1.5),
        ),
        (
            Msg("Registration months x 0.5"),
            dataclasses.replace(
                base, temporary_registration_months=base.temporary_registration_months * 0.5
            ),
        ),
        (
            Msg("Registration months x 1.5"),
            dataclasses.replace(
                base, temporary_registration_months=base.temporary_registration_months * 1.5
            ),
        ),
    ]
    rows = []
    keep = ~unknown.to_numpy()
    for label, t in variants:
        ph = classify_phase(filled, thresholds=t, missing="drop").to_numpy()
        ok = keep & pd.notna(ph)
        total = w[ok].sum()
        rows.append(
            Row(
                label,
                tuple(Cell(100 * float(w[ok & (ph == p)].sum() / total)) for p in PHASE_LABELS),
            )
        )
    return Table(
        Msg("Sensitivity of the phase shares to the rule set's thresholds (%)"),
        tuple(Column(p, PHASE_LABELS[p], kind="percent") for p in PHASE_LABELS),
        tuple(rows),
        stub=Msg("Thresholds"),
        base_n=int((~unknown).sum()),
        weighting=weighting,
        notes=(Msg("Weighted shares; each row changes one threshold."),),
        key="phases.sensitivity",
    )


def phases_stage(ctx: StudyContext) -> list[Any]:
    """Run the ``phases`` stage (see the module docstring)."""
    from sklearn.metrics import adjusted_rand_score

    from ..typology import LatentClassModel
    from ..typology.phases import PhaseThresholds, classify_phase

    if ctx.data is None or "mig_trips" not in ctx.data.data.columns:
        return []
    opts = options_of("phases", ctx.options)
    sd = survey_data(ctx)
    frame = sd.data
    dims = [f"esser_{d}" for d in ("culturation", "placement", "interaction", "identification")]
    tau = ctx.config.options.get("structural_complex", {}).get("tau", 0.6)
    if "complex_integration" in frame.columns:  # the structural_complex stage's classes
        flag = pd.to_numeric(frame["complex_integration"], errors="coerce")
        cx = pd.Series(flag == 1, index=frame.index, dtype=object).where(flag.notna(), np.nan)
    elif tau == "locals_median":
        raise StudyError(
            "phases: tau = 'locals_median' needs the structural_complex stage's thresholds",
            where=Where(key="analyses.structural_complex.tau"),
            rule="study.option-value",
            hint="Run the structural_complex stage before phases, or give tau as a number.",
        )
    elif all(c in frame.columns for c in dims):
        scores = frame[dims].apply(pd.to_numeric, errors="coerce").astype(float)
        cx = pd.Series((scores >= float(tau)).all(axis=1), dtype=object)
        cx[scores.isna().any(axis=1)] = np.nan
    else:
        cx = pd.Series(np.nan, index=frame.index)
    ind = phase_indicators(frame, cx)
    thresholds = PhaseThresholds(
        return_stays=float(opts["return_stays"]),
        months_in_origin=float(opts["months_in_origin"]),
        continuous_months=float(opts["continuous_months"]),
        temporary_registration_months=float(opts["temporary_registration_months"]),
        min_housing=str(opts["min_housing"]),
    )
    unknown = ind[["seasonal_work", "complex_integration"]].isna().any(axis=1)
    filled = ind.assign(
        seasonal_work=ind["seasonal_work"].where(~unknown, False).astype(bool),
        complex_integration=ind["complex_integration"].where(~unknown, False).astype(bool),
    )
    phase = classify_phase(filled, thresholds=thresholds, missing="drop")
    phase[unknown.to_numpy()] = None
    out: list[Any] = [
        derived_classes(
            "phase",
            phase.to_numpy(),
            Labels(kk="Интеграция кезеңі", ru="Фаза интеграции", en="Phase of integration").by_lang,
            PHASE_LABELS,
        )
    ]
    sdx = sd.update(data=frame.assign(phase=phase.to_numpy()))
    out.append(
        _shares_table(
            sdx,
            "phase",
            PHASE_LABELS,
            Msg("Phases of integration: shares (rule set)"),
            "phases.shares",
        )
    )
    city = ctx.config.city_variable
    if city and city in frame.columns:
        out.append(
            _col_pct_table(
                sdx,
                "phase",
                city,
                PHASE_LABELS,
                Msg("Phases by city (%)"),
                "phases.by_city",
                ctx.data.codebook,
            )
        )
    if "strategy" in frame.columns and frame["strategy"].nunique() > 1:
        out.append(
            _col_pct_table(
                sdx,
                "phase",
                "strategy",
                PHASE_LABELS,
                Msg("Phases by strategy (%)"),
                "phases.by_strategy",
                ctx.data.codebook,
            )
        )
    out.append(
        _sensitivity_table(
            filled,
            unknown,
            thresholds,
            sd.prepared.weights,
            weighting_note(sd),
        )
    )
    present = [c for c in dims if c in frame.columns]
    lca_x = _phase_lca_indicators(ind, frame[present].apply(pd.to_numeric, errors="coerce"))
    ok = lca_x.notna().any(axis=1).to_numpy()
    w = np.asarray(sd.prepared.weights, float)
    w = w / w[ok].mean()
    model = LatentClassModel(
        int(opts["latent_classes"]),
        n_init=int(opts["n_init"]),
        random_state=int(ctx.seed) % (2**32),
        missing="available",
        tol=1e-3,  # absolute, on a log-likelihood of the order of -10 n
        max_iter=1000,
        polish_tol=1e-8,
    ).fit(lca_x[ok], sample_weight=w[ok])
    classes = _phase_classes(model.predict(lca_x[ok]), phase[ok], w[ok])
    both = phase[ok].notna().to_numpy()
    ari = float(adjusted_rand_score(phase[ok][both].astype(str), classes[both]))
    lca = np.full(len(frame), None, dtype=object)
    lca[ok] = classes
    labels = {
        c: PHASE_LABELS.get(c)
        or Labels(kk=f"{c[6:]}-класс", ru=f"Класс {c[6:]}", en=f"Class {c[6:]}")
        for c in [*PHASE_LABELS, *sorted(set(classes) - set(PHASE_LABELS))]
    }
    out.append(
        _shares_table(
            sd.update(data=frame.assign(phase_lca=lca)),
            "phase_lca",
            labels,
            Msg("Phases of integration: shares (latent classes)"),
            "phases.lca_shares",
        )
    )
    out.append(
        Note(
            Msg(
                "Latent class alternative (classes: {k}; the rule set's indicators and Esser's "
                "dimension scores in quintiles), each class named after the phase of the rule "
                "set it overlaps most: agreement with the rule set, adjusted Rand index = {ari}.",
                k=str(int(opts["latent_classes"])),
                ari=localised(ari, 2),
            )
        )
    )
    return out


register_stage("strategies", after=("weight", "integration"))(strategies_stage)
register_stage("phases", needs=("integration",), after=("strategies", "structural_complex"))(
    phases_stage
)
