"""Running a study: read the data, run the plan stage by stage, write the report.

:func:`run_study` checks the study file, reads the data, runs every available stage of the plan
in order with a progress bar per stage, and writes the report in every requested language and
format to the output folder (``report.<lang>.<format>``), with provenance at the end. A stage
that fails becomes a note in its section and the others go on; a stage whose needed stages
failed is skipped with a note. Results are cached by input hash (:mod:`qonys.study.cache`), so a
re-run after a small change is fast; the same inputs always give the same numbers.
"""

from __future__ import annotations

import dataclasses
import json
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._core import QonysError, Result, sha256_file, to_jsonable
from .._version import __version__
from ..report.estimates import figure_for_table, tables_from_result
from ..report.model import Element, Figure, Note, Provenance, Report, Section, Table
from ..report.renderers import render
from ..report.text import Labels, Msg, Text
from .cache import CACHE_DIR, StageCache, code_hash, stage_key
from .schema import StudyConfig, load_study
from .stages import ProvenanceNote, Stage, StudyContext, plan

__all__ = ["StageStatus", "StudyRun", "run_study"]


@dataclasses.dataclass(frozen=True, slots=True)
class StageStatus:
    """How a stage went: ``ok``, ``cached``, ``failed`` or ``skipped``, with a message."""

    name: str
    status: str
    message: str = ""
    seconds: float = 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class StudyRun:
    """What a run produced: the report object, the files written and each stage's status."""

    report: Report
    paths: tuple[Path, ...]
    stages: tuple[StageStatus, ...]
    out: Path

    @property
    def ok(self) -> bool:
        """Whether no stage failed."""
        return all(s.status in ("ok", "cached") for s in self.stages)


def _text(value: Any) -> Text:
    return Labels(value) if isinstance(value, dict) else str(value)


def _read_data(cfg: StudyConfig) -> Any:
    if not cfg.files:
        return None
    from .. import io as qio

    datasets = [
        qio.read(p, format=cfg.data_format, codebook=cfg.codebook, encoding=cfg.encoding)
        for p in cfg.files
    ]
    if len(datasets) == 1:
        return datasets[0]
    import pandas as pd

    frame = pd.concat([d.data for d in datasets], ignore_index=True)
    return datasets[0].replace(data=frame)


def _check_option_names(cfg: StudyConfig, codebook: Any) -> None:
    """Names in declared stage options must be in the codebooks (before any stage runs)."""
    from .locals import read_locals
    from .options import check_option_variables

    codebooks = {"migrants": codebook} if codebook is not None else {}
    if cfg.locals is not None:
        codebooks["locals"] = read_locals(cfg).codebook
    check_option_variables(cfg.options, codebooks, cfg.path.name)


def _elements(
    items: Sequence[Any], cfg: StudyConfig, codebook: Any, key: str, scanned: bool
) -> list[Element]:
    out: list[Element] = []
    for k, item in enumerate(items):
        if isinstance(item, Table) and item.kind in ("microdata", "free_text"):
            allowed = (
                cfg.rules.allow_free_text
                if item.kind == "free_text"
                else (cfg.rules.allow_microdata)
            )
            if not (allowed and scanned):
                out.append(
                    Note(
                        Msg(
                            "A table of respondent-level answers was withheld: it needs "
                            "allow_microdata or allow_free_text in [privacy] and a clean "
                            "personal-data scan."
                        ),
                        kind="warning",
                    )
                )
                continue
        if isinstance(item, Table | Figure | Note | Section):
            out.append(item)
            if isinstance(item, Table) and cfg.figures and (fig := figure_for_table(item)):
                out.append(fig)
        elif isinstance(item, Result):
            for t in tables_from_result(item, codebook=codebook, rules=cfg.rules, key=f"{key}.{k}"):
                out.append(t)
                if cfg.figures and (fig := figure_for_table(t)) is not None:
                    out.append(fig)
            out.extend(Note(n) for n in item.meta.notes)
    return out


