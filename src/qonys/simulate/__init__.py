"""Synthetic study generator (placeholder while the package is being built)."""
