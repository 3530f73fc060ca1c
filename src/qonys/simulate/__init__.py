"""Synthetic study generator with ground truth, calibrated to published statistics.

``simulate_study`` simulates the adult population of Astana, Almaty and Shymkent (districts,
blocks, every internal migrant's latent classes), draws a stratified two-stage cluster sample
of migrants and one of long-term residents with nonresponse and design weights, and fills in
both shipped forms following their routing; ``write_study`` writes KoboToolbox exports, SPSS
files, design and fieldwork files, raking margins and the ground truth. The structural model
and every file are described in ``docs/simulation.md``.

Examples
--------
>>> import pathlib, tempfile
>>> study = simulate_study(n=120, n_locals=80, seed=1, scale=0.02)
>>> files = write_study(study, pathlib.Path(tempfile.mkdtemp()), formats=["kobo_csv"])
>>> sorted(p.name for p in files if p.name.startswith("migrants"))
['migrants.csv', 'migrants.parquet']
"""

from __future__ import annotations

from .calibration import CITY_NAMES, Calibration, load_calibration
from .network import NICKNAMES
from .outputs import DESIGN_VARIABLES, FORMATS, analysis_dataset, write_study
from .params import (
    PHASES,
    STRATEGIES,
    TIE_TYPES,
    ZONES,
    DesignParameters,
    ModelParameters,
    expected_shares,
)
from .study import SimulatedStudy, kobo_codebook, simulate_census, simulate_study
from .truth import dissimilarity, isolation

__all__ = [
    "CITY_NAMES",
    "DESIGN_VARIABLES",
    "FORMATS",
    "NICKNAMES",
    "PHASES",
    "STRATEGIES",
    "TIE_TYPES",
    "ZONES",
    "Calibration",
    "DesignParameters",
    "ModelParameters",
    "SimulatedStudy",
    "analysis_dataset",
    "dissimilarity",
    "expected_shares",
    "isolation",
    "kobo_codebook",
    "load_calibration",
    "simulate_census",
    "simulate_study",
    "write_study",
]
