"""Header candidates of form variables, and label exports mapped back to names and codes.

A KoboToolbox export can carry question *labels* as headers and choice *labels* as values
("Labels" or "Labels in language X" exports). Given the form, :func:`label_candidates` lists
every header a variable can have (its name or, for a language, its label; with or without the
group path; geopoint parts; ``q/choice`` indicators) and :func:`labelled_values` turns choice
labels back into codes. A select_multiple summary is rebuilt from its 0/1 indicator columns
when they are present (codes in list order); otherwise its labels are matched longest first,
and a value that cannot be split into known labels is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._core import Codebook, DataError, Variable, Where
from .._core.codebook import Code
from .xlsform_values import cell_text

__all__ = ["GEO_PARTS", "ODK_GEO", "label_candidates", "labelled_values", "languages_in"]

GEO_PARTS = ("latitude", "longitude", "altitude", "precision")
"""Geopoint parts, in KoboToolbox's column order and naming."""
ODK_GEO = {
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Altitude": "altitude",
    "Accuracy": "precision",
}
"""ODK's geopoint column suffixes -> qonys part names."""

Candidate = tuple[Variable, str | None]


def languages_in(cb: Codebook) -> list[str]:
    """Language codes a label export may be in: declared ones, then ``default`` if used."""
    langs = list(cb.languages)
    if "default" not in langs and any("default" in v.label for v in cb.variables):
        langs.append("default")
    return langs


def _text(labels: Mapping[str, str], lang: str | None, fallback: str) -> str:
    if lang is None:
        return fallback
    return labels.get(lang) or labels.get("default") or fallback


def label_candidates(
    cb: Codebook, variables: Sequence[Variable], sep: str, lang: str | None, odk: bool
) -> dict[str, list[Candidate]]:
    """Header -> variables (and geopoint part) that may sit under it, full paths first."""
    sources = {m: s.source for s in cb.mr_sets if s.source for m in s.variables}
    by_name = {v.name: v for v in cb.variables}
    groups = {g.path: g for g in cb.groups}
    entries: list[tuple[int, str, Candidate]] = []
    for v in variables:
        segs = [
            _text(groups[v.group[: k + 1]].label, lang, name)
            if v.group[: k + 1] in groups
            else name
            for k, name in enumerate(v.group)
        ]
        source = by_name.get(sources.get(v.name) or "")
        if source is not None and lang is not None:
            code = v.name[len(source.name) + 1 :]
            leaf = f"{_text(source.label, lang, source.name)}/{_text(v.label, lang, code)}"
        else:
            leaf = _text(v.label, lang, v.name)
        for k in range(len(segs) + 1):
            stem = sep.join([*segs[k:], leaf])
            entries.append((k, stem, (v, None)))
            if v.type != "geopoint":
                continue
            if odk:
                entries += [(k, f"{stem}-{suffix}", (v, part)) for suffix, part in ODK_GEO.items()]
            else:
                entries += [
                    (k, sep.join([*segs[k:], f"_{leaf}_{part}"]), (v, part)) for part in GEO_PARTS
                ]
    out: dict[str, list[Candidate]] = {}
    for _k, key, cand in sorted(entries, key=lambda e: e[0]):
        out.setdefault(key, []).append(cand)
    return out


def _split_labels(text: str, labels: Mapping[str, Code]) -> list[Code] | None:
    """Split a space-joined list of labels, longest label first; ``None`` if impossible."""
    ordered = sorted(labels, key=len, reverse=True)
    out: list[Code] = []
    rest = text.strip()
    while rest:
        for label in ordered:
            if rest == label or rest.startswith(label + " "):
                out.append(labels[label])
                rest = rest[len(label) :].strip()
                break
        else:
            return None
    return out


def labelled_values(
    cells: Sequence[object],
    var: Variable,
    cb: Codebook,
    lang: str,
    table: Any,
    cols: Sequence[Any],
    where: Callable[[int], Where],
    rule: str,
) -> list[object]:
    """Cells of a select question in a label export, turned back into codes."""
    cl = cb.choice_list(var.choices or "")
    by_label: dict[str, Code] = {}
    for c in cl.choices:
        by_label.setdefault(c.label_in(lang, ()), c.code)
    codes = {str(c.code): c.code for c in cl.choices}
    out: list[object] = []
    if var.type == "select_one":
        for i, cell in enumerate(cells):
            text = (cell_text(cell) or "").strip() or None
            if text is None:
                out.append(None)
            elif text in by_label:
                out.append(by_label[text])
            elif text in codes:
                out.append(codes[text])
            else:
                raise _not_label(text, var, where(i), rule)
        return out
    items = [
        (c.index, c.var.name[len(var.name) + 1 :])
        for c in cols
        if c.var is not None and c.var.name.startswith(var.name + "/")
    ]
    order = [str(c.code) for c in cl.choices]
    for i, cell in enumerate(cells):
        text = (cell_text(cell) or "").strip() or None
        if text is None:
            out.append(None)
            continue
        if items:
            row = table.rows[i]
            chosen = {
                code
                for idx, code in items
                if idx < len(row) and (cell_text(row[idx]) or "").strip() == "1"
            }
            out.append(" ".join(c for c in order if c in chosen))
            continue
        split = _split_labels(text, by_label)
        if split is None:
            raise _not_label(text, var, where(i), rule)
        out.append(" ".join(str(c) for c in split))
    return out


def _not_label(text: str, var: Variable, where: Where, rule: str) -> DataError:
    return DataError(
        f"value {text!r} is not a choice label (or code) of list {var.choices!r}",
        where=where,
        rule=rule,
        hint="Export with 'XML values and headers', or give the form version of this export.",
    )
