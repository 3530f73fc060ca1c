"""Command-line interface: thin commands over the public API (see ``qonys --help``)."""

from .app import app, main

__all__ = ["app", "main"]
