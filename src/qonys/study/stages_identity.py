"""The ``identity`` stage: Berry-type identity classes of migrants, by city (METHODS 3).

Each *grid* crosses an origin (heritage, H) identity with a destination (mainstream, M)
identity, both scale scores of the codebook (means of the keyed items, half the items needed):
the standard instrument has rural x urban identity (``idn_rural``, ``idn_urban``) and
small-town x big-city identity (``idn_smalltown``, ``idn_bigcity``). Respondents fall into four
classes (METHODS 3.4): bicultural (both high), urbanised (destination only), origin-oriented
(rural or small-town) and diffuse (neither), by up to three methods:

``midpoint``
    high = above the scale's theoretical midpoint (3 on 1-5), comparable across cities and
    studies; the tie rule ``high_if`` decides scores exactly at the cut (``split``: half in
    each class, the default, because means of four integer items often sit on 3; ``>``;
    ``>=``);
``median``
    cuts at the design-weighted medians (relative to the sample: classes are not comparable
    across studies, and the split forces balanced cells);
``lpa``
    latent profiles: a Gaussian mixture (diagonal covariances, ``profiles`` components) fitted
    to (H, M) with the design weights; membership is the posterior probability and each
    profile is named after the class its mean falls in.

Shares are design-based means of the memberships (:func:`qonys.measure.bidimensional.
berry_shares`), overall and by city, with 95% confidence intervals, design effects, the
unweighted n and the Wald F test of equal shares across cities. *Certainty* is, for the split
methods, the probability that both true scores lie on the observed side of the cuts under
the scales' measurement error (reliability: Cronbach's alpha), for latent profiles the mean
posterior probability of the members' profile.

Options (``[analyses.identity]``): ``grids`` (``{name = [H scale, M scale]}``), ``methods``,
``high_if``, ``midpoint`` (default: the middle of the H scale's range), ``profiles`` (4),
``by`` (default the city variable).
"""

from __future__ import annotations

from typing import Any

from .._core import StudyError, Where
from ..measure.bidimensional import TieRule, berry_profiles, berry_shares
from ..measure.survey_scales import score_scales
from ..report.model import Cell, Column, Note, Row, Section, StatLine, Table
from ..report.text import Labels, Msg, Text
from .options import Option, declare_options, in_range, pairs_of_names
from .portrait_tables import CALIBRATED_F, L, estimates_by, num, scale_title, weighting_of
from .stages import StudyContext, register_stage
from .survey import survey_data

__all__ = ["GRIDS", "GRID_LABELS", "METHODS", "identity_stage"]

GRIDS: dict[str, tuple[str, str]] = {
    "rural_urban": ("idn_rural", "idn_urban"),
    "town_city": ("idn_smalltown", "idn_bigcity"),
}
"""Default grids: name -> (origin scale, destination scale) of the standard instrument."""

METHODS: tuple[str, ...] = ("midpoint", "median", "lpa")

GRID_TITLES: dict[str, Labels] = {
    "rural_urban": L(
        "Rural and urban identity",
        "Сельская и городская идентичность",
        "Ауылдық және қалалық сәйкестік",
    ),
    "town_city": L(
        "Small-town and big-city identity",
        "Идентичность малого и большого города",
        "Шағын қалалық және үлкен қалалық сәйкестік",
    ),
}

GRID_LABELS: dict[str, dict[str, Labels]] = {
    "rural_urban": {
        "integration": L("Bicultural", "Бикультурная", "Бимәдени"),
        "assimilation": L("Urbanised", "Урбанизированная", "Урбандалған"),
        "separation": L("Rural-oriented", "Ориентированная на село", "Ауылға бағдарланған"),
        "marginalisation": L("Diffuse", "Диффузная", "Диффузды"),
    },
    "town_city": {
        "integration": L("Bicultural", "Бикультурная", "Бимәдени"),
        "assimilation": L(
            "Big-city oriented", "Ориентированная на большой город", "Үлкен қалаға бағдарланған"
        ),
        "separation": L(
            "Small-town oriented", "Ориентированная на малый город", "Шағын қалаға бағдарланған"
        ),
        "marginalisation": L("Diffuse", "Диффузная", "Диффузды"),
    },
}
"""Class names of the default grids (METHODS 3.4; the glossary's terms)."""

_BERRY: dict[str, Labels] = {
    "integration": L("Integration", "Интеграция", "Интеграция"),
    "assimilation": L("Assimilation", "Ассимиляция", "Ассимиляция"),
    "separation": L("Separation", "Сепарация", "Сепарация"),
    "marginalisation": L("Marginalisation", "Маргинализация", "Маргиналдану"),
}


