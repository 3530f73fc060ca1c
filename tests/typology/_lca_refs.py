"""Readers for the latent-class references in ../shared/refs/measure (lca_em_R_long.csv: plain R
EM with 1000 starts polished to 1e-14, same likelihood as poLCA; see lca_refs.md)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from sharedpaths import shared_path

__all__ = ["carcinoma", "em_rows"]


@cache
def carcinoma() -> pd.DataFrame:
    """poLCA's carcinoma data, 118 x 7, 1 = no, 2 = yes."""
    return pd.read_csv(shared_path("refs", "measure", "data", "carcinoma.csv"))


@cache
def _em() -> pd.DataFrame:
    return pd.read_csv(shared_path("refs", "measure", "lca_em_R_long.csv"))


def em_rows(k: int) -> pd.DataFrame:
    """Rows of lca_em_R_long.csv for the k-class model."""
    df = _em()
    return df[df["analysis"] == f"lca_{k}class_EM_R"].reset_index(drop=True)
