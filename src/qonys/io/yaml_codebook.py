"""The YAML codebook sidecar: a readable, editable file describing every variable.

The layout is :meth:`Codebook.to_dict <qonys._core.codebook.Codebook.to_dict>` written as YAML
(UTF-8, Kazakh and Russian text kept readable, never ``\\u`` escaped); ``docs/codebook.md``
describes each field. Every data writer of :mod:`qonys.io.tabular` puts one next to the data as
``<file>.codebook.yaml`` (``survey.csv`` -> ``survey.csv.codebook.yaml``).

Reading is strict, so a hand-edited sidecar cannot change meaning silently:

* only ``true``/``false`` are booleans and only plain decimal numbers are numbers (YAML 1.2
  core schema): a choice code written ``yes``, ``no``, ``on``, ``012`` or ``2024-03-14`` stays
  a string, where YAML 1.1 would turn it into ``True``, ``10`` or a date;
* a key repeated in one mapping is an error (``yaml.duplicate-key``), not "last one wins";
* syntax errors are :class:`~qonys._core.errors.CodebookError` with rule ``yaml.syntax`` and the
  line and column; errors in an entry name the file, the variable and the line it starts on.

Examples
--------
>>> from qonys._core import Codebook, Variable
>>> text = codebook_to_yaml(Codebook(variables=(Variable("city", label={"kk": "Қала"}),)))
>>> "Қала" in text
True
>>> codebook_from_yaml(text).variable("city").label_in("kk")
'Қала'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .._core import Codebook, CodebookError, ReadError, Where, WriteError
from ._registry import CODEBOOK_READERS, CODEBOOK_WRITERS

__all__ = [
    "codebook_from_yaml",
    "codebook_to_yaml",
    "read_yaml_codebook",
    "sidecar_from_yaml",
    "write_yaml_codebook",
]

OTHER_COLUMNS_KEY = "other_columns"
"""Top-level sidecar key recording the storage kind of data columns that are not variables
(roster keys such as ``_index``, meta columns), so that they read back with their types."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars and an error on duplicate keys."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag
        not in (
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:timestamp",
        )
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
    list("-+0123456789"),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise _yaml_error(
                "a mapping key must be a plain value", key_node.start_mark, "yaml.syntax"
            ) from None
        if key in seen:
            raise _yaml_error(
                f"key {key!r} appears twice", key_node.start_mark, "yaml.duplicate-key"
            )
        seen[key] = loader.construct_object(value_node, deep=True)
    return seen


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _MarkedError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None, rule: str) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.rule = message, line, column, rule


def _yaml_error(message: str, mark: Any, rule: str) -> _MarkedError:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return _MarkedError(message, line, column, rule)


def _load(text: str, source: str | None) -> tuple[Any, dict[str, int]]:
    """Parse YAML text; return the data and the line where each variable entry starts."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _MarkedError as err:
        raise CodebookError(
            f"{err.message} (column {err.column})",
            where=Where(file=source, line=err.line),
            rule=err.rule,
            hint="Each key may appear once per mapping; remove or rename the repeated one.",
        ) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or err.context or "invalid YAML"
        raise CodebookError(
            f"YAML syntax error: {what}"
            + (f" (column {mark.column + 1})" if mark is not None else ""),
            where=Where(file=source, line=mark.line + 1 if mark is not None else None),
            rule="yaml.syntax",
            hint="Check indentation and quoting on that line; quote text containing ': ' or '#'.",
        ) from None
    except yaml.YAMLError as err:
        raise CodebookError(
            f"YAML syntax error: {err}",
            where=Where(file=source),
            rule="yaml.syntax",
            hint="Save the file as UTF-8 text in YAML format.",
        ) from None
    finally:
        loader.dispose()
    return data, _variable_lines(node)


def _variable_lines(node: Any) -> dict[str, int]:
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        if getattr(key, "value", None) != "variables" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            for k, v in item.value:
                if getattr(k, "value", None) == "name" and isinstance(v, yaml.ScalarNode):
                    lines.setdefault(str(v.value), item.start_mark.line + 1)
    return lines


def codebook_from_yaml(text: str, *, source: str | None = None) -> Codebook:
    """Build a :class:`Codebook` from YAML text (see the module docstring for the rules).

    Raises
    ------
    CodebookError
        ``yaml.syntax``, ``yaml.duplicate-key``, ``codebook.format`` or any rule of
        :class:`Codebook` (``codebook.unknown-list``, ``codebook.mrset-member``...), naming the
        file, the variable and its line where known.
    """
    return sidecar_from_yaml(text, source=source)[0]


def sidecar_from_yaml(text: str, *, source: str | None = None) -> tuple[Codebook, dict[str, str]]:
    """Codebook and ``other_columns`` (column -> storage kind) of a data file's sidecar."""
    data, lines = _load(text, source)
    if data is None:
        raise CodebookError(
            "the codebook file is empty",
            where=Where(file=source),
            rule="codebook.format",
            hint="A codebook needs at least a 'variables' list; see docs/codebook.md.",
        )
    if not isinstance(data, Mapping):
        raise CodebookError(
            f"a codebook must be a mapping with a 'variables' list, not a {type(data).__name__}",
            where=Where(file=source, line=1),
            rule="codebook.format",
            hint="Start the file with 'qonys_codebook: 1' and 'variables:'; see docs/codebook.md.",
        )
    other = data.get(OTHER_COLUMNS_KEY) or {}
    if not isinstance(other, Mapping) or not all(
        isinstance(v, str) and v in _KINDS for v in other.values()
    ):
        raise CodebookError(
            f"'{OTHER_COLUMNS_KEY}' must map column names to one of {', '.join(sorted(_KINDS))}",
            where=Where(file=source, key=OTHER_COLUMNS_KEY),
            rule="codebook.format",
            hint="Fix or delete that section; it only records the types of non-variable columns.",
        )
    try:
        codebook = Codebook.from_dict(data, source=source)
    except CodebookError as err:
        if err.where.variable is not None and err.where.variable in lines:
            err.located(line=lines[err.where.variable])
        raise
    return codebook, {str(k): str(v) for k, v in other.items()}


