"""Helpers shared by the instrument tests: the shipped forms read back as plain rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
LANG_HEADERS = {"kk": "Қазақша (kk)", "ru": "Русский (ru)", "en": "English (en)"}

Forms = dict[str, dict[str, list[dict[str, Any]]]]


def read_sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every sheet of an XLSForm as a list of {header: value} rows (empty rows dropped)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out: dict[str, list[dict[str, Any]]] = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) if h is not None else "" for h in rows[0]]
        out[ws.title] = [
            {h: v for h, v in zip(header, row, strict=False) if h and v not in (None, "")}
            for row in rows[1:]
            if any(v not in (None, "") for v in row)
        ]
    wb.close()
    return out


def load_build_tool() -> ModuleType:
    """tools/build_instrument.py as a module (tools/ is not a package)."""
    name = "qonys_build_instrument"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "build_instrument.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
