"""Fixtures for the instrument tests."""

from __future__ import annotations

from types import ModuleType

import pytest
from instrument_helpers import Forms, load_build_tool, read_sheets

from qonys.io import INSTRUMENTS, instrument_path


@pytest.fixture(scope="session")
def forms() -> Forms:
    """Both shipped forms: {form: {sheet: rows}}."""
    return {name: read_sheets(instrument_path(name)) for name in INSTRUMENTS}


@pytest.fixture(scope="session")
def build_tool() -> ModuleType:
    """The build tool module."""
    return load_build_tool()