_KINDS = frozenset({"integer", "decimal", "text", "date", "datetime", "boolean"})


def _plain(value: Any) -> Any:
    """Plain YAML-safe data: numpy scalars unwrapped, tuples as lists, NaN as .nan."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def codebook_to_yaml(codebook: Codebook, other_columns: Mapping[str, str] | None = None) -> str:
    """The codebook as YAML text (UTF-8 characters kept as they are).

    ``other_columns`` (column -> storage kind) is added for data sidecars.
    """
    data = codebook.to_dict()
    if other_columns:
        data[OTHER_COLUMNS_KEY] = dict(other_columns)
    return yaml.safe_dump(
        _plain(data),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


@CODEBOOK_READERS.register("yaml", doc="YAML codebook sidecar (.codebook.yaml)")
def read_yaml_codebook(path: Path, **options: Any) -> Codebook:
    """Read a YAML codebook (UTF-8, with or without a byte-order mark).

    Raises
    ------
    ReadError
        ``yaml.encoding`` when the file is not UTF-8.
    CodebookError
        See :func:`codebook_from_yaml`.
    """
    if options:
        raise CodebookError(
            f"unknown option(s) {sorted(options)} for the YAML codebook reader",
            where=Where(file=str(path), key=sorted(options)[0]),
            rule="read.unknown-option",
        )
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise ReadError(
            f"cannot read the codebook ({err.strerror or type(err).__name__})",
            where=Where(file=str(path)),
            rule="read.os-error",
            hint="Check the path and the file's permissions.",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ReadError(
            "the codebook is not UTF-8 text",
            where=Where(file=str(path), line=line),
            rule="yaml.encoding",
            hint="Save the YAML file as UTF-8 (in Notepad: Save as -> Encoding: UTF-8).",
        ) from None
    return codebook_from_yaml(text, source=str(path))


@CODEBOOK_WRITERS.register("yaml", doc="YAML codebook sidecar (.codebook.yaml)")
def write_yaml_codebook(codebook: Codebook, path: Path, **options: Any) -> Path:
    """Write ``codebook`` as UTF-8 YAML to ``path``; returns ``path``."""
    if options:
        raise WriteError(
            f"unknown option(s) {sorted(options)} for the YAML codebook writer",
            where=Where(file=str(path), key=sorted(options)[0]),
            rule="write.unknown-option",
        )
    p = Path(path)
    try:
        p.write_text(codebook_to_yaml(codebook), encoding="utf-8")
    except OSError as err:
        raise WriteError(
            f"cannot write the codebook ({err.strerror or type(err).__name__})",
            where=Where(file=str(path)),
            rule="write.os-error",
            hint="Check that the folder exists and is writable.",
        ) from None
    return p
