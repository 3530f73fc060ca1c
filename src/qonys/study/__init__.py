"""Floor 5: the study. Reads ``study.toml``, runs the analysis plan, writes the report.

* :func:`load_study` checks a study file before any work (errors name the key and the fix);
* :func:`write_starter` writes a commented starter file (``qonys init``);
* :func:`register_stage` plugs an analysis into the standard plan (:data:`STANDARD_PLAN`);
* :func:`run_study` runs the plan with caching, progress bars and failure isolation, and writes
  the report in every requested language and format with provenance.
"""

from . import builtin as _builtin  # registers the built-in stages
from . import stages_identity as _stages_identity  # registers identity
from . import stages_integration as _stages_integration  # integration, structural_complex
from . import stages_motives as _stages_motives  # registers motives
from . import stages_network as _stages_network  # registers social_capital
from . import stages_perceptions as _stages_perceptions  # registers perceptions
from . import stages_portrait as _stages_portrait  # registers portrait
from . import stages_spatial as _stages_spatial  # registers settlement and segregation
from . import stages_typology as _stages_typology  # registers strategies and phases
from . import survey as _survey  # registers weight
from .cache import StageCache, stage_key
from .margins import Margins, read_margins
from .runner import StageStatus, StudyRun, run_study
from .schema import SCHEMA, StudyConfig, load_study, parse_study
from .stages import (
    STAGES,
    STANDARD_PLAN,
    DerivedVariables,
    ProvenanceNote,
    Stage,
    StudyContext,
    plan,
    register_stage,
    registered_stages,
    unregister_stage,
)
from .starter import STARTER, write_starter

del (
    _builtin,
    _stages_identity,
    _stages_integration,
    _stages_motives,
    _stages_network,
    _stages_perceptions,
    _stages_portrait,
    _stages_spatial,
    _stages_typology,
    _survey,
)

__all__ = [
    "SCHEMA",
    "STAGES",
    "STANDARD_PLAN",
    "STARTER",
    "DerivedVariables",
    "Margins",
    "ProvenanceNote",
    "Stage",
    "StageCache",
    "StageStatus",
    "StudyConfig",
    "StudyContext",
    "StudyRun",
    "load_study",
    "parse_study",
    "plan",
    "read_margins",
    "register_stage",
    "registered_stages",
    "run_study",
    "stage_key",
    "unregister_stage",
    "write_starter",
]
