"""Fixtures of the report tests (the example report lives in report_examples.py)."""

from __future__ import annotations

import pytest
from report_examples import example_codebook, example_report

from qonys._core import Codebook
from qonys.report import Report


@pytest.fixture
def report() -> Report:
    return example_report()


@pytest.fixture
def codebook() -> Codebook:
    return example_codebook()
