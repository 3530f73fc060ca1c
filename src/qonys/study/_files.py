"""Files named in a study file: resolved against its folder and checked to exist (internal)."""

from __future__ import annotations

from pathlib import Path

from .._core import StudyError, Where

__all__ = ["existing_file"]


def existing_file(root: Path, name: str, key: str, file: str) -> Path:
    """``name`` taken from ``root`` (the study file's folder) unless absolute.

    Raises
    ------
    StudyError
        The file does not exist (rule ``study.missing-file``, naming ``key`` of ``file``).
    """
    p = Path(name)
    p = p if p.is_absolute() else root / p
    if not p.is_file():
        raise StudyError(
            f"file {name!r} does not exist",
            where=Where(file=file, key=key),
            rule="study.missing-file",
            hint="Check the path; relative paths are taken from the study file's folder.",
        )
    return p
