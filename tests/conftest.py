"""Shared fixtures. Reference material lives in ../shared beside the project root; tests that
need it are skipped with a clear reason only when it is absent (CI always has it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedpaths import ROOT, SHARED, shared_path

__all__ = ["ROOT", "SHARED", "shared_path"]


@pytest.fixture
def shared() -> Path:
    """The ../shared folder (skips when absent)."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference data) is not beside the project; CI always has it")
    return SHARED


@pytest.fixture
def realfiles(shared: Path) -> Path:
    """../shared/data/realfiles: files written by real survey tools."""
    return shared / "data" / "realfiles"
