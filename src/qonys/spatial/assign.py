"""Assigning respondents to districts: from a district code, an address, or a geopoint.

Every respondent gets a qonys district code (``7504``) or a missing value with a reason:

``missing answer``
    no value, or a missing code (``98`` don't know, ``99`` refused by default): never an error;
``unknown code`` / ``no district named`` / ``ambiguous address`` / ``outside the districts`` /
``district of another city``
    values that should have matched and did not: an error under ``unknown="fail"`` (default),
    missing values reported in :attr:`Assignment.unmatched` under ``unknown="missing"``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core import DataError, Meta, ResultMixin, UnknownCodePolicy, Where, check_policy
from .._core import tidy_frame as _tidy
from ._names import _fold, _latin, token_matches, tokens
from .boundaries import Boundaries
from .registry import City, District, city, district, districts

__all__ = ["Assignment", "assign_districts", "match_address", "parse_geopoint"]

_KEYWORDS = frozenset({"raion", "rn", "r", "audani", "audan", "aud", "district", "distr", "dist"})


@dataclasses.dataclass(frozen=True, slots=True)
class Assignment(ResultMixin):
    """Districts assigned to respondents.

    Attributes
    ----------
    codes : pandas.Series
        qonys district code per respondent (``Int64``, ``<NA>`` when not assigned), on the
        index of the data.
    method : {"code", "address", "point"}
    unmatched : pandas.DataFrame
        ``row`` (1-based), ``value``, ``reason`` for every respondent without a district,
        missing answers included.
    approximate : bool
        Points were placed in approximate districts (no boundary file).
    meta : Meta
    """

    codes: pd.Series
    method: str
    unmatched: pd.DataFrame
    approximate: bool
    meta: Meta

    def to_frame(self) -> pd.DataFrame:
        """Respondents per district (``n``), then one row per reason for the unassigned."""
        rows = []
        counts = self.codes.value_counts(dropna=True)
        for code in sorted(int(c) for c in counts.index):
            d = district(code)
            rows.append(
                {
                    "variable": "district",
                    "level": d.geo_id,
                    "domain": city(d.city).id,
                    "n": int(counts[code]),
                    "code": code,
                    "reason": None,
                }
            )
        for reason, n in self.unmatched["reason"].value_counts(sort=False).items():
            rows.append(
                {
                    "variable": "district",
                    "level": None,
                    "domain": None,
                    "n": int(n),
                    "code": None,
                    "reason": str(reason),
                }
            )
        return _tidy(rows, extra=("code", "reason"))


def match_address(text: object, city_key: City | str | int) -> tuple[District | None, str]:
    """Find the district named in a free-text address.

    A district name next to a word for *district* (``район``, ``р-н``, ``ауданы``,
    ``district``) wins; otherwise the address must name exactly one district of the city.

    Returns
    -------
    (District or None, str)
        The district and ``"matched"``, or ``None`` and the reason.

    Examples
    --------
    >>> d, why = match_address("г. Алматы, Бостандыкский р-н, ул. Тимирязева 42", "almaty")
    >>> d.code, why
    (7504, 'matched')
    >>> match_address("Астана, пр. Абая 10", "astana")
    (None, 'no district named')
    """
    words = tokens(text)
    raw = _raw_words(text)
    if not words:
        return None, "missing answer"
    pool = districts(city_key)
    hits: dict[int, bool] = {}
    for i, w in enumerate(words):
        cands = [w]
        if i + 1 < len(words):
            cands.append(w + words[i + 1])
        for d in pool:
            if any(token_matches(c, d.match_keys()) for c in cands):
                near = _near_keyword(raw, w)
                hits[d.code] = hits.get(d.code, False) or near
    if not hits:
        return None, "no district named"
    flagged = [c for c, near in hits.items() if near]
    chosen = flagged if flagged else list(hits)
    if len(chosen) == 1:
        return district(chosen[0]), "matched"
    return None, "ambiguous address"


def _raw_words(text: object) -> list[str]:
    if text is None:
        return []
    s = re.sub(r"(?<=\w)[-‐–'’`](?=\w)", "", _latin(str(text)))
    return [_fold(w) for w in re.findall(r"[a-z0-9]+", s)]


def _near_keyword(raw: list[str], word: str) -> bool:
    for i, w in enumerate(raw):
        if w == word:
            window = raw[max(0, i - 1) : i] + raw[i + 1 : i + 2]
            if any(x in _KEYWORDS for x in window):
                return True
    return False


def parse_geopoint(value: object) -> tuple[float, float] | None:
    """``(lon, lat)`` from an ODK/KoboToolbox geopoint (``"lat lon [alt [accuracy]]"``).

    Examples
    --------
    >>> parse_geopoint("43.2389 76.8897 850 5")
    (76.8897, 43.2389)
    >>> parse_geopoint("") is None
    True
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    parts = str(value).replace(",", " ").split()
    if len(parts) < 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return lon, lat


