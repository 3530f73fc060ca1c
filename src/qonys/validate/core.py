"""``validate``: check survey data against its codebook and report every problem found.

Checks, with their rules
------------------------
Structure
    ``columns.not-in-codebook`` / ``columns.meta-not-in-codebook`` / ``columns.wrong-table`` /
    ``columns.not-in-data`` / ``columns.duplicate``; ``id.duplicate``, ``id.missing``,
    ``id.no-column`` (the codebook's ``id_variable``); ``roster.orphan`` (a roster row whose
    parent key names no parent row, at any nesting depth), ``roster.duplicate-key``,
    ``roster.missing-key``,
    ``roster.missing-key-column``, ``roster.missing-table``, ``roster.undeclared``.
Values, variable by variable
    ``type.not-a-number``, ``type.not-an-integer``, ``type.not-a-date``;
    ``codes.not-in-list`` (select_one), ``codes.token-not-in-list`` (select_multiple);
    ``binary.not-0-1``, ``binary.inconsistent`` (``q/x`` indicators against the summary
    ``q``); ``constraint.failed`` (the XLSForm ``constraint``, ``.`` being the value);
    ``range.outside-scale`` (items of a :class:`~qonys._core.codebook.Scale` with low/high).
Answers and routing
    ``required.missing`` (a required question without ``relevant`` left empty);
    ``routing.answered-when-skipped`` (a value where the question's ``relevant``, or an
    enclosing group's, is false); ``routing.missing-when-asked`` (empty where it is true and
    the question is required).

User-missing codes (``98`` "Don't know", ``99`` refused, declared in the codebook) are never
reported as bad codes: each cell is classified as ``valid``, ``skipped``, ``refused``,
``dont_know`` or ``missing`` (:func:`missing_kinds`), and the report counts them per variable
(:meth:`ValidationReport.missing_frame`). An empty cell is ``skipped`` where routing skipped the
question and ``missing`` otherwise. Conditions that cannot be evaluated on a flat table
(``count()``, ``pulldata()``...) are not checked, and a note says so.

Nothing is coerced or dropped: the data are only read.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from .._core import Codebook, DataError, Dataset, Meta, Where, check_policy
from ._structure import check_columns, check_ids, check_rosters
from ._tables import TableView, classify, tables
from ._values import check_mr_consistency, check_variable
from .report import VALUE_KINDS, Issue, ValidationReport

__all__ = ["OnError", "missing_kinds", "validate"]

OnError = Literal["report", "raise"]
"""What :func:`validate` does with errors: ``report`` them (default: a validator's purpose
is the report, and nothing is changed or dropped) or ``raise`` the first as a ``DataError``."""


def validate(
    dataset: Dataset,
    codebook: Codebook | None = None,
    *,
    id_variable: str | None = None,
    on_error: OnError = "report",
    today: date | None = None,
) -> ValidationReport:
    """Check ``dataset`` against its codebook (see the module docstring for the checks).

    Parameters
    ----------
    dataset : Dataset
        The survey data (main table and rosters).
    codebook : Codebook, optional
        Metadata to check against; the dataset's own codebook when omitted.
    id_variable : str, optional
        Respondent id column for the duplicate check; the codebook's ``id_variable`` by default.
    on_error : {"report", "raise"}
        Return the report (default) or raise the first error as a ``DataError`` with its rule.
    today : date, optional
        Value of ``today()`` in expressions (pass it for reproducible reports).

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys._core import Codebook, Dataset, Variable, Choice, ChoiceList, MissingCode
    >>> cb = Codebook(
    ...     variables=(Variable("id"), Variable("sex", "select_one", choices="sex",
    ...                missing=(MissingCode(value=99, kind="refused"),))),
    ...     choice_lists=(ChoiceList("sex", (Choice(1), Choice(2))),), id_variable="id")
    >>> ds = Dataset(pd.DataFrame({"id": ["a", "b", "b"], "sex": [1, 7, 99]}), cb)
    >>> report = validate(ds)
    >>> print(report.to_frame()[["row", "variable", "rule", "value_kind"]].to_string(index=False))
     row variable              rule value_kind
       3       id      id.duplicate      valid
       2      sex codes.not-in-list      valid
    >>> missing_kinds(ds, "sex").tolist()
    ['valid', 'valid', 'refused']
    """
    check_policy(on_error, OnError, "on_error")
    cb = codebook if codebook is not None else dataset.codebook
    file = dataset.source.name if dataset.source is not None else None
    issues: list[Issue] = []
    notes: list[str] = []
    missing: list[tuple[str | None, str, str, int]] = []
    emit = issues.append

    check_ids(dataset, id_variable or cb.id_variable, file=file, emit=emit)
    check_rosters(dataset, cb, file=file, emit=emit)
    n_cells = 0
    for view in tables(dataset, cb):
        check_columns(view, cb, file=file, emit=emit)
        names = [str(c) for c in view.frame.columns]
        once = {n for n in names if names.count(n) == 1}
        for var in cb.variables_of(view.name):
            if var.name not in once or var.type == "note":
                continue
            kinds = check_variable(view, cb, var, file=file, today=today, emit=emit, notes=notes)
            n_cells += len(kinds)
            for k in VALUE_KINDS:
                missing.append((view.name, var.name, k, int(np.count_nonzero(kinds == k))))
        check_mr_consistency(view, cb, file=file, emit=emit)
    report = ValidationReport(
        tuple(issues),
        tuple(missing),
        Meta(
            method="validation against the codebook",
            policies={"on_error": on_error},
            call={"id_variable": id_variable, "today": today},
            notes=tuple(dict.fromkeys(notes)),
            n_used=dataset.n,
        ),
    )
    if on_error == "raise" and not report.ok:
        first = report.errors[0]
        raise DataError(
            first.message,
            where=Where(file=first.file, sheet=first.sheet, row=first.row, variable=first.variable),
            rule=first.rule,
            hint=f"{len(report.errors)} error(s) in all; run validate() for the full report.",
        )
    return report


def missing_kinds(
    dataset: Dataset,
    variable: str,
    *,
    codebook: Codebook | None = None,
    today: date | None = None,
) -> pd.Series:
    """Kind of every cell of ``variable``: valid, skipped, refused, dont_know or missing.

    User-missing codes get their declared kind; an empty cell is ``skipped`` where routing
    (the question's and its groups' ``relevant``) is false and ``missing`` otherwise. When the
    routing cannot be evaluated, empty cells are ``missing``.

    Returns
    -------
    pandas.Series
        Strings, indexed like the variable's table (main table or roster), named ``variable``.
    """
    cb = codebook if codebook is not None else dataset.codebook
    var = cb.variable(variable)
    view: TableView | None = None
    for v in tables(dataset, cb):
        if v.name == var.repeat:
            view = v
            break
    if view is None or variable not in view.frame.columns:
        raise DataError(
            f"variable {variable!r} has no column in the data",
            where=Where(variable=variable, sheet=var.repeat),
            rule="data.unknown-column",
            hint="Check the name, or the roster the codebook puts it in.",
        )
    relevant, _ = view.relevant(cb, var, today)
    kinds = classify(view.frame[variable], var, cb, relevant, view.unresolved(cb))
    return pd.Series(kinds, index=view.frame.index, name=variable, dtype=object)
