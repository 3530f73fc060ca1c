"""``qonys estimate`` and ``qonys weight``: design-based estimates, survey models and weighting
from the shell.

Both commands read a data file, bind it to the design given by options, call one public
function of :mod:`qonys.estimate` or :mod:`qonys.design.weighting`, and print the result as a
table or, with ``--json``, as JSON (a list of rows for ``estimate``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from .._core import DataError, QonysError, Where
from ..design import ReplicateSpec, SurveyData, SurveyDesign, as_replicate
from ..design import weighting as wt
from .app import app, emit_json, out_console

__all__ = ["estimate_command", "weight_command"]

TIDY = ["variable", "level", "domain", "estimate", "se", "ci_low", "ci_high", "df", "deff", "n"]


def load_table(path: Path) -> pd.DataFrame:
    """Read survey data: through :func:`qonys.io.read` when a reader is registered for the
    format, otherwise CSV and Parquet directly."""
    try:
        from .. import io

        return io.read(path).data
    except QonysError as err:
        if err.rule not in ("registry.unknown", "io.unknown-format", "io.format"):
            raise
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError(
            f"file {path.name!r} does not exist",
            where=Where(file=path.name),
            rule="read.missing-file",
        )
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    raise DataError(
        f"cannot read {path.name!r}: no reader for this format",
        where=Where(file=path.name),
        rule="read.unknown-format",
        hint="Use CSV or Parquet, or a format qonys.io reads.",
    )


def build_design(
    weights: str | None,
    strata: list[str] | None,
    psu: list[str] | None,
    fpc: list[str] | None,
    nest: bool,
    lonely_psu: str,
    replicates: list[str] | None,
    replicate_type: str,
    scale: float | None,
) -> SurveyDesign:
    """The design from command-line options."""
    spec = None
    if replicates:
        spec = ReplicateSpec(
            columns=tuple(replicates),
            type=replicate_type,  # type: ignore[arg-type]
            scale=scale,
            rho=0.3 if replicate_type == "Fay" else None,
        )
    return SurveyDesign(
        weights=weights,
        strata=tuple(strata or ()),
        ids=tuple(psu or ()),
        fpc=tuple(fpc or ()),
        nest=nest,
        lonely_psu=lonely_psu,  # type: ignore[arg-type]
        replicates=spec,
    )


Weights = Annotated[str | None, typer.Option("--weights", "-w", help="Sampling weight column.")]
Strata = Annotated[list[str] | None, typer.Option("--strata", help="Stratum column (per stage).")]
Psu = Annotated[list[str] | None, typer.Option("--psu", help="Cluster column, one per stage.")]
Fpc = Annotated[
    list[str] | None, typer.Option("--fpc", help="Population size or fraction, one per stage.")
]
Nest = Annotated[bool, typer.Option("--nest", help="Cluster ids restart within strata.")]
Lonely = Annotated[
    str, typer.Option("--lonely-psu", help="fail, remove, adjust, average or certainty.")
]
Reps = Annotated[
    list[str] | None,
    typer.Option("--replicates", help="Replicate weight column (repeat for each)."),
]
RepType = Annotated[
    str,
    typer.Option("--replicate-type", help="JK1, JKn, BRR, Fay, bootstrap, subbootstrap or other."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("estimate")
def estimate_command(
    data: Annotated[Path, typer.Argument(help="Survey data file (CSV, Parquet, ...).")],
    weights: Weights = None,
    strata: Strata = None,
    psu: Psu = None,
    fpc: Fpc = None,
    nest: Nest = False,
    lonely_psu: Lonely = "fail",
    replicates: Reps = None,
    replicate_type: RepType = "other",
    scale: Annotated[
        float | None, typer.Option("--scale", help="Replicate variance scale.")
    ] = None,
    make_replicates: Annotated[
        str | None,
        typer.Option(
            "--make-replicates",
            help="Create replicate weights: JK1, JKn, BRR, Fay, bootstrap, subbootstrap.",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Bootstrap seed.")] = None,
    mean: Annotated[list[str] | None, typer.Option("--mean", help="Variable to average.")] = None,
    total: Annotated[list[str] | None, typer.Option("--total", help="Variable to total.")] = None,
    prop: Annotated[list[str] | None, typer.Option("--prop", help="Categorical variable.")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Domain variable.")] = None,
    missing: Annotated[str, typer.Option("--missing", help="fail, drop or available.")] = "fail",
    level: Annotated[float, typer.Option("--level", help="Confidence level.")] = 0.95,
    df: Annotated[str, typer.Option("--df", help="'design' or a number ('inf': normal).")] = (
        "design"
    ),
    glm: Annotated[
        list[str] | None, typer.Option("--glm", help='Survey GLM formula, "y ~ x1 + C(g)".')
    ] = None,
    family: Annotated[
        str,
        typer.Option("--family", help="gaussian, binomial, quasibinomial, poisson, quasipoisson."),
    ] = "gaussian",
    olr: Annotated[
        list[str] | None, typer.Option("--olr", help="Ordinal logistic model formula.")
    ] = None,
    multinom: Annotated[
        list[str] | None, typer.Option("--multinom", help="Multinomial logit formula.")
    ] = None,
    test: Annotated[
        list[str] | None,
        typer.Option("--test", help="Wald test that a model term is zero (repeat for more)."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="'memory' (default) or 'duckdb': reduce a Parquet file "
            "in DuckDB without loading it.",
        ),
    ] = "memory",
    as_json: Json = False,
) -> None:
    """Design-based means, totals, proportions and survey models (GLM, ordinal, multinomial)
    with SEs, intervals, df, deff and n."""
    from .. import estimate as est

    design = build_design(
        weights, strata, psu, fpc, nest, lonely_psu, replicates, replicate_type, scale
    )
    sd: Any
    if engine == "duckdb":
        if data.suffix.lower() not in (".parquet", ".pq"):
            raise QonysError(
                "--engine duckdb reads Parquet files",
                where=Where(file=data.name),
                rule="cli.engine-format",
                hint="Convert the data to Parquet.",
            )
        sd = est.scan(str(data), design)
    elif engine == "memory":
        sd = SurveyData(load_table(data), design)
        if make_replicates:
            sd = as_replicate(sd, make_replicates, seed=seed)  # type: ignore[arg-type]
    else:
        raise QonysError(
            f"unknown engine {engine!r}",
            where=Where(key="--engine"),
            rule="cli.engine",
            hint="Use memory or duckdb.",
        )
    dfv: Any = (
        "design" if df == "design" else (math.inf if df.lower() in ("inf", "normal") else float(df))
    )
    opts: dict[str, Any] = {"by": by or None, "missing": missing, "level": level, "df": dfv}
    parts = []
    if mean:
        parts.append(est.mean(sd, mean, **opts).to_frame().assign(statistic="mean"))
    if total:
        parts.append(est.total(sd, total, **opts).to_frame().assign(statistic="total"))
    if prop:
        parts.append(est.proportion(sd, prop, **opts).to_frame().assign(statistic="proportion"))
    parts += _models(est, sd, glm, family, olr, multinom, test, opts)
    if not parts:
        raise QonysError(
            "nothing to estimate",
            where=Where(key="--mean"),
            rule="cli.nothing-to-do",
            hint="Give --mean, --total, --prop, --glm, --olr or --multinom.",
        )
    table = pd.concat(parts, ignore_index=True)
    extra = [c for c in ("term", "test_statistic", "p_value", "outcome") if c in table.columns]
    cols = [*TIDY, "statistic", *extra, *[b for b in (by or []) if b in table.columns]]
    table = table[cols]
    if as_json:
        emit_json(table)
        return
    out_console.print(table.to_string(index=False, float_format=lambda x: f"{x:.6g}"), markup=False)


def _models(
    est: Any,
    sd: Any,
    glm: list[str] | None,
    family: str,
    olr: list[str] | None,
    multinom: list[str] | None,
    test: list[str] | None,
    opts: dict[str, Any],
) -> list[pd.DataFrame]:
    """Model rows for ``estimate``: coefficients (``statistic`` = the model), then term tests."""
    if (glm or olr or multinom) and not isinstance(sd, SurveyData):
        raise QonysError(
            "models need the data in memory",
            where=Where(key="--engine"),
            rule="cli.engine-models",
            hint="Use --engine memory for --glm, --olr and --multinom.",
        )
    kw = dict(opts)
    parts = []
    fits = [(f, est.glm(sd, f, family, **kw), f"glm {family}") for f in glm or []]
    fits += [(f, est.olr(sd, f, **kw), "olr") for f in olr or []]
    fits += [(f, est.multinom(sd, f, **kw), "multinom") for f in multinom or []]
    for _, model, kind in fits:
        frame = model.to_frame().rename(columns={"statistic": "test_statistic"})
        parts.append(frame.assign(statistic=kind))
        for term in test or []:
            t = est.reg_term_test(model, term).to_frame()
            t = t.rename(columns={"statistic": "test_statistic"}).assign(statistic=f"{kind} Wald F")
            parts.append(t.drop(columns=["ndf", "ddf"]))
    return parts


def read_margins(path: Path) -> dict[str, dict[str, float]]:
    """Margins file: columns ``variable, level, total`` (one row per level)."""
    m = load_table(path)
    need = {"variable", "level", "total"}
    if not need <= set(m.columns):
        raise DataError(
            f"margins file {path.name!r} needs columns variable, level, total",
            where=Where(file=path.name),
            rule="weighting.margin-format",
        )
    out: dict[str, dict[str, float]] = {}
    for _, r in m.iterrows():
        out.setdefault(str(r["variable"]), {})[str(r["level"])] = float(r["total"])
    return out


@app.command("weight")
def weight_command(
    data: Annotated[Path, typer.Argument(help="Survey data file.")],
    margins: Annotated[Path, typer.Option("--margins", help="CSV: variable, level, total.")],
    weights: Weights = None,
    strata: Strata = None,
    psu: Psu = None,
    fpc: Fpc = None,
    nest: Nest = False,
    method: Annotated[str, typer.Option("--method", help="rake, poststratify or calibrate.")] = (
        "rake"
    ),
    distance: Annotated[str, typer.Option("--distance", help="Calibration distance.")] = "linear",
    lower: Annotated[float | None, typer.Option("--lower", help="Lower bound (g).")] = None,
    upper: Annotated[float | None, typer.Option("--upper", help="Upper bound (g).")] = None,
    name: Annotated[str, typer.Option("--name", help="New weight column.")] = "weight_adj",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the data with the new weights (CSV or Parquet)."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Adjust weights to population margins and report what they achieve."""
    frame = load_table(data)
    sd = SurveyData(
        frame, build_design(weights, strata, psu, fpc, nest, "fail", None, "other", None)
    )
    spec = read_margins(margins)
    if method == "rake":
        res = wt.rake(sd, spec, name=name)
    elif method == "poststratify":
        if len(spec) != 1:
            raise QonysError(
                "post-stratification takes one variable",
                where=Where(key="--margins"),
                rule="cli.poststratify-margins",
                hint="Cross the variables into one column, or use --method rake.",
            )
        var, pop = next(iter(spec.items()))
        res = wt.poststratify(sd, var, pop, name=name)
    elif method == "calibrate":
        bounds = (
            None
            if lower is None and upper is None
            else (-math.inf if lower is None else lower, math.inf if upper is None else upper)
        )
        res = wt.calibrate(sd, spec, distance=distance, bounds=bounds, name=name)
    else:
        raise QonysError(
            f"unknown method {method!r}",
            where=Where(key="--method"),
            rule="cli.weight-method",
            hint="rake, poststratify or calibrate.",
        )
    if out is not None:
        result = frame.assign(**{name: res.weights})
        if out.suffix.lower() in (".parquet", ".pq"):
            result.to_parquet(out, index=False)
        else:
            result.to_csv(out, index=False)
    if as_json:
        emit_json(
            {
                "method": res.method,
                "margins": res.margins,
                "weights": dict(res.stats),
                "notes": list(res.meta.notes),
            }
        )
        return
    out_console.print(res.summary(), markup=False)
