"""The bundled demonstration: simulate a study, validate it, convert it, report on it.

:func:`run_demo` is what ``qonys demo`` (and ``make demo``) runs:

1. simulate the synthetic study (3,000 migrants and 1,500 long-term residents by default,
   see ``docs/simulation.md``) and write its KoboToolbox exports into ``OUT/data``;
2. read the exports back with the shipped forms and validate them (``qonys.validate``);
3. join the design variables, check that no direct identifier is left
   (``qonys.privacy.require_no_identifiers``) and convert both exports to SPSS
   (``qonys.io.write``);
4. run the bundled study file (``qonys/data/demo/study.toml``, copied to ``OUT``) with
   :func:`qonys.study.run_study`, which writes the report in Kazakh, Russian and English.

Examples
--------
>>> import pathlib, tempfile
>>> lines = run_demo(pathlib.Path(tempfile.mkdtemp()), n=120, n_locals=80, scale=0.02,
...                  progress=False)  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import warnings
from importlib import resources
from pathlib import Path

from . import io as qio
from ._core import DataWarning

__all__ = ["demo_study_path", "run_demo"]


def demo_study_path() -> Path:
    """The bundled study file of the demonstration."""
    return Path(str(resources.files("qonys").joinpath("data", "demo", "study.toml")))


def _summary(name: str, report: object, rows: int, rosters: dict[str, int]) -> str:
    frame = report.to_frame()  # type: ignore[attr-defined]
    extra = "".join(f", {k}: {v} rows" for k, v in rosters.items())
    sev = frame["severity"] if len(frame) else frame.get("severity", [])
    n_err = int((sev == "error").sum()) if len(frame) else 0
    n_warn = int((sev == "warning").sum()) if len(frame) else 0
    verdict = "no problems found"
    if len(frame):
        verdict = f"{n_err} errors, {n_warn} warnings"
        info = frame[frame["severity"] == "info"]
        if len(info):
            rules = ", ".join(sorted(set(info["rule"])))
            verdict += f", {len(info)} notes ({rules})"
    return f"validated {name} ({rows} interviews{extra}) against the shipped form: {verdict}"


def run_demo(
    out: Path,
    *,
    n: int = 3000,
    n_locals: int = 1500,
    seed: int = 7,
    scale: float = 1.0,
    progress: bool = True,
) -> list[str]:
    """Run the demonstration into folder ``out``; return the lines to print.

    Parameters
    ----------
    out : Path
        Output folder (created; files of an earlier run are overwritten).
    n, n_locals, seed, scale
        Size and seed of the simulated study (see :func:`qonys.simulate.simulate_study`).
    progress : bool
        Show the study's progress bars.

    Returns
    -------
    list of str
        Paths of the data, the validation summary, the .sav file and every report file.
    """
    from .privacy import drop_identifiers, require_no_identifiers, scan
    from .simulate import analysis_dataset, simulate_study, write_study
    from .study import run_study
    from .validate import validate

    out = Path(out)
    data_dir = out / "data"
    lines: list[str] = []
    study = simulate_study(n=n, n_locals=n_locals, seed=seed, scale=scale)
    written = write_study(study, data_dir, formats=("kobo_xlsx", "kobo_csv"))
    lines += [f"data: {p}" for p in written if p.parent == data_dir]
    lines.append(f"ground truth (kept apart from the data): {data_dir / 'ground_truth'}")
    for name in ("migrants", "locals"):
        form = qio.read_codebook(qio.instrument_path(name), check=False)
        export = qio.read(data_dir / f"{name}.xlsx", codebook=form)
        report = validate(export)
        lines.append(
            _summary(name, report, len(export.data), {k: len(v) for k, v in export.rosters.items()})
        )
        if name in study.design:
            analysis = analysis_dataset(export, study.design[name])
            flagged = scan(analysis)
            if not flagged.clean:
                analysis = drop_identifiers(analysis, flagged)
                lines.append(
                    "dropped before sharing (flagged by the personal-data scan): "
                    + ", ".join(flagged.variables)
                )
            require_no_identifiers(analysis)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)  # labels cut to SPSS's limits
                sav = qio.write(analysis, data_dir / f"{name}.sav")
            lines += [f"converted to SPSS: {p}" for p in sav]
    study_file = out / "study.toml"
    shutil.copyfile(demo_study_path(), study_file)
    run = run_study(study_file, progress=progress)
    lines += [f"report: {p}" for p in run.paths]
    failed = [s for s in run.stages if s.status not in ("ok", "cached")]
    lines += [f"stage {s.name}: {s.status} ({s.message})" for s in failed]
    return lines
