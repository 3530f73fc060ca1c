"""ODK Central and Briefcase readers on the ODK exports of ../shared/data/realfiles.

Expected values were read by hand with Python's csv module; the .zip is assembled in tmp_path
from the three ruODK CSVs exactly as ODK Central names them (<formId>.csv,
<formId>-<repeat>.csv).
"""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_xlsform_support import write_form

from qonys._core import DataError, QonysError, ReadError
from qonys.io import READERS, detect_format, read
from qonys.io.odk import read_odk_central
from sharedpaths import shared_path

FORM = "build_Flora-Quadrat-0-4_1564384341"


def _central(name: str = f"{FORM}.csv") -> Path:
    return shared_path("data", "realfiles", "odk", "central_ruODK", name)


@pytest.fixture(scope="module")
def central_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("odk") / "submissions.csv.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for suffix in ("", "-taxon_encounter", "-vegetation_stratum"):
            zf.write(_central(f"{FORM}{suffix}.csv"), f"{FORM}{suffix}.csv")
        zf.writestr("files/uuid:x/1568794395624.jpg", b"")
    return path


def test_registered_and_detected(central_zip: Path) -> None:
    assert {"odk_central", "odk_briefcase"} <= set(READERS.names())
    assert detect_format(_central()) == "odk_central"
    assert detect_format(central_zip) == "odk_central"


@pytest.mark.parametrize("source", ["root_csv", "zip"])
def test_central_root_and_repeats(source: str, central_zip: Path) -> None:
    ds = read(_central() if source == "root_csv" else central_zip)
    d = ds.data
    assert d.shape == (2, 31)  # SOURCES.md: 31 cols x 2 rows
    # SubmissionDate 2019-09-18T08:51:07.481Z; meta-instanceID -> instanceID in group meta
    assert d["SubmissionDate"].iloc[0] == pd.Timestamp("2019-09-18 08:51:07.481", tz="UTC")
    assert d["instanceID"].iloc[0] == "uuid:d5e78a78-34db-483d-978f-d9c9a3bc7b69"
    assert ds.codebook["instanceID"].group == ("meta",)
    assert ds.codebook["instanceID"].source_type == "odk_meta"
    # location-corner1-Latitude -31.99605811 -> _corner1_latitude in group location
    assert d["_corner1_latitude"].iloc[0] == -31.99605811
    assert ds.codebook["_corner1_precision"].group == ("location",)
    assert d["area_name"].tolist() == ["Kensington Carpark 01", "Kensington Planter Box 1"]
    # encounter_start_datetime 2019-09-18T16:12:21.147+08:00
    assert d["encounter_start_datetime"].iloc[0] == pd.Timestamp(
        "2019-09-18 08:12:21.147", tz="UTC"
    )
    # the records stop after SubmitterName (30 fields for a 31-field header): Status is empty
    assert d["SubmitterName"].tolist() == ["flora", "flora"]
    assert d["Status"].isna().all()
    assert any("shorter than the header" in n for n in (ds.source.notes if ds.source else ()))
    assert ds.codebook.id_variable == "KEY"


def test_central_repeat_tables(central_zip: Path) -> None:
    ds = read(central_zip)
    assert [(r.name, r.parent, r.key, r.parent_key) for r in ds.codebook.rosters] == [
        ("taxon_encounter", None, "KEY", "PARENT_KEY"),
        ("vegetation_stratum", None, "KEY", "PARENT_KEY"),
    ]
    taxa = ds.rosters["taxon_encounter"]
    counts = taxa["PARENT_KEY"].value_counts().to_dict()
    assert counts == {
        "uuid:529cb189-8bb2-4cf1-9041-dcde716efb4f": 5,
        "uuid:d5e78a78-34db-483d-978f-d9c9a3bc7b69": 2,
    }
    assert taxa["KEY"].iloc[1] == "uuid:d5e78a78-34db-483d-978f-d9c9a3bc7b69/taxon_encounter[2]"
    # barcode 09929760: the leading zero is kept (text)
    assert taxa["voucher_specimen_barcode"].tolist()[0] == "09929760"
    assert ds.codebook["voucher_specimen_barcode"].type == "text"
    assert taxa["_taxon_encounter_location_altitude"].iloc[0] == -25.6241455078125
    veg = ds.rosters["vegetation_stratum"]
    assert len(veg) == 7
    # "Pom poms " keeps its trailing space; max_height_m 3.0, 2.0, empty
    assert veg["dominant_species_3"].iloc[1] == "Pom poms "
    assert veg["max_height_m"].tolist()[:2] == [3.0, 2.0]
    assert pd.isna(veg["max_height_m"].iloc[2])
    assert ds.codebook["max_height_m"].group == ("vegetation_stratum",)


def test_repeat_csv_given_as_root_is_refused() -> None:
    with pytest.raises(ReadError) as err:
        read_odk_central(_central(f"{FORM}-taxon_encounter.csv"))
    assert err.value.rule == "odk.not-root"