def _is_missing(value: object, missing_codes: Sequence[object]) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    text = str(value).strip()
    if text == "" or text.casefold() in ("nan", "none", "<na>"):
        return True
    if text.endswith(".0"):
        text = text[:-2]
    return text in {str(m) for m in missing_codes}


def assign_districts(
    data: pd.DataFrame,
    *,
    code: str | None = None,
    address: str | None = None,
    point: str | None = None,
    lonlat: tuple[str, str] | None = None,
    city: City | str | int | None = None,
    city_column: str | None = None,
    boundaries: Boundaries | Mapping[Any, Boundaries] | None = None,
    missing_codes: Sequence[object] = (98, 99),
    unknown: UnknownCodePolicy = "fail",
) -> Assignment:
    """Assign each respondent to a district of the registry.

    Give exactly one source: ``code`` (a column of qonys district codes, KATO codes, geo ids or
    district names, e.g. ``hou_district``), ``address`` (free text), ``point`` (an ODK geopoint
    column) or ``lonlat`` (two columns, longitude and latitude).

    Parameters
    ----------
    data : pandas.DataFrame
    code, address, point, lonlat
        The source (see above).
    city : optional
        The city of every respondent; or ``city_column``: a column of city codes (``scr_city``).
        Needed for addresses and points; for codes it is used to check them.
    boundaries : Boundaries or mapping city -> Boundaries, optional
        Polygons for points; approximate districts otherwise (noted in the result).
    missing_codes : sequence
        Values that are missing answers, not unknown codes.
    unknown : {"fail", "missing"}
        Values that match no district: raise (default), or leave missing and report.

    Returns
    -------
    Assignment

    Raises
    ------
    DataError
        Unknown values under ``unknown="fail"`` (rule ``spatial.unmatched``); a point file with
        latitude and longitude swapped (``spatial.swapped-coordinates``).

    Examples
    --------
    >>> df = pd.DataFrame({"hou_district": [7504, 7504, 98, 7101], "scr_city": [75, 75, 75, 71]})
    >>> a = assign_districts(df, code="hou_district", city_column="scr_city")
    >>> a.codes.tolist()
    [7504, 7504, <NA>, 7101]
    >>> a.unmatched[["row", "reason"]].values.tolist()
    [[3, 'missing answer']]
    """
    check_policy(unknown, UnknownCodePolicy, "unknown")
    given = [
        k
        for k, v in {"code": code, "address": address, "point": point, "lonlat": lonlat}.items()
        if v is not None
    ]
    if len(given) != 1:
        raise DataError(
            "give exactly one of code=, address=, point= or lonlat=",
            where=Where(key="assign_districts"),
            rule="spatial.assign-source",
            hint="code='hou_district' for the instrument's district question.",
        )
    cols = [c for c in (code, address, point, city_column) if c] + list(lonlat or ())
    for col in cols:
        if col not in data.columns:
            raise DataError(
                f"column {col!r} is not in the data",
                where=Where(variable=col),
                rule="data.unknown-column",
                hint="Check the column name.",
            )
    cities_of = _cities(data, city, city_column)
    method = given[0]
    approx = False
    if method == "code":
        out = [_from_code(v, c, missing_codes) for v, c in zip(data[code], cities_of, strict=True)]
        values = list(data[code])
    elif method == "address":
        out = [_from_address(v, c) for v, c in zip(data[address], cities_of, strict=True)]
        values = list(data[address])
    else:
        from .points import points_to_districts

        if point is not None:
            pts = [parse_geopoint(v) for v in data[point]]
            values = list(data[point])
        else:
            lon_c, lat_c = lonlat  # type: ignore[misc]
            pts = [_lonlat(x, y) for x, y in zip(data[lon_c], data[lat_c], strict=True)]
            values = [None if p is None else f"{p[0]} {p[1]}" for p in pts]
        out, approx = points_to_districts(pts, cities_of, boundaries)
    codes = pd.Series([d for d, _ in out], index=data.index, dtype="Int64", name="district")
    bad = [(i, v, r) for i, ((d, r), v) in enumerate(zip(out, values, strict=True)) if d is None]
    unmatched = pd.DataFrame(
        [{"row": i + 1, "value": v, "reason": r} for i, v, r in bad],
        columns=["row", "value", "reason"],
    )
    wrong = unmatched[unmatched["reason"] != "missing answer"]
    src = code or address or point or "/".join(lonlat or ())
    if len(wrong) and unknown == "fail":
        first = wrong.iloc[0]
        raise DataError(
            f"{len(wrong)} respondent(s) could not be assigned to a district; first: "
            f"row {first['row']}, value {first['value']!r} ({first['reason']})",
            where=Where(variable=src, row=int(first["row"])),
            rule="spatial.unmatched",
            hint="Fix the values, or pass unknown='missing' to keep them as missing (reported).",
        )
    notes = [
        f"{n} respondent(s) not assigned: {r}"
        for r, n in unmatched["reason"].value_counts(sort=False).items()
    ]
    if approx:
        notes.append("points placed in approximate districts (no boundary file)")
    meta = Meta(
        method=f"district assignment from {method}",
        call={"source": src, "city": getattr(city, "id", city), "city_column": city_column},
        policies={"unknown": unknown},
        notes=tuple(notes),
        n_used=int(codes.notna().sum()),
        n_dropped=int(codes.isna().sum()),
    )
    return Assignment(codes, method, unmatched, approx, meta)


