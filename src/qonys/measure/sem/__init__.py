"""Structural equation machinery behind :func:`qonys.measure.cfa`: syntax, parameter tables,
implied moments, ML / MLR / WLSMV estimation and fit measures."""

__all__: list[str] = []