def _provenance(
    cfg: StudyConfig, hashes: dict[str, str], extra: Sequence[ProvenanceNote] = ()
) -> Provenance:
    import numpy
    import pandas
    import scipy

    def flat(prefix: str, value: Any) -> list[tuple[str, str]]:
        if isinstance(value, dict):
            return [
                kv for k, v in value.items() for kv in flat(f"{prefix}.{k}" if prefix else k, v)
            ]
        return [(prefix, json.dumps(to_jsonable(value), ensure_ascii=False))]

    weighting: list[Text] = []
    if cfg.weighting_method == "none":
        weighting.append(Msg("No weighting adjustment; design weights only."))
    else:
        weighting.append(Msg("Method: {method}", method=cfg.weighting_method))
    if any(cfg.design.values()):
        weighting.append(", ".join(f"{k} = {v}" for k, v in cfg.design.items() if v))
    if cfg.margins is not None:
        weighting.append(Msg("Population margins: {margins}", margins=cfg.margins.describe()))
    if cfg.trim is not None:
        weighting.append(
            Msg("Weight trimming bounds: {low} to {high}", low=cfg.trim[0], high=cfg.trim[1])
        )
    weighting += [n.text for n in extra if n.kind == "weighting"]
    rules = cfg.rules
    disclosure: list[Text] = [
        Msg(
            "Profile {profile}: cells with fewer than {k} respondents suppressed, with "
            "complementary suppression",
            profile=rules.profile,
            k=rules.min_n,
        ),
        Msg(
            "Estimates with relative standard error above {limit}% flagged",
            limit=round(100 * rules.rse_limit),
        ),
    ]
    disclosure += [n.text for n in extra if n.kind == "disclosure"]
    return Provenance(
        version=__version__,
        inputs=tuple(sorted(hashes.items())),
        seed=cfg.seed,
        options=tuple(flat("", dict(cfg.raw))),
        weighting=tuple(weighting),
        disclosure=tuple(disclosure),
        software=(
            ("Python", platform.python_version()),
            ("numpy", numpy.__version__),
            ("pandas", pandas.__version__),
            ("scipy", scipy.__version__),
        ),
    )


