"""Floor 1: readers and writers of instruments and survey data.

``read(path)`` returns a :class:`~qonys._core.dataset.Dataset` (main table, rosters, codebook);
``write(dataset, path)`` writes one; ``read_codebook`` / ``write_codebook`` handle XLSForms and
YAML sidecars. Each format lives in its own module and registers itself by name.
"""

# Built-in formats register themselves on import (one module per format).
# sav: .sav/.zsav; stata: .dta; xlsform(+_write): XLSForm codebooks;
# kobo: kobo_csv, kobo_xlsx; odk: odk_central, odk_briefcase;
# tabular: csv, xlsx, parquet with sidecar; yaml_codebook: YAML codebooks.
from . import kobo, odk, sav, stata, tabular, xlsform, xlsform_write, yaml_codebook  # noqa: F401
from ._registry import (
    CODEBOOK_READERS,
    CODEBOOK_WRITERS,
    READERS,
    WRITERS,
    detect_codebook_format,
    detect_format,
    read,
    read_codebook,
    write,
    write_codebook,
)
from .instrument import INSTRUMENTS, instrument_path, scales_path
from .kobo_write import write_kobo_csv, write_kobo_xlsx  # noqa: F401  (registers the writers)
from .xlsform_lint import XLSFormLintReport, lint_xlsform

__all__ = [
    "CODEBOOK_READERS",
    "CODEBOOK_WRITERS",
    "INSTRUMENTS",
    "READERS",
    "WRITERS",
    "XLSFormLintReport",
    "detect_codebook_format",
    "detect_format",
    "instrument_path",
    "lint_xlsform",
    "read",
    "read_codebook",
    "scales_path",
    "write",
    "write_codebook",
]
