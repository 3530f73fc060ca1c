"""A survey file as read: the main table, its rosters and its codebook.

:class:`Dataset` is what every reader in :mod:`qonys.io` returns and every writer takes. It keeps
raw values (user-missing codes stay as codes, see :mod:`qonys._core.codebook`) and never drops a
row. Rosters (repeat groups) are separate tables linked to their parent by the key columns named
in the codebook's :class:`~qonys._core.codebook.Roster` entries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .codebook import Codebook
from .errors import DataError, Where
from .frozen import FrozenMap

__all__ = ["Dataset", "SourceInfo"]


@dataclasses.dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a dataset came from.

    Parameters
    ----------
    name : str
        File name as given by the user (no machine path is added).
    format : str
        Registered reader name (``"sav"``, ``"kobo_xlsx"``...).
    sha256 : str, optional
        SHA-256 of the file's bytes.
    encoding : str, optional
        Character encoding used to decode it.
    notes : tuple of str
        What the reader did that a user should know (encoding fallback, renamed columns...).
    """

    name: str
    format: str
    sha256: str | None = None
    encoding: str | None = None
    notes: tuple[str, ...] = ()

    def with_notes(self, *notes: str) -> SourceInfo:
        """Copy with notes appended."""
        return dataclasses.replace(self, notes=(*self.notes, *notes))


@dataclasses.dataclass(frozen=True, slots=True)
class Dataset:
    """Survey data with metadata.

    Parameters
    ----------
    data : pandas.DataFrame
        Main table, one row per respondent (or per submission).
    codebook : Codebook
        Metadata of the main table and of every roster.
    rosters : Mapping[str, pandas.DataFrame]
        Repeat-group tables by roster name.
    source : SourceInfo, optional
        Provenance of the data.
    """

    data: pd.DataFrame
    codebook: Codebook
    rosters: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=FrozenMap)
    source: SourceInfo | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.data, pd.DataFrame):
            raise DataError(
                "a dataset's data must be a pandas DataFrame",
                rule="dataset.type",
                hint="Read files with qonys.io.read().",
            )
        object.__setattr__(self, "rosters", FrozenMap(dict(self.rosters)))

    @property
    def n(self) -> int:
        """Number of rows of the main table."""
        return len(self.data)

    def table(self, name: str | None = None) -> pd.DataFrame:
        """The main table (``None``) or the roster called ``name``."""
        if name is None:
            return self.data
        try:
            return self.rosters[name]
        except KeyError:
            raise DataError(
                f"no repeat table {name!r} in this dataset",
                where=Where(file=self.source.name if self.source else None, sheet=name),
                rule="dataset.unknown-roster",
                hint=f"Tables present: {', '.join(self.rosters) or 'main table only'}.",
            ) from None

    def replace(self, **changes: Any) -> Dataset:
        """Copy with fields changed."""
        return dataclasses.replace(self, **changes)
