"""The integration, structural_complex, strategies and phases stages on the synthetic study.

Ground truth: ``qonys.simulate`` plants each migrant's strategy, phase and Esser dimension scores
(``truth["migrants"]``) and their weighted sample shares (``truth["summary"]
["sample_truth_weighted"]``). The strategy classes must be recovered with an adjusted Rand index
of at least 0.8 (the brief's acceptance level).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from qonys._core import DataError, StudyError
from qonys.design import SurveyData, SurveyDesign
from qonys.measure.structural import structural_complex, verdict_of
from qonys.report.model import Note, Table
from qonys.report.text import resolve
from qonys.study import StudyContext, parse_study
from qonys.study.stages import DerivedVariables
from qonys.study.stages_integration import integration_stage, structural_complex_stage
from qonys.study.stages_typology import phases_stage, strategies_stage

sim = pytest.importorskip("qonys.simulate", reason="the synthetic study generator is not installed")

RAW = {
    "data": {"city_variable": "scr_city"},
    "design": {"weights": "smp_weight", "strata": "smp_stratum"},
    "analyses": {"strategies": {"n_init": 3, "max_classes": 2}, "phases": {"n_init": 2}},
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    study = sim.simulate_study(n=1500, n_locals=100, seed=11, scale=0.05)
    ds = sim.analysis_dataset(study.migrants, study.design["migrants"])
    cfg = parse_study(RAW, tmp_path_factory.mktemp("study") / "study.toml")
    outs: dict[str, tuple[Any, ...]] = {}
    for name, func in (
        ("integration", integration_stage),
        ("structural_complex", structural_complex_stage),
        ("strategies", strategies_stage),
        ("phases", phases_stage),
    ):
        ctx = StudyContext(cfg, ds, name, dict(cfg.options.get(name, {})), dict(outs), cfg.rules, 7)
        outs[name] = tuple(func(ctx))
    truth = study.truth["migrants"].set_index("_uuid").reindex(ds.data["_uuid"])
    return {"outs": outs, "truth": truth, "summary": study.truth["summary"], "study": study}


def _derived(run: dict[str, Any], stage: str) -> pd.DataFrame:
    return next(x for x in run["outs"][stage] if isinstance(x, DerivedVariables)).frame


def test_strategy_classes_recover_the_planted_strategies(run: dict[str, Any]) -> None:
    got = _derived(run, "strategies")["strategy"].astype(str).to_numpy()
    ari = adjusted_rand_score(run["truth"]["strategy"].to_numpy(), got)
    assert ari >= 0.8
    # the class named "integration" is the planted integration strategy for most respondents
    planted = run["truth"]["strategy"].to_numpy()
    assert np.mean(planted[got == "integration"] == "integration") > 0.9


def test_integration_scores_track_the_planted_dimensions(run: dict[str, Any]) -> None:
    d = _derived(run, "integration")
    assert {"ipl_index", "esser_placement", "esser_identification"} <= set(d.columns)
    for dim in ("culturation", "identification"):
        r = pd.concat([d[f"esser_{dim}"], run["truth"][dim].reset_index(drop=True)], axis=1)
        assert r.dropna().corr().iloc[0, 1] > 0.6
    kinds = [type(x).__name__ for x in run["outs"]["integration"]]
    assert kinds.count("Table") >= 5  # IPL and Esser overall and by city, rank stability


def test_structural_complex_verdict_follows_the_planted_answer(run: dict[str, Any]) -> None:
    planted = run["summary"]["sample_truth_weighted"]["complex_given_structural_high"]
    notes = [x for x in run["outs"]["structural_complex"] if isinstance(x, Note)]
    text = resolve(notes[0].text, "en")
    # planted P(complex | structural high) is well below 0.8: the finding holds
    assert planted < 0.8
    assert text.startswith("Supported")
    assert any(isinstance(x, Table) for x in run["outs"]["structural_complex"])


@pytest.fixture(scope="module")
def census_value(run: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> float:
    """P(complex | structural high) on the observed scores of every migrant of the study's
    population (``simulate_census``, same seed and scale): the estimand's population value."""
    data, _, truth = sim.simulate_census(seed=11, scale=0.05)
    # the very population the study sampled: its phase shares are truth.json's population ones
    shares = truth["phase"].value_counts(normalize=True)
    for phase, share in run["summary"]["population"]["phase"].items():
        assert shares[phase] == pytest.approx(share, abs=1e-12)
    cfg = parse_study(RAW, tmp_path_factory.mktemp("census") / "study.toml")
    outs: dict[str, tuple[Any, ...]] = {}
    for name, func in (
        ("integration", integration_stage),
        ("structural_complex", structural_complex_stage),
    ):
        ctx = StudyContext(cfg, data, name, {}, dict(outs), cfg.rules, 7)
        outs[name] = tuple(func(ctx))
    table = next(x for x in outs["structural_complex"] if isinstance(x, Table))
    assert int(data.data["smp_weight"].sum()) == len(data.data)  # a census, weight 1
    return float(table.rows[3].cells[0].value) / 100  # type: ignore[arg-type]


