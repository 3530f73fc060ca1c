"""Parquet survey data with the codebook embedded and as a sidecar (see :mod:`.tabular`).

The main table's Parquet key-value metadata carries the sidecar's YAML text under the key
``qonys.codebook``, so a Parquet file alone keeps its labels and missing codes; the sidecar
next to it wins when both exist (it is the one users edit). Rosters are
``<stem>.<roster>.parquet``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .._core import Codebook, Dataset, QonysError, ReadError, Where, WriteError
from ._registry import READERS, WRITERS
from ._tabular_common import (
    Meta,
    check_options,
    check_writable,
    convert_table,
    finish,
    resolve_meta,
    roster_path,
    write_sidecar,
)

__all__ = ["METADATA_KEY", "read_parquet", "write_parquet"]

METADATA_KEY = b"qonys.codebook"


def _corrupt(path: Path, err: BaseException) -> ReadError:
    return ReadError(
        f"not a readable Parquet file ({type(err).__name__})",
        where=Where(file=str(path)),
        rule="parquet.corrupt",
        hint="Write the file again from its source; it may be truncated.",
    )


def _read_table(path: Path) -> tuple[pd.DataFrame, dict[bytes, bytes], bytes]:
    import pyarrow.parquet as pq

    try:
        raw = path.read_bytes()
        table = pq.read_table(path)
        frame = table.to_pandas()
    except QonysError:
        raise
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, TypeError...
        raise _corrupt(path, err) from None
    if len(set(map(str, frame.columns))) != len(frame.columns):
        raise ReadError(
            "the file has repeated column names",
            where=Where(file=str(path)),
            rule="parquet.duplicate-column",
            hint="Give every column a unique name.",
        )
    frame.columns = [str(c) for c in frame.columns]
    return frame.reset_index(drop=True), dict(table.schema.metadata or {}), raw


@READERS.register("parquet", doc="Parquet with an embedded and sidecar YAML codebook")
def read_parquet(
    path: Path,
    *,
    codebook: Codebook | None = None,
    encoding: str | None = None,
    **options: Any,
) -> Dataset:
    """Read a Parquet file (and its rosters' files) with its codebook.

    The codebook is the one given, else the sidecar, else the embedded one, else inferred
    from the column types. ``encoding`` is not used (Parquet text is UTF-8).
    """
    p = Path(path)
    check_options(options, str(p))
    frame, metadata, raw = _read_table(p)

    def embedded() -> str | None:
        text = metadata.get(METADATA_KEY)
        if text is None:
            return None
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError:
            raise _corrupt(p, ValueError("embedded codebook is not UTF-8")) from None

    meta: Meta = resolve_meta(p, codebook, embedded)
    main = convert_table(frame, meta, file=str(p), sheet=None, dtype_kinds=True)
    rosters: dict[str, pd.DataFrame] = {}
    for r in meta.codebook.rosters if meta.codebook is not None else ():
        rp = roster_path(p, r.name)
        if rp.is_file():
            rframe = _read_table(rp)[0]
            rosters[r.name] = convert_table(
                rframe, meta, file=str(rp), sheet=r.name, dtype_kinds=True
            )
        else:
            meta.notes.append(f"roster {r.name!r}: no file {rp.name}")
    return finish(main, rosters, meta, path=p, fmt="parquet", raw_bytes=raw, encoding=None)


def _arrow(frame: pd.DataFrame, file: str, sheet: str | None) -> Any:
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError):
        for c in frame.columns:
            try:
                pa.Table.from_pandas(frame[[c]], preserve_index=False)
            except (pa.ArrowException, ValueError, TypeError) as err:
                raise WriteError(
                    f"the column cannot be stored in Parquet ({type(err).__name__}: mixed or "
                    "unsupported value types)",
                    where=Where(file=file, sheet=sheet, variable=str(c)),
                    rule="parquet.mixed-types",
                    hint="Make every value of the column the same type (numbers or text).",
                ) from None
        raise


@WRITERS.register("parquet", doc="Parquet with an embedded and sidecar YAML codebook")
def write_parquet(dataset: Dataset, path: Path, **options: Any) -> list[Path]:
    """Write the main table (codebook embedded), one file per roster, and the sidecar."""
    import pyarrow.parquet as pq

    p = Path(path)
    check_options(options, str(p))
    check_writable(dataset, str(p))
    sidecar, text = write_sidecar(dataset, p)
    targets = [(p, dataset.data, None)] + [
        (roster_path(p, name), table, name) for name, table in dataset.rosters.items()
    ]
    written: list[Path] = []
    for target, frame, sheet in targets:
        table = _arrow(frame, str(target), sheet)
        if sheet is None:
            meta = dict(table.schema.metadata or {})
            meta[METADATA_KEY] = text.encode("utf-8")
            table = table.replace_schema_metadata(meta)
        try:
            pq.write_table(table, target)
        except OSError as err:
            raise WriteError(
                f"cannot write the file ({err.strerror or type(err).__name__})",
                where=Where(file=str(target)),
                rule="write.os-error",
                hint="Check that the folder exists and is writable.",
            ) from None
        written.append(target)
    return [*written, sidecar]
