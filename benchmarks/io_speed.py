"""Time the data path on the synthetic study: read, validate, convert, bind, render.

Run by hand (never a timed unit test): ``.venv/bin/python benchmarks/io_speed.py``.
The study (3,000 migrants, 1,500 long-term residents, seed 7) is simulated and written once;
each step is then timed on the migrants' files (``--repeat N`` runs each step N times and keeps
the fastest). Where a plain library call does the raw part of a step (pandas' ``read_excel``
with openpyxl and ``read_csv``, pyreadstat's ``read_sav`` and ``write_sav``), that peer is timed
in the same run on the same file and the ratio printed: what qonys' labels, missing codes,
rosters and checks cost on top of reading the bytes. ``--profile FILE`` also writes a cProfile
of the timed steps, for ``python -m pstats``. The results are recorded in docs/benchmarks.md
under "Data path".
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from qonys import io as qio
from qonys._core import DataWarning


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()

    from qonys.demo import demo_study_path
    from qonys.design import SurveyData, SurveyDesign
    from qonys.report.render_docx import write_docx
    from qonys.simulate import analysis_dataset, simulate_study, write_study
    from qonys.study import run_study
    from qonys.validate import validate

    warnings.simplefilter("ignore", DataWarning)
    study = simulate_study(n=3000, n_locals=1500, seed=7)
    rows: list[tuple[str, float, str, float | None]] = []
    prof = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_study(study, data, formats=("kobo_xlsx", "kobo_csv"))
        form = qio.read_codebook(qio.instrument_path("migrants"), check=False)

        def step(
            name: str,
            fn: Callable[[], Any],
            peer: tuple[str, Callable[[], Any]] | None = None,
        ) -> Any:
            if prof is not None:
                prof.enable()
            sec, out = _best(fn, args.repeat)
            if prof is not None:
                prof.disable()
            peer_sec = _best(peer[1], args.repeat)[0] if peer is not None else None
            rows.append((name, sec, peer[0] if peer else "", peer_sec))
            print(f"{name:<52}{sec:8.2f}", flush=True)
            return out

        export = step(
            "read KoboToolbox XLSX (main + roster sheet)",
            lambda: qio.read(data / "migrants.xlsx", codebook=form),
            (
                "pandas.read_excel (openpyxl), all sheets, no labels",
                lambda: pd.read_excel(data / "migrants.xlsx", sheet_name=None, engine="openpyxl"),
            ),
        )
        step(
            "read KoboToolbox CSV",
            lambda: qio.read(data / "migrants.csv", codebook=form),
            ("pandas.read_csv", lambda: pd.read_csv(data / "migrants.csv", sep=";")),
        )
        step("validate the XLSX export", lambda: validate(export))
        analysis = analysis_dataset(export, study.design["migrants"])
        sav = data / "migrants.sav"
        plain = Path(tmp) / "plain.sav"
        qio.write(analysis, sav)  # once, untimed: the peer writes the same SPSS-named table
        sav_frame = pyreadstat.read_sav(str(sav))[0]
        step(
            "write SPSS .sav (with roster file and .sps)",
            lambda: qio.write(analysis, sav),
            (
                "pyreadstat.write_sav, main table, no labels",
                lambda: pyreadstat.write_sav(sav_frame, str(plain)),
            ),
        )
        back = step(
            "read SPSS .sav",
            lambda: qio.read(sav),
            ("pyreadstat.read_sav, main table", lambda: pyreadstat.read_sav(str(sav))),
        )
        study_file = Path(tmp) / "study.toml"
        shutil.copyfile(demo_study_path(), study_file)
        write_study(study, data, formats=())  # margins beside the .sav, as the demo has them
        run = run_study(study_file, formats=["html"], languages=["en"], progress=False)
        design = SurveyDesign(weights="smp_weight", strata=("smp_stratum",), ids=("smp_psu",))
        step("SurveyData.from_dataset", lambda: SurveyData.from_dataset(back, design))
        out = Path(tmp) / "docx"
        out.mkdir()
        step(
            "render DOCX report (kk, ru, en)",
            lambda: [
                write_docx(run.report, out / f"r.{x}.docx", lang=x) for x in ("kk", "ru", "en")
            ],
        )
    if prof is not None:
        prof.dump_stats(str(args.profile))
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print("| step | qonys s | peer | peer s | qonys / peer |\n|---|---|---|---|---|")
    for name, sec, peer_name, peer_sec in rows:
        if peer_sec is None:
            print(f"| {name} | {sec:.2f} | | | |")
        else:
            print(f"| {name} | {sec:.2f} | {peer_name} | {peer_sec:.2f} | {sec / peer_sec:.1f}x |")


if __name__ == "__main__":
    main()
