"""``qonys simulate``: write a synthetic study with known ground truth."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from .._core import DataWarning
from .app import app, emit_json, out_console

__all__: list[str] = []


@app.command("simulate")
def simulate_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the study into.")],
    n: Annotated[int, typer.Option("--n", help="Completed interviews with migrants.")] = 3000,
    n_locals: Annotated[
        int, typer.Option("--n-locals", help="Completed interviews with long-term residents.")
    ] = 1500,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed, the same files.")] = 7,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Survey-data formats, comma-separated: kobo_xlsx,kobo_csv,sav."
        ),
    ] = "kobo_xlsx,kobo_csv,sav",
    scale: Annotated[
        float,
        typer.Option("--scale", help="Fraction of the cities' population to simulate (0-1]."),
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Simulate a study of migrants and long-term residents in Astana, Almaty and Shymkent.

    Writes KoboToolbox exports (XLSX with the name-generator sheet, CSV), SPSS files with the
    design variables, design and fieldwork files, raking margins, and the ground truth
    (latent classes, tie types, population values) in ground_truth/, apart from the data.
    """
    from ..simulate import simulate_study, write_study

    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    study = simulate_study(n=n, n_locals=n_locals, seed=seed, scale=scale)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        written = write_study(study, out, formats=formats)
    notes = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    if as_json:
        emit_json(
            {
                "written": [str(p) for p in written],
                "notes": notes,
                "migrants": len(study.migrants.data),
                "locals": len(study.locals.data),
                "alters": len(study.migrants.rosters["net_alter"]),
                "seed": seed,
            }
        )
        return
    out_console.print(
        f"simulated {len(study.migrants.data)} migrants "
        f"({len(study.migrants.rosters['net_alter'])} people named), "
        f"{len(study.locals.data)} long-term residents, seed {seed}",
        markup=False,
    )
    for note in notes:
        out_console.print(f"note: {note}", markup=False)
    for p in written:
        out_console.print(f"written: {p}", markup=False)
