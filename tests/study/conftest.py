"""Fixtures of the study tests (the example study lives in study_examples.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from study_examples import (
    CALLS,
    identity_stage,
    perceptions_stage,
    portrait_stage,
    write_study,
)

from qonys.study import Stage, registered_stages


@pytest.fixture
def stages():
    CALLS.clear()
    with registered_stages(
        Stage("portrait", portrait_stage, title="Portrait"),
        Stage("identity", identity_stage, title="Identity"),
        Stage("perceptions", perceptions_stage, needs=("identity",), title="Perceptions"),
    ):
        yield CALLS


@pytest.fixture
def study_file(tmp_path) -> Path:
    return write_study(tmp_path)