def run_study(
    study: str | Path | StudyConfig,
    *,
    languages: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    out: str | Path | None = None,
    progress: bool = True,
    use_cache: bool = True,
    console: Any = None,
) -> StudyRun:
    """Run the study described by a study file (see the module docstring).

    Parameters
    ----------
    study : path or StudyConfig
        The study file (checked before any work) or an already checked configuration.
    languages, formats : sequence of str, optional
        Override the study file's report languages and formats.
    out : path, optional
        Override the output folder.
    progress : bool
        Show a progress bar per stage (on standard error).
    use_cache : bool
        Reuse cached stage results whose inputs have not changed.
    console : rich.console.Console, optional
        Where the progress bars go.

    Returns
    -------
    StudyRun

    Raises
    ------
    StudyError
        A mistake in the study file (nothing has been done).
    QonysError
        The data cannot be read.
    """
    cfg = (
        study
        if isinstance(study, StudyConfig)
        else load_study(study, languages=languages, formats=formats, out=out)
    )
    if isinstance(study, StudyConfig) and (languages or formats or out):
        cfg = load_study(cfg.path, languages=languages, formats=formats, out=out)
    stages = plan(cfg.run)
    data = _read_data(cfg)
    codebook = getattr(data, "codebook", None)
    _check_option_names(cfg, codebook)  # before any output is written
    out_dir = cfg.out
    out_dir.mkdir(parents=True, exist_ok=True)
    hashes = {name: sha256_file(p) for name, p in cfg.input_files().items()}
    cache = StageCache(out_dir / CACHE_DIR, enabled=use_cache)
    outputs: dict[str, tuple[Any, ...]] = {}
    keys: dict[str, str] = {}
    statuses: list[StageStatus] = []
    sections: list[Section] = []
    from .progress import StageProgress

    with StageProgress([s.name for s in stages], enabled=progress, console=console) as bar:
        for stage in stages:
            status = _run_stage(stage, cfg, data, outputs, keys, hashes, cache, bar)
            statuses.append(status)
            elements: list[Element] = []
            if status.status in ("ok", "cached"):
                scanned = "privacy" in outputs
                elements = _elements(outputs[stage.name], cfg, codebook, stage.name, scanned)
            elif status.status == "failed":
                elements = [
                    Note(
                        Msg("This section could not be produced: {error}", error=status.message),
                        kind="error",
                    )
                ]
            else:
                elements = [
                    Note(
                        Msg(
                            "Skipped: the stages it needs did not run ({reason}).",
                            reason=status.message,
                        ),
                        kind="warning",
                    )
                ]
            if elements:
                sections.append(Section(stage.title, tuple(elements), key=stage.name))
    report = Report(
        title=_text(cfg.title) if cfg.title else Msg("Study report"),
        subtitle=_text(cfg.subtitle) if cfg.subtitle else None,
        sections=tuple(sections),
        provenance=_provenance(
            cfg,
            hashes,
            [i for items in outputs.values() for i in items if isinstance(i, ProvenanceNote)],
        ),
        threshold=cfg.rules.min_n,
        rse_limit=cfg.rules.rse_limit,
    )
    paths = [
        render(report, out_dir / f"report.{lang}.{fmt}", format=fmt, lang=lang)
        for lang in cfg.languages
        for fmt in cfg.formats
    ]
    summary = {
        "study": cfg.path.name,
        "version": __version__,
        "stages": [dataclasses.asdict(s) | {"seconds": None} for s in statuses],
        "reports": [p.name for p in paths],
        "inputs": hashes,
    }
    (out_dir / "run.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return StudyRun(report, tuple(paths), tuple(statuses), out_dir)


def _run_stage(
    stage: Stage,
    cfg: StudyConfig,
    data: Any,
    outputs: dict[str, tuple[Any, ...]],
    keys: dict[str, str],
    hashes: dict[str, str],
    cache: StageCache,
    bar: Any,
) -> StageStatus:
    import time

    missing = [d for d in stage.needs if d not in outputs]
    if missing:
        bar.finish(stage.name, "skipped")
        return StageStatus(stage.name, "skipped", ", ".join(missing))
    upstream = [keys[d] for d in (*stage.after, *stage.needs) if d in keys]
    options = dict(cfg.options.get(stage.name, {}))
    key = stage_key(
        stage.name,
        options,
        hashes,
        upstream,
        seed=cfg.seed,
        code=code_hash(stage.func),
        extra={
            "rules": dataclasses.asdict(cfg.rules),
            "design": dict(cfg.design),
            "method": cfg.weighting_method,
            "trim": cfg.trim,
            "format": cfg.data_format,
            "city": cfg.city_variable,
        },
    )
    keys[stage.name] = key
    started = time.perf_counter()
    if stage.cache and (hit := cache.get(stage.name, key)) is not None:
        outputs[stage.name] = hit
        bar.finish(stage.name, "cached")
        return StageStatus(stage.name, "cached", seconds=time.perf_counter() - started)
    bar.start(stage.name)
    ctx = StudyContext(cfg, data, stage.name, options, dict(outputs), cfg.rules, cfg.seed)
    try:
        items = tuple(stage.func(ctx) or ())
    except QonysError as err:
        bar.finish(stage.name, "failed")
        return StageStatus(
            stage.name, "failed", err.message + (f" ({err.hint})" if err.hint else "")
        )
    except Exception as err:  # a failing stage must not stop the others
        bar.finish(stage.name, "failed")
        return StageStatus(stage.name, "failed", f"{type(err).__name__}: {err}")
    outputs[stage.name] = items
    if stage.cache:
        cache.put(stage.name, key, items)
    bar.finish(stage.name, "ok")
    return StageStatus(stage.name, "ok", seconds=time.perf_counter() - started)
