"""Reference designs and numbers from R's ``survey`` (../shared/refs/survey), for the tests.

Every number compared comes from ``survey_refs_long.csv``, produced by ``survey_refs.R`` (R 4.2.2,
survey 4.1-1) on the data sets that ship with R's survey package; replicate designs use the exact
replicate weights R used (``repweights_<design>.csv`` with ``repdesign_meta.json``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd

from qonys.design import ReplicateSpec, SurveyData, SurveyDesign

REFS_DIR = ("refs", "survey")


def refs_root(shared: Path) -> Path:
    return shared.joinpath(*REFS_DIR)


@functools.cache
def load_long(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "survey_refs_long.csv", keep_default_na=False)


@functools.cache
def load_data(root: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(root / "data" / f"{name}.csv")


REPLICATE_BASE = {
    "rep_jk1_clus1": "apiclus1",
    "rep_jkn_strat": "apistrat",
    "rep_boot_strat": "apistrat",
    "rep_boot_clus1": "apiclus1",
    "rep_subboot_clus1": "apiclus1",
}

TAYLOR = {
    # design name -> (data set, SurveyDesign), as in survey_refs.R
    "dstrat": ("apistrat", SurveyDesign(weights="pw", strata="stype", fpc="fpc")),
    "dstrat_nofpc": ("apistrat", SurveyDesign(weights="pw", strata="stype")),
    "dclus1": ("apiclus1", SurveyDesign(weights="pw", ids="dnum", fpc="fpc")),
    "dclus1_nofpc": ("apiclus1", SurveyDesign(weights="pw", ids="dnum")),
    "dsrs": ("apisrs", SurveyDesign(fpc="fpc")),
}


@functools.cache
def replicate_frame(root: Path, name: str, base: str) -> tuple[pd.DataFrame, ReplicateSpec]:
    meta = json.loads((root / "repdesign_meta.json").read_text())[name]
    data = load_data(root, base).copy()
    reps = pd.read_csv(root / f"repweights_{name}.csv")
    cols = [c for c in reps.columns if c.startswith("rep")]
    extra = pd.DataFrame({f"_{c}": reps[c].to_numpy() for c in [*cols, "pw"]})
    data = pd.concat([data.reset_index(drop=True), extra], axis=1)
    rtype = {"bootstrap": "bootstrap", "subbootstrap": "subbootstrap"}.get(
        meta["type"], meta["type"]
    )
    rscales = meta["rscales"] if isinstance(meta["rscales"], list) else [meta["rscales"]]
    spec = ReplicateSpec(
        columns=tuple(f"_{c}" for c in cols),
        type=rtype,
        scale=float(meta["scale"]),
        rscales=tuple(float(x) for x in rscales),
        mse=bool(meta["mse"]),
        combined=True,
    )
    return data, spec


@functools.cache
def design(root: Path, name: str) -> SurveyData:
    """The SurveyData of a reference design name."""
    if name in TAYLOR:
        data_name, des = TAYLOR[name]
        return SurveyData(load_data(root, data_name), des)
    if name in REPLICATE_BASE:
        data, spec = replicate_frame(root, name, REPLICATE_BASE[name])
        return SurveyData(data, SurveyDesign(weights="_pw", replicates=spec))
    if name == "scd_brr":
        data, spec = replicate_frame(root, name, "scd")
        return SurveyData(data, SurveyDesign(weights="_pw", replicates=spec))
    if name == "scd_taylor":
        data = load_data(root, "scd").assign(one=1.0, five=5)
        des = SurveyDesign(weights="one", ids="ambulance", strata="ESA", nest=True, fpc="five")
        return SurveyData(data, des)
    raise KeyError(name)
