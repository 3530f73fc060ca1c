"""Weighting targets (population margins) read from a CSV file and checked before any work.

The file has one row per category of each weighting variable::

    variable,level,target
    sex,1,0.48
    sex,2,0.52
    age_group,1,0.31
    ...

``target`` is a population count or share. An optional ``city`` column gives targets per city
(each city checked on its own). Every variable's targets must add up to the same total (1 for
shares), because raking to margins that disagree cannot converge.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "m.csv").write_text("variable,level,target\\nsex,1,480\\nsex,2,520\\n"
...                              "age,1,300\\nage,2,700\\n", encoding="utf-8")
>>> m = read_margins(d / "m.csv")
>>> m.variables, m.totals
(('sex', 'age'), {'': 1000.0})
"""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

from .._core import StudyError, Where

__all__ = ["Margins", "read_margins"]

_REQUIRED = ("variable", "level", "target")


@dataclasses.dataclass(frozen=True, slots=True)
class Margins:
    """Checked weighting targets.

    Attributes
    ----------
    rows : tuple of (city, variable, level, target)
        Targets in file order (``city`` is ``""`` when the file has no city column).
    variables : tuple of str
        Weighting variables, in order of first appearance.
    totals : dict
        City -> the common total of its targets.
    """

    rows: tuple[tuple[str, str, str, float], ...]
    variables: tuple[str, ...]
    totals: dict[str, float]

    def describe(self) -> str:
        """One line for the provenance, e.g. ``sex (2 levels), age (2 levels); total 1000``."""
        parts = []
        for v in self.variables:
            levels = {r[2] for r in self.rows if r[1] == v}
            parts.append(f"{v} ({len(levels)} levels)")
        totals = ", ".join(f"{c or 'all'} {t:g}" for c, t in self.totals.items())
        return "; ".join(parts) + f"; total {totals}"


def read_margins(path: str | Path, *, key: str = "weighting.margins") -> Margins:
    """Read and check a margins CSV (see the module docstring).

    Raises
    ------
    StudyError
        The file is missing, does not parse, lacks a column, has a non-numeric or negative
        target, a duplicate category, or variables whose totals differ. The message names the
        file, the line and the fix.
    """
    p = Path(path)
    where = Where(file=str(path), key=key)
    if not p.is_file():
        raise StudyError(
            "the margins file does not exist",
            where=where,
            rule="study.missing-file",
            hint="Check the path; it is taken relative to the study file's folder.",
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise StudyError(
            "the margins file is not UTF-8 text",
            where=where,
            rule="study.margins-encoding",
            hint="Save it as CSV UTF-8 from Excel or LibreOffice.",
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delim)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise StudyError(
            f"the margins file lacks the column(s) {', '.join(missing)}",
            where=where.with_(line=1),
            rule="study.margins-columns",
            hint="The first line must be: variable,level,target (and optionally city).",
        )
    rows: list[tuple[str, str, str, float]] = []
    seen: set[tuple[str, str, str]] = set()
    for line_no, raw in enumerate(reader, start=2):
        rec = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(rec.values()):
            continue
        city, var, level = rec.get("city", ""), rec["variable"], rec["level"]
        if not var or not level:
            raise StudyError(
                "a row has an empty variable or level",
                where=where.with_(line=line_no),
                rule="study.margins-row",
                hint="Fill in both, or delete the row.",
            )
        try:
            target = float(rec["target"].replace(",", ".").replace(" ", ""))
        except ValueError:
            raise StudyError(
                f"target {rec['target']!r} is not a number",
                where=where.with_(line=line_no, variable=var),
                rule="study.margins-target",
                hint="Write a count or a share such as 0.48.",
            ) from None
        if not math.isfinite(target) or target < 0:
            raise StudyError(
                f"target {target:g} is negative or not finite",
                where=where.with_(line=line_no, variable=var),
                rule="study.margins-target",
                hint="Targets are counts or shares >= 0.",
            )
        if (city, var, level) in seen:
            raise StudyError(
                f"category {level!r} of {var!r} appears twice",
                where=where.with_(line=line_no, variable=var),
                rule="study.margins-duplicate",
                hint="Keep one row per category.",
            )
        seen.add((city, var, level))
        rows.append((city, var, level, target))
    if not rows:
        raise StudyError(
            "the margins file has no targets",
            where=where,
            rule="study.margins-empty",
            hint="Add one row per category: variable,level,target.",
        )
    totals: dict[str, float] = {}
    for city in dict.fromkeys(r[0] for r in rows):
        sums: dict[str, float] = {}
        for c, v, _, t in rows:
            if c == city:
                sums[v] = sums.get(v, 0.0) + t
        values = list(sums.values())
        ref = values[0]
        bad = [v for v, s in sums.items() if not math.isclose(s, ref, rel_tol=1e-6, abs_tol=1e-9)]
        if bad:
            detail = ", ".join(f"{v} = {s:g}" for v, s in sums.items())
            raise StudyError(
                f"the margins do not sum to one total{f' in city {city}' if city else ''}: "
                f"{detail}",
                where=where.with_(variable=bad[0]),
                rule="study.margins-total",
                hint="Every variable's targets must add up to the same population total "
                "(or to 1 when they are shares).",
            )
        totals[city] = ref
    variables = tuple(dict.fromkeys(r[1] for r in rows))
    return Margins(tuple(rows), variables, totals)