def _method_title(method: str, grid: Text) -> Msg:
    if method == "midpoint":
        return Msg("{grid}: classes by the scale midpoint (%)", grid=grid)
    if method == "median":
        return Msg("{grid}: classes by the sample medians (%)", grid=grid)
    return Msg("{grid}: latent profiles (%)", grid=grid)


declare_options(
    "identity",
    {
        "grids": Option(
            (dict,),
            "a table {name = [origin scale, destination scale]}",
            names="scale",
            check=pairs_of_names,
        ),
        "methods": Option((list,), "a list of methods", choices=METHODS),
        "high_if": Option((str,), "tie rule at the cut", choices=("split", ">", ">=")),
        "midpoint": Option((float,), "the scale midpoint (3 on a 1-5 scale)"),
        "profiles": Option((int,), "number of latent profiles (2 to 9)", check=in_range(2, 9)),
        "by": Option((str,), "domain variable (default: the city variable)", names="variable"),
    },
)


def _fail(msg: str, key: str, hint: str) -> StudyError:
    return StudyError(
        msg, where=Where(key=f"analyses.identity.{key}"), rule="study.option-value", hint=hint
    )


def _grids(opts: dict[str, Any]) -> dict[str, tuple[str, str]]:
    raw = opts.get("grids", GRIDS)
    out: dict[str, tuple[str, str]] = {}
    for name, pair in raw.items():
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise _fail(
                f"grid {name!r} must name two scales; got {pair!r}",
                "grids",
                f'Write {name} = ["origin scale", "destination scale"].',
            )
        out[str(name)] = (str(pair[0]), str(pair[1]))
    return out


def _class_label(grid: str, cls: str) -> Labels:
    base, _, k = cls.partition(" ")
    lab = GRID_LABELS.get(grid, _BERRY).get(base, L(base, base, base))
    if not k:
        return lab
    return L(*(f"{lab.get(x)} {k}" for x in ("en", "ru", "kk")))


def _table(
    res: Any,
    grid: str,
    title: Text,
    by: str | None,
    cb: Any,
    ctx: StudyContext,
    weighting: Text,
    key: str,
) -> Any:
    f = res.shares.copy()
    extra: dict[str, Text] = {}
    if "certainty" in f.columns and f["certainty"].notna().any():
        f["certainty"] = f["certainty"] * 100.0
        extra["certainty"] = Msg("Certainty (%)")
    labels = {c: _class_label(grid, c) for c in res.classes}
    t = estimates_by(
        f,
        by=by,
        codebook=cb,
        rules=ctx.rules,
        weighting=weighting,
        title=title,
        key=key,
        percent=True,
        level_labels=labels,
        extra=extra,
        decimals=1,
        base_n=int(res.meta.n_used or 0),
    )
    ok = res.test is not None and len(res.test)
    if ok and abs(float(res.test.iloc[0]["statistic"])) < CALIBRATED_F:
        row = res.test.iloc[0]
        line = StatLine(
            "F",
            float(row["statistic"]),
            (float(row["ndf"]), float(row["ddf"])),
            float(row["p_value"]),
            label=Msg("Equal shares in every city"),
        )
        t = _with_lines(t, line)
    return t


def _with_lines(t: Any, *lines: StatLine) -> Any:
    import dataclasses

    return dataclasses.replace(t, stat_lines=(*t.stat_lines, *lines))


def _grid_section(
    ctx: StudyContext,
    sd: Any,
    name: str,
    h: str,
    m: str,
    opts: dict[str, Any],
    by: str | None,
    weighting: Text,
) -> Section | None:
    from ..typology import LatentProfileModel

    cb = sd.codebook
    scored = score_scales(sd, [h, m], prefix="_idn_")
    alpha = dict(zip(scored.table["scale"], scored.table["alpha"], strict=True))
    hs, ms = scored.columns[h], scored.columns[m]
    data = scored.data
    if data.data[[hs, ms]].notna().all(axis=1).sum() < 10:
        return None
    scale = cb.scale(h)
    mid = float(opts.get("midpoint", (float(scale.low) + float(scale.high)) / 2.0))
    rule: TieRule = opts.get("high_if", "split")
    grid_title: Text = GRID_TITLES.get(
        name, Msg("{a} x {b}", a=scale_title(cb, h), b=scale_title(cb, m))
    )
    rel = (float(alpha[h]), float(alpha[m]))
    elements: list[Any] = [
        Note(
            Msg(
                "Scores: {h} (alpha = {ah}) and {m} (alpha = {am}), means of the items on their "
                "1-5 scale; {n} respondents have both.",
                h=scale_title(cb, h),
                m=scale_title(cb, m),
                ah=num(rel[0]),
                am=num(rel[1]),
                n=int(data.data[[hs, ms]].notna().all(axis=1).sum()),
            )
        )
    ]
    for method in opts.get("methods", list(METHODS)):
        if method == "lpa":
            k = int(opts.get("profiles", 4))
            model = LatentProfileModel(k, n_init=3, tol=1e-4, random_state=ctx.seed)
            res = berry_profiles(data, hs, ms, model, midpoint=mid, by=by, name=name)
        else:
            res = berry_shares(
                data,
                hs,
                ms,
                method=method,
                midpoint=mid,
                high_if=rule,
                by=by,
                reliability=rel,
                name=name,
            )
        title = _method_title(method, grid_title)
        elements.append(
            _table(res, name, title, by, cb, ctx, weighting, f"identity.{name}.{method}")
        )
        if method == "lpa":
            elements.append(_profiles_table(res, name, grid_title, weighting))
            if "EM did not converge" in res.meta.notes:
                elements.append(
                    Note(
                        Msg(
                            "The latent profile model did not converge: its profiles are "
                            "provisional; fit fewer profiles (option profiles)."
                        ),
                        kind="warning",
                    )
                )
        elements.append(Note(_method_note(method, res, mid, rule)))
    return Section(grid_title, tuple(elements), key=f"identity.{name}")


