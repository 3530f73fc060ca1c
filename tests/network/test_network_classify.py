"""Bonding / bridging / linking rules (METHODS 4.2), generators and the prestige table.

Each alter below is built to reach one rule; the expected type is the rule's (first match wins).
Prestige numbers are those of Ganzeboom & Treiman's conversion tools as cited in
``src/qonys/data/occupations/isco08_prestige.csv``.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from qonys import DataError
from qonys.io.instrument import scales_path
from qonys.network import (
    TIE_TYPES,
    EgoNetworks,
    GeneratorRules,
    TieRules,
    classify_position_contacts,
    classify_resource_contacts,
    classify_ties,
    load_position_generator,
    load_prestige,
    position_generator,
    resource_generator,
)

COLS = ["relation", "authority", "origin", "status", "ethn", "edu", "isco"]
# ego: education 5 (higher), ISCO major group 9 (elementary; SIOPS-08 20.76)
CASES = [
    # relation authority origin status ethn edu isco -> type, rule
    ((3, 1, 1, 2, 1, 5, 9), "linking", "authority"),
    ((1, 1, 1, 2, 1, 5, 9), "linking", "authority"),  # a relative with authority: rule 1 first
    ((7, 0, 4, 1, 1, 5, 4), "linking", "institution"),
    ((3, 0, 4, 1, 1, 5, 1), "linking", "prestige_gap"),  # manager 48.87 - 20.76 >= 15
    ((1, 0, 5, 1, 0, 2, 2), "bonding", "kin"),
    ((3, 0, 2, 2, 1, 4, 9), "bonding", "same_origin_similar_status"),
    ((3, 0, 3, 3, 1, 6, None), "bonding", "same_origin_similar_status"),  # not working: edu
    ((3, 0, 1, 2, 1, 2, 9), "bonding_weak", "same_origin_other_status"),  # edu 3 levels apart
    ((3, 0, 1, 2, 1, 5, 5), "bonding_weak", "same_origin_other_status"),  # other major group
    ((3, 0, 1, 1, 1, 5, 9), "bridging", "other_group"),  # long-term resident
    ((3, 0, 4, 2, 1, 5, 9), "bridging", "other_group"),  # another region
    ((3, 0, None, 2, 0, 5, 9), "bridging", "other_group"),  # another ethnicity
    ((3, None, None, 2, 1, 5, 9), "unclassified", "no_rule"),  # origin unknown
    ((3, 0, 2, None, 1, 5, 9), "bonding_weak", "same_origin_other_status"),  # status unknown
]


def _net(ego_edu: float = 5, ego_isco: float = 9) -> EgoNetworks:
    rows = [(1, i + 1, *vals) for i, (vals, _, _) in enumerate(CASES)]
    alters = pd.DataFrame(rows, columns=["ego", "alter", *[f"net_a_{c}" for c in COLS]])
    alters = alters.rename(columns={"net_a_ethn": "net_a_same_ethn"})
    egos = pd.DataFrame(
        {"ses_edu": [ego_edu], "ses_isco": [ego_isco]}, index=pd.Index([1], name="ego")
    )
    return EgoNetworks(egos, alters)


def test_every_rule_path() -> None:
    res = classify_ties(_net())
    assert res.ties["tie_type"].tolist() == [t for _, t, _ in CASES]
    assert res.ties["rule"].tolist() == [r for _, _, r in CASES]
    counts = res.counts().loc[1]
    assert counts.sum() == len(CASES)
    assert res.shares().loc[1].sum() == pytest.approx(1.0, abs=1e-12)
    assert res.types == TIE_TYPES


def test_prestige_gap_depends_on_scale_and_delta() -> None:
    # ego major group 5 (service and sales): SIOPS-08 35.11, manager 48.87: gap 13.76 < 15;
    # ISEI-08 31 vs 62: gap 31 >= 15
    net = _net(ego_isco=5)
    siops = classify_ties(net).ties.loc[3, "rule"]
    isei = classify_ties(net, TieRules(prestige="isei08")).ties.loc[3, "rule"]
    assert (siops, isei) == ("other_group", "prestige_gap")
    small = classify_ties(net, TieRules(prestige_gap=10)).ties.loc[3, "rule"]
    assert small == "prestige_gap"


def test_parts_can_be_switched_off_and_missing_columns_named() -> None:
    res = classify_ties(_net(), TieRules(authority=None))
    assert res.ties.loc[0, "rule"] == "same_origin_similar_status"
    net = _net()
    bad = net.replace(alters=net.alters.drop(columns=["net_a_status"]))
    with pytest.raises(DataError) as err:
        classify_ties(bad)
    assert err.value.rule == "network.rule-attribute"
    assert err.value.where.variable == "net_a_status"


def test_isolate_has_nan_shares() -> None:
    net = _net()
    net = net.replace(egos=pd.concat([net.egos, net.egos.rename(index={1: 2})]))
    res = classify_ties(net)
    assert res.per_ego.loc[2, [f"n_{t}" for t in TIE_TYPES]].sum() == 0
    assert res.per_ego.loc[2, [f"share_{t}" for t in TIE_TYPES]].isna().all()


def test_prestige_table_values_and_instrument_mapping() -> None:
    # Ganzeboom & Treiman (2019) conversion tools: ISEI-08 2211 doctors 89, 9313 building
    # labourers 22; SIOPS-08 2310 university teachers 78.16, 6130 mixed farmers 43.53
    assert load_prestige("isei08").score(["2211", "9313"]).tolist() == [89.0, 22.0]
    assert load_prestige("siops08").score([2310, 6130]).tolist() == [78.16, 43.53]
    # every position-generator occupation has both scores, and the unit group is the one the
    # instrument's scales.yaml gives (key isco08)
    pg = load_position_generator()
    spec = yaml.safe_load(scales_path().read_text(encoding="utf-8"))["scales"]["pg_access"][
        "item_detail"
    ]
    assert set(pg.index) == set(spec)
    for item, row in pg.iterrows():
        assert int(row["isco08"]) == spec[item]["score"]["isco08"], item
    for scale in ("isei08", "siops08"):
        assert not pd.isna(load_prestige(scale).score(pg["isco08"].tolist())).any()


def test_position_generator_with_shipped_siops() -> None:
    # doctor 78.01, driver 30.76, cleaner 20.00 (SIOPS-08): extensity 3, upper 78.01,
    # range 58.01, mean 128.77/3
    row = {i: 0 for i in load_position_generator().index}
    row.update(pg_doctor=2, pg_driver=1, pg_cleaner=3, pg_teacher=98, pg_police=99)
    empty = {i: None for i in row}
    res = position_generator(pd.DataFrame([row, empty])).values
    assert res.loc[0].tolist() == pytest.approx([3, 78.01, 58.01, 128.77 / 3], abs=1e-12)
    assert res.loc[1].isna().all()  # answered no item


def test_position_contacts_follow_the_rules() -> None:
    frame = pd.DataFrame(
        {
            "ses_isco": [9, 1],
            "pg_police": [3, 0],
            "pg_business": [2, 2],
            "pg_business_res": [1, 1],
            "pg_nurse": [2, 3],
            "pg_nurse_res": [2, 98],
            "pg_cleaner": [0, 1],
        }
    )
    occ = load_position_generator().loc[["pg_police", "pg_business", "pg_nurse", "pg_cleaner"]]
    res = classify_position_contacts(frame, occupations=occ)
    got = res.ties[["ego", "alter", "tie_type"]].values.tolist()
    assert got == [
        [0, "pg_police", "linking"],  # authority occupation
        [0, "pg_business", "linking"],  # SIOPS 1420 45.13 - 20.76 >= 15
        [0, "pg_nurse", "bonding"],  # a newcomer
        [1, "pg_business", "bridging"],  # ego a manager: no gap; long-term resident
        [1, "pg_nurse", "unclassified"],  # residence unknown
        [1, "pg_cleaner", "bonding"],  # a relative
    ]
    same_gap = GeneratorRules(prestige_gap=30)
    res2 = classify_position_contacts(frame, occupations=occ, rules=same_gap)
    assert res2.ties.loc[1, "tie_type"] == "bridging"


def test_resource_generator_counts() -> None:
    frame = pd.DataFrame(
        {"rg_money": [1, 0], "rg_officials": [3, 98], "rg_talk": [2, 99], "rg_job": [1, None]}
    )
    sub = {"political": ["rg_money", "rg_officials"], "support": ["rg_talk"], "urban": ["rg_job"]}
    res = resource_generator(frame, subscales=sub).values
    # ego 0: political 2, support 1, urban 1, total 4; via relative 2, friend 1, acquaintance 1
    assert res.loc[0].tolist() == [2, 1, 1, 4, 2, 1, 1]
    assert res.loc[1].tolist() == [0, 0, 0, 0, 0, 0, 0]
    cls = classify_resource_contacts(frame, subscales=sub)
    assert cls.ties["tie_type"].tolist() == ["bonding", "linking", "unclassified", "bonding"]
