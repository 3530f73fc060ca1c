"""How respondents picture the city: semantic-differential profiles and mentioned places.

* :func:`image_profiles` - design-based mean of every semantic-differential item
  (``img_sd_*``, seven-point scales) by city and group, with SEs: the *profile* of the city
  image (Osgood's semantic differential; the instrument groups the items into evaluation,
  potency and activity);
* :func:`place_counts` - favourite (``img_fav_district``) or avoided (``img_avoid_district``)
  places counted per district: unweighted mentions and the design-based share of mentions;
* :func:`profile_figure` - the profile chart (items down, scale across, one line per group).

References
----------
Osgood C.E., Suci G.J., Tannenbaum P.H. (1957). The Measurement of Meaning. University of
Illinois Press.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._core import DataError, Meta, ResultMixin, Where, tidy_frame
from ..design import SurveyData
from ..estimate import mean, proportion
from .registry import district as find_district
from .settlement import _clean

__all__ = ["ImageResult", "image_profiles", "place_counts", "profile_figure"]


@dataclasses.dataclass(frozen=True, slots=True)
class ImageResult(ResultMixin):
    """City-image estimates (profiles or place counts) with design-based SEs."""

    table: pd.DataFrame
    meta: Meta
    title: str = "Image of the city"
    table_kind: str = "estimates"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()


def _clean_many(data: SurveyData, columns: Sequence[str], codes: Sequence[object]) -> SurveyData:
    for c in columns:
        data = _clean(data, c, codes)
    return data


def image_profiles(
    data: SurveyData,
    *,
    items: Sequence[str] | None = None,
    by: Sequence[str] = ("scr_city",),
    missing_codes: Sequence[object] = (98, 99),
    level: float = 0.95,
) -> ImageResult:
    """Mean rating of each semantic-differential item by city and group.

    Parameters
    ----------
    data : SurveyData
    items : sequence of str, optional
        Default: every column starting with ``img_sd_``.
    by : sequence of str
        Domains (``("scr_city", "form")`` compares migrants and long-term residents by city).
    missing_codes : sequence
        Don't know / refused codes, left out item by item.

    Returns
    -------
    ImageResult
        ``qonys.estimate.mean`` rows (one per item and domain) with SE and CI.
    """
    cols = (
        list(items)
        if items is not None
        else [str(c) for c in data.data.columns if str(c).startswith("img_sd_")]
    )
    if not cols:
        raise DataError(
            "no semantic-differential items (img_sd_*) in the data",
            where=Where(variable="img_sd_*"),
            rule="spatial.no-items",
            hint="Name the items with items=[...].",
        )
    clean = _clean_many(data, cols, missing_codes)
    frame = clean.data.copy()
    for c in cols:
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    # The ratings are scores: their means are wanted even where the codebook types the items
    # as select_one (which estimators would otherwise analyse level by level). Missing codes
    # were removed above, so the codebook is not needed any more.
    clean = dataclasses.replace(clean, data=frame, codebook=None, _resolved=None)
    est = mean(clean, cols, by=list(by) or None, missing="available", level=level)
    meta = est.meta.with_notes(f"missing codes {list(missing_codes)} left out item by item")
    return ImageResult(tidy_frame(est.to_frame()), meta, title="Profile of the city image")


def place_counts(
    data: SurveyData,
    *,
    column: str = "img_fav_district",
    city: str | None = "scr_city",
    missing_codes: Sequence[object] = (98, 99),
    level: float = 0.95,
) -> ImageResult:
    """Places (favourite or avoided) per district: mentions and design-based shares.

    Returns
    -------
    ImageResult
        One row per city and district: ``estimate`` the share of the city's mentions (with SE
        and CI), ``mentions`` the unweighted number of respondents naming the district, and
        ``geo_id`` for maps.
    """
    clean = _clean(data, column, missing_codes)
    est = proportion(clean, column, by=[city] if city else None, missing="drop", level=level)
    frame = est.to_frame()
    src = clean.data[clean.data[column].notna()]
    keys = [city, column] if city else [column]
    counts = src.groupby(keys).size()
    norm = {
        tuple(str(v).removesuffix(".0") for v in (k if isinstance(k, tuple) else (k,))): n
        for k, n in counts.items()
    }
    mentions = []
    for _, row in frame.iterrows():
        dom = [str(row[city]).removesuffix(".0")] if city else []
        mentions.append(int(norm.get((*dom, str(row["level"]).removesuffix(".0")), 0)))
    frame["mentions"] = mentions
    frame["level"] = [str(v).removesuffix(".0") for v in frame["level"]]
    frame["geo_id"] = [_geo(v) for v in frame["level"]]
    if city:
        own = [_same_city(lv, c) for lv, c in zip(frame["level"], frame[city], strict=True)]
        frame = frame[own].reset_index(drop=True)
    meta = est.meta.with_notes(f"{column}: share of the mentions in each city")
    return ImageResult(
        tidy_frame(frame, extra=("mentions", "geo_id")),
        meta,
        title=f"Places by district ({column})",
    )


def _same_city(code: str, city_value: object) -> bool:
    """Whether a district code belongs to the row's city (codes of other cities are dropped)."""
    try:
        return str(find_district(code).city) == str(city_value).removesuffix(".0")
    except DataError:
        return True


def _geo(code: object) -> str | None:
    try:
        return find_district(str(code).removesuffix(".0")).geo_id
    except DataError:
        return None


def profile_figure(
    result: ImageResult,
    *,
    labels: Mapping[str, str] | None = None,
    lo: float = 1,
    hi: float = 7,
    width: float = 6.4,
    dpi: int = 110,
) -> bytes:
    """PNG of a semantic-differential profile: items down, means across, a line per domain.

    ``labels`` maps item names to the text to print (the bipolar pair, in the report's
    language); by default the item names are printed.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    t = result.to_frame()
    items = list(dict.fromkeys(t["variable"]))
    lab = labels or {}
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 8}):
        fig = Figure(figsize=(width, 0.35 * len(items) + 1.4), dpi=dpi)
        ax = fig.add_subplot(1, 1, 1)
        ypos = np.arange(len(items))
        for dom, sub in t.groupby("domain", dropna=False, sort=True):
            vals = sub.set_index("variable").reindex(items)["estimate"].to_numpy(dtype=float)
            ax.plot(vals, ypos, marker="o", lw=1.2, label=str(dom))
        ax.set_yticks(ypos, [lab.get(i, i) for i in items])
        ax.invert_yaxis()
        ax.set_xlim(lo - 0.2, hi + 0.2)
        ax.set_xticks(np.arange(lo, hi + 1))
        ax.grid(axis="x", color="#dddddd")
        ax.legend(fontsize=7, frameon=False, loc="lower right")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
