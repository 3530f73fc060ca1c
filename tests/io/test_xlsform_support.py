"""Helpers shared by the XLSForm, Kobo and ODK tests (imported as ``test_xlsform_support``).

``write_form`` writes a small XLSForm from row dicts, so malformed and synthetic forms are built
in ``tmp_path`` by the test that needs them. ``kpi_to_xlsform`` turns a KoboToolbox form
definition (the ``content`` of formpack's test fixtures in ../shared) into the XLSForm it
stands for, so the formpack-generated exports can be read with their form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

__all__ = ["kpi_to_xlsform", "write_form"]


def _sheet(wb: Workbook, title: str, rows: Sequence[Mapping[str, object]]) -> None:
    ws = wb.create_sheet(title)
    cols: list[str] = []
    for row in rows:
        cols += [k for k in row if k not in cols]
    ws.append(cols)
    for row in rows:
        ws.append([row.get(c) for c in cols])


def write_form(
    path: Path,
    survey: Sequence[Mapping[str, object]],
    choices: Sequence[Mapping[str, object]] | None = None,
    settings: Mapping[str, object] | None = None,
) -> Path:
    """Write an XLSForm whose sheets hold ``survey``, ``choices`` and ``settings`` rows."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", survey)
    if choices:
        _sheet(wb, "choices", choices)
    if settings:
        _sheet(wb, "settings", [settings])
    wb.save(path)
    return path


def kpi_to_xlsform(fixture: Path, out: Path) -> Path:
    """XLSForm of a formpack fixture's form content (types, names, labels by translation)."""
    content = json.loads(fixture.read_text(encoding="utf-8"))["content"]
    langs = content.get("translations") or [None]

    def header(lang: str | None) -> str:
        return "label" if lang is None else f"label::{lang}"

    survey = []
    for row in content["survey"]:
        qtype = row["type"]
        if "select_from_list_name" in row:
            qtype += " " + row["select_from_list_name"]
        out_row: dict[str, object] = {"type": qtype, "name": row.get("name")}
        for lang, text in zip(langs, row.get("label") or [], strict=False):
            out_row[header(lang)] = text
        if row.get("repeat_count"):
            out_row["repeat_count"] = row["repeat_count"]
        survey.append(out_row)
    choices = [
        {"list_name": c["list_name"], "name": c["name"]}
        | {header(lang): text for lang, text in zip(langs, c["label"], strict=False)}
        for c in content.get("choices") or []
    ]
    return write_form(out, survey, choices or None)