def test_structural_complex_interval_covers_the_population_value(
    run: dict[str, Any], census_value: float
) -> None:
    """The design-based interval covers the population value of the same estimand (observed
    scores); the latent-score value the generator plants is higher, by the attenuation the
    report's note warns of, and both lead to the same verdict."""
    table = next(x for x in run["outs"]["structural_complex"] if isinstance(x, Table))
    lo, hi = table.rows[3].cells[2].value  # type: ignore[misc]
    assert lo <= 100 * census_value <= hi, (lo, hi, census_value)
    latent = run["summary"]["sample_truth_weighted"]["complex_given_structural_high"]
    assert census_value < latent < 0.8  # 0.8 = 1 - the verdict's default margin (0.2)
    assert verdict_of(census_value, census_value) == verdict_of(latent, latent) == "supported"
    notes = [resolve(n, "en") for n in table.notes]
    assert any("measurement error" in n.lower() for n in notes)


def _locals_run(run: dict[str, Any], folder: Path, tau: dict[str, Any]) -> dict[str, Any]:
    import warnings

    import qonys.io as qio
    from qonys._core import DataWarning

    study = run["study"]
    loc = sim.analysis_dataset(study.locals, study.design["locals"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        qio.write(loc, folder / "locals.sav")
    raw = {
        **RAW,
        "data": {**RAW["data"], "locals": "locals.sav"},
        "analyses": {**RAW["analyses"], "structural_complex": tau},
    }
    cfg = parse_study(raw, folder / "study.toml")
    ds = sim.analysis_dataset(study.migrants, study.design["migrants"])
    outs: dict[str, tuple[Any, ...]] = {"integration": run["outs"]["integration"]}
    for name, func in (("structural_complex", structural_complex_stage), ("phases", phases_stage)):
        ctx = StudyContext(cfg, ds, name, dict(cfg.options.get(name, {})), dict(outs), cfg.rules, 7)
        outs[name] = tuple(func(ctx))
    return outs


def test_locals_median_thresholds(run: dict[str, Any], tmp_path: Path) -> None:
    """tau = 'locals_median' (METHODS 2.6): thresholds are the residents' weighted medians; the
    standard locals' form has no interaction items, which is an error unless tau_fallback
    names that dimension's threshold; the phases stage uses the same classification."""
    with pytest.raises(StudyError) as err:
        _locals_run(run, tmp_path, {"tau": "locals_median"})
    assert err.value.rule == "study.option-value"
    assert "interaction" in str(err.value)
    assert "tau_fallback" in (err.value.hint or "")
    outs = _locals_run(run, tmp_path, {"tau": "locals_median", "tau_fallback": 0.6})
    table = next(x for x in outs["structural_complex"] if isinstance(x, Table))
    assert "long-term residents' medians" in resolve(table.title, "en")
    notes = [resolve(n, "en") for n in table.notes]
    thresholds = dict(
        part.rsplit(" ", 1) for part in notes[0].rsplit(": ", 1)[1].rstrip(".").split("; ")
    )
    assert thresholds["Interaction"] == "0.60*"
    # long-term residents are the reference: more integrated than the planted 0.6
    for dim in ("Culturation", "Placement", "Identification"):
        assert 0.6 < float(thresholds[dim]) < 1.0, thresholds
    assert "tau_fallback" in notes[1]
    with_locals = table.rows[3].cells[0].value
    at_06 = next(x for x in run["outs"]["structural_complex"] if isinstance(x, Table))
    assert with_locals < at_06.rows[3].cells[0].value  # type: ignore[operator]
    flag = _derived({"outs": outs}, "structural_complex")["complex_integration"]
    phase = _derived({"outs": outs}, "phases")["phase"]
    # the integrated phase needs complex integration by the same thresholds
    assert not (phase[flag.to_numpy() == 0] == "integrated").any()
    assert (phase[flag.to_numpy() == 1] == "integrated").any()


def test_locals_median_without_locals_data_is_a_named_error(
    run: dict[str, Any], tmp_path: Path
) -> None:
    cfg = parse_study(
        {**RAW, "analyses": {"structural_complex": {"tau": "locals_median"}}},
        tmp_path / "study.toml",
    )
    ds = sim.analysis_dataset(run["study"].migrants, run["study"].design["migrants"])
    outs = {"integration": run["outs"]["integration"]}
    ctx = StudyContext(cfg, ds, "structural_complex", {"tau": "locals_median"}, outs, cfg.rules, 7)
    with pytest.raises(StudyError) as err:
        structural_complex_stage(ctx)
    assert err.value.rule == "study.option-value"
    assert "long-term residents' data" in str(err.value)
    assert 'locals = "data/locals.sav"' in (err.value.hint or "")


def test_circular_phase_is_recovered(run: dict[str, Any]) -> None:
    got = _derived(run, "phases")["phase"].to_numpy()
    planted = run["truth"]["phase"].to_numpy()
    known = pd.notna(got)
    assert known.mean() > 0.9
    circular = got[known] == "circular"
    # the rule set's circular phase is the generator's circular phase (precision and recall)
    assert np.mean(planted[known][circular] == "circular") > 0.9
    assert np.mean(circular[planted[known] == "circular"]) > 0.85


def test_phase_shares_cover_the_planted_circular_and_settled_shares(run: dict[str, Any]) -> None:
    # truth.json population.phase: the generator's population shares; the rule set's
    # design-based 95% intervals must cover them for circular migration and urban settlement.
    # Urban integration is undercounted (it needs complex integration, measured on observed
    # scores: see test_structural_complex_interval_covers_the_planted_value) and the rules'
    # "transitional" residue has no planted counterpart, so those two are checked for
    # direction only.
    planted = run["summary"]["population"]["phase"]
    table = next(x for x in run["outs"]["phases"] if isinstance(x, Table))
    rows = {resolve(r.label, "en"): r.cells for r in table.rows}
    for label, phase in (("Circular migration", "circular"), ("Urban settlement", "settled")):
        lo, hi = rows[label][2].value  # type: ignore[misc]
        assert lo <= 100 * planted[phase] <= hi, (phase, lo, hi, planted[phase])
    assert rows["Urban integration"][0].value < 100 * planted["integrated"]
    assert rows["Transitional"][0].value < 15


def test_latent_class_phase_shares_cover_the_planted_shares(run: dict[str, Any]) -> None:
    # The latent class alternative (rule-set indicators plus Esser's scores in quintiles) is
    # the acceptance's estimator of the phase shares: its design-based 95% intervals cover the
    # generator's population shares of all three phases (truth.json population.phase), and
    # its classes are the planted phases for most respondents.
    planted = run["summary"]["population"]["phase"]
    table = next(
        x for x in run["outs"]["phases"] if isinstance(x, Table) and x.key == "phases.lca_shares"
    )
    rows = {resolve(r.label, "en"): r.cells for r in table.rows}
    assert set(rows) == {"Circular migration", "Urban settlement", "Urban integration"}
    for label, phase in (
        ("Circular migration", "circular"),
        ("Urban settlement", "settled"),
        ("Urban integration", "integrated"),
    ):
        lo, hi = rows[label][2].value  # type: ignore[misc]
        assert lo <= 100 * planted[phase] <= hi, (phase, lo, hi, planted[phase])
        # a design-based 95% CI of a share near 0.3 at n = 1,500 with a design effect of
        # about 1.5 is 2 x 1.96 x sqrt(0.3 x 0.7 x 1.5 / 1500) = 5.7 points wide
        assert hi - lo < 8
    note = next(
        resolve(x.text, "en")
        for x in run["outs"]["phases"]
        if isinstance(x, Note) and "Latent class alternative" in resolve(x.text, "en")
    )
    ari = float(note.rsplit("= ", 1)[1].rstrip("."))
    # moderate by construction: the rules undercount the integrated phase (18 % against the
    # classes' 27 %, docs/typology.md), so about a third of the classes' integrated members
    # are settled by the rules; 0.51 on this fixture
    assert 0.4 < ari < 0.9


def test_wrong_options_fail_before_any_work(tmp_path: Path) -> None:
    bad = {**RAW, "analyses": {"phases": {"continous_months": 12}}}
    with pytest.raises(StudyError) as err:
        parse_study(bad, tmp_path / "study.toml")
    assert err.value.rule == "study.unknown-key"
    assert "continuous_months" in (err.value.hint or "")
    bad = {**RAW, "analyses": {"structural_complex": {"tau": 1.5}}}
    with pytest.raises(StudyError) as err:
        parse_study(bad, tmp_path / "study.toml")
    assert err.value.rule == "study.option-value"
    assert err.value.where.key == "analyses.structural_complex.tau"
    comps = {
        "culturation": ["practices"],
        "placement": ["eco_jobsat", "salary"],
        "interaction": ["contact"],
        "identification": ["idn_self"],
    }
    bad = {**RAW, "analyses": {"integration": {"esser_components": comps}}}
    with pytest.raises(StudyError) as err:
        parse_study(bad, tmp_path / "study.toml")
    assert err.value.rule == "study.option-value"
    assert "'salary' is not one" in (err.value.hint or "")
    comps["placement"] = ["eco_jobsat", "eco_expense"]
    assert parse_study(bad, tmp_path / "study.toml").options["integration"]


def test_constant_dimension_is_a_named_error() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.uniform(0.3, 1, (200, 4)), columns=["c", "p", "i", "d"])
    df["i"] = 0.7
    with pytest.raises(DataError) as err:
        structural_complex(
            SurveyData(df, SurveyDesign()), dimensions=["c", "p", "i", "d"], structural="p"
        )
    assert err.value.rule == "measure.constant-score"


def test_verdict_wording_follows_the_interval() -> None:
    assert verdict_of(0.2, 0.5) == "supported"
    assert verdict_of(0.85, 0.97) == "not supported"
    assert verdict_of(0.6, 0.9) == "inconclusive"
    assert verdict_of(float("nan"), 0.5) == "inconclusive"
