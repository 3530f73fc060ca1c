"""Floor 0: errors, policies, registries, the ``Result`` protocol, the codebook and datasets.

Imports only the standard library, numpy and pandas.
"""

from .checks import check_columns, check_in, check_positive_int, suggest
from .codebook import (
    Choice,
    ChoiceList,
    Code,
    Codebook,
    Group,
    MissingCode,
    MissingKind,
    MRSet,
    Roster,
    Scale,
    Variable,
    parse_language_header,
)
from .dataset import Dataset, SourceInfo
from .errors import (
    CodebookError,
    ConvergenceError,
    ConvergenceWarning,
    DataError,
    DataWarning,
    DesignError,
    MetadataError,
    PrivacyError,
    PrivacyWarning,
    QonysError,
    QonysWarning,
    ReadError,
    StudyError,
    Where,
    WriteError,
)
from .frozen import FrozenMap
from .hashing import sha256_bytes, sha256_file
from .policies import (
    LonelyPSUPolicy,
    MissingPolicy,
    NaWeightsPolicy,
    UndefinedPolicy,
    UnknownCodePolicy,
    check_policy,
)
from .registry import Registry, ensure_plugins_loaded
from .results import TIDY_COLUMNS, Meta, Result, ResultMixin, tidy_frame, to_jsonable

__all__ = [
    "TIDY_COLUMNS",
    "Choice",
    "ChoiceList",
    "Code",
    "Codebook",
    "CodebookError",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataError",
    "DataWarning",
    "Dataset",
    "DesignError",
    "FrozenMap",
    "Group",
    "LonelyPSUPolicy",
    "MRSet",
    "Meta",
    "MetadataError",
    "MissingCode",
    "MissingKind",
    "MissingPolicy",
    "NaWeightsPolicy",
    "PrivacyError",
    "PrivacyWarning",
    "QonysError",
    "QonysWarning",
    "ReadError",
    "Registry",
    "Result",
    "ResultMixin",
    "Roster",
    "Scale",
    "SourceInfo",
    "StudyError",
    "UndefinedPolicy",
    "UnknownCodePolicy",
    "Variable",
    "Where",
    "WriteError",
    "check_columns",
    "check_in",
    "check_policy",
    "check_positive_int",
    "ensure_plugins_loaded",
    "parse_language_header",
    "sha256_bytes",
    "sha256_file",
    "suggest",
    "tidy_frame",
    "to_jsonable",
]