def test_briefcase_all_data_types() -> None:
    path = shared_path("data", "realfiles", "odk", "briefcase", "all-data-types.csv")
    ds = read(path, format="odk_briefcase")
    d = ds.data
    assert d.shape == (1, 16)  # SOURCES.md: 16 cols x 1 row
    # "Apr 26, 2018 8:58:20 AM", "Apr 26, 2018", "8:56:00 AM", "Apr 26, 2018 8:56:00 AM"
    assert d["SubmissionDate"].iloc[0] == pd.Timestamp("2018-04-26 08:58:20")
    assert d["some_date"].iloc[0] == pd.Timestamp("2018-04-26")
    assert ds.codebook["some_date"].type == "date"
    assert d["some_time"].iloc[0] == "8:56:00 AM"
    assert d["some_date_time"].iloc[0] == pd.Timestamp("2018-04-26 08:56:00")
    assert (d["some_int"].iloc[0], d["some_decimal"].iloc[0]) == (123, 123.456)
    assert d["_some_geopoint_precision"].iloc[0] == 15.478
    assert d["some_geotrace"].iloc[0].endswith("71.80000305175781 10.0;")
    assert d["some_barcode"].iloc[0] == "000049499094"
    assert ds.source is not None
    assert ds.source.format == "odk_briefcase"


def test_briefcase_set_of_columns_and_nested_repeats(tmp_path: Path) -> None:
    root = tmp_path / "hh.csv"
    root.write_text(
        "SubmissionDate,name,SET-OF-members,meta-instanceID,KEY\n"
        "2024-05-01T10:00:00.000Z,A,uuid:1/members,uuid:1,uuid:1\n",
        encoding="utf-8",
    )
    (tmp_path / "hh-members.csv").write_text(
        "m_age,SET-OF-jobs,PARENT_KEY,KEY\n"
        "30,uuid:1/members[1]/jobs,uuid:1,uuid:1/members[1]\n"
        "5,uuid:1/members[2]/jobs,uuid:1,uuid:1/members[2]\n",
        encoding="utf-8",
    )
    (tmp_path / "hh-jobs.csv").write_text(
        "job,PARENT_KEY,KEY\nteacher,uuid:1/members[1],uuid:1/members[1]/jobs[1]\n",
        encoding="utf-8",
    )
    assert detect_format(root) == "odk_briefcase"
    ds = read(root)
    assert ds.codebook.roster("jobs").parent == "members"
    assert ds.codebook.roster("members").parent is None
    assert "SET-OF-members" not in ds.codebook
    assert ds.data["SET-OF-members"].iloc[0] == "uuid:1/members"
    assert ds.rosters["jobs"]["PARENT_KEY"].tolist() == ["uuid:1/members[1]"]


def test_central_with_form_and_mismatch(tmp_path: Path) -> None:
    form = write_form(
        tmp_path / "form.xlsx",
        [
            {"type": "begin_group", "name": "place", "label": "Place"},
            {"type": "geopoint", "name": "corner", "label": "Corner"},
            {"type": "select_multiple fruit", "name": "fruit", "label": "Fruit"},
            {"type": "end_group"},
            {"type": "begin_repeat", "name": "kids", "label": "Kids"},
            {"type": "integer", "name": "kid_age", "label": "Age"},
            {"type": "end_repeat"},
        ],
        [
            {"list_name": "fruit", "name": "apple", "label": "Apple"},
            {"list_name": "fruit", "name": "pear", "label": "Pear"},
        ],
    )
    root = tmp_path / "f.csv"
    root.write_text(
        "SubmissionDate,place-corner-Latitude,place-corner-Longitude,place-corner-Altitude,"
        "place-corner-Accuracy,place-fruit,place-fruit/apple,meta-instanceID,KEY,ReviewState\n"
        "2024-05-01T10:00:00.000Z,51.1,71.4,350,5,apple,1,uuid:1,uuid:1,approved\n",
        encoding="utf-8",
    )
    (tmp_path / "f-kids.csv").write_text(
        "kid_age,PARENT_KEY,KEY\n7,uuid:1,uuid:1/kids[1]\n", encoding="utf-8"
    )
    ds = read(root, codebook=form)
    assert ds.data["_corner_longitude"].iloc[0] == 71.4
    assert ds.data["fruit/apple"].tolist() == [1]
    # Central writes only the choices seen in the data: the set keeps the columns present
    assert ds.codebook.mr_set("fruit").variables == ("fruit/apple",)
    assert ds.rosters["kids"]["kid_age"].tolist() == [7]
    assert ds.data["ReviewState"].iloc[0] == "approved"
    (tmp_path / "f-kids.csv").write_text(
        "kid_agee,PARENT_KEY,KEY\n7,uuid:1,uuid:1/kids[1]\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as err:
        read(root, codebook=form)
    assert err.value.rule == "odk.header-mismatch"
    assert err.value.where.sheet == "f-kids.csv"


def test_damaged_zip(tmp_path: Path) -> None:
    path = tmp_path / "submissions.csv.zip"
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ReadError) as err:
        read_odk_central(path)
    assert err.value.rule == "odk.zip-unreadable"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300), text=st.text(alphabet=',"\n-/KEYab1[]', max_size=60))
def test_arbitrary_bytes_raise_only_qonys_errors(data: bytes, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in (("f.csv", data), ("g.csv", text.encode()), ("h.zip", data)):
            path = Path(tmp) / name
            path.write_bytes(content)
            with contextlib.suppress(QonysError):
                read_odk_central(path)
