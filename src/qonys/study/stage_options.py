"""Options of the integration, structural_complex, strategies and phases stages, checked early.

They are declared with :func:`qonys.study.options.declare_options`, like every stage's, so the
study file's check (:func:`qonys.study.options.check_options`, run while the file is read)
fails on a wrong option before any data are read, naming the key (``analyses.phases.
continuous_months``), the rule (``study.unknown-key``, ``study.option-value``) and what is
expected with the default. Defaults match the standard instrument; :func:`options_of` gives a
stage its checked options with the defaults filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .options import Option, declare_options

__all__ = ["STAGE_OPTIONS", "options_of"]


def _num(lo: float | None = None, hi: float | None = None) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return "a number"
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            return f"a number from {lo} to {hi}" if hi is not None else f"a number >= {lo}"
        return None

    return check


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else "one of " + ", ".join(repr(c) for c in choices)


def _tau(v: Any) -> str | None:
    if v == "locals_median":
        return None
    return _num(0.0, 1.0)(v) and "a number from 0 to 1, or 'locals_median'"


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda v: None if v is None else check(v)


def _str_list(v: Any) -> str | None:
    ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
    return None if ok else "a list of variable names"


def _median(v: Any) -> str | None:
    if isinstance(v, dict):
        bad = [k for k, x in v.items() if _num(1.0)(x)]
        return None if not bad else "positive numbers by city code, e.g. {71 = 350000}"
    return _num(1.0)(v) and "a positive number (tenge a month) or a table by city code"


def _classes(v: Any) -> str | None:
    if v == "bic":
        return None
    return _num(1, 6)(v) if isinstance(v, int) else "an integer from 1 to 6, or 'bic'"


def _components(v: Any) -> str | None:
    from ..measure.standard_items import COMPONENTS

    dims = ("culturation", "placement", "interaction", "identification")
    if not isinstance(v, dict) or set(v) != set(dims):
        return "a table with the four dimensions " + ", ".join(dims)
    for comps in v.values():
        if not isinstance(comps, list) or not comps:
            return "a non-empty list of components for each dimension"
        bad = [c for c in comps if c not in COMPONENTS]
        if bad:
            return f"components of the standard instrument ({bad[0]!r} is not one; known: " + (
                ", ".join(COMPONENTS) + ")"
            )
    return None


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


# stage -> key -> (default, check, help)
STAGE_OPTIONS: dict[str, dict[str, tuple[Any, Callable[[Any], str | None], str]]] = {
    "integration": {
        "form": ("ipl24", _one_of("ipl12", "ipl24"), "IPL form: ipl12 or ipl24"),
        "mode": ("lenient", _one_of("strict", "lenient"), "strict: every dimension needed"),
        "language": ("max", _one_of("max", "kk", "ru"), "linguistic score: max, kk or ru"),
        "income_median": (None, _median, "median monthly income, tenge (default: sample's)"),
        "esser_components": (
            None,
            _components,
            "Esser's dimensions -> component lists (default: the instrument's indices)",
        ),
    },
    "structural_complex": {
        "tau": (0.6, _tau, "threshold of a 'high' dimension, or 'locals_median'"),
        "tau_fallback": (
            None,
            _optional(_num(0.0, 1.0)),
            "with tau = 'locals_median': threshold of a dimension the residents' data lack",
        ),
        "margin": (0.2, _num(0.0, 1.0), "supported when the upper CI limit < 1 - margin"),
        "controls": ([], _str_list, "terms added to the logit, e.g. ['C(scr_city)']"),
        "level": (0.95, _num(0.5, 0.999), "confidence level"),
    },
    "strategies": {
        "n_classes": (2, _classes, "number of classes, or 'bic' for the lowest BIC"),
        "max_classes": (6, _num(1, 6), "largest K of the selection table"),
        "n_init": (10, _num(1, 1000), "random starts per K (raise for a final analysis)"),
        "plans": (True, _bool, "use the savings and housing plans as indicators"),
    },
    "phases": {
        "return_stays": (2.0, _num(0.0), "return trips a year that make a migrant circular"),
        "months_in_origin": (3.0, _num(0.0, 12.0), "months a year in the home place (circular)"),
        "continuous_months": (12.0, _num(0.0), "months of continuous stay (settled)"),
        "temporary_registration_months": (24.0, _num(0.0), "temporary registration (integrated)"),
        "min_housing": (
            "room_rent",
            _one_of("dorm", "room_rent", "flat_rent", "owned_mortgage", "owned"),
            "least settled housing of a settled migrant",
        ),
        "latent_classes": (3, _num(2, 6), "classes of the latent class alternative"),
        "n_init": (5, _num(1, 1000), "random starts of the latent class alternative"),
    },
}


def _declared(stage: str, key: str, default: Any, check: Any, help_: str) -> Option:
    """An :class:`~qonys.study.options.Option` whose check says what is expected."""

    def checked(value: Any) -> str | None:
        expected = check(value)
        if not expected:
            return None
        return f"{key} must be {expected}: {help_} (default {default!r})."

    return Option((object,), help_, check=checked)


for _stage, _spec in STAGE_OPTIONS.items():
    declare_options(_stage, {k: _declared(_stage, k, d, c, h) for k, (d, c, h) in _spec.items()})


def options_of(stage: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The stage's options with defaults filled in (``given`` already checked)."""
    out = {k: spec[0] for k, spec in STAGE_OPTIONS[stage].items()}
    out.update(given)
    return out