def _lonlat(x: object, y: object) -> tuple[float, float] | None:
    try:
        fx, fy = float(x), float(y)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(fx) or np.isnan(fy) else (fx, fy)


def _cities(data: pd.DataFrame, c: Any, column: str | None) -> list[City | None]:
    if c is not None and column is not None:
        raise DataError(
            "give city= or city_column=, not both",
            where=Where(key="city"),
            rule="spatial.assign-city",
            hint="Use city_column for multi-city data.",
        )
    if column is None:
        one = city(c) if c is not None else None
        return [one] * len(data)
    out: list[City | None] = []
    for v in data[column]:
        try:
            out.append(None if _is_missing(v, ()) else city(str(v).removesuffix(".0")))
        except DataError:
            out.append(None)
    return out


def _from_code(v: object, c: City | None, missing: Sequence[object]) -> tuple[int | None, str]:
    if _is_missing(v, missing):
        return None, "missing answer"
    text = str(v).strip().removesuffix(".0")
    try:
        d = district(text, city=c) if c is not None else district(text)
    except DataError as err:
        if c is not None:
            try:
                district(text)
            except DataError:
                pass
            else:
                return None, "district of another city"
        return (
            None,
            "ambiguous code" if err.rule == "spatial.ambiguous-district" else "unknown code",
        )
    return d.code, "matched"


def _from_address(v: object, c: City | None) -> tuple[int | None, str]:
    if _is_missing(v, ()):
        return None, "missing answer"
    if c is None:
        return None, "unknown city"
    d, why = match_address(v, c)
    return (d.code, why) if d is not None else (None, why)
