"""The ego-network data model: validation rules, roster import, networkx conversion.

Hand-made tables; every expected count is derived in the comment next to it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qonys import DataError, QonysError
from qonys._core import Dataset
from qonys.io import read_codebook
from qonys.io.instrument import instrument_path
from qonys.network import (
    EgoNetworks,
    from_dataset,
    from_roster,
    parse_knows,
    structural_measures,
)


def _egos(*ids: object) -> pd.DataFrame:
    return pd.DataFrame(index=pd.Index(list(ids), name="ego"))


def _rule(excinfo: pytest.ExceptionInfo[QonysError]) -> str:
    return excinfo.value.rule


ALTERS = pd.DataFrame({"ego": [1, 1, 1, 2], "alter": [1, 2, 3, 1]})


@pytest.mark.parametrize(
    ("egos", "alters", "ties", "rule", "row"),
    [
        (_egos(1, 1), ALTERS, None, "network.duplicate-ego", 2),
        (_egos(1), ALTERS, None, "network.orphan-alter", 4),  # ego 2 absent: 4th alter row
        (_egos(1, 2), pd.concat([ALTERS, ALTERS.iloc[[0]]]), None, "network.duplicate-alter", 5),
        (_egos(1, 2), ALTERS.assign(alter=[1, None, 3, 1]), None, "network.missing-id", 2),
        (_egos(1, 2), ALTERS, [(1, 1, 4)], "network.unknown-alter", 1),  # ego 1 named 1-3
        (_egos(1, 2), ALTERS, [(2, 1, 2)], "network.unknown-alter", 1),  # ego 2 named 1 only
        (_egos(1, 2), ALTERS, [(1, 2, 2)], "network.self-tie", 1),
        (_egos(1, 2), ALTERS, [(1, 1, 2), (1, 2, 1)], "network.duplicate-tie", 2),
    ],
)
def test_validation_rules(
    egos: pd.DataFrame,
    alters: pd.DataFrame,
    ties: list[tuple[int, int, int]] | None,
    rule: str,
    row: int,
) -> None:
    tie_frame = pd.DataFrame(ties or [], columns=["ego", "source", "target"])
    with pytest.raises(DataError) as err:
        EgoNetworks(egos, alters, tie_frame)
    assert err.value.rule == rule
    assert err.value.where.row == row
    assert err.value.hint


def test_duplicate_ties_merge_is_reported() -> None:
    ties = pd.DataFrame([(1, 1, 2), (1, 2, 1), (1, 2, 3)], columns=["ego", "source", "target"])
    net = EgoNetworks(_egos(1, 2), ALTERS, ties, duplicate_ties="merge")
    assert net.n_ties == 2  # (1,2) once, (2,3)
    assert any("1 duplicate" in n for n in net.notes)


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(QonysError) as err:
        EgoNetworks(_egos(1, 2), ALTERS, duplicate_ties="keep")  # type: ignore[arg-type]
    assert err.value.rule == "policy.unknown"


def test_alters_are_sorted_and_isolates_kept() -> None:
    alters = pd.DataFrame({"ego": [2, 1, 1], "alter": [1, 2, 1], "x": ["c", "b", "a"]})
    net = EgoNetworks(_egos(1, 2, 3), alters)
    assert net.alters["x"].tolist() == ["a", "b", "c"]
    assert net.size().tolist() == [2, 1, 0]  # ego 3 named nobody


def test_parse_knows_codes() -> None:
    # "2 4" -> two ties; "0" none; "98" don't know; "" and None no answer
    listed, dk = parse_knows(pd.Series(["2 4", "0", "98", "", None, "3.0"]))
    assert listed.tolist() == [2, 4, 3]
    assert dk.tolist() == [False, False, True, False, False, False]
    with pytest.raises(DataError) as err:
        parse_knows(pd.Series(["1", "x"]))
    assert err.value.rule == "network.knows-code"
    assert err.value.where.row == 2


def _kobo_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    # respondent 10 names 4 people: 1 knows 2 and 3, 2 knows 4, 3 "don't know", 4 last (no
    # question); respondent 11 names nobody; respondent 12 names 2 who do not know each other
    main = pd.DataFrame({"_index": [10, 11, 12], "net_n": [4, 0, 2], "ses_edu": [5, 98, 3]})
    roster = pd.DataFrame(
        {
            "_parent_index": [10, 10, 10, 10, 12, 12],
            "net_a_pos": [1, 2, 3, 4, 1, 2],
            "net_a_knows": ["2 3", "4", "98", None, "0", None],
            "net_a_origin": [1, 98, 4, 5, 2, 1],
        }
    )
    return main, roster


def test_from_roster_kobo_layout() -> None:
    main, roster = _kobo_tables()
    net = from_roster(main, roster)
    assert net.ego_ids.tolist() == [10, 11, 12]
    assert net.size().tolist() == [4, 0, 2]
    assert net.ties[["source", "target"]].values.tolist() == [[1, 2], [1, 3], [2, 4]]
    assert any("don't know" in n for n in net.notes)
    dens = structural_measures(net).values["density"]
    assert dens[10] == pytest.approx(3 / 6)  # 3 ties among 4 alters: 2*3/(4*3)
    assert dens[12] == 0.0


def test_from_roster_orphan_rows_fail() -> None:
    main, roster = _kobo_tables()
    with pytest.raises(DataError) as err:
        from_roster(main.iloc[:2], roster)  # respondent 12 missing
    assert err.value.rule == "network.orphan-alter"


def test_from_roster_odk_keys_and_positions_from_order() -> None:
    main = pd.DataFrame({"KEY": ["uuid:a", "uuid:b"]})
    roster = pd.DataFrame(
        {"PARENT_KEY": ["uuid:a", "uuid:a", "uuid:b"], "KEY": ["uuid:a/r[1]", "uuid:a/r[2]", "x"]}
    )
    net = from_roster(
        main, roster, ego_key="KEY", parent_key="PARENT_KEY", position=None, knows=None
    )
    assert net.alters["alter"].tolist() == [1, 2, 1]


def test_from_dataset_blanks_missing_codes_with_the_instrument_codebook() -> None:
    cb = read_codebook(instrument_path("migrants"))
    main, roster = _kobo_tables()
    ds = Dataset(main, cb, {"net_alter": roster})
    net = from_dataset(ds)
    # net_a_origin 98 (don't know) and ses_edu 98 become missing; knows keeps its 98
    assert net.alters["net_a_origin"].isna().sum() == 1
    assert net.egos["ses_edu"].isna().sum() == 1
    assert net.n_ties == 3
    assert any("user-missing" in n for n in net.notes)


def test_to_networkx_has_ego_alters_and_attributes() -> None:
    main, roster = _kobo_tables()
    g = from_roster(main, roster).to_networkx(10)
    assert g.number_of_nodes() == 5
    assert g.number_of_edges() == 4 + 3
    assert g.nodes[3]["net_a_origin"] == 4
    assert g.nodes["ego"]["net_n"] == 4
    with pytest.raises(DataError) as err:
        from_roster(main, roster).to_networkx(99)
    assert err.value.rule == "network.unknown-ego"
