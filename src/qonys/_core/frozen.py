"""An immutable, hashable mapping used inside frozen result and metadata objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

__all__ = ["FrozenMap"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only ``dict`` that keeps insertion order and can be hashed if its values can.

    Examples
    --------
    >>> m = FrozenMap({"kk": "Жасы", "ru": "Возраст"})
    >>> m["ru"]
    'Возраст'
    >>> dict(m)
    {'kk': 'Жасы', 'ru': 'Возраст'}
    """

    __slots__ = ("_d", "_h")
    _d: dict[Any, Any]
    _h: int | None

    def __init__(self, data: Mapping[K, V] | None = None, /, **kwargs: V) -> None:
        d: dict[Any, Any] = dict(data or {})
        d.update(kwargs)
        object.__setattr__(self, "_d", d)
        object.__setattr__(self, "_h", None)

    def __getitem__(self, key: K) -> V:
        return self._d[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __hash__(self) -> int:
        h = self._h
        if h is None:
            h = hash(tuple(self._d.items()))
            object.__setattr__(self, "_h", h)
        return h

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._d) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._d,))

    def set(self, key: K, value: V) -> FrozenMap[K, V]:
        """Return a copy with ``key`` set to ``value``."""
        d = dict(self._d)
        d[key] = value
        return FrozenMap(d)

    def to_dict(self) -> dict[K, V]:
        """A plain mutable copy."""
        return dict(self._d)
