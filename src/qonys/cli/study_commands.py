"""``qonys init`` and ``qonys run``: write a starter study file, run a study into a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, emit_json, err_console, out_console

__all__: list[str] = []


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@app.command("init")
def init_cmd(
    path: Annotated[
        Path, typer.Argument(help="Where to write the study file (a folder gets study.toml).")
    ] = Path("study.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter study file to edit before 'qonys run'."""
    from ..study import write_starter

    written = write_starter(path, force=force)
    out_console.print(f"written: {written}", markup=False)
    out_console.print(f"edit it, then run: qonys run {written}", markup=False)


@app.command("run")
def run_cmd(
    study: Annotated[Path, typer.Argument(help="The study file (study.toml).")],
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            "-l",
            help="Report language(s): kk, ru, en, kk-Latn (repeat or "
            "separate with commas). Default: the study file's.",
        ),
    ] = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f", help="Output format(s): html, docx, xlsx. Default: the study file's."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: the study file's).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Recompute every stage instead of reusing results.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Run a study: check the study file, run every available analysis, write the report.

    The study file is checked completely before any work; a mistake ends with exit code 2 and a
    message naming the key and the fix. Each stage shows a progress bar; a stage that fails is
    reported in its section and the others go on. Reports are written as report.<lang>.<format>
    in the output folder, with provenance (version, input hashes, seed, options, weighting).
    """
    from ..study import run_study

    result = run_study(
        study,
        languages=_split(lang),
        formats=_split(fmt),
        out=out,
        progress=not as_json,
        use_cache=not no_cache,
        console=err_console,
    )
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "out": str(result.out),
                "reports": [str(p) for p in result.paths],
                "stages": [
                    {"name": s.name, "status": s.status, "message": s.message}
                    for s in result.stages
                ],
            }
        )
        return
    for s in result.stages:
        if s.status in ("failed", "skipped"):
            out_console.print(f"{s.status}: {s.name}: {s.message}", markup=False)
    for p in result.paths:
        out_console.print(f"written: {p}", markup=False)
