"""Time ``qonys simulate``: 3,000 migrants + 1,500 long-term residents, every output format.

Run by hand (never a timed unit test): ``.venv/bin/python benchmarks/simulate_speed.py``.
The requirement is under 30 s on a 2-core machine. The result is recorded in
docs/benchmarks.md under "Synthetic study".
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from qonys._core import DataWarning


def main() -> None:
    t0 = time.perf_counter()
    from qonys.simulate import simulate_study, write_study  # imports counted in the total

    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    study = simulate_study(n=3000, n_locals=1500, seed=7)
    t_sim = time.perf_counter() - t1
    steps = {}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for fmt in ("kobo_xlsx", "kobo_csv", "sav"):
            t = time.perf_counter()
            write_study(study, Path(tmp) / fmt, formats=[fmt])
            steps[fmt] = time.perf_counter() - t
    # write_study also writes design, fieldwork, margins and ground truth each time: time them
    # once on their own and take them out of the per-format figures
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_study(study, Path(tmp), formats=[])
        common = time.perf_counter() - t
    total = t_import + t_sim + sum(steps.values()) - 2 * common
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"{'import':<40}{t_import:8.2f}")
    print(f"{'simulate (population, samples, answers)':<40}{t_sim:8.2f}")
    for fmt, sec in steps.items():
        print(f"{'write ' + fmt:<40}{sec - common:8.2f}")
    print(f"{'write design, fieldwork, margins, truth':<40}{common:8.2f}")
    print(f"{'total':<40}{total:8.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
