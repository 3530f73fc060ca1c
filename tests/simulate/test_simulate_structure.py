"""The planted structure is real: estimates from the simulated sample recover the model's
parameters and the finite population's values within sampling error, the weights matter, and
the analysis modules recover the latent classes from the answers.

Sampling error: standard errors are design-based (Taylor linearisation of the Hajek ratio,
with-replacement first stage; see simulate_design_se.py). A check passes when the estimate is within
3.5 standard errors of its target (two-sided, about 1 in 2,000 by chance for one check); checks
over many categories are reported all at once. The study is the default one (seed 7, 3,000
migrants, full cities), so every number here is deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simulate_design_se import ratio

from qonys import network as nw
from qonys.simulate import PHASES, TIE_TYPES, ModelParameters, SimulatedStudy, expected_shares
from qonys.typology import classify_phase

Z = 3.5


def _design(study: SimulatedStudy) -> pd.DataFrame:
    t = study.truth["migrants"].copy()
    d = study.design["migrants"].set_index("_uuid").loc[t["_uuid"]]
    t["stratum"] = d["smp_stratum"].to_numpy()
    t["psu"] = d["smp_psu"].to_numpy()
    return t


def _within(est: float, se: float, target: float) -> bool:
    return abs(est - target) <= Z * se


def test_share_of_migrants_by_district(large_study: SimulatedStudy) -> None:
    t = _design(large_study)
    pop = large_study.truth["districts"].set_index("district")
    target = pop["migrants"] / pop["migrants"].sum()
    off = {}
    for district, share in target.items():
        y = (t["district"] == district).astype(float)
        est, se = ratio(y, t["weight"], t["stratum"], t["psu"])
        if not _within(est, se, share):
            off[district] = (est, se, share)
    assert not off, off
    # the locals' own population, by district, is in the truth too: migrants are a larger
    # share of the adults in the periphery (the settlement pattern)
    zone = pop.groupby("zone")[["migrants", "adults"]].sum()
    share = zone["migrants"] / zone["adults"]
    assert share["periphery"] > share["middle"] > share["centre"]


def test_recent_rural_migrants_concentrate_in_the_periphery(
    large_study: SimulatedStudy,
) -> None:
    t = _design(large_study)
    pop = large_study.truth["summary"]["population"]["recent_rural_share_by_zone"]
    assert pop["periphery"] > pop["middle"] > pop["centre"]
    est = {}
    for zone in ("centre", "periphery"):
        sub = t["zone"] == zone
        y = (t["recent_rural"] & sub).astype(float)
        est[zone] = ratio(y, t["weight"], t["stratum"], t["psu"], x=sub.astype(float))
        assert _within(*est[zone], pop[zone])
    assert est["periphery"][0] - est["centre"][0] > Z * np.hypot(
        est["periphery"][1], est["centre"][1]
    )


def test_strategy_class_sizes(large_study: SimulatedStudy) -> None:
    t = _design(large_study)
    summary = large_study.truth["summary"]
    planted = summary["expected"]["strategy"]["integration"]
    population = summary["population"]["strategy"]["integration"]
    # the finite population realises the planted share (1.37 million migrants: SE ~ 0.0004)
    assert population == pytest.approx(planted, abs=0.002)
    est, se = ratio(
        (t["strategy"] == "integration").astype(float), t["weight"], t["stratum"], t["psu"]
    )
    assert _within(est, se, planted)


def test_phase_shares(large_study: SimulatedStudy) -> None:
    t = _design(large_study)
    planted = large_study.truth["summary"]["expected"]["phase"]
    for phase in PHASES:
        est, se = ratio((t["phase"] == phase).astype(float), t["weight"], t["stratum"], t["psu"])
        assert _within(est, se, planted[phase]), (phase, est, se, planted[phase])


def test_tie_type_shares_by_phase(large_study: SimulatedStudy) -> None:
    t = _design(large_study).set_index("_uuid")
    alters = large_study.truth["alters"]
    ego = t.loc[alters["_uuid"]]
    planted = ModelParameters().tie_type_by_phase
    off = {}
    for i, phase in enumerate(PHASES):
        in_phase = (alters["ego_phase"].to_numpy() == i).astype(float)
        for j, tie in enumerate(TIE_TYPES):
            y = in_phase * (alters["tie_type"].to_numpy() == tie)
            est, se = ratio(y, ego["weight"], ego["stratum"], ego["psu"], x=in_phase)
            if not _within(est, se, planted[phase][j]):
                off[phase, tie] = (est, se, planted[phase][j])
    assert not off, off


def test_naive_estimate_is_biased_and_weights_remove_the_bias(
    large_study: SimulatedStudy,
) -> None:
    """Target: the share of migrants following the integration strategy (population value from
    the finite population). Selection favours sparse blocks, where newcomers integrate more
    (the enclave effect), and equal allocation over-samples Shymkent: the unweighted share is
    too high by more than 3.5 SE; the design-weighted (Hajek) one is within 3.5 SE."""
    t = _design(large_study)
    target = large_study.truth["summary"]["population"]["strategy"]["integration"]
    y = (t["strategy"] == "integration").astype(float)
    w_est, w_se = ratio(y, t["weight"], t["stratum"], t["psu"])
    u_est, _ = ratio(y, np.ones(len(t)), t["stratum"], t["psu"])
    assert _within(w_est, w_se, target)
    assert u_est - target > Z * w_se
    astana = large_study.truth["summary"]["population"]["migrants"]["71"] / sum(
        large_study.truth["summary"]["population"]["migrants"].values()
    )
    a_est, a_se = ratio((t["city"] == 71).astype(float), t["weight"], t["stratum"], t["psu"])
    assert _within(a_est, a_se, astana)
    assert astana - (t["city"] == 71).mean() > Z * a_se


def test_structural_integration_is_not_complex_integration(
    large_study: SimulatedStudy,
) -> None:
    truth = large_study.truth["summary"]["sample_truth_weighted"]
    # most migrants are structurally integrated, but fewer than two in three of them are
    # integrated on all four dimensions (METHODS 2.6)
    assert truth["structural_high"] > 0.5
    assert truth["complex_given_structural_high"] < 0.65
    t = large_study.truth["migrants"]
    dims = t[["culturation", "placement", "interaction", "identification"]].corr()
    assert dims.loc["placement", "interaction"] < dims.loc["culturation", "interaction"]


def test_tie_types_recovered_by_the_network_rules(large_study: SimulatedStudy) -> None:
    ties = nw.classify_ties(nw.from_dataset(large_study.migrants)).ties
    truth = large_study.truth["alters"]
    assert len(ties) == len(truth)
    accuracy = float((ties["tie_type"].to_numpy() == truth["tie_type"].to_numpy()).mean())
    assert accuracy >= 0.95


def _phase_indicators(study: SimulatedStudy) -> pd.DataFrame:
    """The phases stage's indicators from the answers, complex integration from the truth."""
    from qonys.study.stages_typology import phase_indicators

    d = study.migrants.data
    complex_ = pd.Series(study.truth["migrants"]["complex"].to_numpy(), index=d.index)
    ind = phase_indicators(d, complex_)
    return ind.assign(seasonal_work=ind["seasonal_work"].fillna(False).astype(bool))


