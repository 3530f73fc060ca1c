"""Shared fixtures. Reference material lives in ../shared beside the project root; tests that
need it are skipped with a clear reason only when it is absent (CI always has it)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """Path under ../shared, skipping the calling test when the folder is absent."""
    p = SHARED.joinpath(*parts)
    if not SHARED.is_dir():
        pytest.skip("../shared (reference data) is not beside the project; CI always has it")
    if not p.exists():
        pytest.fail(f"expected reference file is missing from ../shared: {'/'.join(parts)}")
    return p


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
