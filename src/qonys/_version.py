"""The package version, single source of truth (kept equal to pyproject.toml's)."""

__version__ = "0.1.0"
