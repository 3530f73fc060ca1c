"""Every scale the analyses need (shared/METHODS.md sections 1-5, 8 and 9) exists in the forms
with its items and reverse keys, and scales.yaml agrees with the qonys_scale and qonys_reverse
columns of the shipped forms."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import yaml
from instrument_helpers import Forms

from qonys.io import INSTRUMENTS, scales_path

# scale -> (form, number of items, reverse-keyed items). Sources: METHODS 1 (IPL, two items
# per dimension in IPL-12, four in IPL-24; linguistic asked for Kazakh and Russian, 1.4),
# 2.2 (Esser indicators), 3.4 (identity grids, 3-5 items per identity), 4.1 (position and
# resource generators), 5.1-5.3 (Bogardus, threat, stereotypes, contact), 5.2 (ESS items),
# 5.4-5.5 (stigma, acculturation expectations, policy), 8.2 (motives), 9 (city image).
EXPECTED: dict[str, tuple[str, int, set[str]]] = {
    "ipl_psy": ("migrants", 4, {"ipl_psy_outsider"}),
    "ipl_eco": ("migrants", 4, set()),
    "ipl_pol": ("migrants", 4, set()),
    "ipl_soc": ("migrants", 4, set()),
    "ipl_lang_kk": ("migrants", 4, set()),
    "ipl_lang_ru": ("migrants", 4, set()),
    "ipl_nav": ("migrants", 4, set()),
    "ess_cul_quiz": ("migrants", 4, set()),
    "ess_cul_practice": ("migrants", 4, set()),
    "ess_cul_digital": ("migrants", 1, set()),
    "ess_int_contact": ("migrants", 2, set()),
    "ess_idn_self": ("migrants", 2, set()),
    "ess_idn_pi": ("migrants", 3, set()),
    "ess_idn_pd": ("migrants", 3, {"ess_idn_pd_elsewhere"}),
    "idn_rural": ("migrants", 4, {"idn_rur_rarely"}),
    "idn_urban": ("migrants", 4, {"idn_urb_rarely"}),
    "idn_smalltown": ("migrants", 4, {"idn_stn_alien"}),
    "idn_bigcity": ("migrants", 4, {"idn_bcy_tiring"}),
    "pg_access": ("migrants", 18, set()),
    "rg_prestige": ("migrants", 3, set()),
    "rg_political": ("migrants", 4, set()),
    "rg_skills": ("migrants", 2, set()),
    "rg_support": ("migrants", 3, set()),
    "rg_urban": ("migrants", 4, set()),
    "mot_push": ("migrants", 7, set()),
    "mot_pull": ("migrants", 11, set()),
    "img_eval": ("migrants", 7, {"img_sd_welcoming", "img_sd_clean", "img_sd_open"}),
    "img_potency": ("migrants", 2, {"img_sd_strong"}),
    "img_activity": ("migrants", 3, {"img_sd_fast"}),
    "dis_eds": ("migrants", 9, set()),
    "str_orient": ("migrants", 4, {"str_or_daytoday", "str_or_temporary"}),
    "str_adapt": ("migrants", 1, set()),
    "str_integr": ("migrants", 1, set()),
    "cnt_quantity": ("locals", 4, set()),
    "cnt_quality": ("locals", 5, set()),
    "thr_real": ("locals", 6, {"thr_real_contrib"}),
    "thr_sym": ("locals", 5, {"thr_sym_enrich"}),
    "thr_anx": ("locals", 3, {"thr_anx_ease"}),
    "ste_warmth": ("locals", 3, set()),
    "ste_competence": ("locals", 3, set()),
    "sdi_bogardus": ("locals", 3, set()),
    "cns_effects": ("locals", 3, set()),
    "acc_adopt": ("locals", 2, set()),
    "acc_keep": ("locals", 2, set()),
    "plc_inclusion": ("locals", 5, {"plc_quota"}),
    "stg_stigma": ("locals", 4, set()),
    # Long-term residents answer the reference items of Esser's dimensions.
    "ess_idn_pi@locals": ("locals", 3, set()),
    "ess_cul_quiz@locals": ("locals", 4, set()),
    "img_eval@locals": ("locals", 7, {"img_sd_welcoming", "img_sd_clean", "img_sd_open"}),
}


def _tags(form: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, list[str]], set[str]]:
    items: dict[str, list[str]] = defaultdict(list)
    reverse: set[str] = set()
    for row in form["survey"]:
        if "qonys_scale" in row:
            items[str(row["qonys_scale"])].append(str(row["name"]))
        if row.get("qonys_reverse") == "yes":
            assert "qonys_scale" in row, row["name"]
            reverse.add(str(row["name"]))
    return dict(items), reverse


@pytest.fixture(scope="module")
def scales_doc() -> dict[str, Any]:
    with scales_path().open(encoding="utf-8") as fh:
        doc: dict[str, Any] = yaml.safe_load(fh)
    return doc


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_methods_scale_is_implemented(forms: Forms, key: str) -> None:
    scale = key.split("@")[0]
    form, n_items, reverse_expected = EXPECTED[key]
    items, reverse = _tags(forms[form])
    assert scale in items, f"{scale} missing from {form}"
    assert len(items[scale]) == n_items, items[scale]
    assert {i for i in items[scale] if i in reverse} == reverse_expected


def test_every_tagged_scale_is_expected(forms: Forms) -> None:
    known = {k.split("@")[0] for k in EXPECTED}
    for form in INSTRUMENTS:
        items, _ = _tags(forms[form])
        assert set(items) <= known, set(items) - known


def test_ipl_short_form_has_two_items_per_dimension(scales_doc: dict[str, Any]) -> None:
    ipl = [s for s in scales_doc["scales"] if s.startswith("ipl_")]
    assert sorted(ipl) == sorted(
        ["ipl_psy", "ipl_eco", "ipl_pol", "ipl_soc", "ipl_lang_kk", "ipl_lang_ru", "ipl_nav"]
    )
    for name in ipl:
        rec = scales_doc["scales"][name]
        assert len(rec["short_form"]) == 2
        assert set(rec["short_form"]) <= set(rec["items"])
        assert rec["min_items"] == {"ipl12": 1, "ipl24": 2}


def test_scales_yaml_matches_the_forms(forms: Forms, scales_doc: dict[str, Any]) -> None:
    for form in INSTRUMENTS:
        items, reverse = _tags(forms[form])
        for scale, tagged in items.items():
            rec = scales_doc["scales"][scale]
            assert form in rec["forms"]
            assert [i for i in rec["items"] if i in tagged] == tagged
            assert {i for i in tagged if i in reverse} == {i for i in rec["reverse"] if i in tagged}
        for scale, rec in scales_doc["scales"].items():
            if form in rec["forms"]:
                assert scale in items, (form, scale)


def test_scale_ranges_and_scoring(scales_doc: dict[str, Any]) -> None:
    scales = scales_doc["scales"]
    # METHODS 1.5: 5-point items rescale as (r - 1)/4; the range comes from the choice list.
    connect = scales["ipl_psy"]["item_detail"]["ipl_psy_connect"]
    assert (connect["low"], connect["high"]) == (1, 5)
    assert scales["ipl_psy"]["item_detail"]["ipl_psy_stay"]["high"] == 4
    assert (scales["img_eval"]["low"], scales["img_eval"]["high"]) == (1, 7)
    assert (scales["cns_effects"]["low"], scales["cns_effects"]["high"]) == (0, 10)
    quiz = scales["ipl_pol"]["item_detail"]["ipl_pol_quiz"]["score"]
    assert quiz == {"type": "key", "key": 1, "dont_know": 0}
    actions = scales["ipl_pol"]["item_detail"]["ipl_pol_actions"]["score"]
    assert (actions["type"], actions["cap"]) == ("count", 3)
    for name, rec in scales.items():
        assert set(rec["reverse"]) <= set(rec["items"]), name
        assert all(rec["label"][lang] for lang in ("kk", "ru", "en")), name


def test_indices_refer_to_known_scales_and_variables(
    forms: Forms, scales_doc: dict[str, Any]
) -> None:
    names = {str(r["name"]) for f in forms.values() for r in f["survey"] if "name" in r}
    indices = scales_doc["indices"]
    assert {
        "ipl",
        "esser_culturation",
        "esser_placement",
        "esser_interaction",
        "esser_identification",
        "complex_integration",
        "identity_rural_urban",
        "identity_town_city",
        "phase",
    } <= set(indices)
    for name, spec in indices.items():
        for comp in spec["components"]:
            if "scale" in comp:
                assert comp["scale"] in scales_doc["scales"], (name, comp)
            for s in comp.get("max_of", []):
                assert s in scales_doc["scales"], (name, s)
            if "variable" in comp:
                assert comp["variable"] in names, (name, comp)
            if "index" in comp:
                assert comp["index"] in indices, (name, comp)
    assert [c["id"] for c in indices["ipl"]["components"]] == [
        "psychological",
        "economic",
        "political",
        "social",
        "linguistic",
        "navigational",
    ]
