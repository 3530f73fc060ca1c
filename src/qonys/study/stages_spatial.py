"""The ``settlement`` and ``segregation`` stages: where migrants live, and how segregated.

Data without the district, city or group variable give no section (a warning when the study
file configures the stage). Options (``[analyses.settlement]``; ``segregation`` reads the same
table unless it has its own):

``district``
    district code column (default ``hou_district``);
``city``
    city column (default ``data.city_variable``, else ``scr_city``);
``group``
    group column for the distribution over districts (default ``scr_origin_type``);
``focal``
    the value of ``group`` that marks the focal group (default ``1``: from a village); with
    ``recent_column`` and ``recent_max`` (e.g. ``scr_years_city`` and ``5``) only recent
    arrivals count;
``min_n``
    districts with fewer respondents are flagged and their values left off the maps (30);
``boundaries``
    ``{astana = "astana.geojson", ...}``: boundary files (relative to the study file); cities
    without one are drawn on approximate districts, and the map says so.

The survey design is the one of the ``weight`` stage when it returns a
:class:`~qonys.design.SurveyData`, else the ``[design]`` table of the study file.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from .._core import DataWarning, FrozenMap
from ..design import SurveyData
from ..report.estimates import estimates_table, weighting_note
from ..report.labels import level_label
from ..report.model import Figure, Note
from ..report.text import Labels, Msg
from ..report.translit import to_latin
from .portrait_tables import with_short_titles
from .spatial_tables import (
    city_codes,
    dissimilarity_table,
    district_distribution_table,
    indices_table,
    per_city_estimates_table,
)
from .stages import StudyContext, register_stage
from .survey import survey_data

__all__ = ["MapFigure", "segregation_stage", "settlement_stage"]

_LANGS = ("kk", "ru", "en")


@dataclasses.dataclass(frozen=True, slots=True)
class MapFigure(Figure):
    """A map drawn once per language (``images``); ``png`` is the English one."""

    images: Mapping[str, bytes] = dataclasses.field(default_factory=FrozenMap)

    def image(self, lang: str) -> bytes:
        """The PNG in ``lang`` (``kk-Latn`` has its own transliterated drawing)."""
        return self.images.get(lang) or self.images.get(lang.split("-")[0]) or self.png or b""


def _city_code(domain: Any) -> Any:
    """``"scr_city=71"`` -> ``71`` (the code as a number when it is one)."""
    text = domain.split("=", 1)[1] if isinstance(domain, str) and "=" in domain else domain
    try:
        return int(str(text).removesuffix(".0"))
    except ValueError:
        return text


def _options(ctx: StudyContext) -> dict[str, Any]:
    opts = dict(ctx.config.options.get("settlement", {}))
    opts.update(ctx.options)
    return opts


def _survey(ctx: StudyContext) -> SurveyData | None:
    return cast("SurveyData | None", survey_data(ctx))


def _focal(sd: SurveyData, opts: Mapping[str, Any]) -> SurveyData:
    group = str(opts.get("group", "scr_origin_type"))
    focal = str(opts.get("focal", 1)).removesuffix(".0")
    col = sd.column(group)
    flag = col.astype(str).str.removesuffix(".0") == focal
    rc = opts.get("recent_column")
    if rc:
        years = pd.to_numeric(sd.column(str(rc)), errors="coerce")
        flag &= years <= float(opts.get("recent_max", 5))
    frame = sd.data.copy()
    frame["_focal"] = np.where(col.isna(), np.nan, flag.to_numpy(dtype=float))
    return dataclasses.replace(sd, data=frame, _resolved=None)


def _missing(ctx: StudyContext, columns: list[str]) -> list[Any] | None:
    """``[]`` (no section) when the data lack the variables and the stage was not configured;
    a warning note when the study file asked for the stage explicitly."""
    frame = ctx.data.data if ctx.data is not None else None
    absent = columns if frame is None else [c for c in columns if c not in frame.columns]
    if not absent:
        return None
    if not ctx.options:
        return []
    names = ", ".join(absent)
    return [
        Note(
            Labels(
                en=f"Not computed: the data have no {names}.",
                ru=f"Не рассчитано: в данных нет {names}.",
                kk=f"Есептелмеді: деректерде {names} жоқ.",
            ),
            kind="warning",
        )
    ]


def _boundaries(ctx: StudyContext, city_code: object, opts: Mapping[str, Any]) -> Any:
    from ..spatial import approximate_districts, city, complete_boundaries, read_boundaries

    c = city(str(city_code).removesuffix(".0"))
    files = opts.get("boundaries", {}) or {}
    path = files.get(c.id) or files.get(str(c.code))
    if path:
        return complete_boundaries(read_boundaries(ctx.config.root / str(path), c, unknown="drop"))
    return approximate_districts(c)


def _map(
    b: Any,
    values: pd.Series,
    hidden: list[str],
    title: Labels,
    legend: Labels,
    percent: bool = False,
) -> MapFigure:
    from ..spatial.maps import choropleth

    images = {
        lang: choropleth(
            b,
            values,
            lang=lang,
            title=title.get(lang),
            legend=legend.get(lang),
            hidden=hidden,
            decimals=1 if percent else 2,
            percent=percent,
        )
        for lang in _LANGS
    }
    images["kk-Latn"] = choropleth(
        b,
        values,
        lang="kk",
        title=title.get("kk"),
        legend=legend.get("kk"),
        hidden=hidden,
        decimals=1 if percent else 2,
        percent=percent,
        text_filter=to_latin,
    )
    return MapFigure(
        title=title,
        png=images["en"],
        alt=title,
        kind="map",
        images=FrozenMap(images),
        notes=(Labels(en=b.attribution),),
    )


@register_stage("settlement", after=("weight", "sample"))
def settlement_stage(ctx: StudyContext) -> list[Any]:
    """District distribution by group, location quotients of the focal group, and maps."""
    from ..spatial import location_quotients, settlement_shares

    opts = _options(ctx)
    district = str(opts.get("district", "hou_district"))
    city_col = str(opts.get("city", ctx.config.city_variable or "scr_city"))
    group = str(opts.get("group", "scr_origin_type"))
    stop = _missing(ctx, [district, city_col, group])
    if stop is not None:
        return stop
    sd = _survey(ctx)
    if sd is None:  # pragma: no cover - _missing covers it
        return []
    min_n = int(opts.get("min_n", 30))
    with warnings.catch_warnings():  # the warning is also a note of the result, in the report
        warnings.simplefilter("ignore", DataWarning)
        shares = settlement_shares(sd, district=district, by=group, city=city_col, min_n=min_n)
    focal_sd = _focal(sd, opts)
    lq = location_quotients(focal_sd, group="_focal", district=district, city=city_col)
    cb = with_short_titles(sd.codebook)
    weighting = weighting_note(shares)
    sframe = shares.to_frame()
    out: list[Any] = [
        district_distribution_table(
            sframe,
            city=city_col,
            code=code,
            group=group,
            codebook=cb,
            rules=ctx.rules,
            weighting=weighting,
        )
        for code in city_codes(sframe, city_col)
    ]
    out.extend(Note(n) for n in shares.meta.notes)
    frame = lq.to_frame()
    frame[city_col] = [_city_code(d) for d in frame["domain"]]
    title = Labels(
        en="Location quotient of the focal group",
        ru="Коэффициент локализации",
        kk="Орналасу коэффициенті",
    )
    for code in city_codes(frame, city_col):
        out.append(
            per_city_estimates_table(
                frame,
                city=city_col,
                code=code,
                variable=district,
                codebook=cb,
                rules=ctx.rules,
                weighting=weighting_note(lq),
                title=Msg(
                    "Location quotient of the focal group by district: {city}",
                    city=level_label(cb, city_col, code),
                ),
                key=f"settlement.lq_{code}",
            )
        )
    for code in sorted(pd.unique(sd.column(city_col).dropna()), key=str):
        part = frame[frame["domain"] == f"{city_col}={code}"]
        values = pd.Series(part["estimate"].to_numpy(), index=part["geo_id"])
        hidden = [str(g) for g in part.loc[part["n"] < min_n, "geo_id"] if g]
        b = _boundaries(ctx, code, opts)
        name = Labels(en=b.city.name("en"), ru=b.city.name("ru"), kk=b.city.name("kk"))
        out.append(
            _map(
                b,
                values,
                hidden,
                Labels({k: f"{title.get(k)}: {name.get(k)}" for k in _LANGS}),
                title,
            )
        )
    return out


@register_stage("segregation", after=("settlement",))
def segregation_stage(ctx: StudyContext) -> list[Any]:
    """Dissimilarity with a design-based CI, further indices, and the Moran's I note."""
    from ..spatial import design_dissimilarity, segregation_indices, unit_counts

    opts = _options(ctx)
    district = str(opts.get("district", "hou_district"))
    city_col = str(opts.get("city", ctx.config.city_variable or "scr_city"))
    group = str(opts.get("group", "scr_origin_type"))
    stop = _missing(ctx, [district, city_col, group])
    if stop is not None:
        return stop
    sd = _survey(ctx)
    if sd is None:  # pragma: no cover
        return []
    focal_sd = _focal(sd, opts)
    cb = with_short_titles(sd.codebook)
    dd = design_dissimilarity(focal_sd, group="_focal", district=district, city=city_col)
    out: list[Any] = [
        dissimilarity_table(
            dd.to_frame(), city=city_col, codebook=cb, rules=ctx.rules, weighting=weighting_note(dd)
        )
    ]
    frame = focal_sd.data.assign(_w=focal_sd.weights)
    frame = frame[~frame[district].astype(str).str.removesuffix(".0").isin(["98", "99"])]
    results = []
    for code in sorted(pd.unique(frame[city_col].dropna()), key=str):
        part = frame[frame[city_col] == code]
        counts = unit_counts(part, district, "_focal", weight="_w", levels=[1.0, 0.0])
        res = segregation_indices(
            counts,
            focal=[1.0],
            domain=f"{city_col}={code}",
            indices=("dissimilarity", "isolation", "interaction", "entropy", "gini"),
        )
        results.append((code, res.to_frame()))
    out.append(indices_table(results, city=city_col, codebook=cb, weighting=weighting_note(dd)))
    out.append(
        Note(
            Labels(
                en="Moran's I and LISA are not reported: a city has 5 to 8 districts, too few "
                "units for spatial autocorrelation (at least 20 are needed).",
                ru="Индекс Морана и LISA не приводятся: в городе 5-8 районов, этого мало для "
                "пространственной автокорреляции (нужно не менее 20 единиц).",
                kk="Моран индексі мен LISA келтірілмейді: қалада 5-8 аудан бар, кеңістіктік "
                "автокорреляция үшін бұл аз (кемінде 20 бірлік қажет).",
            )
        )
    )
    return out


