"""Writing a simulated study to disk in the formats real fieldwork produces.

Layout of the output folder (``docs/simulation.md`` describes every file)::

    migrants.xlsx, locals.xlsx          KoboToolbox XLSX exports (main sheet + net_alter sheet)
    migrants.csv, locals.csv            KoboToolbox CSV exports (main table only)
    migrants.sav (+ migrants_net_alter.sav, migrants.sps), locals.sav
                                        SPSS files: the export plus the design variables
    design_migrants.csv, design_locals.csv      design variables by _uuid
    fieldwork_migrants.csv, fieldwork_locals.csv  every person contacted, with the outcome
    margins_migrants.csv, margins_locals.csv    population totals for raking
    ground_truth/                       kept apart from the survey data:
        truth.json, migrants.parquet, alters.parquet, locals.parquet, districts.csv
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import io as qio
from .._core import Codebook, Dataset, DataWarning, QonysError, Variable, Where, to_jsonable
from .study import SimulatedStudy

__all__ = ["DESIGN_VARIABLES", "FORMATS", "analysis_dataset", "write_study"]

FORMATS: tuple[str, ...] = ("kobo_xlsx", "kobo_csv", "sav")
"""Survey-data formats :func:`write_study` can write."""

_L = dict[str, str]
DESIGN_VARIABLES: dict[str, tuple[str, _L]] = {
    "smp_stratum": (
        "integer",
        {
            "kk": "Страта (қала ауданының коды)",
            "ru": "Страта (код района города)",
            "en": "Stratum (code of the city district)",
        },
    ),
    "smp_n_psu": (
        "integer",
        {
            "kk": "Стратадағы блоктар саны",
            "ru": "Число блоков в страте",
            "en": "Number of blocks (PSUs) in the stratum",
        },
    ),
    "smp_pi_psu": (
        "decimal",
        {
            "kk": "Блоктың іріктелу ықтималдығы",
            "ru": "Вероятность отбора блока",
            "en": "Inclusion probability of the block",
        },
    ),
    "smp_n_elig": (
        "integer",
        {
            "kk": "Блоктағы сәйкес адамдар саны",
            "ru": "Число подходящих лиц в блоке",
            "en": "Number of eligible persons in the block",
        },
    ),
    "smp_n_contacted": (
        "integer",
        {
            "kk": "Блокта хабарласқан адамдар саны",
            "ru": "Число опрошенных контактов в блоке",
            "en": "Number of persons contacted in the block",
        },
    ),
    "smp_pi": (
        "decimal",
        {
            "kk": "Респонденттің іріктелу ықтималдығы",
            "ru": "Вероятность отбора респондента",
            "en": "Inclusion probability of the respondent",
        },
    ),
    "smp_w_base": ("decimal", {"kk": "Базалық салмақ", "ru": "Базовый вес", "en": "Base weight"}),
    "smp_nr_adj": (
        "decimal",
        {
            "kk": "Жауап бермеуге түзету",
            "ru": "Поправка на неответы",
            "en": "Nonresponse adjustment factor",
        },
    ),
    "smp_weight": (
        "decimal",
        {"kk": "Іріктеме салмағы", "ru": "Вес выборки", "en": "Design weight"},
    ),
    "smp_age_group": (
        "integer",
        {
            "kk": "Жас тобы (18-29, 30-44, 45-59, 60+)",
            "ru": "Возрастная группа (18-29, 30-44, 45-59, 60+)",
            "en": "Age group (18-29, 30-44, 45-59, 60+)",
        },
    ),
}
"""Design variables added to the SPSS files: type and labels (kk, ru, en)."""

_DROP_FOR_SHARING = ("_submitted_by", "_submission__submitted_by", "_parent_table_name")
_KZ = dt.timezone(dt.timedelta(hours=5))


def analysis_dataset(ds: Dataset, design: pd.DataFrame) -> Dataset:
    """The export joined with its design variables (by ``_uuid``), ready for analysis.

    The Kobo columns naming the data collector's account (``_submitted_by``) are left out,
    as ``qonys convert --drop-pii`` would, and so is the repeat table's constant
    ``_parent_table_name`` (the keys ``_index`` and ``_parent_index`` link the tables).
    SPSS has no time zones and keeps time to about a microsecond, so date-times with a zone
    (``start``, ``end``) become Kazakhstan's local time (UTC+5) to the second.
    """
    extra = design.drop(columns=[c for c in ("smp_psu",) if c in design.columns])
    main = ds.data.merge(extra, on="_uuid", how="left", validate="one_to_one")
    for col in main.columns:
        if isinstance(main[col].dtype, pd.DatetimeTZDtype):
            local = main[col].dt.tz_convert(_KZ).dt.tz_localize(None)
            main[col] = local.dt.floor("s")
    main = main.drop(columns=[c for c in _DROP_FOR_SHARING if c in main.columns])
    for name in extra.columns:
        if name != "_uuid" and DESIGN_VARIABLES[name][0] == "integer":
            main[name] = main[name].astype("Int64")
    cb = ds.codebook
    new_vars = tuple(
        Variable(name, vtype, label=label, group=("smp",))  # type: ignore[arg-type]
        for name, (vtype, label) in DESIGN_VARIABLES.items()
        if name in extra.columns
    )
    kept = tuple(v for v in cb.variables if v.name not in _DROP_FOR_SHARING)
    codebook: Codebook = dataclasses.replace(cb, variables=(*kept, *new_vars))
    rosters = {
        k: v.drop(columns=[c for c in _DROP_FOR_SHARING if c in v.columns])
        for k, v in ds.rosters.items()
    }
    return Dataset(main, codebook, rosters, ds.source)


def _check_formats(formats: Sequence[str]) -> None:
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise QonysError(
            f"unknown output format {bad[0]!r}",
            where=Where(key="format"),
            rule="simulate.format",
            hint=f"Use any of {', '.join(FORMATS)}.",
        )


def write_study(
    study: SimulatedStudy, out: str | Path, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Write the study's files into folder ``out`` (created if needed); returns them all.

    Raises
    ------
    QonysError
        An unknown format (rule ``simulate.format``).
    """
    _check_formats(formats)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, ds in (("migrants", study.migrants), ("locals", study.locals)):
        if "kobo_xlsx" in formats:
            written += qio.write(
                ds, folder / f"{name}.xlsx", format="kobo_xlsx", utc_offset="+05:00"
            )
        if "kobo_csv" in formats:
            written += qio.write(ds, folder / f"{name}.csv", format="kobo_csv", utc_offset="+05:00")
        if "sav" in formats:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", DataWarning)
                written += qio.write(
                    analysis_dataset(ds, study.design[name]), folder / f"{name}.sav"
                )
            cut = [w for w in caught if issubclass(w.category, DataWarning)]
            if cut:
                warnings.warn(
                    f"{name}.sav: {len(cut)} labels were cut to SPSS's limits (the full "
                    "labels stay in the codebook stored in the file)",
                    DataWarning,
                    stacklevel=2,
                )
        for kind, frame in (("design", study.design[name]), ("fieldwork", study.fieldwork[name])):
            path = folder / f"{kind}_{name}.csv"
            frame.to_csv(path, index=False, lineterminator="\n")
            written.append(path)
        margins = study.margins[study.margins["form"] == name].drop(columns="form")
        path = folder / f"margins_{name}.csv"
        margins.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    truth = folder / "ground_truth"
    truth.mkdir(exist_ok=True)
    for key in ("migrants", "alters", "locals"):
        path = truth / f"{key}.parquet"
        study.truth[key].to_parquet(path, index=False)
        written.append(path)
    path = truth / "districts.csv"
    study.truth["districts"].to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    path = truth / "truth.json"
    path.write_text(
        json.dumps(
            to_jsonable(study.truth["summary"]), ensure_ascii=False, indent=2, sort_keys=True
        )
        + "\n",
        encoding="utf-8",
    )
    written.append(path)
    return written
