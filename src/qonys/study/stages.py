"""The analysis plan: stages registered by name and run in the standard order.

A stage is a function ``(context) -> list`` whose items are :class:`~qonys._core.Result` objects
(turned into tables by the report), report elements (tables, figures, notes, sections, used as
they are) or anything else (kept for later stages in ``context.outputs``, never printed). An
analysis module plugs in by registering its stage in a module of :mod:`qonys.study` (analysis
modules sit on a lower floor and never import the study)::

    from qonys.study import register_stage

    @register_stage("identity", needs=("weight",), title=Msg("Identity"))
    def identity_stage(ctx):
        return [bidimensional_identity(ctx.outputs["weight"][0], **ctx.options)]

The standard plan, in order, is :data:`STANDARD_PLAN`; a stage not registered is simply absent
from the run and from the report. ``after`` orders a stage after others without needing their
results; ``needs`` names stages whose results it uses: if one of them failed or is absent, the
stage is skipped with a note.

Examples
--------
>>> [s for s in STANDARD_PLAN][:4]
['validate', 'privacy', 'weight', 'sample']
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from .._core import StudyError, Where, ensure_plugins_loaded
from ..privacy.suppression import DisclosureRules
from ..report.text import Msg, Text
from .schema import StudyConfig

__all__ = [
    "STAGES",
    "STANDARD_PLAN",
    "DerivedVariables",
    "ProvenanceNote",
    "Stage",
    "StageFunction",
    "StudyContext",
    "derived_classes",
    "plan",
    "register_stage",
    "registered_stages",
    "unregister_stage",
]

STANDARD_PLAN: list[str] = [
    "validate",
    "privacy",
    "weight",
    "sample",
    "portrait",
    "motives",
    "integration",
    "structural_complex",
    "identity",
    "strategies",
    "phases",
    "social_capital",
    "settlement",
    "segregation",
    "perceptions",
]
"""validate -> privacy scan -> weight -> sample and portrait, motives -> integration indices and
the structural-vs-complex test -> identity -> strategies and phases -> social capital ->
settlement and segregation -> locals' perceptions."""

