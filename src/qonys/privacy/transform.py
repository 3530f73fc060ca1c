"""Remove or pseudonymise direct identifiers, and refuse exports that still hold them.

``drop_identifiers``
    a new dataset without the flagged columns (in every table) and without their variables in
    the codebook (multiple-response sets and scales lose those members);
``hash_identifiers``
    a new dataset where every non-empty cell of a flagged column is replaced by its keyed,
    salted SHA-256 (HMAC-SHA256 with the salt as key, hex), so the same person keeps the same
    code across files hashed with the same salt. The salt is required, at least 16 characters,
    and must stay secret: IINs and phone numbers are few enough to be guessed from an unsalted
    or known-salt hash. Values are hashed as text: Unicode NFC, surrounding spaces removed,
    whole numbers without ``.0``. Hashed variables become ``text`` in the codebook;
``require_no_identifiers``
    raises :class:`~qonys._core.errors.PrivacyError` (rule ``privacy.direct-identifiers``)
    naming the variables and the two fixes; export commands call it before writing.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._core import Codebook, Dataset, PrivacyError, Where
from .scan import PIIReport, scan

__all__ = ["drop_identifiers", "hash_identifiers", "require_no_identifiers"]

MIN_SALT = 16


def _targets(report: PIIReport, variables: Iterable[str] | None) -> list[str]:
    flagged = list(report.variables)
    if variables is None:
        return flagged
    chosen = list(dict.fromkeys(variables))
    unknown = [v for v in chosen if v not in flagged]
    if unknown:
        raise PrivacyError(
            f"variable(s) {unknown} were not flagged by the scan",
            where=Where(variable=unknown[0]),
            rule="privacy.not-flagged",
            hint="Choose among the report's variables: " + ", ".join(flagged[:10]) + ".",
        )
    return chosen


def _prune_codebook(cb: Codebook, removed: set[str], note: str) -> Codebook:
    mr_sets = []
    for s in cb.mr_sets:
        kept = tuple(v for v in s.variables if v not in removed)
        if kept:
            mr_sets.append(s if len(kept) == len(s.variables) else _replace(s, variables=kept))
    scales = []
    for sc in cb.scales:
        items = tuple(v for v in sc.items if v not in removed)
        if items:
            scales.append(
                sc
                if len(items) == len(sc.items)
                else _replace(sc, items=items, reverse=tuple(r for r in sc.reverse if r in items))
            )
    return cb.replace(
        variables=tuple(v for v in cb.variables if v.name not in removed),
        mr_sets=tuple(mr_sets),
        scales=tuple(scales),
        id_variable=None if cb.id_variable in removed else cb.id_variable,
        notes=(*cb.notes, note),
    )


def _replace(obj: object, **changes: object) -> object:
    import dataclasses

    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


def drop_identifiers(
    dataset: Dataset, report: PIIReport | None = None, *, variables: Iterable[str] | None = None
) -> Dataset:
    """A copy of ``dataset`` without the flagged columns.

    Parameters
    ----------
    dataset : Dataset
    report : PIIReport, optional
        The scan to act on; :func:`qonys.privacy.scan` of ``dataset`` when omitted.
    variables : iterable of str, optional
        Only these flagged variables (all flagged ones by default).

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys._core import Codebook, Dataset, Variable
    >>> ds = Dataset(pd.DataFrame({"phone": ["87012345678"], "age": [30]}),
    ...              Codebook(variables=(Variable("phone"), Variable("age", "integer"))))
    >>> drop_identifiers(ds).data.columns.tolist()
    ['age']
    """
    rep = report if report is not None else scan(dataset)
    removed = set(_targets(rep, variables))

    def cut(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(columns=[c for c in frame.columns if str(c) in removed])

    note = f"direct identifiers removed: {', '.join(sorted(removed)) or 'none'}"
    source = dataset.source.with_notes(note) if dataset.source is not None else None
    return dataset.replace(
        data=cut(dataset.data),
        rosters={k: cut(v) for k, v in dataset.rosters.items()},
        codebook=_prune_codebook(dataset.codebook, removed & set(dataset.codebook.names), note),
        source=source,
    )


def _canonical(x: object) -> str:
    if isinstance(x, float | np.floating) and math.isfinite(x) and float(x) == int(x):
        return str(int(x))
    if isinstance(x, int | np.integer) and not isinstance(x, bool):
        return str(int(x))
    return unicodedata.normalize("NFC", str(x)).strip()


def _hash_column(col: pd.Series, key: bytes) -> pd.Series:
    out: list[str | None] = []
    for x in col.tolist():
        if x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
            out.append(None)
            continue
        text = _canonical(x)
        out.append(
            None if text == "" else hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        )
    return pd.Series(out, index=col.index, name=col.name, dtype="str")


def hash_identifiers(
    dataset: Dataset,
    report: PIIReport | None = None,
    salt: str | None = None,
    *,
    variables: Iterable[str] | None = None,
) -> Dataset:
    """A copy of ``dataset`` with flagged columns replaced by salted SHA-256 codes.

    Parameters
    ----------
    dataset : Dataset
    report : PIIReport, optional
        The scan to act on; :func:`qonys.privacy.scan` of ``dataset`` when omitted.
    salt : str
        Secret key, at least 16 characters (required). Keep it apart from the data.
    variables : iterable of str, optional
        Only these flagged variables.

    Raises
    ------
    PrivacyError
        ``privacy.salt`` when the salt is missing or shorter than 16 characters.

    Examples
    --------
    >>> import pandas as pd
    >>> from qonys._core import Codebook, Dataset, Variable
    >>> ds = Dataset(pd.DataFrame({"iin": ["900101300126", None]}),
    ...              Codebook(variables=(Variable("iin"),)))
    >>> out = hash_identifiers(ds, salt="a long secret salt")
    >>> len(out.data.loc[0, "iin"]), bool(pd.isna(out.data.loc[1, "iin"]))
    (64, True)
    """
    if not isinstance(salt, str) or len(salt) < MIN_SALT:
        raise PrivacyError(
            f"a secret salt of at least {MIN_SALT} characters is required",
            where=Where(key="salt"),
            rule="privacy.salt",
            hint="Choose a long random phrase, keep it out of the data and of shared files.",
        )
    rep = report if report is not None else scan(dataset)
    targets = set(_targets(rep, variables))
    key = salt.encode("utf-8")

    def apply(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for c in frame.columns:
            if str(c) in targets:
                out[c] = _hash_column(frame[c], key)
        return out

    cb = dataset.codebook
    hashed = sorted(targets & set(cb.names))
    note = f"direct identifiers replaced by HMAC-SHA256 codes: {', '.join(sorted(targets))}"
    new_cb = cb.replace(
        variables=tuple(
            v.replace(type="text", choices=None, missing=(), format=None, measure="nominal")
            if v.name in hashed
            else v
            for v in cb.variables
        ),
        notes=(*cb.notes, note),
    )
    source = dataset.source.with_notes(note) if dataset.source is not None else None
    return dataset.replace(
        data=apply(dataset.data),
        rosters={k: apply(v) for k, v in dataset.rosters.items()},
        codebook=new_cb,
        source=source,
    )


def require_no_identifiers(dataset: Dataset, *, allow: Iterable[str] = ()) -> PIIReport:
    """Raise unless ``dataset`` is free of direct identifiers; return the (clean) report.

    Raises
    ------
    PrivacyError
        Rule ``privacy.direct-identifiers``, naming the variables, their kinds and the fixes.
    """
    report = scan(dataset, allow=allow)
    if report.clean:
        return report
    names = report.variables
    listed = ", ".join(f"{v} ({'/'.join(report.kinds_of(v))})" for v in names[:10])
    if len(names) > 10:
        listed += f" and {len(names) - 10} more"
    raise PrivacyError(
        f"{len(names)} variable(s) hold direct identifiers: {listed}",
        where=Where(file=dataset.source.name if dataset.source else None, variable=names[0]),
        rule="privacy.direct-identifiers",
        hint=(
            "Either drop them (qonys.privacy.drop_identifiers) or replace them by salted "
            "hashes (qonys.privacy.hash_identifiers with a secret salt); if a variable is a "
            "false alarm, name it in allow=."
        ),
    )
