"""KoboToolbox's metadata of simulated submissions: interview times, ids, version, and the
link columns of repeat tables, typed as :mod:`qonys.io.kobo` reads them back."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core import Codebook
from ..io.kobo_write import KOBO_SUBMISSION_COPY
from .form import typed

__all__ = ["KZ_OFFSET", "main_meta", "roster_links", "typed_datetime"]

KZ_OFFSET = dt.timezone(dt.timedelta(hours=5))
"""Kazakhstan's single time zone since 1 March 2024 (UTC+5)."""


_DIGIT_RUN = re.compile(r"\d{9}")


def _uuid4(rng: np.random.Generator) -> str:
    """A random version-4 UUID without nine digits in a row (hyphens ignored), so that no
    part of it can be mistaken for a phone number or an IIN by the personal-data scan."""
    while True:
        text = str(uuid.UUID(bytes=rng.bytes(16), version=4))
        if not _DIGIT_RUN.search(text.replace("-", "")):
            return text


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def main_meta(
    starts: list[dt.datetime],
    ends: list[dt.datetime],
    form_seed: int,
    rng: np.random.Generator,
) -> tuple[dict[str, list[object]], pd.DataFrame]:
    """``meta_start`` / ``meta_end`` / ``meta_today`` answers and Kobo's meta columns.

    Returns the answers (ISO text, typed later with the form) and a frame of ``_id``,
    ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``, ``_status``,
    ``_submitted_by``, ``__version__``, ``_tags``, ``_index``.
    """
    n = len(starts)
    answers: dict[str, list[object]] = {
        "meta_start": [_iso(t) for t in starts],
        "meta_end": [_iso(t) for t in ends],
        "meta_today": [t.date().isoformat() for t in starts],
    }
    sent = [
        e + dt.timedelta(minutes=int(m)) for e, m in zip(ends, rng.integers(1, 240, n), strict=True)
    ]
    sub_text = [
        s.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") for s in sent
    ]
    # Kobo's _id is a 9-digit serial; 356 million onwards can never be read as an IIN
    # (the day digits of the zero-padded number are above 31)
    ids = 356_000_000 + form_seed % 400 * 100_000 + np.arange(1, n + 1)
    uuids = [_uuid4(rng) for _ in range(n)]
    letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    vrng = np.random.default_rng(form_seed)
    version = "v" + "".join(letters[int(i)] for i in vrng.integers(0, len(letters), 22))
    empty = pd.Series([None] * n, dtype="str")
    meta = pd.DataFrame(
        {
            "_id": pd.Series(ids, dtype="Int64"),
            "_uuid": pd.Series(uuids, dtype="str"),
            "_submission_time": typed_datetime(sub_text),
            "_validation_status": empty,
            "_notes": empty,
            "_status": pd.Series(["submitted_via_web"] * n, dtype="str"),
            "_submitted_by": empty,
            "__version__": pd.Series([version] * n, dtype="str"),
            "_tags": empty,
            "_index": pd.Series(np.arange(1, n + 1), dtype="Int64"),
        }
    )
    return answers, meta


def typed_datetime(texts: Sequence[str | None]) -> pd.Series:
    """Date-time texts typed as the Kobo reader types them."""
    from .._core import Variable

    return typed(Variable("_t", "datetime"), Codebook(), texts)


def roster_links(
    parent_meta: pd.DataFrame, parent_rows: np.ndarray, parent_title: str
) -> pd.DataFrame:
    """``_index``, ``_parent_table_name``, ``_parent_index`` and ``_submission__*`` columns."""
    m = parent_rows.size
    out = pd.DataFrame(
        {
            "_index": pd.Series(np.arange(1, m + 1), dtype="Int64"),
            "_parent_table_name": pd.Series([parent_title] * m, dtype="str"),
            "_parent_index": pd.Series(
                parent_meta["_index"].to_numpy()[parent_rows], dtype="Int64"
            ),
        }
    )
    for col in KOBO_SUBMISSION_COPY:
        src = parent_meta[col].iloc[parent_rows].reset_index(drop=True)
        out[f"_submission_{col}"] = src
    return out