def _method_note(method: str, res: Any, mid: float, rule: str) -> Text:
    tie = {"split": Msg("half in each class"), ">": Msg("low"), ">=": Msg("high")}[rule]
    if method == "midpoint":
        return Msg(
            "High means above the midpoint {cut}; a score exactly at it counts as {tie}. "
            "Certainty: probability that both true scores lie on the same side of the cut, "
            "given the scales' reliability.",
            cut=num(mid, 1) if not float(mid).is_integer() else int(mid),
            tie=tie,
        )
    if method == "median":
        return Msg(
            "High means above the weighted sample median (origin {ch}, destination {cm}); a "
            "score exactly at it counts as {tie}. Median classes are relative to this sample "
            "and cannot be compared across studies.",
            ch=num(res.cuts[0]),
            cm=num(res.cuts[1]),
            tie=tie,
        )
    ent = next((n for n in res.meta.notes if n.startswith("relative entropy")), "")
    value = ent.replace("relative entropy", "").strip()
    return Msg(
        "Latent profiles: Gaussian mixture with {k} profiles on the two scores, fitted with the "
        "design weights; relative entropy {entropy}. Certainty: mean posterior probability of "
        "the members' profile. Standard errors treat the profiles as fixed.",
        k=len(res.profiles),
        entropy=num(float(value)) if value else "-",
    )


def _profiles_table(res: Any, grid: str, grid_title: Text, weighting: Text) -> Table:
    rows = tuple(
        Row(
            _class_label(grid, str(r["class"])),
            (
                Cell(100.0 * float(r["weight"])),
                Cell(float(r["mean_h"])),
                Cell(float(r["mean_m"])),
                Cell(float(r["sd_h"])),
                Cell(float(r["sd_m"])),
            ),
        )
        for r in res.profiles.to_dict("records")
    )
    cols = (
        Column("weight", Msg("Profile size (%)"), kind="percent"),
        Column("mean_h", Msg("Origin identity: mean"), kind="estimate"),
        Column("mean_m", Msg("Destination identity: mean"), kind="estimate"),
        Column("sd_h", Msg("Origin identity: SD"), kind="estimate"),
        Column("sd_m", Msg("Destination identity: SD"), kind="estimate"),
    )
    return Table(
        title=Msg("{grid}: latent profile means", grid=grid_title),
        columns=cols,
        rows=rows,
        base_n=int(res.meta.n_used or 0),
        weighting=weighting,
        kind="estimates",
        key=f"identity.{grid}.lpa.profiles",
    )


@register_stage("identity", after=("weight", "portrait", "motives"))
def identity_stage(ctx: StudyContext) -> list[Any]:
    """Berry-type identity classes by grid and method (see the module docstring)."""
    sd = survey_data(ctx)
    if sd is None or sd.codebook is None:
        return []
    opts = dict(ctx.options)
    k = int(opts.get("profiles", 4))
    if not 2 <= k <= 9:
        raise _fail(f"profiles must be 2 to 9; got {k}", "profiles", "Four profiles is usual.")
    city = str(opts.get("by", ctx.config.city_variable or ""))
    by = city if city and city in sd.data.columns else None
    weighting = weighting_of(sd)
    scales = {s.name for s in sd.codebook.scales}
    out: list[Any] = []
    for name, (h, m) in _grids(opts).items():
        if h not in scales or m not in scales:
            continue  # the codebook lacks the grid: no section (option names are checked early)
        items = [*sd.codebook.scale(h).items, *sd.codebook.scale(m).items]
        if not all(i in sd.data.columns for i in items):
            continue
        sec = _grid_section(ctx, sd, name, h, m, opts, by, weighting)
        if sec is not None:
            out.append(sec)
    return out
