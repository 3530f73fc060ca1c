"""Occupational prestige and status scores for ISCO-08 codes (SIOPS-08, ISEI-08).

The shipped table (``qonys/data/occupations/isco08_prestige.csv``) holds the published scores of
Ganzeboom and Treiman's conversion tools for the ten ISCO-08 major groups and for the 18 unit
groups of the standard position generator; its header cites the source of every column. Only
those codes are shipped: a study with full 4-digit coding gives its own table
(:meth:`PrestigeTable.from_frame`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.errors import DataError, QonysError, Where
from .._core.frozen import FrozenMap

__all__ = [
    "PRESTIGE_SCALES",
    "IscoLevel",
    "PrestigeTable",
    "load_position_generator",
    "load_prestige",
]

PRESTIGE_SCALES: tuple[str, ...] = ("siops08", "isei08")
"""Scales in the shipped table: Treiman's SIOPS and Ganzeboom's ISEI-08."""

IscoLevel = Literal["major", "unit"]
"""How codes are written: ``major`` = one digit 0-9 (as the roster's ``net_a_isco``),
``unit`` = four digits (``2211``)."""


def _data_path(name: str) -> Any:
    return resources.files("qonys").joinpath("data", "occupations", name)


@dataclasses.dataclass(frozen=True, slots=True)
class PrestigeTable:
    """Scores of one scale by ISCO-08 code (four characters; major groups as ``"1000"``).

    Parameters
    ----------
    scale : str
        Name of the scale (``"siops08"``, ``"isei08"``, or your own).
    values : Mapping[str, float]
        ISCO-08 code -> score.
    source : str
        Where the numbers come from.

    Examples
    --------
    >>> t = load_prestige("siops08")
    >>> t.score([1, 9, None], level="major").tolist()      # Managers, Elementary occupations
    [48.87, 20.76, nan]
    >>> t.score(["2211", 2330], level="unit").tolist()     # doctor, school teacher
    [78.01, 62.63]
    """

    scale: str
    values: Mapping[str, float]
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "values", FrozenMap({str(k).zfill(4): float(v) for k, v in self.values.items()})
        )

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, code: str = "isco08", score: str = "score", source: str = ""
    ) -> PrestigeTable:
        """A table from two columns of a data frame (codes may be numbers or text)."""
        for col in (code, score):
            if col not in frame.columns:
                raise DataError(
                    f"the prestige table has no column {col!r}",
                    where=Where(variable=col),
                    rule="network.prestige-table",
                    hint=f"Give code= and score= (columns: {', '.join(map(str, frame.columns))}).",
                )
        codes = frame[code].astype("string").str.replace(r"\.0$", "", regex=True)
        return cls(score, dict(zip(codes, frame[score].astype(float), strict=True)), source)

    def score(self, codes: Any, *, level: IscoLevel = "unit") -> np.ndarray:
        """Scores of ISCO-08 codes; a code that is missing or not in the table gives ``NaN``.

        Parameters
        ----------
        codes : array-like
            ISCO-08 codes as numbers or text.
        level : {"unit", "major"}
            ``major``: one-digit major-group codes 0-9 (scored with the table's ``"d000"``
            row); ``unit``: four-digit codes.
        """
        s = pd.Series(
            np.asarray(codes, dtype=object)
            if not isinstance(codes, pd.Series)
            else codes.to_numpy(dtype=object)
        )
        text = s.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        if level == "major":
            ok = text.str.fullmatch(r"\d").fillna(False).astype(bool)
            text = text.where(ok) + "000"
        elif level == "unit":
            text = text.str.zfill(4)
        else:
            raise QonysError(
                f"level must be 'unit' or 'major'; got {level!r}",
                where=Where(key="level"),
                rule="parameter.choice",
            )
        mapping = pd.Series(dict(self.values), dtype=float)
        return text.map(mapping).to_numpy(dtype=float, na_value=np.nan)


def load_prestige(scale: str = "siops08") -> PrestigeTable:
    """The shipped prestige table for ``scale`` (``"siops08"`` or ``"isei08"``).

    Raises
    ------
    QonysError
        An unknown scale (rule ``network.prestige-scale``).

    Examples
    --------
    >>> load_prestige("isei08").score([2], level="major").tolist()   # Professionals
    [65.0]
    """
    if scale not in PRESTIGE_SCALES:
        raise QonysError(
            f"no shipped prestige scale {scale!r}",
            where=Where(key="prestige"),
            rule="network.prestige-scale",
            hint="Use 'siops08' or 'isei08', or build a PrestigeTable.from_frame().",
        )
    with _data_path("isco08_prestige.csv").open(encoding="utf-8") as fh:
        frame = pd.read_csv(fh, comment="#", dtype={"isco08": str})
    return PrestigeTable(
        scale,
        dict(zip(frame["isco08"], frame[scale], strict=True)),
        source="Ganzeboom & Treiman (2019), ISMF conversion tools; see isco08_prestige.csv",
    )


def load_position_generator() -> pd.DataFrame:
    """The 18 occupations of the standard position generator (item, isco08, authority, title).

    Examples
    --------
    >>> pg = load_position_generator()
    >>> len(pg), pg.loc["pg_doctor", "isco08"], bool(pg.loc["pg_police", "authority"])
    (18, '2211', True)
    """
    with _data_path("position_generator.csv").open(encoding="utf-8") as fh:
        frame = pd.read_csv(fh, comment="#", dtype={"isco08": str})
    frame["authority"] = frame["authority"].astype(bool)
    return frame.set_index("item")
