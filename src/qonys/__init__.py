"""qonys: a toolkit for studying how internal migrants integrate into city life.

From questionnaire to published report: an XLSForm instrument in Kazakh, Russian and English;
readers for KoboToolbox, ODK, SPSS, Stata, CSV and Parquet with a codebook that keeps labels and
missing-value kinds; design-based estimation; analyses of integration, identity, networks, urban
space and attitudes; and reports in kk/ru/en.

The public API is re-exported here and in each subpackage's ``__init__``.
"""

from ._core import (
    Codebook,
    CodebookError,
    ConvergenceError,
    DataError,
    Dataset,
    DesignError,
    MissingKind,
    PrivacyError,
    QonysError,
    QonysWarning,
    Result,
    StudyError,
    Variable,
)
from ._version import __version__

__all__ = [
    "Codebook",
    "CodebookError",
    "ConvergenceError",
    "DataError",
    "Dataset",
    "DesignError",
    "MissingKind",
    "PrivacyError",
    "QonysError",
    "QonysWarning",
    "Result",
    "StudyError",
    "Variable",
    "__version__",
]
