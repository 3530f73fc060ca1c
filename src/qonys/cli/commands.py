"""The commands of ``qonys``, each a thin wrapper over one public function."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import survey_commands  # noqa: F401  (registers estimate and weight)
from .app import app, out_console

__all__: list[str] = []


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo's outputs.")] = Path(
        "demo-output"
    ),
) -> None:
    """Run the bundled demonstration and print where its outputs are."""
    from ..demo import run_demo

    for line in run_demo(out):
        out_console.print(line, markup=False)
