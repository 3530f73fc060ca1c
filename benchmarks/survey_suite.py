"""The survey benchmark: qonys against R's survey and svy, in one run, on the same data.

Usage (from the project root; not part of ``make test``)::

    python benchmarks/survey_suite.py [--rows 1000000] [--reps 3] [--large 20000000]
        [--cache DIR] [--shared ../shared] [--no-r] [--no-svy] [--write docs/benchmarks.md]

1. Data: the task list and data of ``../shared/bench/README.md``. When ``Rscript`` with the
   survey package is on the machine, ``bench_survey.R`` writes the 1,000,000-row synthetic
   design (seed 12345) to the cache folder and times R's tasks in the same run; without R, a
   Python generator makes data of the same design (not the same random numbers).
2. svy: when a Python with ``svy`` is found (``--svy-python``, or a venv ``svy-venv`` in the
   cache folder that this script creates with ``pip install svy polars`` unless ``--no-svy``),
   ``bench_svy.py`` times svy's tasks on the same CSV.
3. qonys: every task timed in this process, median of ``--reps`` runs.
4. Large data: a Parquet file of ``--large`` rows (50 strata, 4,000 PSUs, rows in stratum and
   PSU order, as ``scale-prototype/gen_data.py``); means of 10 variables by 3 domain variables
   with SEs, timed with DuckDB, Dask (``LocalCluster``) and Spark (local mode), each in a fresh
   subprocess that records its wall time, CPU time and peak memory (its own and its child
   processes' resident memory); all engines are compared with the DuckDB numbers.

The ratio table goes to the "Survey core" section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LARGE = ROOT / "benchmarks" / "survey_large.py"
YS = [f"y{j}" for j in range(1, 11)]
TASKS = [  # canonical task names of ../shared/bench/baseline_timings_1000000.csv
    "design object",
    "mean, 10 vars",
    "mean, 10 vars + deff",
    "total, 10 vars",
    "by 3 groups (city), 10 vars",
    "by 6 groups (city x sex), 10 vars",
    "by 50 groups (stratum), 1 var",
    "median (with SE/CI)",
    "ratio",
    "GLM gaussian (6 coefs)",
    "GLM logistic (6 coefs)",
    "Rao-Scott 2x3",
    "rake 3 margins",
    "mean 10 vars on raked design (calibration-aware SE)",
    "poststratify",
    "linear calibration (5 constraints)",
    "create 100 bootstrap replicates",
    "mean 10 vars, 100 bootstrap reps",
    "by city 10 vars, 100 bootstrap reps",
]
END_TO_END = ("design object", "mean, 10 vars", "by 3 groups (city), 10 vars")


def make_data(n: int, seed: int = 12345) -> pd.DataFrame:
    """The design of ``bench_survey.R`` (same structure, numpy's random numbers)."""
    rng = np.random.default_rng(seed)
    h_n, per_h = 50, 40
    g_n = h_n * per_h
    psu = np.sort(np.arange(n) % g_n) + 1
    stratum = (psu - 1) // per_h + 1
    u_psu = rng.normal(0, 1, g_n)[psu - 1]
    w = rng.uniform(50, 500, h_n)[stratum - 1] * np.exp(rng.normal(0, 0.2, g_n))[psu - 1]
    w = w * np.exp(rng.normal(0, 0.1, n))
    d = pd.DataFrame(
        {
            "stratum": stratum,
            "psu": psu,
            "w": w,
            "city": np.array(["A", "B", "C"])[stratum % 3],
            "sex": rng.choice(["F", "M"], n),
            "agegrp": rng.choice(["18-29", "30-44", "45-59", "60+"], n, p=[0.3, 0.3, 0.25, 0.15]),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "x3": rng.uniform(size=n),
        }
    )
    for j in range(1, 8):
        d[f"y{j}"] = 10 * j + 2 * d.x1 + d.x2 + 3 * u_psu + rng.normal(0, 5, n)
    for j in range(8, 11):
        p = 1 / (1 + np.exp(-(-0.5 + 0.3 * d.x1 + 0.5 * u_psu + 0.1 * (j - 8))))
        d[f"y{j}"] = (rng.uniform(size=n) < p).astype(int)
    return d


def qonys_tasks(df: pd.DataFrame) -> dict[str, Callable[[], Any]]:
    from qonys import estimate as est
    from qonys.design import SurveyData, SurveyDesign, as_replicate
    from qonys.design import weighting as wt

    design = SurveyDesign(weights="w", strata="stratum", ids="psu", nest=True)
    sd = SurveyData(df, design)
    n_pop = float(df["w"].sum()) * 1.05
    margins = {
        "city": {"A": n_pop * 0.30, "B": n_pop * 0.33, "C": n_pop * 0.37},
        "sex": {"F": n_pop * 0.52, "M": n_pop * 0.48},
        "agegrp": {
            "18-29": n_pop * 0.25,
            "30-44": n_pop * 0.30,
            "45-59": n_pop * 0.27,
            "60+": n_pop * 0.18,
        },
    }
    state: dict[str, Any] = {}

    def raked() -> Any:
        if "raked" not in state:
            state["raked"] = wt.rake(sd, margins).data
        return state["raked"]

    def boot() -> Any:
        if "boot" not in state:
            state["boot"] = as_replicate(sd, "bootstrap", replicates=100, seed=1)
        return state["boot"]

    formula = "x1 + x2 + x3 + city"
    return {
        "design object": lambda: SurveyData(df, design),
        "mean, 10 vars": lambda: est.mean(sd, YS, deff=None),
        "mean, 10 vars + deff": lambda: est.mean(sd, YS, deff="wor"),
        "total, 10 vars": lambda: est.total(sd, YS, deff=None),
        "by 3 groups (city), 10 vars": lambda: est.mean(sd, YS, by="city", deff=None),
        "by 6 groups (city x sex), 10 vars": lambda: est.mean(
            sd, YS, by=["city", "sex"], deff=None
        ),
        "by 50 groups (stratum), 1 var": lambda: est.mean(sd, "y1", by="stratum", deff=None),
        "median (with SE/CI)": lambda: est.quantile(sd, "y1", 0.5),
        "ratio": lambda: est.ratio(sd, "y1", "y2"),
        "GLM gaussian (6 coefs)": lambda: est.glm(sd, f"y1 ~ {formula}"),
        "GLM logistic (6 coefs)": lambda: est.glm(sd, f"y8 ~ {formula}", "quasibinomial"),
        "Rao-Scott 2x3": lambda: est.chisq(sd, "y8", "city"),
        "rake 3 margins": lambda: wt.rake(sd, margins),
        "mean 10 vars on raked design (calibration-aware SE)": lambda: est.mean(
            raked(), YS, deff=None
        ),
        "poststratify": lambda: wt.poststratify(sd, "city", margins["city"]),
        "linear calibration (5 constraints)": lambda: wt.calibrate(
            sd, {"city": margins["city"], "sex": margins["sex"], "x1": 0.0}
        ),
        "create 100 bootstrap replicates": lambda: as_replicate(
            sd, "bootstrap", replicates=100, seed=1
        ),
        "mean 10 vars, 100 bootstrap reps": lambda: est.mean(boot(), YS, deff=None),
        "by city 10 vars, 100 bootstrap reps": lambda: est.mean(boot(), YS, by="city", deff=None),
    }


def time_qonys(df: pd.DataFrame, reps: int) -> dict[str, float]:
    tasks = qonys_tasks(df)
    out: dict[str, float] = {}
    for name in TASKS:
        els = []
        for _ in range(reps):
            t0 = time.perf_counter()
            tasks[name]()
            els.append(time.perf_counter() - t0)
        out[name] = statistics.median(els)
        print(f"qonys  {name:<55} {out[name]:8.3f} s", flush=True)
    return out


def peer_timings(csv: Path, column: str, shared: Path) -> dict[str, float]:
    """A peer's median seconds by canonical task name (via the baseline's task mapping)."""
    base = pd.read_csv(shared / "bench" / "baseline_timings_1000000.csv")
    got = pd.read_csv(csv)
    got = got[got["ok"].astype(str).str.upper().isin(["TRUE", "1"])]
    by_label = dict(zip(got["task"], got["median_s"], strict=True))
    out = {}
    for _, row in base.iterrows():
        label = row[column]
        if isinstance(label, str) and label in by_label:
            out[row["task"]] = float(by_label[label])
    return out


def run_r(shared: Path, cache: Path, rows: int) -> dict[str, float]:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {}
    ok = subprocess.run([rscript, "-e", "library(survey)"], capture_output=True, check=False)
    if ok.returncode != 0:
        return {}
    print("running R's survey (bench_survey.R) ...", flush=True)
    subprocess.run(
        [rscript, str(shared / "bench" / "bench_survey.R"), str(rows)], cwd=cache, check=True
    )
    return peer_timings(cache / f"timings_R_{rows}.csv", "R_task", shared)


def svy_python(cache: Path, given: str | None, install: bool) -> str | None:
    if given:
        return given
    venv = cache / "svy-venv"
    py = venv / "bin" / "python"
    if not py.exists() and install:
        print("installing svy into a separate venv (not a qonys dependency) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "svy", "polars", "pandas"], check=True
        )
    if py.exists() and subprocess.run([str(py), "-c", "import svy"], check=False).returncode == 0:
        return str(py)
    return None


def run_svy(py: str | None, shared: Path, cache: Path, rows: int) -> dict[str, float]:
    if py is None:
        return {}
    print("running svy (bench_svy.py) ...", flush=True)
    subprocess.run([py, str(shared / "bench" / "bench_svy.py"), str(rows)], cwd=cache, check=True)
    return peer_timings(cache / f"timings_svy_{rows}.csv", "svy_task", shared)


def run_large(path: Path, cache: Path, engines: list[str], shared: Path) -> list[dict[str, Any]]:
    out = []
    for engine in engines:
        res = cache / f"large_{engine}.json"
        res.unlink(missing_ok=True)
        print(f"large data: {engine} ...", flush=True)
        proc = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "survey_large.py"),
                engine,
                str(path),
                str(res),
            ],
            check=False,
        )
        if proc.returncode == 0 and res.exists():
            out.append(json.loads(res.read_text()))
        else:
            out.append({"engine": engine, "error": f"exit code {proc.returncode}"})
    proto = shared / "bench" / "scale-prototype" / "impls.py"
    if proto.exists():
        code = (
            "import sys, time; sys.path.insert(0, sys.argv[1]); import impls; "
            "t = time.perf_counter(); impls.duckdb_ss_impl(sys.argv[2]); "
            "print('SECONDS', time.perf_counter() - t)"
        )
        got = subprocess.run(
            [sys.executable, "-c", code, str(proto.parent), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        secs = re.findall(r"SECONDS ([0-9.eE+-]+)", got.stdout)
        if got.returncode == 0 and secs:
            out.append({"engine": "research prototype (duckdb-ss)", "wall_s": float(secs[-1])})
    return out


def machine_note() -> str:
    import psutil

    load = os.getloadavg()
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}; "
        f"load average at the end of the run {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(1 / 5 / 15 min)"
    )