def test_phases_recovered_by_the_rule_set(large_study: SimulatedStudy) -> None:
    """METHODS 7.3 on the answers (complex integration taken from the truth): most migrants
    are put back in their planted phase; missing codes leave a few unclassified."""
    phase = classify_phase(_phase_indicators(large_study), missing="drop")
    truth = large_study.truth["migrants"]["phase"].to_numpy()
    assert float((phase.to_numpy() == truth).mean()) >= 0.75


def test_identity_grid_and_motives(large_study: SimulatedStudy) -> None:
    d = large_study.migrants.data
    t = large_study.truth["migrants"]

    def scale(items: list[str], reverse: str) -> np.ndarray:
        x = d[items].to_numpy(dtype=float, na_value=np.nan)
        x[x > 5] = np.nan
        x[:, items.index(reverse)] = 6 - x[:, items.index(reverse)]
        return np.nanmean(x, axis=1)

    rural = scale(
        ["idn_rur_self", "idn_rur_important", "idn_rur_close", "idn_rur_rarely"], "idn_rur_rarely"
    )
    urban = scale(
        ["idn_urb_self", "idn_urb_important", "idn_urb_close", "idn_urb_rarely"], "idn_urb_rarely"
    )
    assert np.corrcoef(rural, t["idn_rural"])[0, 1] > 0.7
    assert np.corrcoef(urban, t["idn_urban"])[0, 1] > 0.7
    # motives follow socio-economic position: economic main motives in the lowest tercile of
    # the socio-economic score, education and career in the highest
    tercile = pd.qcut(t["ses"], 3, labels=False).to_numpy()
    main = d["mot_main"].to_numpy(dtype=float, na_value=np.nan)
    economic = np.isin(main, (1, 7, 11))
    career = np.isin(main, (12, 18, 20))
    assert economic[tercile == 0].mean() > economic[tercile == 2].mean() + 0.1
    assert career[tercile == 2].mean() > career[tercile == 0].mean() + 0.1


def test_locals_attitudes_follow_contact_and_education(large_study: SimulatedStudy) -> None:
    truth = large_study.truth["locals"]
    assert (
        large_study.truth["summary"]["sample_truth_weighted"]["threat_contact_correlation"] < -0.3
    )
    assert np.corrcoef(truth["threat"], truth["education"])[0, 1] < -0.15
    d = large_study.locals.data
    items = d[["thr_real_jobs", "thr_real_wages", "thr_real_housing"]].to_numpy(
        dtype=float, na_value=np.nan
    )
    items[items > 5] = np.nan
    assert np.corrcoef(np.nanmean(items, axis=1), truth["threat"])[0, 1] > 0.5


def test_expected_shares_match_the_realised_population(large_study: SimulatedStudy) -> None:
    summary = large_study.truth["summary"]
    zones = {"centre": 0.0, "middle": 0.0, "periphery": 0.0}
    pop = large_study.truth["districts"]
    for zone, n in pop.groupby("zone")["migrants"].sum().items():
        zones[str(zone)] = float(n)
    again = expected_shares(ModelParameters(), zones)
    assert again["phase"] == pytest.approx(summary["expected"]["phase"], abs=1e-9)
    for phase in PHASES:  # 1.37 million migrants: binomial SE below 0.0005
        assert summary["population"]["phase"][phase] == pytest.approx(
            summary["expected"]["phase"][phase], abs=0.003
        )
