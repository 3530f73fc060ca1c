"""The ``qonys`` command: a Typer application whose commands are thin wrappers.

Every command parses its arguments, calls one public function and renders the result. A
:class:`~qonys._core.errors.QonysError` is rendered from its structured fields (``where``,
``rule``, ``hint``) and ends the process with exit code 2; with ``--json`` the error is printed as
a JSON object instead. Tracebacks are never shown for user mistakes; an unexpected internal error
prints a one-line apology with the exception type and exits with 1 (set ``QONYS_DEBUG=1`` to see
the traceback).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console

from .._core import QonysError, to_jsonable

__all__ = ["app", "emit_json", "err_console", "main", "out_console"]

app = typer.Typer(
    name="qonys",
    help="qonys: survey toolkit for studying internal migrants' integration in cities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 1


def emit_json(payload: Any) -> None:
    """Print ``payload`` as JSON on standard output (UTF-8, non-ASCII kept)."""
    sys.stdout.write(json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def render_error(err: QonysError, *, as_json: bool) -> None:
    """Print a user error from its structured fields."""
    if as_json:
        emit_json(err.to_dict())
        return
    where = str(err.where)
    err_console.print(f"[bold red]error[/]: {err.message}", markup=True, highlight=False)
    if where:
        err_console.print(f"  where: {where}", markup=False)
    err_console.print(f"  rule:  {err.rule}", markup=False)
    if err.hint:
        err_console.print(f"  hint:  {err.hint}", markup=False)


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``qonys`` script; returns the exit code."""
    from . import commands  # noqa: F401  (registers the commands)

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="qonys", standalone_mode=False)
    except QonysError as err:
        render_error(err, as_json=_wants_json(args))
        return EXIT_USER_ERROR
    except typer.Exit as ex:
        return int(ex.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return EXIT_USER_ERROR
    except Exception as ex:  # usage errors of the command-line parser, and internal failures
        # Typer raises the parser's ClickException family (vendored or from click, by version):
        # they know how to show themselves and carry an exit code.
        if callable(getattr(ex, "show", None)) and isinstance(getattr(ex, "exit_code", None), int):
            ex.show()  # type: ignore[attr-defined]
            return EXIT_USER_ERROR
        if os.environ.get("QONYS_DEBUG"):
            raise
        err_console.print(
            f"internal error ({type(ex).__name__}): {ex}. This is a bug in qonys; "
            "please report it with the command you ran (set QONYS_DEBUG=1 for details).",
            markup=False,
        )
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