def fmt(x: float | None) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.2f}" if x >= 0.1 else f"{x:.3f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b:
        return "n/a"
    return f"{a / b:.1f}x"


def render(
    q: dict[str, float],
    r: dict[str, float],
    s: dict[str, float],
    large: list[dict[str, Any]],
    rows: int,
    large_rows: int,
    data_note: str,
) -> str:
    lines = [
        f"Run of `benchmarks/survey_suite.py` on {rows:,} rows ({data_note}); median wall seconds "
        "of repeated runs in one process per tool, all tools in the same run on the same data. "
        "A ratio is the peer's time over qonys' (above 1: qonys is faster).",
        "",
        "| task | qonys | R survey | svy | R / qonys | svy / qonys |",
        "|---|---|---|---|---|---|",
    ]
    for t in [*TASKS, "end to end (design + mean + by 3)"]:
        if t.startswith("end to end"):
            qs = sum(q[k] for k in END_TO_END) if all(k in q for k in END_TO_END) else None
            rs = sum(r[k] for k in END_TO_END) if all(k in r for k in END_TO_END) else None
            ss = sum(s[k] for k in END_TO_END) if all(k in s for k in END_TO_END) else None
        else:
            qs, rs, ss = q.get(t), r.get(t), s.get(t)
        lines.append(
            f"| {t} | {fmt(qs)} | {fmt(rs)} | {fmt(ss)} | {ratio(rs, qs)} | {ratio(ss, qs)} |"
        )
    if large:
        lines += [
            "",
            f"Large data: {large_rows:,} rows in Parquet (50 strata, 4,000 PSUs); means of 10 "
            "variables by 3 domain variables (13 domains) with SEs, one scan. Each engine in a "
            "fresh process; memory is the peak resident memory of the process and its children.",
            "",
            "| engine | wall s | wall / DuckDB | CPU s | peak memory GiB | start-up s "
            "| max rel. diff vs DuckDB |",
            "|---|---|---|---|---|---|---|",
        ]
        ref = next((x for x in large if x.get("engine") == "duckdb" and "se" in x), None)
        for x in large:
            if "error" in x:
                lines.append(f"| {label(x['engine'])} | failed ({x['error']}) | | | | | |")
                continue
            diff = "n/a"
            if ref is not None and "se" in x:
                a = np.array(ref["estimate"] + ref["se"])
                b = np.array(x["estimate"] + x["se"])
                diff = f"{float(np.max(np.abs(a - b) / np.abs(a))):.1e}"
            mem = x.get("peak_bytes")
            vs_duckdb = (
                f"{x['wall_s'] / ref['wall_s']:.1f}x"
                if ref is not None and x.get("wall_s") and ref.get("wall_s")
                else "n/a"
            )
            lines.append(
                f"| {label(x['engine'])} | {fmt(x.get('wall_s'))} | {vs_duckdb} | "
                f"{fmt(x.get('cpu_s'))} | "
                f"{fmt(mem / 2**30) if mem else 'n/a'} | {fmt(x.get('startup_s'))} | {diff} |"
            )
    lines += ["", f"Machine: {machine_note()}."]
    return "\n".join(lines)


ENGINE_LABELS = {
    "dask": "dask (one partition per row group)",
    "dask-default": "dask (default partitions)",
}


def label(engine: str) -> str:
    """The engine's name in the table."""
    return ENGINE_LABELS.get(engine, engine)


START, END = "<!-- survey-core:start -->", "<!-- survey-core:end -->"


def write_section(doc: Path, body: str) -> None:
    """Replace the generated part of the "Survey core" section, keeping everything else."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    block = f"{START}\n{body}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    elif "## Survey core" in text:
        head, _, tail = text.partition("## Survey core\n")
        text = f"{head}## Survey core\n\n{block}\n{tail}"
    else:
        text = text.rstrip() + f"\n\n## Survey core\n\n{block}\n"
    doc.write_text(text)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--large", type=int, default=20_000_000, help="0 skips the large run")
    ap.add_argument("--engines", default="duckdb,dask,dask-default,spark")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "qonys-bench")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-svy", action="store_true")
    ap.add_argument("--svy-python", default=None)
    ap.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = ap.parse_args(argv)
    cache = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    r_times = {} if args.no_r else run_r(args.shared, cache, args.rows)
    csv = cache / f"synth_{args.rows}.csv"
    if csv.exists():
        df = pd.read_csv(csv)
        note = "the data `bench_survey.R` writes, seed 12345"
    else:
        df = make_data(args.rows)
        df.to_csv(csv, index=False)
        note = "R not available: numpy data of the same design"
    svy_times = (
        {}
        if args.no_svy
        else run_svy(
            svy_python(cache, args.svy_python, install=True), args.shared, cache, args.rows
        )
    )
    q_times = time_qonys(df, args.reps)
    large: list[dict[str, Any]] = []
    if args.large:
        path = cache / f"large_{args.large}.parquet"
        if not path.exists():
            print(f"writing {args.large:,} rows to {path} ...", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "survey_large.py"),
                    "write",
                    str(path),
                    str(args.large),
                ],
                check=True,
            )
        large = run_large(path, cache, args.engines.split(","), args.shared)
    body = render(q_times, r_times, svy_times, large, args.rows, args.large, note)
    print(body)
    write_section(args.write, body)


if __name__ == "__main__":
    main()
