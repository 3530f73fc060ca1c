"""A progress bar per stage (rich), or nothing when progress display is off.

Examples
--------
>>> with StageProgress(["validate"], enabled=False) as bar:
...     bar.start("validate"); bar.finish("validate", "ok")
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

__all__ = ["StageProgress"]

_STYLE = {"ok": "green", "cached": "cyan", "failed": "red", "skipped": "yellow"}


class StageProgress:
    """One rich progress bar per stage: waiting, running, then ok / cached / failed / skipped."""

    def __init__(self, names: Sequence[str], *, enabled: bool = True, console: Any = None) -> None:
        self.enabled = enabled and bool(names)
        self._tasks: dict[str, Any] = {}
        self._progress: Any = None
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(bar_width=24),
                TextColumn("{task.fields[state]}"),
                TimeElapsedColumn(),
                console=console if console is not None else Console(stderr=True),
                transient=False,
            )
            for name in names:
                self._tasks[name] = self._progress.add_task(
                    name, total=1, state="waiting", start=False
                )

    def __enter__(self) -> StageProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, name: str) -> None:
        """Mark a stage as running."""
        if self._progress is not None and name in self._tasks:
            self._progress.start_task(self._tasks[name])
            self._progress.update(self._tasks[name], state="running")

    def finish(self, name: str, state: str) -> None:
        """Mark a stage as done with ``state``."""
        if self._progress is not None and name in self._tasks:
            task = self._tasks[name]
            self._progress.start_task(task)
            style = _STYLE.get(state, "white")
            self._progress.update(task, completed=1, state=f"[{style}]{state}[/]")
