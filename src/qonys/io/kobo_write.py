"""KoboToolbox exports written from a dataset: writers ``kobo_xlsx`` and ``kobo_csv``.

The files look like those KoboToolbox (KPI / formpack, "XML values and headers", groups in
headers, ``multiple_select="both"``) lets a user download, and :mod:`qonys.io.kobo` reads them
back to the same :class:`~qonys._core.dataset.Dataset`:

* **CSV** (``kobo_csv``): the main table only, as Kobo's CSV export; ``;``-separated, every
  field in double quotes, CRLF line ends, UTF-8 without a byte-order mark.
* **XLSX** (``kobo_xlsx``): the main table on the first sheet, named after the form's title,
  then one sheet per repeat group named after the repeat. Sheet names lose the characters
  Excel forbids (``[]:*?/\\`` become ``_``) and names longer than 31 characters are cut to 28
  plus ``...``, as Kobo does. Question values are text cells (formpack's ``xls_types_as_text``);
  ``_id``, ``_index``, ``_parent_index`` and ``_submission__id`` are number cells. Empty cells
  are left out of the sheet.
* **Headers**: the group path joined with ``/`` (``hou/hou_help``, ``hou/hou_help/1``,
  ``net/net_alter/net_a_sex``) when ``group_headers=True`` (the default); meta and link columns
  never carry a path.
* **Values**: numbers without a trailing ``.0``; dates ``YYYY-MM-DD``; date-times with a UTC
  offset (``start``, ``end``) as ``2025-10-01T10:04:05.000+05:00`` in the offset given by
  ``utc_offset``; naive date-times (``_submission_time``) as ``2025-10-01T05:12:00``.

A dataset that lacks Kobo's meta columns gets them (main table: ``_id``, ``_uuid``,
``_submission_time``, ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``,
``__version__``, ``_tags``, ``_index``; repeat tables: ``_index``, ``_parent_table_name``,
``_parent_index`` and the ``_submission__*`` copies, taken from the parent rows), appended after
its own columns in Kobo's order. Columns already present are written as they are, in the
frame's order. Both writers are deterministic: the same dataset gives the same bytes.

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> from qonys._core import Codebook, Dataset, Variable
>>> cb = Codebook(variables=(Variable("age", "integer", group=("dem",)),))
>>> ds = Dataset(pd.DataFrame({"age": pd.array([34, None], dtype="Int64")}), cb)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
>>> _ = write_kobo_csv(ds, out)
>>> out.read_bytes().split(b"\\r\\n")[0][:24]
b'"dem/age";"_id";"_uuid";'
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, QonysError, Where, WriteError
from ._kobo_sheets import Sheet, write_workbook
from ._registry import WRITERS

__all__ = [
    "KOBO_MAIN_META",
    "KOBO_SUBMISSION_COPY",
    "kobo_sheet_name",
    "write_kobo_csv",
    "write_kobo_xlsx",
]

KOBO_MAIN_META: tuple[str, ...] = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
"""Meta columns at the end of Kobo's main table, in Kobo's order."""

KOBO_SUBMISSION_COPY: tuple[str, ...] = tuple(c for c in KOBO_MAIN_META if c != "_index")
"""Meta columns copied into every repeat row as ``_submission_<column>``."""

_NUMBER_CELLS = frozenset({"_id", "_index", "_parent_index", "_submission__id"})
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def kobo_sheet_name(title: str, taken: Sequence[str] = ()) -> str:
    """A sheet name as Kobo makes it from a form title or repeat name.

    Examples
    --------
    >>> kobo_sheet_name("qonys: a survey of internal migrants in big cities")
    'qonys_ a survey of internal ...'
    >>> kobo_sheet_name("net_alter", taken=["net_alter"])
    'net_alter (2)'
    """
    name = _FORBIDDEN.sub("_", title).strip() or "Sheet"
    if len(name) > 31:
        name = name[:28] + "..."
    base, k = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({k})"
        name = (
            (base[: 31 - len(suffix)] + suffix) if len(base) + len(suffix) > 31 else base + suffix
        )
        k += 1
    return name


def _tz(utc_offset: str) -> dt.timezone:
    m = _OFFSET.match(utc_offset)
    if not m:
        raise QonysError(
            f"utc_offset {utc_offset!r} is not of the form +HH:MM",
            where=Where(key="utc_offset"),
            rule="parameter.format",
            hint="For Kazakhstan use '+05:00'.",
        )
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return dt.timezone(dt.timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


def _kobo_time(ts: pd.Timestamp, tz: dt.timezone) -> str:
    """``2025-10-01T10:04:05.000+05:00`` (aware) or ``2025-10-01T05:12:00`` (naive)."""
    if ts.tzinfo is None:
        text = ts.strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{ts.microsecond:06d}" if ts.microsecond else "")
    local = ts.tz_convert(tz)
    frac = f"{local.microsecond // 1000:03d}"
    if local.microsecond % 1000:
        frac = f"{local.microsecond:06d}"
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f".{frac}{offset[:3]}:{offset[3:]}"


def _datetime_texts(col: pd.Series, vtype: str | None, tz: dt.timezone) -> list[str | None]:
    mask = col.isna().to_numpy()
    if vtype == "date":
        texts = col.dt.strftime("%Y-%m-%d")
    elif isinstance(col.dtype, pd.DatetimeTZDtype):
        local = col.dt.tz_convert(tz)
        micro = local.dt.microsecond.fillna(0).to_numpy()
        if (micro % 1000).any():
            return [None if pd.isna(ts) else _kobo_time(pd.Timestamp(ts), tz) for ts in col]
        offset = _kobo_time(pd.Timestamp("2000-01-01", tz=dt.UTC), tz)[-6:]
        texts = (
            local.dt.strftime("%Y-%m-%dT%H:%M:%S.")
            + pd.Series([f"{m // 1000:03d}" for m in micro.astype(np.int64)], index=col.index)
            + offset
        )
    else:
        if (col.dt.microsecond.fillna(0).to_numpy() != 0).any():
            return [None if pd.isna(ts) else _kobo_time(pd.Timestamp(ts), tz) for ts in col]
        texts = col.dt.strftime("%Y-%m-%dT%H:%M:%S")
    out = np.array(texts.astype(object).to_numpy(), dtype=object)
    out[mask] = None
    return list(out.tolist())


def _texts(col: pd.Series, vtype: str | None, tz: dt.timezone) -> list[str | None]:
    """Cell texts of one column (``None`` for an empty cell)."""
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(col):
        return _datetime_texts(col, vtype, tz)
    if pd.api.types.is_integer_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        mask = col.isna().to_numpy()
        if pd.api.types.is_bool_dtype(col.dtype):
            vals = np.where(mask, 0, col.fillna(False).to_numpy(dtype=bool)).astype(np.int64)
        else:
            vals = col.fillna(0).to_numpy(dtype=np.int64)
        out = vals.astype(str).astype(object)
        out[mask] = None
        return list(out.tolist())
    if pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col.dtype):
        return [
            None if x is None or x != x or x == "" else x  # x != x: NaN
            for x in col.astype(object).tolist()
        ]
    return [_text(x) for x in col.tolist()]


def _text(x: Any) -> str | None:
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float | np.floating):
        if math.isnan(float(x)):
            return None
        return str(int(x)) if float(x).is_integer() else repr(float(x))
    if isinstance(x, bool | np.bool_):
        return "1" if x else "0"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, dt.datetime | dt.date):
        return x.isoformat()
    return str(x)


def _header(name: str, cb: Codebook, group_headers: bool) -> str:
    if not group_headers or name not in cb:
        return name
    var = cb.variable(name)
    if var.source_type and var.source_type.startswith("kobo"):
        return name
    return "/".join((*var.group, name)) if var.group else name


def _vtype(name: str, cb: Codebook) -> str | None:
    return cb.variable(name).type if name in cb else None


def _main_frame(ds: Dataset) -> pd.DataFrame:
    frame = ds.data.copy()
    n = len(frame)
    for col in KOBO_MAIN_META:
        if col in frame.columns:
            continue
        if col == "_index":
            frame[col] = pd.array(range(1, n + 1), dtype="Int64")
        elif col == "_id":
            frame[col] = pd.array([None] * n, dtype="Int64")
        elif col == "_uuid":
            frame[col] = pd.Series(
                [str(uuid.uuid5(uuid.NAMESPACE_URL, f"qonys-kobo-{i}")) for i in range(n)],
                dtype="str",
            )
        else:
            frame[col] = pd.Series([None] * n, dtype="str")
    return frame


def _roster_frame(
    ds: Dataset, name: str, parent_frame: pd.DataFrame, parent_title: str, main: bool
) -> pd.DataFrame:
    frame = ds.rosters[name].copy()
    n = len(frame)
    roster = ds.codebook.roster(name) if name in {r.name for r in ds.codebook.rosters} else None
    key = roster.parent_key if roster is not None else "_parent_index"
    if "_index" not in frame.columns:
        frame["_index"] = pd.array(range(1, n + 1), dtype="Int64")
    if "_parent_table_name" not in frame.columns:
        frame["_parent_table_name"] = pd.Series([parent_title] * n, dtype="str")
    if key not in frame.columns:
        raise WriteError(
            f"the repeat table {name!r} has no {key!r} column linking it to its parent",
            where=Where(sheet=name),
            rule="kobo.write-no-parent-key",
            hint="Every repeat row needs the _index of its parent row.",
        )
    for col in KOBO_SUBMISSION_COPY:
        target = f"_submission_{col}"
        if target in frame.columns:
            continue
        if main and col in parent_frame.columns:
            lookup = parent_frame.set_index(parent_frame["_index"].astype("Int64"))[col]
            frame[target] = frame[key].astype("Int64").map(lookup).astype(lookup.dtype)
        elif f"_submission_{col}" in parent_frame.columns:
            lookup = parent_frame.set_index(parent_frame["_index"].astype("Int64"))[target]
            frame[target] = frame[key].astype("Int64").map(lookup).astype(lookup.dtype)
        else:
            frame[target] = pd.Series([None] * n, dtype="str")
    links = [
        "_index",
        "_parent_table_name",
        key,
        *(f"_submission_{c}" for c in KOBO_SUBMISSION_COPY),
    ]
    return frame[[c for c in frame.columns if c not in links] + links]


def _table(
    frame: pd.DataFrame, cb: Codebook, group_headers: bool, tz: dt.timezone
) -> tuple[list[str], list[list[str | None]], list[bool]]:
    headers = [_header(str(c), cb, group_headers) for c in frame.columns]
    dupes = {h for h in headers if headers.count(h) > 1}
    if dupes:
        raise WriteError(
            f"two columns would get the header {sorted(dupes)[0]!r}",
            where=Where(variable=sorted(dupes)[0]),
            rule="kobo.write-duplicate-header",
            hint="Rename one of the columns; headers must be unique in a Kobo export.",
        )
    columns = [_texts(frame[c], _vtype(str(c), cb), tz) for c in frame.columns]
    numeric = [str(c) in _NUMBER_CELLS for c in frame.columns]
    return headers, columns, numeric


def _tables(
    ds: Dataset, title: str | None, group_headers: bool, tz: dt.timezone
) -> list[tuple[str, list[str], list[list[str | None]], list[bool], int]]:
    cb = ds.codebook
    main_title = title or cb.title.get("default") or next(iter(cb.title.values()), None) or "data"
    main = _main_frame(ds)
    out = []
    taken: list[str] = []
    sheet = kobo_sheet_name(main_title, taken)
    taken.append(sheet)
    out.append((sheet, *_table(main, cb, group_headers, tz), len(main)))
    frames: dict[str | None, pd.DataFrame] = {None: main}
    declared = [r.name for r in cb.rosters if r.name in ds.rosters]
    order = declared + [n for n in ds.rosters if n not in declared]
    parents = {r.name: r.parent for r in cb.rosters}
    for name in order:
        parent = parents.get(name)
        parent_frame = frames.get(parent, main)
        parent_title = main_title if parent is None else parent
        frame = _roster_frame(ds, name, parent_frame, parent_title, parent is None)
        frames[name] = frame
        sheet = kobo_sheet_name(name, taken)
        taken.append(sheet)
        out.append((sheet, *_table(frame, cb, group_headers, tz), len(frame)))
    return out


@WRITERS.register("kobo_csv", doc="KoboToolbox CSV export (main table)")
def write_kobo_csv(
    dataset: Dataset,
    path: str | Path,
    *,
    group_headers: bool = True,
    utc_offset: str = "+00:00",
    **options: Any,
) -> list[Path]:
    """Write the main table as KoboToolbox's CSV export (see the module docstring).

    Parameters
    ----------
    dataset : Dataset
        The data; repeat tables are not written (Kobo's CSV has none).
    path : str or Path
        The ``.csv`` file.
    group_headers : bool
        Put the group path in headers (``group/question``).
    utc_offset : str
        Offset in which date-times with a time zone are written (``"+05:00"`` for Kazakhstan).

    Returns
    -------
    list of Path
        The file written.
    """
    _no_options(options)
    p = Path(path)
    tz = _tz(utc_offset)
    cb = dataset.codebook
    headers, columns, _ = _table(_main_frame(dataset), cb, group_headers, tz)

    table = pd.DataFrame({i: col for i, col in enumerate(columns)}, dtype=object)
    table.columns = pd.Index(headers)
    text = table.to_csv(
        sep=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n", index=False, na_rep=""
    )
    _parent(p).write_bytes(text.encode("utf-8"))
    return [p]


def _no_options(options: dict[str, Any]) -> None:
    if options:
        raise QonysError(
            f"unknown option(s) {sorted(options)} for a KoboToolbox writer",
            where=Where(key=sorted(options)[0]),
            rule="write.unknown-option",
            hint="Options: group_headers, utc_offset (and title for kobo_xlsx).",
        )


def _parent(p: Path) -> Path:
    if not p.parent.is_dir():
        raise WriteError(
            "the folder to write into does not exist",
            where=Where(file=str(p)),
            rule="write.no-folder",
            hint="Create the folder first.",
        )
    return p


@WRITERS.register("kobo_xlsx", doc="KoboToolbox XLSX export (main table and repeat sheets)")
def write_kobo_xlsx(
    dataset: Dataset,
    path: str | Path,
    *,
    title: str | None = None,
    group_headers: bool = True,
    utc_offset: str = "+00:00",
    **options: Any,
) -> list[Path]:
    """Write the dataset as KoboToolbox's XLSX export (see the module docstring).

    Parameters
    ----------
    dataset : Dataset
        Main table and repeat tables (``Dataset.rosters``).
    path : str or Path
        The ``.xlsx`` file.
    title : str, optional
        Name of the main sheet before cutting (default: the codebook's title).
    group_headers : bool
        Put the group path in headers (``group/question``).
    utc_offset : str
        Offset in which date-times with a time zone are written (``"+05:00"`` for Kazakhstan).

    Returns
    -------
    list of Path
        The file written.
    """
    _no_options(options)
    p = _parent(Path(path))
    tz = _tz(utc_offset)
    tables = _tables(dataset, title, group_headers, tz)
    write_workbook(p, [Sheet(name, h, c, num, n) for name, h, c, num, n in tables])
    return [p]
