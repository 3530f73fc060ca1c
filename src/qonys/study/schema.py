"""The study file (``study.toml``): what to read, how to weight, what to run, what to publish.

:func:`load_study` reads and checks the whole file before any work starts. Every mistake is a
:class:`~qonys._core.StudyError` naming the key (``weighting.margins``), the rule broken and the
fix: unknown keys (with the closest known key suggested), wrong types, missing files, unknown
languages, formats or profiles, margins that do not parse or do not sum to one total, and
variables that are not in the codebook. Relative paths are taken from the study file's folder.
``qonys init`` writes a commented starter file (:mod:`qonys.study.starter`).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "study.toml").write_text('[study]\\ntitle = "Pilot"\\nseed = 7\\n'
...                                   '[report]\\nlanguages = ["ru"]\\n', encoding="utf-8")
>>> cfg = load_study(d / "study.toml")
>>> cfg.seed, cfg.languages, cfg.formats
(7, ('ru',), ('html', 'docx', 'xlsx'))
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._core import FrozenMap, QonysError, StudyError, Where
from ..privacy.suppression import PROFILES, DisclosureRules
from ._files import existing_file
from .locals import LocalsConfig, parse_locals
from .margins import Margins, read_margins
from .options import check_options

__all__ = ["SCHEMA", "WEIGHTING_METHODS", "StudyConfig", "load_study", "parse_study"]

WEIGHTING_METHODS = ("none", "rake", "poststratify", "calibrate")

# section -> key -> (type(s), default, help)
LONELY_PSU = ("fail", "remove", "adjust", "average", "certainty")

SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], Any, str]]] = {
    "study": {
        "title": ((str, dict), None, "report title, or a table {kk=..., ru=..., en=...}"),
        "subtitle": ((str, dict), None, "a line under the title"),
        "cities": ((list,), [], 'cities covered, e.g. ["astana", "almaty", "shymkent"]'),
        "seed": ((int,), 20240601, "seed of every random draw"),
    },
    "data": {
        "files": ((list, str), [], "survey data files (exports, .sav, .csv...)"),
        "codebook": ((str,), None, "XLSForm, YAML codebook or .sav whose dictionary to use"),
        "format": ((str,), None, "reader name when it cannot be told from the file"),
        "encoding": ((str,), None, "character encoding of text files"),
        "city_variable": ((str,), None, "variable holding the respondent's city"),
        "locals": (
            (str, list, dict),
            None,
            "long-term residents' data: file(s), or a table {files, weights, strata, psu, "
            "method, margins}",
        ),
    },
    "design": {
        "weights": ((str,), None, "design-weight variable"),
        "strata": ((str,), None, "stratum variable"),
        "psu": ((str,), None, "primary sampling unit (cluster) variable"),
        "fpc": ((str,), None, "finite-population correction variable"),
        "lonely_psu": (
            (str,),
            "fail",
            "strata with one PSU: fail, remove, adjust, average, certainty",
        ),
    },
    "weighting": {
        "method": ((str,), "none", "none, rake, poststratify or calibrate"),
        "margins": ((str,), None, "CSV of population targets: variable,level,target[,city]"),
        "trim": ((list,), None, "[low, high] bounds of weight ratios, e.g. [0.3, 3.0]"),
    },
    "analyses": {
        "run": ((list,), None, "stages to run (default: every available one)"),
    },
    "report": {
        "languages": ((list, str), ["kk", "ru", "en"], "kk, ru, en, kk-Latn"),
        "formats": ((list, str), ["html", "docx", "xlsx"], "html, docx, xlsx"),
        "out": ((str,), "report", "output folder"),
        "figures": ((bool,), True, "draw charts next to frequency tables and cross-tabs"),
    },
    "privacy": {
        "profile": ((str,), "standard", "standard (cells under 5 hidden) or strict (under 10)"),
        "threshold": ((int,), None, "override the profile's minimum cell count"),
        "rse_limit": ((float, int), 0.30, "flag estimates whose relative SE exceeds this"),
        "allow_microdata": ((bool,), False, "allow respondent-level rows in reports"),
        "allow_free_text": ((bool,), False, "allow free-text answers in reports"),
    },
}


@dataclasses.dataclass(frozen=True, slots=True)
class StudyConfig:
    """A checked study file. ``raw`` keeps the parsed TOML (for provenance and cache keys)."""

    path: Path
    title: str | Mapping[str, str] | None
    subtitle: str | Mapping[str, str] | None
    cities: tuple[str, ...]
    seed: int
    files: tuple[Path, ...]
    codebook: Path | None
    data_format: str | None
    encoding: str | None
    city_variable: str | None
    design: Mapping[str, str | None]
    weighting_method: str
    margins_path: Path | None
    margins: Margins | None
    trim: tuple[float, float] | None
    run: tuple[str, ...] | None
    options: Mapping[str, Mapping[str, Any]]
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    out: Path
    figures: bool
    rules: DisclosureRules
    raw: Mapping[str, Any]
    locals: LocalsConfig | None = None

    @property
    def root(self) -> Path:
        """The folder relative paths are taken from."""
        return self.path.parent

    def input_files(self) -> dict[str, Path]:
        """Every input file by the name the user wrote (data, codebook, margins)."""
        out: dict[str, Path] = {}
        for p, name in zip(
            self.files, self.raw.get("data", {}).get("files", []) or [], strict=False
        ):
            out[str(name)] = p
        if self.codebook is not None:
            out[str(self.raw["data"]["codebook"])] = self.codebook
        if self.margins_path is not None:
            out[str(self.raw["weighting"]["margins"])] = self.margins_path
        if self.locals is not None:
            out.update(self.locals.names)
        return out


def _err(msg: str, key: str, rule: str, hint: str, file: str | None = None) -> StudyError:
    return StudyError(msg, where=Where(file=file, key=key), rule=rule, hint=hint)


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f"Did you mean {close[0]!r}?" if close else f"Known keys: {', '.join(known)}."


def _check_keys(raw: Mapping[str, Any], file: str) -> None:
    for section, body in raw.items():
        if section not in SCHEMA:
            raise _err(
                f"unknown section [{section}]",
                section,
                "study.unknown-key",
                _suggest(section, list(SCHEMA)),
                file,
            )
        if not isinstance(body, dict):
            raise _err(
                f"[{section}] must be a table",
                section,
                "study.type",
                f"Write it as a [{section}] section.",
                file,
            )
        for key, value in body.items():
            if section == "analyses" and key != "run":
                if not isinstance(value, dict):
                    raise _err(
                        f"analyses.{key} must be a table of options",
                        f"analyses.{key}",
                        "study.type",
                        f"Write [analyses.{key}] with its options below.",
                        file,
                    )
                continue
            if key not in SCHEMA[section]:
                raise _err(
                    f"unknown key {key!r} in [{section}]",
                    f"{section}.{key}",
                    "study.unknown-key",
                    _suggest(key, list(SCHEMA[section])),
                    file,
                )
            types = SCHEMA[section][key][0]
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
            if not ok:
                names = " or ".join(
                    {
                        "str": "a string",
                        "list": "a list",
                        "int": "an integer",
                        "float": "a number",
                        "bool": "true or false",
                        "dict": "a table",
                    }[t.__name__]
                    for t in types
                )
                raise _err(
                    f"{section}.{key} must be {names}; got {value!r}",
                    f"{section}.{key}",
                    "study.type",
                    f"Expected: {SCHEMA[section][key][2]}.",
                    file,
                )


def _get(raw: Mapping[str, Any], section: str, key: str) -> Any:
    value = raw.get(section, {}).get(key)
    return SCHEMA[section][key][1] if value is None else value


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def parse_study(
    raw: Mapping[str, Any],
    path: Path,
    *,
    languages: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    out: Path | None = None,
) -> StudyConfig:
    """Check parsed TOML ``raw`` of the study file at ``path`` (see :func:`load_study`)."""
    from ..report.i18n import check_language
    from ..report.renderers import check_format

    file = path.name
    _check_keys(raw, file)
    root = path.parent
    try:
        langs = tuple(
            dict.fromkeys(
                check_language(x, key="report.languages")
                for x in (languages or _as_list(_get(raw, "report", "languages")))
            )
        )
        fmts = tuple(
            dict.fromkeys(
                check_format(x, key="report.formats")
                for x in (formats or _as_list(_get(raw, "report", "formats")))
            )
        )
    except QonysError as err:
        raise StudyError(
            err.message, where=err.where.with_(file=file), rule=err.rule, hint=err.hint
        ) from None
    if not langs or not fmts:
        raise _err(
            "no report language or format",
            "report",
            "study.report-empty",
            "List at least one language and one format.",
            file,
        )
    files = tuple(
        existing_file(root, str(f), "data.files", file)
        for f in _as_list(_get(raw, "data", "files"))
    )
    cb_name = _get(raw, "data", "codebook")
    codebook = existing_file(root, cb_name, "data.codebook", file) if cb_name else None
    lonely = str(_get(raw, "design", "lonely_psu"))
    if lonely not in LONELY_PSU:
        raise _err(
            f"unknown lonely-PSU policy {lonely!r}",
            "design.lonely_psu",
            "study.design",
            f"Use one of: {', '.join(LONELY_PSU)} (fail is the default and the safe choice).",
            file,
        )
    method = str(_get(raw, "weighting", "method")).lower()
    if method not in WEIGHTING_METHODS:
        raise _err(
            f"unknown weighting method {method!r}",
            "weighting.method",
            "study.weighting",
            f"Use one of: {', '.join(WEIGHTING_METHODS)}.",
            file,
        )
    m_name = _get(raw, "weighting", "margins")
    margins_path = existing_file(root, m_name, "weighting.margins", file) if m_name else None
    margins = read_margins(margins_path) if margins_path else None
    if method in ("rake", "poststratify", "calibrate") and margins is None:
        raise _err(
            f"weighting method {method!r} needs population margins",
            "weighting.margins",
            "study.weighting",
            'Give margins = "margins.csv" (variable,level,target).',
            file,
        )
    trim_raw = _get(raw, "weighting", "trim")
    trim = None
    if trim_raw is not None:
        if (
            len(trim_raw) != 2
            or not all(isinstance(x, int | float) for x in trim_raw)
            or not 0 < trim_raw[0] < trim_raw[1]
        ):
            raise _err(
                f"weighting.trim must be [low, high] with 0 < low < high; got {trim_raw!r}",
                "weighting.trim",
                "study.weighting",
                "For example trim = [0.3, 3.0].",
                file,
            )
        trim = (float(trim_raw[0]), float(trim_raw[1]))
    profile = str(_get(raw, "privacy", "profile"))
    if profile not in PROFILES:
        raise _err(
            f"unknown disclosure-control profile {profile!r}",
            "privacy.profile",
            "study.privacy",
            f"Use one of: {', '.join(PROFILES)}.",
            file,
        )
    rules = DisclosureRules(
        profile,
        threshold=raw.get("privacy", {}).get("threshold"),
        rse_limit=float(_get(raw, "privacy", "rse_limit")),
        allow_microdata=bool(_get(raw, "privacy", "allow_microdata")),
        allow_free_text=bool(_get(raw, "privacy", "allow_free_text")),
    )
    analyses = raw.get("analyses", {})
    check_options(analyses, file)
    run = analyses.get("run")
    options = {k: FrozenMap(v) for k, v in analyses.items() if k != "run"}
    out_dir = out if out is not None else root / str(_get(raw, "report", "out"))
    title = _get(raw, "study", "title")
    cfg = StudyConfig(
        path=path,
        title=title,
        subtitle=_get(raw, "study", "subtitle"),
        cities=tuple(str(c) for c in _get(raw, "study", "cities")),
        seed=int(_get(raw, "study", "seed")),
        files=files,
        codebook=codebook,
        data_format=_get(raw, "data", "format"),
        encoding=_get(raw, "data", "encoding"),
        city_variable=_get(raw, "data", "city_variable"),
        design=FrozenMap({k: _get(raw, "design", k) for k in SCHEMA["design"]}),
        weighting_method=method,
        margins_path=margins_path,
        margins=margins,
        trim=trim,
        run=tuple(str(x) for x in run) if run is not None else None,
        options=FrozenMap(options),
        languages=langs,
        formats=fmts,
        out=out_dir,
        figures=bool(_get(raw, "report", "figures")),
        rules=rules,
        raw=raw,
        locals=parse_locals(
            raw.get("data", {}).get("locals"),
            root,
            file,
            {k: _get(raw, "design", k) for k in SCHEMA["design"]},
        ),
    )
    _check_variables(cfg)
    return cfg


def _check_variables(cfg: StudyConfig) -> None:
    """Every variable the study names must be in the codebook (when one is given)."""
    if cfg.codebook is None:
        return
    from .. import io as qio

    try:
        cb = qio.read_codebook(cfg.codebook)
    except QonysError as err:
        raise StudyError(
            f"the codebook cannot be read: {err.message}",
            where=Where(file=cfg.path.name, key="data.codebook"),
            rule="study.codebook",
            hint=err.hint or "Check the codebook file.",
        ) from None
    named: list[tuple[str, str]] = [
        (f"design.{k}", v) for k, v in cfg.design.items() if v and k != "lonely_psu"
    ]
    if cfg.city_variable:
        named.append(("data.city_variable", cfg.city_variable))
    if cfg.margins is not None:
        named += [("weighting.margins", v) for v in cfg.margins.variables]
    for stage, opts in cfg.options.items():
        for key, value in opts.items():
            if key == "variables" or key.endswith(("_variable", "_variables")) or key == "by":
                for v in _as_list(value):
                    named.append((f"analyses.{stage}.{key}", str(v)))
    for key, var in named:
        if var not in cb:
            raise StudyError(
                f"unknown variable {var!r}",
                where=Where(file=cfg.path.name, key=key, variable=var),
                rule="study.unknown-variable",
                hint=_suggest(var, list(cb.names)).replace("Known keys", "Variables"),
            )


def load_study(
    path: str | Path,
    *,
    languages: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    out: str | Path | None = None,
) -> StudyConfig:
    """Read and check a study file; command-line choices override the file's.

    Raises
    ------
    StudyError
        For any mistake, before any work is done.
    """
    p = Path(path)
    if not p.is_file():
        raise StudyError(
            "the study file does not exist",
            where=Where(file=str(path)),
            rule="study.missing-file",
            hint="Create one with: qonys init study.toml",
        )
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"line (\d+)", str(err))
        line = getattr(err, "lineno", None) or (int(found.group(1)) if found else None)
        raise StudyError(
            f"the study file is not valid TOML: {err}",
            where=Where(file=p.name, line=line),
            rule="study.toml",
            hint="Check quotes, brackets and '=' on that line.",
        ) from None
    except UnicodeDecodeError:
        raise StudyError(
            "the study file is not UTF-8 text",
            where=Where(file=p.name),
            rule="study.encoding",
            hint="Save it as UTF-8.",
        ) from None
    return parse_study(
        raw, p, languages=languages, formats=formats, out=Path(out) if out is not None else None
    )