@register_stage(
    "city_image",
    after=("segregation",),
    title=Labels(en="Image of the city", ru="Образ города", kk="Қала бейнесі"),
)
def city_image_stage(ctx: StudyContext) -> list[Any]:
    """Semantic-differential profiles by city, and favourite and avoided places mapped."""
    from ..spatial import image_profiles, place_counts, profile_figure

    opts = dict(ctx.options)
    city_col = str(opts.get("city", ctx.config.city_variable or "scr_city"))
    frame = ctx.data.data if ctx.data is not None else None
    items = [] if frame is None else [str(c) for c in frame.columns if str(c).startswith("img_sd_")]
    places = [
        c
        for c in ("img_fav_district", "img_avoid_district")
        if frame is not None and c in frame.columns
    ]
    if not items and not places:
        return _missing(ctx, ["img_sd_*"]) or []
    sd = _survey(ctx)
    if sd is None:  # pragma: no cover
        return []
    by = [city_col] + [str(g) for g in opts.get("by", [])]
    out: list[Any] = []
    if items:
        prof = image_profiles(sd, items=items, by=by)
        pf = prof.to_frame()
        pf = pf.assign(domain=[_city_code(d) for d in pf["domain"]])
        out.append(
            estimates_table(
                pf,
                codebook=with_short_titles(sd.codebook),
                rules=ctx.rules,
                weighting=weighting_note(prof),
                title=Msg("Image of the city: mean ratings (1-7)"),
                domain_variable=city_col,
                key="city_image.profile",
            )
        )
        png = profile_figure(prof)
        out.append(
            Figure(
                title=Labels(
                    en="Profile of the city image",
                    ru="Профиль образа города",
                    kk="Қала бейнесінің профилі",
                ),
                png=png,
            )
        )
    legend = Labels(en="Share of mentions", ru="Доля упоминаний", kk="Аталу үлесі")
    for col in places:
        res = place_counts(sd, column=col, city=city_col)
        t = res.to_frame()
        fav = col == "img_fav_district"
        what = (
            Labels(en="Favourite places", ru="Любимые места", kk="Сүйікті орындар")
            if fav
            else Labels(en="Avoided places", ru="Избегаемые места", kk="Барудан қашатын орындар")
        )
        for code in sorted(pd.unique(t[city_col].dropna()), key=str):
            part = t[t[city_col] == code]
            b = _boundaries(ctx, code, opts if opts.get("boundaries") else _options(ctx))
            values = pd.Series(0.0, index=list(b.frame["geo_id"]))  # not named: 0 mentions
            values.update(pd.Series(part["estimate"].to_numpy(), index=part["geo_id"]))
            hidden = [str(g) for g in part.loc[part["mentions"] < ctx.rules.min_n, "geo_id"] if g]
            title = Labels({k: f"{what.get(k)}: {b.city.name(k)}" for k in _LANGS})
            out.append(
                per_city_estimates_table(
                    t.assign(**{c: 100 * t[c] for c in ("estimate", "se", "ci_low", "ci_high")}),
                    city=city_col,
                    code=code,
                    variable=None,
                    codebook=sd.codebook,
                    rules=ctx.rules,
                    weighting=weighting_note(res),
                    title=Labels({k: f"{what.get(k)}: {b.city.name(k)} (%)" for k in _LANGS}),
                    key=f"city_image.{col}_{code}",
                    decimals=1,
                )
            )
            out.append(_map(b, values, hidden, title, legend, percent=True))
    return out