DEFAULT_TITLES: dict[str, Msg] = {
    "validate": Msg("Data quality"),
    "privacy": Msg("Personal data check"),
    "weight": Msg("Weighting"),
    "sample": Msg("Sample"),
    "portrait": Msg("Social portrait of migrants"),
    "motives": Msg("Migration motives"),
    "integration": Msg("Integration indices"),
    "structural_complex": Msg("Structural and complex integration"),
    "identity": Msg("Identity"),
    "strategies": Msg("Integration strategies"),
    "phases": Msg("Phases of integration"),
    "social_capital": Msg("Social capital"),
    "settlement": Msg("Settlement in the city"),
    "segregation": Msg("Residential segregation"),
    "perceptions": Msg("How city residents see migrants"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class StudyContext:
    """What a stage gets.

    Attributes
    ----------
    config : StudyConfig
        The checked study file.
    data : Any
        The survey data as read (a :class:`~qonys._core.Dataset`), or ``None`` without data.
    stage : str
        The running stage's name.
    options : Mapping
        The stage's options (``[analyses.<stage>]``).
    outputs : Mapping[str, tuple]
        Items returned by the stages that ran before, by stage name.
    rules : DisclosureRules
        Disclosure control in force.
    seed : int
        The study's seed; :attr:`rng` is derived from it and the stage name.
    """

    config: StudyConfig
    data: Any
    stage: str
    options: Mapping[str, Any]
    outputs: Mapping[str, tuple[Any, ...]]
    rules: DisclosureRules
    seed: int

    @property
    def rng(self) -> np.random.Generator:
        """A random generator private to this stage, the same on every run."""
        return np.random.default_rng([self.seed, *self.stage.encode("utf-8")])

    def output(self, stage: str) -> tuple[Any, ...]:
        """Items returned by an earlier stage (raises if it did not run)."""
        try:
            return self.outputs[stage]
        except KeyError:
            raise StudyError(
                f"stage {stage!r} has not run before {self.stage!r}",
                where=Where(key=f"analyses.{self.stage}"),
                rule="study.stage-order",
                hint=f"Declare needs=({stage!r},) when registering the stage.",
            ) from None


StageFunction = Callable[[StudyContext], Sequence[Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class ProvenanceNote:
    """A line a stage adds to the report's provenance instead of its section.

    The weighting stage, for one, returns ``ProvenanceNote("weighting", Msg(...))`` for the
    exact weighting it applied (targets met, iterations, trimming, weight range).

    Attributes
    ----------
    kind : {"weighting", "disclosure"}
        Which provenance list the line joins.
    text : Text
        The line.
    """

    kind: str
    text: Text


@dataclasses.dataclass(frozen=True, slots=True)
class DerivedVariables:
    """Respondent-level variables a stage derived, for the stages after it; never rendered.

    A stage that assigns classes or scores (``phase``, ``strategy``, integration dimension
    scores) returns one of these among its items; :func:`qonys.study.survey.survey_data` adds the
    columns of every earlier stage's ``DerivedVariables`` to the survey data it hands out, so a
    later stage can estimate by phase or model an integration score with the same design.
    Rows align with the study data by position. A name that is already a column of the data
    is an error (``study.derived-collision``): nothing is silently replaced.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per respondent, in the data's order.
    variables : tuple of Variable
        Codebook entries of the derived columns (labels in kk, ru, en; ``choices`` naming a
        list of :attr:`choice_lists`), added to the survey data's codebook so later tables
        label them.
    choice_lists : tuple of ChoiceList
        Value labels of derived classes (``circular`` -> "Circular migration", ...).
    """

    frame: Any
    variables: tuple[Any, ...] = ()
    choice_lists: tuple[Any, ...] = ()


def derived_classes(
    name: str, values: Any, label: Mapping[str, str], levels: Mapping[str, Any]
) -> DerivedVariables:
    """:class:`DerivedVariables` of one class variable with its labels.

    Parameters
    ----------
    name : str
        The column (``"phase"``).
    values : array-like
        One class code per respondent (``None`` where unclassified).
    label : mapping
        The variable's label by language.
    levels : mapping
        Class code -> its label (a :class:`~qonys.report.text.Labels` or a language mapping).
    """
    import pandas as pd

    from .._core import Choice, ChoiceList, Variable

    def langs(x: Any) -> dict[str, str]:
        return dict(getattr(x, "by_lang", x))

    choices = ChoiceList(
        f"qonys_{name}", tuple(Choice(code, langs(lab)) for code, lab in levels.items())
    )
    var = Variable(name, "select_one", label=langs(label), choices=choices.name, measure="nominal")
    return DerivedVariables(
        pd.DataFrame({name: np.asarray(values, dtype=object)}), (var,), (choices,)
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Stage:
    """A registered stage: its function, ordering, dependencies and section title."""

    name: str
    func: StageFunction
    after: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    title: Text = ""
    cache: bool = True


STAGES: dict[str, Stage] = {}
"""Registered stages by name (built-ins register through :func:`register_stage` too)."""


def register_stage(
    name: str,
    *,
    after: Sequence[str] = (),
    needs: Sequence[str] = (),
    title: Text | None = None,
    cache: bool = True,
    replace: bool = False,
) -> Callable[[StageFunction], StageFunction]:
    """Decorator registering a stage function under ``name``.

    Parameters
    ----------
    name : str
        Stage name; names of :data:`STANDARD_PLAN` take their place in the plan, other names run
        after the stages listed in ``after`` and ``needs``.
    after : sequence of str
        Stages this one runs after (when they are present).
    needs : sequence of str
        Stages whose results this one uses (implies ``after``).
    title : Text, optional
        Section title (standard stages have one).
    cache : bool
        Whether results may be cached between runs.
    replace : bool
        Allow replacing an existing registration.
    """

    def deco(func: StageFunction) -> StageFunction:
        if name in STAGES and not replace and STAGES[name].func is not func:
            raise StudyError(
                f"a stage named {name!r} is already registered",
                where=Where(key=name),
                rule="study.stage-duplicate",
                hint="Choose another name or pass replace=True.",
            )
        STAGES[name] = Stage(
            name,
            func,
            tuple(after),
            tuple(needs),
            title if title is not None else DEFAULT_TITLES.get(name, name),
            cache,
        )
        return func

    return deco


def unregister_stage(name: str) -> None:
    """Remove a stage (plugins' tests use it)."""
    STAGES.pop(name, None)


@contextmanager
def registered_stages(*stages: Stage) -> Iterator[None]:
    """Temporarily register stages (for tests and notebooks).

    >>> with registered_stages(Stage("extra", lambda ctx: [])):
    ...     "extra" in STAGES
    True
    >>> "extra" in STAGES
    False
    """
    saved = dict(STAGES)
    try:
        for s in stages:
            STAGES[s.name] = s
        yield
    finally:
        STAGES.clear()
        STAGES.update(saved)


def plan(selected: Sequence[str] | None = None) -> list[Stage]:
    """The stages to run, in order.

    Standard stages keep :data:`STANDARD_PLAN`'s order; other stages come after everything they
    follow or need. ``selected`` limits the run to those stages (and fails on unknown names);
    stages they need are added.

    Raises
    ------
    StudyError
        An unknown stage in ``selected`` or a cycle of dependencies.
    """
    ensure_plugins_loaded()
    if selected is not None:
        for name in selected:
            if name not in STAGES:
                known = [s for s in STANDARD_PLAN if s in STAGES] + [
                    s for s in STAGES if s not in STANDARD_PLAN
                ]
                close = difflib.get_close_matches(name, STANDARD_PLAN + list(STAGES), n=1)
                hint = f"Did you mean {close[0]!r}? " if close else ""
                raise StudyError(
                    f"no analysis stage {name!r} is available",
                    where=Where(key="analyses.run"),
                    rule="study.unknown-stage",
                    hint=hint + f"Available: {', '.join(known) or 'none'}.",
                )
    wanted = set(selected) if selected is not None else set(STAGES)
    frontier = list(wanted)
    while frontier:
        s = STAGES.get(frontier.pop())
        if s is None:
            continue
        for dep in s.needs:
            if dep in STAGES and dep not in wanted:
                wanted.add(dep)
                frontier.append(dep)
    rank = {n: i for i, n in enumerate(STANDARD_PLAN)}
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name not in wanted or name not in STAGES:
            return
        if name in visiting:
            raise StudyError(
                f"stages depend on each other in a cycle through {name!r}",
                where=Where(key=name),
                rule="study.stage-cycle",
                hint="Remove one of the after=/needs= links.",
            )
        visiting.add(name)
        for dep in sorted(
            (*STAGES[name].after, *STAGES[name].needs), key=lambda d: (rank.get(d, len(rank)), d)
        ):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    for name in sorted(wanted, key=lambda n: (rank.get(n, len(rank)), n)):
        visit(name)
    return [STAGES[n] for n in order]
