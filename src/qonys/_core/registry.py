"""Name registries for extensible families (readers, writers, weighting methods, indices...).

Built-in members register through the same call as third-party plugins. Plugins are found through
the ``qonys.plugins`` entry-point group, loaded once, lazily, on the first lookup.

Examples
--------
>>> shapes = Registry[int]("shape")
>>> @shapes.register("square")
... def _square() -> int:
...     return 4
>>> shapes.names()
('square',)
>>> shapes.get("square")()
4
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from .errors import QonysError, Where

__all__ = ["Registry", "ensure_plugins_loaded"]

T = TypeVar("T")

_PLUGINS_LOADED = False


def ensure_plugins_loaded() -> None:
    """Import every module declared under the ``qonys.plugins`` entry-point group, once."""
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for ep in entry_points(group="qonys.plugins"):
        ep.load()


class Registry(Generic[T]):
    """A mapping from stable names to implementations of one family.

    Parameters
    ----------
    family : str
        What the members are (``"reader"``, ``"weighting method"``), used in messages.
    """

    def __init__(self, family: str) -> None:
        self.family = family
        self._items: dict[str, Any] = {}
        self._docs: dict[str, str] = {}

    def register(self, name: str, *, doc: str | None = None) -> Callable[[Any], Any]:
        """Decorator registering ``obj`` under ``name``; a second registration is an error."""

        def deco(obj: Any) -> Any:
            if name in self._items and self._items[name] is not obj:
                raise QonysError(
                    f"a {self.family} named {name!r} is already registered",
                    where=Where(key=name),
                    rule="registry.duplicate",
                    hint="Choose another name for the plugin.",
                )
            self._items[name] = obj
            text = doc or (obj.__doc__ or "").strip().splitlines()[0:1]
            self._docs[name] = text if isinstance(text, str) else (text[0] if text else "")
            return obj

        return deco

    def add(self, name: str, obj: T, *, doc: str | None = None) -> None:
        """Register ``obj`` under ``name`` (non-decorator form)."""
        self.register(name, doc=doc)(obj)

    def get(self, name: str) -> Any:
        """Return the member called ``name`` or raise a readable error listing the known names."""
        ensure_plugins_loaded()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise QonysError(
                f"unknown {self.family} {name!r}",
                where=Where(key=name),
                rule="registry.unknown",
                hint=f"Known {self.family}s: {known}.",
            ) from None

    def names(self) -> tuple[str, ...]:
        """Registered names in registration order."""
        ensure_plugins_loaded()
        return tuple(self._items)

    def describe(self) -> dict[str, str]:
        """Name -> one-line description."""
        ensure_plugins_loaded()
        return dict(self._docs)

    def __contains__(self, name: object) -> bool:
        ensure_plugins_loaded()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())
