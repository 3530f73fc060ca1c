"""Paths to the reference material in ../shared, beside the project root.

Import from here (``from sharedpaths import shared_path``), not from ``conftest``: several test
folders have a conftest of their own, and a bare ``import conftest`` would pick any of them.
Tests that need ../shared are skipped with a clear reason only when the folder is absent; CI
always has it, and a file missing from it is a failure, not a skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

__all__ = ["ROOT", "SHARED", "shared_path"]


def shared_path(*parts: str) -> Path:
    """Path under ../shared, skipping the calling test when the folder is absent."""
    p = SHARED.joinpath(*parts)
    if not SHARED.is_dir():
        pytest.skip("../shared (reference data) is not beside the project; CI always has it")
    if not p.exists():
        pytest.fail(f"expected reference file is missing from ../shared: {'/'.join(parts)}")
    return p
