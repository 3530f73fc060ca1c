"""Floor 1: readers and writers of instruments and survey data.

``read(path)`` returns a :class:`~qonys._core.dataset.Dataset` (main table, rosters, codebook);
``write(dataset, path)`` writes one; ``read_codebook`` / ``write_codebook`` handle XLSForms and
YAML sidecars. Each format lives in its own module and registers itself by name.
"""

# Built-in formats register themselves on import (one module per format).
from . import tabular, yaml_codebook  # noqa: F401  (csv, xlsx, parquet; yaml codebooks)
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

__all__ = [
    "CODEBOOK_READERS",
    "CODEBOOK_WRITERS",
    "READERS",
    "WRITERS",
    "detect_codebook_format",
    "detect_format",
    "read",
    "read_codebook",
    "write",
    "write_codebook",
]
