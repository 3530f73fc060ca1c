"""The standard qonys instrument shipped with the package.

Two XLSForms in Kazakh, Russian and English: ``migrants`` (internal migrants living in Astana,
Almaty or Shymkent) and ``locals`` (long-term residents of the same cities). They are generated
from the YAML source in ``qonys/data/instrument/src/`` by ``tools/build_instrument.py``, which
also writes ``scales.yaml`` (scales, reverse keys, scoring, composite indices) and the codebook
document ``docs/instrument.md``.

Examples
--------
>>> instrument_path("migrants").name
'migrants.xlsx'
>>> scales_path().name
'scales.yaml'
>>> try:
...     instrument_path("migrant")
... except QonysError as err:
...     print(err.rule, "|", err.hint)
instrument.unknown | Did you mean 'migrants'?
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .._core import QonysError, Where, suggest

__all__ = ["INSTRUMENTS", "instrument_path", "scales_path"]

INSTRUMENTS: tuple[str, ...] = ("migrants", "locals")
"""Names of the shipped forms, in the order a study usually fields them."""


def _data_file(name: str) -> Path:
    return Path(str(resources.files("qonys").joinpath("data", "instrument", name)))


def instrument_path(name: str) -> Path:
    """Path of a shipped XLSForm.

    Parameters
    ----------
    name : {"migrants", "locals"}
        Which form.

    Returns
    -------
    Path
        The ``.xlsx`` file inside the installed package (read it, do not edit it in place:
        copy it first to adapt the questionnaire).

    Raises
    ------
    QonysError
        For an unknown name (rule ``instrument.unknown``), or when the file is missing from
        the installation (rule ``instrument.missing``).
    """
    if name not in INSTRUMENTS:
        known = " and ".join(repr(n) for n in INSTRUMENTS)
        hint = suggest(name, INSTRUMENTS)
        if not hint.startswith("Did you mean"):
            hint = "Check the spelling."
        raise QonysError(
            f"unknown instrument {name!r}; qonys ships {known}",
            where=Where(key="instrument"),
            rule="instrument.unknown",
            hint=hint,
        )
    path = _data_file(f"{name}.xlsx")
    if not path.is_file():
        raise QonysError(
            f"the {name!r} form is missing from this installation of qonys",
            where=Where(file=path.name),
            rule="instrument.missing",
            hint="Reinstall qonys; the forms ship as package data.",
        )
    return path


def scales_path() -> Path:
    """Path of ``scales.yaml``: every scale of the instrument and the composite indices.

    Raises
    ------
    QonysError
        When the file is missing from the installation (rule ``instrument.missing``).
    """
    path = _data_file("scales.yaml")
    if not path.is_file():
        raise QonysError(
            "scales.yaml is missing from this installation of qonys",
            where=Where(file=path.name),
            rule="instrument.missing",
            hint="Reinstall qonys; the instrument ships as package data.",
        )
    return path
