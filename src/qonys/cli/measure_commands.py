"""``qonys cfa``: fit a confirmatory factor analysis and print its fit and loadings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .._core import QonysError, ReadError, Where
from .app import app, emit_json, out_console

__all__: list[str] = []


def _read_frame(path: Path) -> pd.DataFrame:
    """Data through the io registry; plain CSV/Parquet while no reader is registered for them."""
    from .. import io

    try:
        return io.read(path).data
    except QonysError as err:
        if err.rule != "registry.unknown" or path.suffix.lower() not in (".csv", ".parquet"):
            raise
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except (OSError, ValueError) as ex:
        raise ReadError(
            f"cannot read {path.name}: {ex}", where=Where(file=path.name), rule="read.failed"
        ) from ex


@app.command("cfa")
def cfa_command(
    data: Annotated[Path, typer.Argument(help="Data file (CSV, Parquet or any readable format).")],
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model in lavaan syntax.")
    ] = None,
    model_file: Annotated[
        Path | None, typer.Option("--model-file", help="File holding the lavaan syntax.")
    ] = None,
    estimator: Annotated[str, typer.Option(help="ML, MLR or WLSMV.")] = "ML",
    group: Annotated[str | None, typer.Option(help="Multi-group model by this column.")] = None,
    group_equal: Annotated[
        str | None,
        typer.Option("--group-equal", help="Comma-separated: loadings,intercepts,residuals."),
    ] = None,
    ordered: Annotated[bool, typer.Option(help="Treat all indicators as ordered.")] = False,
    std_lv: Annotated[bool, typer.Option("--std-lv", help="Fix factor variances to 1.")] = False,
    missing: Annotated[str, typer.Option(help="fail or drop.")] = "fail",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fit a CFA (lavaan syntax) and print chisq, df, pvalue, CFI, TLI, RMSEA, SRMR and the
    standardised loadings."""
    from ..measure import cfa

    if (model is None) == (model_file is None):
        raise QonysError(
            "give exactly one of --model and --model-file",
            where=Where(key="model"),
            rule="cli.model",
            hint="--model 'f =~ a + b + c'",
        )
    text = model if model is not None else Path(str(model_file)).read_text(encoding="utf-8")
    frame = _read_frame(data)
    res = cfa(
        frame,
        text,
        estimator=estimator,  # type: ignore[arg-type]
        group=group,
        group_equal=[g for g in (group_equal or "").split(",") if g],
        ordered=True if ordered else None,
        std_lv=std_lv,
        missing=missing,  # type: ignore[arg-type]
    )
    summary = res.summary_dict()
    if json_out:
        emit_json(summary)
        return
    for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"):
        out_console.print(f"{k:>8}  {summary[k]:.6g}", markup=False)
    out_console.print(res.standardized_loadings().to_string(index=False), markup=False)
