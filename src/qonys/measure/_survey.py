"""Helpers shared by the design-aware measurement functions (private).

Derived columns (scale scores, class memberships, indicator columns of a multiple-response set)
are added to a :class:`~qonys.design.SurveyData` without touching its rows, so the design, its
resolved structure, calibrations and any subpopulation stay exactly as they were; variances of
estimates on the new columns are therefore computed with the whole design.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, DataError, Variable, Where
from ..design import SurveyData

__all__ = ["add_columns", "domain_value", "numeric_column", "require_columns"]


def add_columns(
    sd: SurveyData,
    columns: Mapping[str, Any],
    variables: Sequence[Variable] = (),
) -> SurveyData:
    """``sd`` with new (or replaced) columns and, optionally, codebook entries describing them.

    Examples
    --------
    >>> from qonys.design import SurveyDesign
    >>> sd = SurveyData(pd.DataFrame({"y": [1.0, 2.0]}), SurveyDesign())
    >>> add_columns(sd, {"z": [3.0, 4.0]}).data.columns.tolist()
    ['y', 'z']
    """
    frame = sd.data.copy()
    for name, values in columns.items():
        arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
        if arr.shape[0] != len(frame):
            raise DataError(
                f"column {name!r} has {arr.shape[0]} values for {len(frame)} rows",
                where=Where(variable=name),
                rule="measure.length",
            )
        frame[name] = arr
    cb = sd.codebook
    if variables:
        cb = cb if cb is not None else Codebook()
        for v in variables:
            cb = cb.with_variable(v)
    # rows and design columns are unchanged: keep the resolved design (weights, structure)
    return dataclasses.replace(sd, data=frame, codebook=cb, _resolved=sd.prepared)


def require_columns(sd: SurveyData, names: Sequence[str]) -> None:
    """Raise a named error for the first column missing from the survey data."""
    for n in names:
        sd.column(n)


def numeric_column(sd: SurveyData, name: str) -> pd.Series:
    """A column as floats (text such as ``"12"`` from calculate fields becomes a number)."""
    return pd.to_numeric(sd.column(name), errors="coerce").astype(float)


def domain_value(label: str) -> str:
    """The level part of an estimator's domain label (``"city=71"`` -> ``"71"``).

    >>> domain_value("scr_city=71"), domain_value("all")
    ('71', 'all')
    """
    return label.split("=", 1)[1] if "=" in label else label
