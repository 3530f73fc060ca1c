"""Caching stage results by the hash of everything that determines them.

A stage's key is the SHA-256 of: the qonys version, the stage's name and code, its options, the
study's seed and disclosure rules, the content hashes of the input files, and the keys of the
stages it follows or needs. A re-run after a small change (one stage's options, say) recomputes
only what that change touches. Entries are pickles in ``<out>/.qonys-cache/``; an entry that
cannot be read is ignored and recomputed, and results that cannot be pickled are not cached.

Examples
--------
>>> k1 = stage_key("portrait", {"variables": ["sex"]}, {"data.sav": "ab"}, ["x"], seed=1)
>>> k2 = stage_key("portrait", {"variables": ["sex"]}, {"data.sav": "ab"}, ["x"], seed=1)
>>> k1 == k2, k1 == stage_key("portrait", {}, {"data.sav": "ab"}, ["x"], seed=1)
(True, False)
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._core import sha256_bytes, to_jsonable
from .._version import __version__

__all__ = ["CACHE_DIR", "StageCache", "code_hash", "stage_key"]

CACHE_DIR = ".qonys-cache"


def code_hash(func: Any) -> str:
    """Hash of a function's byte code and constants (changes when its code changes)."""
    code = getattr(func, "__code__", None)
    if code is None:
        return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"
    h = hashlib.sha256(code.co_code)
    h.update(repr(code.co_consts).encode("utf-8", "replace"))
    h.update(f"{func.__module__}.{func.__qualname__}".encode())
    return h.hexdigest()


def stage_key(
    stage: str,
    options: Mapping[str, Any],
    inputs: Mapping[str, str],
    upstream: Sequence[str],
    *,
    seed: int,
    code: str = "",
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The cache key of a stage run (see the module docstring)."""
    payload = {
        "version": __version__,
        "stage": stage,
        "code": code,
        "options": to_jsonable(dict(options)),
        "inputs": dict(sorted(inputs.items())),
        "upstream": list(upstream),
        "seed": seed,
        "extra": to_jsonable(dict(extra or {})),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return sha256_bytes(text.encode("utf-8"))


class StageCache:
    """A folder of pickled stage results keyed by :func:`stage_key`."""

    def __init__(self, folder: Path, *, enabled: bool = True) -> None:
        self.folder = folder
        self.enabled = enabled

    def _path(self, stage: str, key: str) -> Path:
        return self.folder / f"{stage}-{key[:32]}.pkl"

    def get(self, stage: str, key: str) -> tuple[Any, ...] | None:
        """The cached items, or ``None``."""
        if not self.enabled:
            return None
        p = self._path(stage, key)
        if not p.is_file():
            return None
        try:
            with open(p, "rb") as fh:
                value = pickle.load(fh)
        except Exception:  # a damaged entry is recomputed
            return None
        return tuple(value) if isinstance(value, tuple | list) else None

    def put(self, stage: str, key: str, items: Sequence[Any]) -> bool:
        """Store items; returns whether they could be cached."""
        if not self.enabled:
            return False
        try:
            blob = pickle.dumps(tuple(items), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{stage}-*.pkl"):
            old.unlink(missing_ok=True)
        tmp = self._path(stage, key).with_suffix(".tmp")
        tmp.write_bytes(blob)
        tmp.replace(self._path(stage, key))
        return True
