"""The portrait, motives, identity and perceptions stages on a small simulated study.

Acceptance: the identity shares and the threat-contact correlation the stages report are
compared with the values planted in the simulation (``truth.json``), and every section
renders in Kazakh, Russian and English. Option mistakes fail before any work.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import qonys.io as qio
from qonys import StudyError
from qonys._core import DataWarning
from qonys.report.model import Section, Table
from qonys.report.text import resolve
from qonys.simulate import analysis_dataset, simulate_study
from qonys.study import load_study, run_study

STUDY = """\
[study]
cities = ["astana", "almaty", "shymkent"]
seed = 5

[data]
files = ["migrants.sav"]
city_variable = "scr_city"
locals = "locals.sav"

[design]
weights = "smp_weight"
strata = "smp_stratum"
psu = "smp_psu"

[analyses]
run = ["portrait", "motives", "identity", "perceptions"]

{extra}

[report]
languages = ["kk", "ru", "en"]
formats = ["html"]
out = "out"
figures = false
"""

IDENTITY = """\
[analyses.identity]
methods = ["midpoint", "median"]
high_if = "split"
"""


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """A small simulated study written as SPSS files, and its ground truth."""
    folder = tmp_path_factory.mktemp("sim")
    study = simulate_study(n=1200, n_locals=700, seed=3, scale=0.1)
    for name in ("migrants", "locals"):
        data = analysis_dataset(getattr(study, name), study.design[name])
        data = data.replace(data=data.data.drop(columns=[c for c in data.data if "nick" in c]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            qio.write(data, folder / f"{name}.sav")
    return folder, study.truth["summary"]


def write(folder: Path, extra: str = IDENTITY) -> Path:
    path = folder / "study.toml"
    path.write_text(STUDY.format(extra=extra), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(simulated):
    folder, _ = simulated
    return run_study(write(folder), progress=False, use_cache=False)


def tables(run) -> dict[str, Table]:
    out: dict[str, Table] = {}

    def walk(items):
        for e in items:
            if isinstance(e, Section):
                walk(e.elements)
            elif isinstance(e, Table):
                out[e.key] = e

    walk(run.report.sections)
    return out


def rows(table: Table) -> dict[str, tuple]:
    return {resolve(r.label, "en"): tuple(c.value for c in r.cells) for r in table.rows}


def test_the_four_stages_run(run):
    status = {s.name: s.status for s in run.stages}
    assert {
        k: status[k] for k in ("portrait", "motives", "identity", "perceptions")
    } == dict.fromkeys(("portrait", "motives", "identity", "perceptions"), "ok"), [
        s.message for s in run.stages
    ]
    keys = set(tables(run))
    for key in (
        "portrait.dem_sex.freq",
        "portrait.dem_sex.city",
        "portrait.portrait_age_group.ci",
        "motives.push",
        "motives.pull.city",
        "motives.efa",
        "motives.main_type",
        "motives.ses_model",
        "identity.rural_urban.midpoint",
        "identity.town_city.median",
        "perceptions.distance",
        "perceptions.reliability",
        "perceptions.scales",
        "perceptions.pairs",
        "perceptions.threat_contact",
    ):
        assert key in keys, key


def test_identity_shares_cover_the_planted_classes(run, simulated):
    _, truth = simulated
    planted = truth["sample_truth_weighted"]["identity_rural_urban"]
    names = {
        "bicultural": "Bicultural",
        "urbanised": "Urbanised",
        "rural": "Rural-oriented",
        "diffuse": "Diffuse",
    }
    got = rows(tables(run)["identity.rural_urban.midpoint"])
    for key, label in names.items():
        est, _se, (lo, hi), *_ = got[f"{label}: Total"]
        # the planted class is the one of the true scores: the CI of the share estimated from
        # the observed item means (ties split) must cover it
        assert lo <= 100 * planted[key] <= hi, (key, est, lo, hi, planted[key])
    assert sum(got[f"{label}: Total"][0] for label in names.values()) == pytest.approx(100.0)


def test_threat_contact_correlation_covers_the_planted_one(run, simulated):
    _, truth = simulated
    planted = truth["sample_truth_weighted"]["threat_contact_correlation"]
    r, (lo, hi), rc, (clo, chi), n = rows(tables(run)["perceptions.threat_contact"])["Total"]
    assert r < 0
    assert n > 600
    # the latent correlation: observed scores are attenuated by measurement error, so the
    # interval corrected with the scales' alphas (Spearman) must cover it
    assert clo <= planted <= chi, (rc, clo, chi, planted)
    assert lo < r < hi
    assert abs(rc) > abs(r)


def test_bogardus_and_scales_in_the_report(run):
    dist = rows(tables(run)["perceptions.distance"])
    q = dist["Newcomers from villages: Distance quotient (1-7) (Total)"][0]
    cr = dist["Newcomers from villages: Coefficient of reproducibility (Total)"][0]
    assert 1.0 < q < 7.0
    assert 0.9 < cr <= 1.0  # one answer in 30 has a Guttman error in the simulation
    rel = rows(tables(run)["perceptions.reliability"])
    assert rel["Perceived threat (all items)"][0] == 14
    assert all(0.5 < v[2] < 1.0 for v in rel.values())


def test_sections_render_in_every_language(run):
    html = {
        lang: (run.out / f"report.{lang}.html").read_text("utf-8") for lang in ("kk", "ru", "en")
    }
    assert "Rural and urban identity" in html["en"]
    assert "Сельская и городская идентичность" in html["ru"]
    assert "Ауылдық және қалалық сәйкестік" in html["kk"]
    assert "Коэффициент воспроизводимости" in html["ru"]
    assert "Қайталанымдылық коэффициенті" in html["kk"]
    assert "Отношение шансов" in html["ru"]
    for text in html.values():
        assert "_score_" not in text
        assert "motive_type" not in text


@pytest.mark.parametrize(
    ("extra", "key", "rule", "hint"),
    [
        (
            '[analyses.identity]\nmethod = ["median"]',
            "analyses.identity.method",
            "study.unknown-key",
            "methods",
        ),
        (
            '[analyses.identity]\nmethods = ["medain"]',
            "analyses.identity.methods",
            "study.option-value",
            "median",
        ),
        (
            '[analyses.identity]\nhigh_if = "=>"',
            "analyses.identity.high_if",
            "study.option-value",
            ">=",
        ),
        (
            '[analyses.identity]\nprofiles = "four"',
            "analyses.identity.profiles",
            "study.type",
            "number of latent profiles",
        ),
        (
            "[analyses.identity]\nprofiles = 12",
            "analyses.identity.profiles",
            "study.option-value",
            "from 2 to 9",
        ),
        (
            '[analyses.identity]\ngrids = {rural_urban = ["idn_rural"]}',
            "analyses.identity.grids",
            "study.option-value",
            'rural_urban = ["first", "second"]',
        ),
        (
            '[analyses.motives]\ntypes = {economic = ["jobs"]}',
            "analyses.motives.types",
            "study.option-value",
            "economic = [1, 7, 11]",
        ),
        (
            '[analyses.motives]\nrotation = "promax"',
            "analyses.motives.rotation",
            "study.option-value",
            "oblimin",
        ),
    ],
)
def test_option_mistakes_fail_when_the_study_is_read(simulated, extra, key, rule, hint):
    folder, _ = simulated
    with pytest.raises(StudyError) as err:
        load_study(write(folder, extra))
    assert (err.value.where.key, err.value.rule) == (key, rule), str(err.value)
    assert hint in err.value.hint


@pytest.mark.parametrize(
    ("extra", "key", "rule", "name"),
    [
        (
            '[analyses.portrait]\nvariables = ["dem_sexx"]',
            "analyses.portrait.variables",
            "study.unknown-variable",
            "dem_sexx",
        ),
        (
            '[analyses.identity]\ngrids = {ru = ["idn_rural", "idn_urbn"]}',
            "analyses.identity.grids",
            "study.unknown-scale",
            "idn_urbn",
        ),
        (
            '[analyses.perceptions]\ndistance = {village = "sdi_vilage"}',
            "analyses.perceptions.distance",
            "study.unknown-mrset",
            "sdi_vilage",
        ),
        (
            '[analyses.perceptions]\nthreat = ["thr_real", "idn_rural"]',
            "analyses.perceptions.threat",
            "study.unknown-scale",
            "idn_rural",
        ),
    ],
)
def test_unknown_names_fail_before_any_stage_runs(simulated, extra, key, rule, name):
    folder, _ = simulated
    path = write(folder, extra)
    with pytest.raises(StudyError) as err:
        run_study(path, progress=False, use_cache=False, out=folder / "never")
    assert (err.value.where.key, err.value.rule) == (key, rule), str(err.value)
    assert err.value.where.variable == name
    assert err.value.hint
    assert not (folder / "never").exists()  # nothing written
