"""Build the standard qonys instrument from its YAML source.

The authoring source lives in ``src/qonys/data/instrument/src/``: ``_forms.yaml`` (the forms,
their modules and settings), ``_choices.yaml`` (shared choice lists), ``_indices.yaml``
(composite indices built from scales and variables), ``_intro.md`` (the opening of the codebook
document) and one YAML file per module. From it this tool writes, deterministically:

* ``src/qonys/data/instrument/migrants.xlsx`` and ``locals.xlsx`` (XLSForm: survey, choices and
  settings sheets; the label, hint and constraint-message columns are
  ``label::Қазақша (kk)``, ``label::Русский (ru)``, ``label::English (en)`` and so on);
* ``src/qonys/data/instrument/scales.yaml`` (every scale: items, reverse keys, range, scoring,
  provenance; and the composite indices), for the measurement code;
* ``docs/instrument.md`` (the codebook document: modules, variables, question text in the three
  languages, choices, scoring and provenance).

Usage::

    python tools/build_instrument.py            # rewrite the shipped files
    python tools/build_instrument.py --check    # exit 1 if a shipped file is out of date
    python tools/build_instrument.py --out DIR  # write everything under DIR instead

The same inputs always give byte-identical files (fixed workbook properties and zip times).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

__all__ = [
    "BuildError",
    "Source",
    "build",
    "build_form",
    "load_source",
    "main",
    "render_docs",
    "render_scales",
]

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENT_DIR = ROOT / "src" / "qonys" / "data" / "instrument"
SOURCE_DIR = INSTRUMENT_DIR / "src"
DOCS_DIR = ROOT / "docs"

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
REF_RE = re.compile(r"\$\{([^}]*)\}")
MAX_NAME = 32
MISSING_KINDS = ("dont_know", "refused")
TRANSLATABLE = ("label", "hint", "constraint_message")
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "appearance",
    "repeat_count",
    "default",
    "parameters",
    "qonys_scale",
    "qonys_reverse",
)
CHOICE_EXTRA_COLUMNS = ("missing", "city", "geo_id")
ANSWER_TYPES = ("select_one", "select_multiple", "integer", "decimal", "text", "date")
NO_LABEL_TYPES = ("calculate", "start", "end", "today", "deviceid", "username", "audit")
QUESTION_KEYS = frozenset(
    {
        "name",
        "type",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "calculation",
        "choice_filter",
        "appearance",
        "repeat_count",
        "default",
        "parameters",
        "scale",
        "reverse",
        "score",
        "source",
        "forms",
        "doc",
        "questions",
    }
)
SCORE_TYPES = ("ordinal", "key", "count", "lookup", "access", "derived", "raw")
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

EXCLUSIVE_MESSAGE = {
    "kk": "«Ешқайсысы», «Білмеймін» және «Жауап беруден бас тартты» жауаптарын басқа "
    "жауаптармен бірге белгілеуге болмайды.",
    "ru": "Ответы «Ничего из перечисленного», «Затрудняюсь ответить» и «Отказ от ответа» "
    "нельзя отмечать вместе с другими.",
    "en": "'None of these', 'Don't know' and 'Refused' cannot be combined with other answers.",
}


class BuildError(Exception):
    """The source is inconsistent; the message names the file and the item."""


# --------------------------------------------------------------------------------------------
# Source model


@dataclass
class Choice:
    """One answer option."""

    name: str
    labels: dict[str, str]
    missing: str | None = None
    exclusive: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ChoiceList:
    """A choice list and the file that defines it."""

    name: str
    choices: list[Choice]
    origin: str
    doc: str | None = None

    def substantive(self) -> list[Choice]:
        """Choices that are not missing codes and not "none of these"."""
        return [c for c in self.choices if c.missing is None and not c.exclusive]


@dataclass
class Module:
    """One module file."""

    id: str
    path: str
    raw: dict[str, Any]

    @property
    def group(self) -> str | None:
        g = self.raw.get("group", self.id)
        return None if g is None else str(g)

    @property
    def gated(self) -> bool:
        return bool(self.raw.get("gated", True))

    @property
    def title(self) -> dict[str, str]:
        return dict(self.raw.get("title") or {})

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.raw.get("questions") or [])

    @property
    def scales(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("scales") or {})


@dataclass
class Source:
    """The whole authoring source."""

    version: str
    languages: list[tuple[str, str]]
    default_language: str
    gate: str
    forms: dict[str, dict[str, Any]]
    choice_lists: dict[str, ChoiceList]
    modules: dict[str, Module]
    indices: dict[str, Any]
    intro: str
    _scale_forms: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def lang_codes(self) -> list[str]:
        return [c for c, _ in self.languages]

    def header(self, column: str, lang: str) -> str:
        """XLSForm header of a translatable column (``label::Қазақша (kk)``)."""
        return f"{column}::{dict(self.languages)[lang]}"

    def scale_owner(self, scale: str) -> Module:
        """The module that declares a scale."""
        for m in self.modules.values():
            if scale in m.scales:
                return m
        raise BuildError(f"scale {scale!r} is used but no module declares it")

    def scale_forms(self, scale: str) -> list[str]:
        """Forms in which a scale is tagged: those containing its declaring module and items."""
        if scale not in self._scale_forms:
            self._scale_forms[scale] = self._compute_scale_forms(scale)
        return list(self._scale_forms[scale])

    def _compute_scale_forms(self, scale: str) -> list[str]:
        owner = self.scale_owner(scale)
        spec = owner.scales[scale]
        forms = [f for f, fs in self.forms.items() if owner.id in fs["modules"]]
        if spec.get("forms"):
            forms = [f for f in forms if f in spec["forms"]]
        return [f for f in forms if self._has_items(scale, f)]

    def _has_items(self, scale: str, form: str) -> bool:
        for mid in self.forms[form]["modules"]:
            module = self.modules[mid]
            if not _in_form(module.raw, form):
                continue
            for q in _walk_in_form(module.questions, form):
                if q.get("scale") == scale:
                    return True
        return False


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError as exc:
        raise BuildError(f"{path.name}: invalid YAML: {exc}") from exc


def _labels(
    value: Any, where: str, langs: Sequence[str], *, required: bool = True
) -> dict[str, str]:
    if value is None:
        if required:
            raise BuildError(f"{where}: missing text")
        return {}
    if not isinstance(value, Mapping):
        raise BuildError(f"{where}: text must be a mapping of language -> string")
    out: dict[str, str] = {}
    for lang in langs:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise BuildError(f"{where}: text in {lang!r} is missing or not a string")
        out[lang] = text.strip()
    unknown = set(value) - set(langs)
    if unknown:
        raise BuildError(f"{where}: unknown languages {sorted(unknown)}")
    return out


def _code(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BuildError(f"{where}: a choice name must be an integer or a string, got {value!r}")
    text = str(value)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", text):
        raise BuildError(f"{where}: choice name {text!r} must be a code without spaces")
    return text


def _parse_choice_lists(
    data: Mapping[str, Any], origin: str, langs: Sequence[str], missing: Mapping[str, Choice]
) -> dict[str, ChoiceList]:
    lists: dict[str, ChoiceList] = {}
    for list_name, spec in data.items():
        if list_name.startswith("_"):
            continue
        where = f"{origin}: choice list {list_name!r}"
        if not NAME_RE.match(list_name):
            raise BuildError(f"{where}: list names are lower snake case")
        if not isinstance(spec, Mapping) or "choices" not in spec:
            raise BuildError(f"{where}: needs a 'choices' entry")
        choices: list[Choice] = []
        for i, raw in enumerate(spec["choices"], start=1):
            w = f"{where}, choice {i}"
            name = _code(raw.get("name"), w)
            labels = _labels({k: raw.get(k) for k in langs}, w, langs)
            miss = raw.get("missing")
            if miss is not None and miss not in MISSING_KINDS:
                raise BuildError(f"{w}: missing must be one of {MISSING_KINDS}")
            extra = {
                k: str(v)
                for k, v in raw.items()
                if k not in {"name", "missing", "exclusive", *langs}
            }
            for k in extra:
                if k not in CHOICE_EXTRA_COLUMNS:
                    raise BuildError(f"{w}: unknown choice column {k!r}")
            choices.append(Choice(name, labels, miss, bool(raw.get("exclusive", False)), extra))
        for code in spec.get("add_missing") or []:
            key = str(code)
            if key not in missing:
                raise BuildError(f"{where}: no standard missing code {key}")
            m = missing[key]
            choices.append(Choice(m.name, dict(m.labels), m.missing, True, {}))
        names = [c.name for c in choices]
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            raise BuildError(f"{where}: duplicate choice names {dups}")
        for c in choices:
            if c.missing is not None:
                c.exclusive = True
        lists[list_name] = ChoiceList(list_name, choices, origin, spec.get("doc"))
    return lists


def load_source(source_dir: Path = SOURCE_DIR) -> Source:
    """Read and check the authoring source.

    Parameters
    ----------
    source_dir : Path
        Folder holding ``_forms.yaml``, ``_choices.yaml``, ``_indices.yaml``, ``_intro.md`` and
        the module files.

    Raises
    ------
    BuildError
        When a file is missing or inconsistent.
    """
    forms_doc = _read_yaml(source_dir / "_forms.yaml")
    languages = [(str(x["code"]), str(x["header"])) for x in forms_doc["languages"]]
    langs = [c for c, _ in languages]
    choices_doc = _read_yaml(source_dir / "_choices.yaml")
    missing: dict[str, Choice] = {}
    for code, raw in (choices_doc.get("_missing") or {}).items():
        labels = _labels({k: raw.get(k) for k in langs}, f"_choices.yaml: missing {code}", langs)
        if raw.get("missing") not in MISSING_KINDS:
            raise BuildError(f"_choices.yaml: missing code {code} must be one of {MISSING_KINDS}")
        missing[str(code)] = Choice(str(code), labels, raw["missing"], True)
    lists = _parse_choice_lists(choices_doc, "_choices.yaml", langs, missing)

    modules: dict[str, Module] = {}
    for path in sorted(source_dir.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        raw = _read_yaml(path)
        mid = raw.get("module")
        if mid != path.stem:
            raise BuildError(f"{path.name}: 'module' must be {path.stem!r}, got {mid!r}")
        modules[mid] = Module(mid, path.name, raw)
        for name, cl in _parse_choice_lists(
            raw.get("choices") or {}, path.name, langs, missing
        ).items():
            if name in lists:
                raise BuildError(
                    f"{path.name}: choice list {name!r} already defined in {lists[name].origin}"
                )
            lists[name] = cl

    forms = dict(forms_doc["forms"])
    for fname, fspec in forms.items():
        for mid in fspec["modules"]:
            if mid not in modules:
                raise BuildError(f"_forms.yaml: form {fname!r} lists unknown module {mid!r}")
    indices_path = source_dir / "_indices.yaml"
    indices = _read_yaml(indices_path) if indices_path.exists() else {}
    intro_path = source_dir / "_intro.md"
    intro = intro_path.read_text(encoding="utf-8") if intro_path.exists() else ""
    src = Source(
        version=str(forms_doc["version"]),
        languages=languages,
        default_language=str(forms_doc["default_language"]),
        gate=str(forms_doc.get("gate", "")),
        forms=forms,
        choice_lists=lists,
        modules=modules,
        indices=indices or {},
        intro=intro,
    )
    _check_modules(src)
    return src


def _check_modules(src: Source) -> None:
    langs = src.lang_codes
    for m in src.modules.values():
        _labels(m.raw.get("title"), f"{m.path}: title", langs)
        for scale, spec in m.scales.items():
            w = f"{m.path}: scale {scale!r}"
            if not NAME_RE.match(scale) or len(scale) > MAX_NAME:
                raise BuildError(f"{w}: scale names are lower snake case, at most 32 characters")
            _labels(spec.get("label"), f"{w} label", langs)
            if spec.get("scoring", "ordinal") not in SCORE_TYPES:
                raise BuildError(f"{w}: scoring must be one of {SCORE_TYPES}")
        for q in _walk(m.questions):
            w = f"{m.path}: {q.get('name', '?')}"
            unknown = set(q) - QUESTION_KEYS
            if unknown:
                raise BuildError(f"{w}: unknown keys {sorted(unknown)}")
            for key in TRANSLATABLE:
                if key in q:
                    _labels(q[key], f"{w} {key}", langs)
            if "scale" in q:
                src.scale_owner(str(q["scale"]))
            if q.get("reverse") and "scale" not in q:
                raise BuildError(f"{w}: reverse-keyed but in no scale")
            score = q.get("score")
            if score is not None and score.get("type") not in SCORE_TYPES:
                raise BuildError(f"{w}: score type must be one of {SCORE_TYPES}")
            base = str(q.get("type", "")).split()[0] if q.get("type") else ""
            if base in ("select_one", "select_multiple"):
                list_name = str(q["type"]).split()[1]
                if list_name not in src.choice_lists:
                    raise BuildError(f"{w}: unknown choice list {list_name!r}")
            for f in q.get("forms") or []:
                if f not in src.forms:
                    raise BuildError(f"{w}: unknown form {f!r}")


def _walk(questions: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for q in questions:
        yield q
        if "questions" in q:
            yield from _walk(q["questions"])


def _walk_in_form(questions: Iterable[Mapping[str, Any]], form: str) -> Iterator[Mapping[str, Any]]:
    for q in questions:
        if not _in_form(q, form):
            continue
        yield q
        if "questions" in q:
            yield from _walk_in_form(q["questions"], form)


# --------------------------------------------------------------------------------------------
# Forms


@dataclass
class FormTables:
    """The three sheets of one XLSForm, as rows of column -> value."""

    name: str
    survey: list[dict[str, str]]
    choices: list[dict[str, str]]
    settings: list[dict[str, str]]
    survey_columns: list[str]
    choices_columns: list[str]
    settings_columns: list[str]


def _in_form(item: Mapping[str, Any], form: str) -> bool:
    forms = item.get("forms")
    return not forms or form in forms


def _base_type(qtype: str) -> str:
    return qtype.split()[0]


def _exclusive_constraint(src: Source, list_name: str) -> str | None:
    codes = [c.name for c in src.choice_lists[list_name].choices if c.exclusive]
    if not codes:
        return None
    return " and ".join(f"not(selected(., '{c}') and count-selected(.) > 1)" for c in codes)


def _question_row(src: Source, module: Module, q: Mapping[str, Any], form: str) -> dict[str, str]:
    qtype = str(q["type"])
    base = _base_type(qtype)
    row: dict[str, str] = {"type": qtype, "name": str(q["name"])}
    for key in TRANSLATABLE:
        if key in q:
            for lang, text in q[key].items():
                row[src.header(key, lang)] = text.strip()
    required = q.get("required", module.raw.get("required", False))
    if required and base in ANSWER_TYPES:
        row["required"] = "yes"
    for key in ("relevant", "calculation", "choice_filter", "appearance", "repeat_count"):
        if q.get(key) not in (None, ""):
            row[key] = str(q[key])
    for key in ("default", "parameters"):
        if q.get(key) not in (None, ""):
            row[key] = str(q[key])
    constraint = q.get("constraint")
    messages: dict[str, str] = dict(q.get("constraint_message") or {})
    if base == "select_multiple":
        excl = _exclusive_constraint(src, qtype.split()[1])
        if excl:
            constraint = f"({constraint}) and {excl}" if constraint else excl
            for lang in src.lang_codes:
                own = messages.get(lang)
                messages[lang] = (
                    f"{own} {EXCLUSIVE_MESSAGE[lang]}" if own else EXCLUSIVE_MESSAGE[lang]
                )
    if constraint:
        row["constraint"] = str(constraint)
        for lang, text in messages.items():
            row[src.header("constraint_message", lang)] = text.strip()
    scale = q.get("scale")
    if scale and form in src.scale_forms(str(scale)):
        row["qonys_scale"] = str(scale)
        if q.get("reverse"):
            row["qonys_reverse"] = "yes"
    return row


def _emit(
    src: Source, module: Module, questions: Iterable[Mapping[str, Any]], form: str
) -> Iterator[dict[str, str]]:
    for q in questions:
        if not _in_form(q, form):
            continue
        qtype = str(q["type"])
        if qtype in ("begin_group", "begin_repeat"):
            row = _question_row(src, module, q, form)
            yield row
            yield from _emit(src, module, q.get("questions") or [], form)
            yield {"type": "end_group" if qtype == "begin_group" else "end_repeat"}
        else:
            yield _question_row(src, module, q, form)


def build_form(src: Source, form: str) -> FormTables:
    """Assemble the survey, choices and settings sheets of one form.

    Raises
    ------
    BuildError
        On a duplicate or malformed name, an unresolved ``${ref}``, or an unknown choice list.
    """
    fspec = src.forms[form]
    survey: list[dict[str, str]] = []
    for mid in fspec["modules"]:
        module = src.modules[mid]
        if not _in_form(module.raw, form):
            continue
        rows = list(_emit(src, module, module.questions, form))
        if module.group is None:
            survey.extend(rows)
            continue
        group: dict[str, str] = {"type": "begin_group", "name": module.group}
        for lang, text in module.title.items():
            group[src.header("label", lang)] = text
        relevant = [r for r in (src.gate if module.gated else "", module.raw.get("relevant")) if r]
        if relevant:
            group["relevant"] = " and ".join(f"({r})" if len(relevant) > 1 else r for r in relevant)
        if module.raw.get("appearance"):
            group["appearance"] = str(module.raw["appearance"])
        survey.append(group)
        survey.extend(rows)
        survey.append({"type": "end_group"})

    _check_form(src, form, survey)

    used_lists: list[str] = []
    for row in survey:
        parts = row["type"].split()
        if parts[0] in ("select_one", "select_multiple") and parts[1] not in used_lists:
            used_lists.append(parts[1])
    order = list(src.choice_lists)
    used_lists.sort(key=order.index)
    choices: list[dict[str, str]] = []
    for list_name in used_lists:
        for c in src.choice_lists[list_name].choices:
            row = {"list_name": list_name, "name": c.name}
            for lang, text in c.labels.items():
                row[src.header("label", lang)] = text
            if c.missing:
                row["missing"] = c.missing
            row.update(c.extra)
            choices.append(row)

    title = fspec["title"][src.default_language]
    settings = [
        {
            "form_title": title,
            "form_id": str(fspec["form_id"]),
            "version": src.version,
            "default_language": dict(src.languages)[src.default_language],
        }
    ]
    survey_columns: list[str] = []
    for col in SURVEY_COLUMNS:
        if col in TRANSLATABLE:
            survey_columns.extend(src.header(col, lang) for lang in src.lang_codes)
        else:
            survey_columns.append(col)
    choices_columns = ["list_name", "name"]
    choices_columns += [src.header("label", lang) for lang in src.lang_codes]
    choices_columns += list(CHOICE_EXTRA_COLUMNS)
    return FormTables(
        name=form,
        survey=survey,
        choices=choices,
        settings=settings,
        survey_columns=survey_columns,
        choices_columns=choices_columns,
        settings_columns=["form_title", "form_id", "version", "default_language"],
    )


def _check_form(src: Source, form: str, survey: list[dict[str, str]]) -> None:
    names: dict[str, int] = {}
    for i, row in enumerate(survey, start=2):
        name = row.get("name")
        if not name:
            continue
        if not NAME_RE.match(name) or len(name) > MAX_NAME:
            raise BuildError(
                f"{form}: {name!r} must be lower snake case ASCII of at most {MAX_NAME} characters"
            )
        if name in names:
            raise BuildError(f"{form}: name {name!r} appears twice (rows {names[name]} and {i})")
        names[name] = i
        base = _base_type(row["type"])
        if base not in NO_LABEL_TYPES and base not in ("end_group", "end_repeat"):
            for lang in src.lang_codes:
                if not row.get(src.header("label", lang)):
                    raise BuildError(f"{form}: {name!r} has no label in {lang!r}")
    for row in survey:
        for key, value in row.items():
            for ref in REF_RE.findall(value):
                if ref not in names:
                    raise BuildError(
                        f"{form}: {row.get('name')!r} {key} refers to unknown ${{{ref}}}"
                    )
    for list_name in {r["type"].split()[1] for r in survey if r["type"].startswith("select_")}:
        for c in src.choice_lists[list_name].choices:
            for lang, text in c.labels.items():
                for ref in REF_RE.findall(text):
                    if ref not in names:
                        raise BuildError(
                            f"{form}: choice {list_name}/{c.name} label ({lang}) "
                            f"refers to unknown ${{{ref}}}"
                        )


# --------------------------------------------------------------------------------------------
# Writing


def _deterministic_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            new = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into `modified`; pin it.
                payload = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    payload,
                )
            dst.writestr(new, payload)
    return out.getvalue()


def xlsx_bytes(tables: FormTables) -> bytes:
    """The XLSForm workbook of a form, byte-identical for identical input."""
    wb = Workbook()
    sheets = (
        ("survey", tables.survey_columns, tables.survey),
        ("choices", tables.choices_columns, tables.choices),
        ("settings", tables.settings_columns, tables.settings),
    )
    ws = wb.active
    if ws is None:  # pragma: no cover - a new workbook always has a sheet
        raise BuildError("openpyxl created a workbook without a sheet")
    for i, (title, columns, rows) in enumerate(sheets):
        if i:
            ws = wb.create_sheet()
        ws.title = title
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c) or None for c in columns])
        ws.freeze_panes = "A2"
    wb.properties.creator = "qonys"
    wb.properties.lastModifiedBy = "qonys"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


# --------------------------------------------------------------------------------------------
# scales.yaml


def _item_range(src: Source, list_name: str | None) -> tuple[int | None, int | None]:
    if list_name is None:
        return None, None
    codes = []
    for c in src.choice_lists[list_name].substantive():
        try:
            codes.append(int(c.name))
        except ValueError:
            return None, None
    return (min(codes), max(codes)) if codes else (None, None)


def _scale_items(src: Source, scale: str) -> list[tuple[Module, Mapping[str, Any]]]:
    """Items of a scale in questionnaire order (first form that tags it), without duplicates."""
    items: list[tuple[Module, Mapping[str, Any]]] = []
    seen: set[str] = set()
    forms = src.scale_forms(scale)
    for form in forms:
        for mid in src.forms[form]["modules"]:
            m = src.modules[mid]
            if not _in_form(m.raw, form):
                continue
            for q in _walk_in_form(m.questions, form):
                if q.get("scale") == scale and q["name"] not in seen:
                    seen.add(str(q["name"]))
                    items.append((m, q))
    return items


def scale_table(src: Source) -> dict[str, dict[str, Any]]:
    """Every scale with its items, keys, ranges and scoring (the content of scales.yaml)."""
    out: dict[str, dict[str, Any]] = {}
    for m in src.modules.values():
        for scale, spec in m.scales.items():
            items = _scale_items(src, scale)
            if not items:
                raise BuildError(f"{m.path}: scale {scale!r} has no items")
            default_score = spec.get("scoring", "ordinal")
            detail: dict[str, Any] = {}
            for _, q in items:
                qtype = str(q["type"])
                list_name = qtype.split()[1] if qtype.startswith("select_") else None
                low, high = _item_range(src, list_name)
                score = dict(q.get("score") or {"type": default_score})
                entry: dict[str, Any] = {"type": qtype}
                if low is not None:
                    entry["low"], entry["high"] = low, high
                entry["score"] = score
                if q.get("reverse"):
                    entry["reverse"] = True
                if q.get("source"):
                    entry["source"] = str(q["source"])
                detail[str(q["name"])] = entry
            lows = {d.get("low") for d in detail.values()}
            highs = {d.get("high") for d in detail.values()}
            record: dict[str, Any] = {
                "label": dict(spec["label"]),
                "module": m.id,
                "forms": src.scale_forms(scale),
                "items": list(detail),
                "reverse": [n for n, d in detail.items() if d.get("reverse")],
            }
            if len(lows) == 1 and len(highs) == 1 and None not in lows:
                record["low"], record["high"] = lows.pop(), highs.pop()
            mixed = any(d["score"].get("type") != default_score for d in detail.values())
            record["scoring"] = default_score
            if mixed:
                record["scoring_note"] = "some items are scored differently: see item_detail"
            for key in ("dont_know", "min_items", "short_form", "role", "source", "note"):
                if key in spec:
                    record[key] = spec[key]
            record["item_detail"] = detail
            out[scale] = record
    return out


def render_scales(src: Source) -> str:
    """Text of scales.yaml."""
    body = {
        "version": src.version,
        "scales": scale_table(src),
        "indices": src.indices.get("indices", {}),
    }
    head = (
        "# Scales and composite indices of the standard qonys instrument.\n"
        "# Generated by tools/build_instrument.py from src/*.yaml: do not edit by hand.\n"
    )
    return head + yaml.dump(body, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)


# --------------------------------------------------------------------------------------------
# docs/instrument.md


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _source_of(module: Module, q: Mapping[str, Any]) -> str:
    return str(q.get("source") or module.raw.get("source") or "own")


def _origin(source: str) -> str:
    """First word of a provenance note: published, adapted or own."""
    word = re.split(r"[\s:;,(]", source.strip(), maxsplit=1)[0].lower()
    return word if word in ("published", "adapted", "own") else "own"


def _anchor(list_name: str) -> str:
    return "list-" + list_name.replace("_", "-")


def _question_doc(src: Source, module: Module, q: Mapping[str, Any]) -> list[str]:
    qtype = str(q["type"])
    base = _base_type(qtype)
    if qtype in ("begin_group", "begin_repeat"):
        kind = "repeat group" if base == "begin_repeat" else "group"
        head = f"#### `{q['name']}` · {kind}"
    else:
        head = f"#### `{q['name']}` · {base}"
        if base in ("select_one", "select_multiple"):
            list_name = qtype.split()[1]
            head += f" [`{list_name}`](#{_anchor(list_name)})"
    if q.get("scale"):
        head += f" · scale `{q['scale']}`" + (" (reverse-keyed)" if q.get("reverse") else "")
    lines = [head, ""]
    if q.get("forms"):
        lines += [f"*Only in the `{'`, `'.join(q['forms'])}` form.*", ""]
    for key, title in (("label", None), ("hint", "hint")):
        if key in q:
            for lang in src.lang_codes:
                prefix = f"**{lang}**" if title is None else f"*{title} {lang}*"
                lines.append(f"- {prefix}: {_md(q[key][lang])}")
    meta: list[str] = []
    if q.get("doc"):
        meta.append(str(q["doc"]).strip())
    for key in ("relevant", "constraint", "calculation", "choice_filter", "repeat_count"):
        if q.get(key):
            meta.append(f"{key}: `{q[key]}`")
    if q.get("score"):
        score = q["score"]
        extra = ", ".join(f"{k} = {v}" for k, v in score.items() if k != "type")
        meta.append(f"scoring: {score['type']}" + (f" ({extra})" if extra else ""))
    if base not in NO_LABEL_TYPES and base not in ("note", "begin_group", "begin_repeat"):
        meta.append(f"source: {_source_of(module, q)}")
    if meta:
        lines.append("- " + "; ".join(_md(x) for x in meta))
    lines.append("")
    return lines


def _variables_table(src: Source, module: Module) -> list[str]:
    rows = ["| variable | type | choices | scale | form | origin |", "|---|---|---|---|---|---|"]
    for q in _walk(module.questions):
        qtype = str(q["type"])
        base = _base_type(qtype)
        if base in ("note", "begin_group", "end_group"):
            continue
        list_name = qtype.split()[1] if base in ("select_one", "select_multiple") else ""
        choices = f"[`{list_name}`](#{_anchor(list_name)})" if list_name else ""
        kind = "repeat" if base == "begin_repeat" else base
        scale = f"`{q['scale']}`" + (" (r)" if q.get("reverse") else "") if q.get("scale") else ""
        forms = ", ".join(q["forms"]) if q.get("forms") else "all"
        origin = (
            ""
            if base in NO_LABEL_TYPES or base == "begin_repeat"
            else _origin(_source_of(module, q))
        )
        rows.append(f"| `{q['name']}` | {kind} | {choices} | {scale} | {forms} | {origin} |")
    return rows + [""]


def _render_index(name: str, spec: Mapping[str, Any]) -> list[str]:
    lines = [f"### `{name}`: {spec['label']['en']}", ""]
    lines.append(f"- forms: {', '.join(spec.get('forms', []))}")
    if spec.get("aggregate"):
        lines.append(f"- aggregate: {spec['aggregate']}")
    for comp in spec.get("components", []):
        parts = []
        for key in ("scale", "variable", "index", "network"):
            if key in comp:
                parts.append(
                    f"{key} `{comp[key]}`" if key != "network" else f"network: {comp[key]}"
                )
        if "max_of" in comp:
            parts.append("larger of " + ", ".join(f"`{x}`" for x in comp["max_of"]))
        if "coding" in comp:
            parts.append("coding " + ", ".join(f"{k} -> {v}" for k, v in comp["coding"].items()))
        if "rule" in comp:
            parts.append(str(comp["rule"]))
        if "forms" in comp:
            parts.append(f"{', '.join(comp['forms'])} form only")
        lines.append(f"- component `{comp['id']}`: " + "; ".join(parts))
    if spec.get("rule"):
        lines.append(f"- rule: {_md(str(spec['rule']))}")
    if spec.get("source"):
        lines.append(f"- source: {spec['source']}")
    lines.append("")
    return lines


def render_docs(src: Source) -> str:
    """Text of docs/instrument.md."""
    out: list[str] = [
        "<!-- Generated by tools/build_instrument.py from "
        "src/qonys/data/instrument/src/: do not edit by hand. -->",
        "",
        src.intro.rstrip(),
        "",
        f"Instrument version: **{src.version}**.",
        "",
        "## Forms and modules",
        "",
        "| module | title | " + " | ".join(f"`{f}`" for f in src.forms) + " |",
        "|---|---|" + "---|" * len(src.forms),
    ]
    seen: list[str] = []
    for fspec in src.forms.values():
        for mid in fspec["modules"]:
            if mid not in seen:
                seen.append(mid)
    for mid in seen:
        m = src.modules[mid]
        marks = [
            str(fs["modules"].index(mid) + 1) if mid in fs["modules"] else ""
            for fs in src.forms.values()
        ]
        out.append(f"| [`{mid}`](#module-{mid}) | {m.title['en']} | " + " | ".join(marks) + " |")
    out += ["", "Numbers give the position of the module in each form.", ""]
    table = scale_table(src)
    for mid in seen:
        m = src.modules[mid]
        forms = [f for f, fs in src.forms.items() if mid in fs["modules"]]
        out += [f'<a id="module-{mid}"></a>', "", f"## Module `{mid}`: {m.title['en']}", ""]
        out += [f"- **{lang}**: {m.title[lang]}" for lang in src.lang_codes]
        where = (
            f"- forms: {', '.join(forms)}; group `{m.group}`"
            if m.group
            else (f"- forms: {', '.join(forms)}; no group")
        )
        if m.gated and m.group:
            where += f"; asked when `{src.gate}`"
        out += [where, ""]
        if m.raw.get("description"):
            out += [str(m.raw["description"]).strip(), ""]
        if m.raw.get("references"):
            out += ["**Sources.**", ""] + [f"- {r}" for r in m.raw["references"]] + [""]
        if m.raw.get("scoring"):
            out += ["**Scoring.**", "", str(m.raw["scoring"]).strip(), ""]
        if m.scales:
            out += [
                "**Scales.**",
                "",
                "| scale | items | reverse-keyed | scoring |",
                "|---|---|---|---|",
            ]
            for scale in m.scales:
                rec = table[scale]
                items = ", ".join(f"`{i}`" for i in rec["items"])
                rev = ", ".join(f"`{i}`" for i in rec["reverse"]) or "none"
                how = rec["scoring"] + (" (some items differ)" if "scoring_note" in rec else "")
                out.append(f"| `{scale}` ({rec['label']['en']}) | {items} | {rev} | {how} |")
            out.append("")
        out += ["**Variables.**", ""] + _variables_table(src, m)
        out += ["**Questions.**", ""]
        for q in _walk(m.questions):
            out += _question_doc(src, m, q)
    out += [
        "## Scales",
        "",
        "| scale | forms | items | range | scoring | source |",
        "|---|---|---|---|---|---|",
    ]
    for name, rec in table.items():
        rng = f"{rec['low']}-{rec['high']}" if "low" in rec else "per item"
        out.append(
            f"| `{name}` ({rec['label']['en']}) | {', '.join(rec['forms'])} | {len(rec['items'])}"
            f" | {rng} | {rec['scoring']} | {rec.get('source', '')} |"
        )
    out.append("")
    indices = src.indices.get("indices", {})
    if indices:
        out += ["## Composite indices", ""]
        for name, spec in indices.items():
            out += _render_index(name, spec)
    out += [
        "## Choice lists",
        "",
        "Codes 98 and 99 are the missing codes (`missing` column of the choices sheet: "
        '`dont_know`, `refused`); *exclusive* marks a "none of these" answer that cannot be '
        "combined with others.",
        "",
    ]
    for cl in src.choice_lists.values():
        extra = [k for k in CHOICE_EXTRA_COLUMNS[1:] if any(k in c.extra for c in cl.choices)]
        header = ["code", *src.lang_codes, "flag", *extra]
        out += [f'<a id="{_anchor(cl.name)}"></a>', "", f"### `{cl.name}`", ""]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for c in cl.choices:
            cells = [c.name] + [_md(c.labels[lang]) for lang in src.lang_codes]
            cells.append(c.missing or ("exclusive" if c.exclusive else ""))
            cells += [c.extra.get(k, "") for k in extra]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# Entry points


def build(src: Source, instrument_dir: Path, docs_dir: Path) -> list[Path]:
    """Write both forms, scales.yaml and instrument.md; return the paths written."""
    instrument_dir.mkdir(parents=True, exist_ok=True)
    docs_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for form in src.forms:
        path = instrument_dir / f"{form}.xlsx"
        path.write_bytes(xlsx_bytes(build_form(src, form)))
        written.append(path)
    path = instrument_dir / "scales.yaml"
    path.write_text(render_scales(src), encoding="utf-8")
    written.append(path)
    path = docs_dir / "instrument.md"
    path.write_text(render_docs(src), encoding="utf-8")
    written.append(path)
    return written


def _same_content(shipped: Path, fresh: Path) -> bool:
    """Whether two built files hold the same content.

    Workbooks are compared cell by cell on every sheet: their bytes depend on the XML library
    openpyxl finds installed (lxml or the standard library), not on the form.
    """
    if fresh.suffix != ".xlsx":
        return shipped.read_bytes() == fresh.read_bytes()
    from openpyxl import load_workbook

    def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
        wb = load_workbook(path, read_only=True)
        try:
            return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
        finally:
            wb.close()

    return cells(shipped) == cells(fresh)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="authoring folder")
    parser.add_argument("--out", type=Path, help="write everything under this folder instead")
    parser.add_argument("--check", action="store_true", help="fail if shipped files differ")
    args = parser.parse_args(argv)
    try:
        src = load_source(args.source)
        if args.check:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                written = build(src, Path(tmp), Path(tmp))
                stale = [
                    p.name
                    for p in written
                    for shipped in [(DOCS_DIR if p.suffix == ".md" else INSTRUMENT_DIR) / p.name]
                    if not shipped.exists() or not _same_content(shipped, p)
                ]
            if stale:
                print("out of date: " + ", ".join(stale), file=sys.stderr)
                return 1
            print("instrument is up to date")
            return 0
        if args.out:
            written = build(src, args.out, args.out)
        else:
            written = build(src, INSTRUMENT_DIR, DOCS_DIR)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in written:
        print(f"wrote {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
