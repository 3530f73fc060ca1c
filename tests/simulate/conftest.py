"""Simulated studies shared by the tests of this folder (each simulated once per test run)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from qonys._core import DataWarning
from qonys.simulate import SimulatedStudy, simulate_study, write_study


@pytest.fixture(scope="session")
def large_study() -> SimulatedStudy:
    """The default study: 3,000 migrants and 1,500 long-term residents, seed 7, full cities."""
    return simulate_study(n=3000, n_locals=1500, seed=7)


@pytest.fixture(scope="session")
def small_study() -> SimulatedStudy:
    """A smaller study for the file tests (a fifth of the cities' population)."""
    return simulate_study(n=600, n_locals=300, seed=3, scale=0.2)


@pytest.fixture(scope="session")
def small_files(small_study: SimulatedStudy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``small_study`` written in every format."""
    out = tmp_path_factory.mktemp("simulated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # labels cut to SPSS's limits
        write_study(small_study, out)
    return out
